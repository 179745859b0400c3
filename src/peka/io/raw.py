"""What a reader returns: the file's own columns (plus ``_row``) and what the file says about them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from peka.errors import InputError
from peka.schema.model import ROW

log = logging.getLogger(__name__)

# Source kinds → how a reader should parse the column (see ``peka.mapping.Mapping.kinds_by_source``):
# ids and text as strings (leading zeros kept), coded columns as categoricals (few distinct values, fast to
# recode), numbers left to the parser so they arrive as numbers.
TEXT_KINDS = frozenset({"id", "str"})
CODED_KINDS = frozenset({"category", "bool"})


@dataclass
class RawTable:
    """One table as read from one file, before mapping.

    ``frame`` holds the source columns and ``_row`` (the user's row number). ``rows`` counts the data rows in the
    file (blank lines excluded). ``value_labels`` are SPSS/Stata/SAS value labels per column; ``user_missing`` the
    declared SPSS user-missing ranges per column as ``(lo, hi)`` pairs; ``decimal`` the decimal mark text numbers
    use (``","`` for ``1.250.000,50``).
    """

    frame: pd.DataFrame
    file: str
    format: str
    rows: int
    value_labels: dict[str, dict[object, str]] = field(default_factory=dict)
    user_missing: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    decimal: str = "."
    details: dict[str, object] = field(default_factory=dict)  # encoding, sep, sheet: what detection decided


def add_row_numbers(frame: pd.DataFrame, first: int) -> pd.DataFrame:
    """Prepend ``_row`` (``first`` for the first data row: 2 for files with a header line, 1 for case files).

    A file peka wrote itself (e.g. ``peka classify -o out.parquet``) already carries ``_row`` from the original
    input: it is kept, so messages still point at the analyst's first file."""
    frame = frame.reset_index(drop=True)
    if ROW in frame.columns:
        carried = frame[ROW]
        if pd.api.types.is_integer_dtype(carried.dtype) and not carried.isna().any():
            return frame.astype({ROW: "int64"})
        frame = frame.rename(columns={ROW: f"{ROW}_source"})
    if len(frame) == 0:  # a header without rows reads as a block per column: one block, not a fragmentation warning
        frame = frame.copy()
    frame.insert(0, ROW, np.arange(first, first + len(frame), dtype="int64"))
    return frame


def drop_blank_rows(frame: pd.DataFrame, file: str = "") -> pd.DataFrame:
    """Drop rows whose every source cell is empty (blank lines); ``_row`` of the others is unchanged. How many were
    dropped is logged: they hold no data, but the analyst can see why the row count is below the line count."""
    columns = [c for c in frame.columns if c != ROW]
    if not columns or frame.empty:
        return frame
    candidates = frame[columns[0]].isna().to_numpy()  # cheap pre-filter: a blank row is empty in column 1 too
    if not candidates.any():
        return frame
    blank = np.zeros(len(frame), dtype=bool)
    idx = np.flatnonzero(candidates)
    blank[idx] = frame.iloc[idx][columns].isna().all(axis=1).to_numpy()
    if not blank.any():
        return frame
    log.info("%s: %d blank row(s) skipped (every cell empty)", file or "input", int(blank.sum()))
    return frame.loc[~blank]


def require_rows(frame: pd.DataFrame, file: str, row: int = 2) -> None:
    """No data rows is an error naming ``row``, where the first data row should be."""
    if len(frame) == 0:
        raise InputError("the file has a header but no data rows", file=file, row=row)


def unique_header(names: Sequence[object], file: str, row: int = 1) -> list[str]:
    """Column names as text; a repeated name is an error (which of the two would the mapping mean?). ``row`` is the
    header's line or sheet row, for the message."""
    text = ["" if n is None else str(n).strip() for n in names]
    seen: set[str] = set()
    for position, name in enumerate(text, start=1):
        if name in seen:
            raise InputError(f"column name {name!r} appears twice in the header (column {position})", file=file,
                             row=row)  # fmt: skip
        seen.add(name)
    return text
