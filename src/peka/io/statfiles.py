"""SPSS (.sav/.zsav), Stata (.dta) and SAS (.sas7bdat) via pyreadstat, keeping what the file says about values.

SPSS files are read with ``user_missing=True``: a declared user-missing code such as 98 "Tidak tahu" stays a value
here and is counted by the mapping (``Survey.user_missing``), never silently turned into NaN. Value labels
(``meta.variable_value_labels``) are kept per column so mappings can recode on codes or on labels. ``_row`` is the
case number (first case = 1).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat

from peka.errors import InputError, printable_name
from peka.io.raw import RawTable, add_row_numbers, require_rows

log = logging.getLogger(__name__)

READERS: dict[str, Callable[..., tuple[Any, Any]]] = {
    "sav": pyreadstat.read_sav,
    "zsav": pyreadstat.read_sav,
    "dta": pyreadstat.read_dta,
    "sas7bdat": pyreadstat.read_sas7bdat,
}


def _call(path: Path, fmt: str, **kwargs: Any) -> tuple[Any, Any]:
    reader = READERS[fmt]
    if fmt in ("sav", "zsav"):
        kwargs["user_missing"] = True
    if path.stat().st_size == 0:
        raise InputError("the file is empty", file=str(path))
    try:
        return reader(str(path), **kwargs)
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as exc:
        raise InputError(f"cannot read the {fmt} file: corrupt or truncated ({exc})", file=str(path)) from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the {fmt} file ({type(exc).__name__})", file=str(path)) from None


def stat_header(path: Path, fmt: str) -> list[str]:
    """Column names from the file's metadata only (no data read)."""
    _, meta = _call(path, fmt, metadataonly=True)
    return list(meta.column_names)


def read_stat(path: Path, fmt: str, *, usecols: list[str] | None = None) -> RawTable:
    file = printable_name(path)
    frame, meta = _call(path, fmt, usecols=usecols)
    frame = add_row_numbers(frame, first=1)
    require_rows(frame, file)
    expected = getattr(meta, "number_rows", None)
    if expected is not None and expected >= 0 and expected != len(frame):
        raise InputError(f"the file declares {expected} cases but {len(frame)} were read (truncated?)", file=file)
    return _raw_table(frame, meta, file, fmt)


# formats whose cases can be read a slice at a time (``row_offset``/``row_limit``) with the values of a whole read
CHUNKED_FORMATS = ("sav", "zsav", "dta")


def read_stat_chunks(path: Path, fmt: str, *, usecols: list[str] | None, chunk_rows: int) -> Iterator[RawTable]:
    """``read_stat`` a slice of ``chunk_rows`` cases at a time (``_row`` the case number, as in the whole read; the
    same value labels and user-missing ranges with every slice): the stream engine's reader for SPSS and Stata."""
    if fmt not in CHUNKED_FORMATS:
        raise ValueError(f"{fmt} files are read whole")
    file = printable_name(path)
    _, meta = _call(path, fmt, metadataonly=True)
    declared = getattr(meta, "number_rows", None)
    first = 1
    while True:
        frame, meta = _call(path, fmt, usecols=usecols, row_offset=first - 1, row_limit=chunk_rows)
        if first == 1:
            require_rows(frame, file)
        if len(frame) == 0:
            break
        yield _raw_table(add_row_numbers(frame, first=first), meta, file, fmt)
        first += len(frame)
        if len(frame) < chunk_rows or (declared is not None and declared >= 0 and first - 1 >= declared):
            break
    if declared is not None and declared >= 0 and declared != first - 1:
        raise InputError(f"the file declares {declared} cases but {first - 1} were read (truncated?)", file=file)


def _raw_table(frame: pd.DataFrame, meta: Any, file: str, fmt: str) -> RawTable:
    keep = set(frame.columns)
    labels = {col: dict(vals) for col, vals in (meta.variable_value_labels or {}).items() if col in keep}
    ranges: dict[str, list[tuple[float, float]]] = {}
    for col, entries in (getattr(meta, "missing_ranges", None) or {}).items():
        if col in keep:
            ranges[col] = [(float(e["lo"]), float(e["hi"])) for e in entries if _numeric(e["lo"]) and _numeric(e["hi"])]
    return RawTable(
        frame=frame, file=file, format=fmt, rows=len(frame), value_labels=labels, user_missing=ranges,
        details={"encoding": getattr(meta, "file_encoding", None)},
    )  # fmt: skip


def _numeric(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
