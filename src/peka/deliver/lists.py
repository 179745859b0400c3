"""Writing the outputs of ``peka target`` as one set: the lists, the village-meeting workbook, the summary, the
evaluation, the audit.

The set is written into a temporary folder beside the output folder (``.peka-tmp.<pid>.<name>.<random>.tmp``) and
swapped into place only when every file is complete: a reader never sees lists from one run with a summary from
another, and a run that dies leaves the previous set intact. The output folder must be new, empty, or a folder a
previous ``peka target`` wrote (it holds the marker file ``.peka-target``): peka never replaces a folder of yours.

The workbook: one sheet per gampong, a header block for the meeting (date, place, attendance, signatures), text
written as text (a name beginning with ``=`` stays inert), landscape A4, fitted to the page width, the table
header repeated on every printed page. Its document date is fixed, so reruns are byte-identical.
"""

from __future__ import annotations

import io
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from peka.deliver.files import CSV_STANDARD, CsvDialect, atomic_directory, in_memory_workbook
from peka.deliver.files import csv_bytes as dialect_csv_bytes
from peka.errors import UsageError

MARKER = ".peka-target"


def csv_bytes(frame: pd.DataFrame, csv_dialect: CsvDialect = CSV_STANDARD) -> bytes:
    """CSV in ``csv_dialect``, missing as empty, text that a spreadsheet would run as a formula prefixed with ``'``."""
    return dialect_csv_bytes(frame, csv_dialect)


def check_output_folder(folder: Path) -> None:
    """Refuse an output folder that exists and is neither empty nor a previous ``peka target`` output."""
    if folder.exists() or folder.is_symlink():
        if not folder.is_dir() or folder.is_symlink():
            raise UsageError(f"-o {folder}: not a folder; name a new folder for the lists")
        if any(folder.iterdir()) and not (folder / MARKER).is_file():
            raise UsageError(f"-o {folder}: the folder holds other files; name a new or empty folder")


def write_set(folder: str | os.PathLike[str], contents: Mapping[str, bytes]) -> Path:
    """Write ``contents`` (file name → bytes) as the whole content of ``folder``, atomically as a set
    (``deliver.files.atomic_directory``): a killed or failed run leaves the previous set as it was."""
    folder = Path(folder)
    check_output_folder(folder)
    # the folder is empty or a previous peka target output: every file in it is replaced by this run's set
    previous = {entry.name for entry in folder.iterdir()} if folder.is_dir() else set()
    with atomic_directory(folder, previous | set(contents) | {MARKER}) as tmp:
        for name, data in {**contents, MARKER: b"written by peka target\n"}.items():
            (tmp / name).write_bytes(data)
    return folder


@dataclass
class MeetingSheet:
    """One gampong's sheet: title lines above the meeting block, then the table."""

    name: str
    title: Sequence[str]
    table: pd.DataFrame
    number_columns: Sequence[str] = field(default_factory=tuple)


MEETING_BLOCK = (
    "Hari/tanggal musyawarah: ______________________",
    "Tempat: ______________________",
    "Jumlah peserta hadir: ______ (daftar hadir terlampir)",
)
SIGNATURES = ("Keuchik / Kepala Desa", "Pendamping / Fasilitator", "Perwakilan warga")


def _sheet_names(names: Sequence[str]) -> list[str]:
    """Valid, unique sheet names (≤ 31 characters, none of []:*?/\\)."""
    out: list[str] = []
    taken: set[str] = set()  # lower-cased, as Excel compares sheet names
    for name in names:
        base = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:28] or "gampong"
        candidate, i = base, 2
        while candidate.lower() in taken:
            candidate, i = f"{base[:26]} {i}", i + 1
        out.append(candidate)
        taken.add(candidate.lower())
    return out


def meeting_workbook(sheets: Sequence[MeetingSheet]) -> bytes:
    """The village-meeting workbook as bytes."""

    buffer = io.BytesIO()
    workbook = in_memory_workbook(buffer, title="Daftar musyawarah verifikasi")
    bold = workbook.add_format({"bold": True, "font_size": 12})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                  "valign": "top"})
    cell = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    number = workbook.add_format({"border": 1, "valign": "top", "num_format": "#,##0"})
    for sheet, name in zip(sheets, _sheet_names([s.name for s in sheets])):
        ws = workbook.add_worksheet(name)
        row = 0
        for line in sheet.title:
            ws.write_string(row, 0, line, bold)
            row += 1
        for line in MEETING_BLOCK:
            ws.write_string(row, 0, line)
            row += 1
        row += 1
        head_row = row
        columns = list(sheet.table.columns)
        for c, column in enumerate(columns):
            ws.write_string(row, c, str(column), header)
        values = {c: sheet.table[c].tolist() for c in columns}
        for r in range(len(sheet.table)):  # printed rows: a gampong's list, at most a few hundred
            row += 1
            for c, column in enumerate(columns):
                value = values[column][r]
                if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
                    ws.write_blank(row, c, None, cell)
                elif column in sheet.number_columns:
                    ws.write_number(row, c, float(value), number)
                else:
                    ws.write_string(row, c, str(value), cell)
        row += 3
        for c, who in enumerate(SIGNATURES):
            ws.write_string(row, c * 3, who, bold)
            ws.write_string(row + 4, c * 3, "(______________________)")
        for c, column in enumerate(columns):
            width = 40 if column in ("alasan", "paket", "alamat", "catatan") else 16
            ws.set_column(c, c, width)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # all columns on one page width, as many pages long as needed
        ws.repeat_rows(head_row)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        ws.set_footer("&CHalaman &P dari &N")
    workbook.close()
    return buffer.getvalue()

