"""XLSX/XLSM workbooks via python-calamine (``pd.read_excel(engine="calamine")``).

Cells are read as Excel stored them (``dtype=object``): a NIK typed as a number arrives as a number and the mapping
reports it (``id_as_number``) instead of a string of wrong digits; text codes keep their leading zeros. Columns the
mapping does not read as ids get pandas' type inference. An encrypted (password-protected) workbook is an OLE2
container, not a zip: it is recognised from its first bytes and reported in one line.
"""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from peka.errors import InputError, printable_name
from peka.io.raw import TEXT_KINDS, RawTable, add_row_numbers, drop_blank_rows, require_rows, unique_header

log = logging.getLogger(__name__)

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"


def check_workbook(path: Path) -> None:
    """Fail early, in one line, on what calamine would report as 'Cannot detect file format'."""
    file = printable_name(path)
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        raise InputError("the file is empty", file=file)
    if head.startswith(OLE2_MAGIC):
        raise InputError(
            "the workbook is encrypted (password-protected) or an old .xls renamed to .xlsx: open it in Excel, remove "
            "the password and save it as .xlsx",
            file=file,
        )
    if not head.startswith(ZIP_MAGIC):
        raise InputError("not an XLSX workbook (not a zip container): corrupt, truncated or another format", file=file)
    try:
        with zipfile.ZipFile(path) as zf:
            if "[Content_Types].xml" not in zf.namelist():
                raise InputError("not an XLSX workbook ([Content_Types].xml missing)", file=file)
    except zipfile.BadZipFile:
        raise InputError("the workbook is corrupt or truncated (bad zip container)", file=file) from None


def sheet_names(path: Path) -> list[str]:
    check_workbook(path)
    from python_calamine import CalamineWorkbook

    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types
        raise InputError(f"cannot open the workbook ({type(exc).__name__})", file=str(path)) from None


def choose_sheet(path: Path, sheet: str | int | None, preferred: list[str] | None = None) -> str:
    """The sheet to read: ``sheet`` by name (case-blind) or 0-based position; else the first of ``preferred``
    present in the workbook; else the first sheet."""
    names = sheet_names(path)
    if not names:
        raise InputError("the workbook has no sheets", file=str(path))
    folded = {n.casefold().strip(): n for n in names}
    if sheet is not None:
        if isinstance(sheet, str) and sheet.casefold().strip() in folded:
            return folded[sheet.casefold().strip()]
        if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.strip().isdigit()):
            position = int(sheet)
            if 0 <= position < len(names):
                return names[position]
        raise InputError(f"no sheet {sheet!r}; the workbook has: {', '.join(names)}", file=str(path))
    for name in preferred or []:
        if name and name.casefold() in folded:
            return folded[name.casefold()]
    return names[0]


def has_sheet(path: Path, name: str | None) -> str | None:
    if not name:
        return None
    folded = {n.casefold().strip(): n for n in sheet_names(path)}
    return folded.get(name.casefold().strip())


def read_xlsx(path: Path, sheet: str, *, kinds: dict[str, str] | None = None) -> RawTable:
    """Read one sheet (header in the first row). ``kinds``: source column → canonical kind (ids stay raw)."""
    return infer_types(read_xlsx_raw(path, sheet), kinds or {})


def read_xlsx_raw(path: Path, sheet: str) -> RawTable:
    """One sheet with every cell as calamine gave it (``object`` columns), ``_row`` and blank rows dropped.

    The header is found by ``header_position`` (leading blank rows and a title above the table are skipped, as in
    many exports); ``_row`` is the sheet's own row number. Header cells are taken as written: a name used twice is
    an ``InputError`` (pandas would silently rename the second one ``x.1`` and the mapping would read the first), a
    blank one is named ``Unnamed: <position>``."""
    file = f"{printable_name(path)} (sheet {sheet})"
    try:
        cells = pd.read_excel(path, sheet_name=sheet, engine="calamine", dtype=object, header=None)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - calamine/zip errors: the file cannot be read at all
        raise InputError(f"cannot read the sheet ({type(exc).__name__})", file=file) from None
    top = header_position(cells)
    if top is None:
        raise InputError("the sheet is empty", file=file)
    if cells.iloc[:top].notna().to_numpy().any():
        log.info("%s: the header is on row %d; the %d row(s) above it (a title?) are not data", file, top + 1, top)
    header = [_header_name(v, i) for i, v in enumerate(cells.iloc[top].tolist())]
    frame = cells.iloc[top + 1 :].reset_index(drop=True)
    frame.columns = unique_header(header, file, row=top + 1)
    frame = add_row_numbers(frame, first=top + 2)
    frame = drop_blank_rows(frame, file)
    require_rows(frame, file)
    return RawTable(frame=frame, file=file, format="xlsx", rows=len(frame), details={"sheet": sheet})


HEADER_SEARCH_ROWS = 20  # the header is looked for among the first non-blank rows of a sheet


def header_position(cells: pd.DataFrame) -> int | None:
    """Position of the header row: the first non-blank row with at least half as many filled cells as the fullest
    of the first ``HEADER_SEARCH_ROWS`` non-blank rows. A title above the table ("DATA P3KE KOTA SABANG", one
    cell) is thereby skipped; a header row fills every column it names. ``None`` for a blank sheet.

    >>> header_position(pd.DataFrame([["Judul", None, None], [None, None, None], ["a", "b", "c"], [1, 2, 3]]))
    2
    """
    if cells.shape[1] == 0:
        return None
    counts = cells.notna().sum(axis=1).to_numpy()
    rows = np.flatnonzero(counts)[:HEADER_SEARCH_ROWS]
    if rows.size == 0:
        return None
    fullest = counts[rows].max()
    return int(rows[np.argmax(counts[rows] * 2 >= fullest)])


def _header_name(value: object, position: int) -> str:
    """A header cell as a column name: text stripped, ``2024.0`` → ``"2024"``, blank → ``Unnamed: <position>``."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or not str(value).strip():
        return f"Unnamed: {position}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def infer_types(raw: RawTable, kinds: dict[str, str]) -> RawTable:
    """Numbers as numbers and text as ``str`` for every column except ids/text the mapping reads (kept raw, so a
    NIK stored as a number is still seen as a number by the mapping)."""
    frame = raw.frame.copy()
    for name in frame.columns:
        if name != "_row" and kinds.get(name) not in TEXT_KINDS and frame[name].dtype == object:
            frame[name] = frame[name].infer_objects()
    return RawTable(frame=frame, file=raw.file, format=raw.format, rows=raw.rows, details=dict(raw.details))
