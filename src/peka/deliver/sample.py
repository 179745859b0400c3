"""Writing a generated survey to disk in the source formats peka reads.

``write_sample(survey, out_dir, formats)`` writes the survey as canonical CSV/Parquet and, by running the tables
backwards through the mapping presets, as a P3KE-style workbook and Susenas-style .sav/.dta files (the bundled
``data/samples/sabang`` is ``generate(3000, 2026)`` written in every format; its README describes the files).

``sample_files``, ``parse_formats`` and ``check_formats`` name the files, read ``--formats`` and refuse what a format
cannot hold before anything is generated or written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pyreadstat
import xlsxwriter

from peka.deliver.files import XLSX_MAX_ROWS, XLSX_OPTIONS, atomic_directory, atomic_path, write_table
from peka.errors import UsageError
from peka.mapping import load_mapping, source_value_labels, to_source
from peka.sample.draw import int_text, join_text
from peka.schema import model
from peka.schema.model import ROW, Survey, columns_for

log = logging.getLogger(__name__)

FORMATS = ("csv", "csv-id", "parquet", "xlsx", "sav", "dta")
FIXED_TIMESTAMP = datetime(2026, 1, 1)  # stamped into XLSX/SAV/DTA headers so the same seed gives the same bytes
# .sav: the sample declares these Susenas-style variables' 98/99 as user-missing ("tidak tahu"/"tidak menjawab") and
# codes the households whose answer is missing as 98, so readers must count user-missing codes.
SAV_USER_MISSING = {"R1901": "meat_milk_per_week", "R1810A": "water_source"}
USER_MISSING_LABELS: dict[int | float, str] = {98: "Tidak tahu", 99: "Tidak menjawab"}


def sample_files(formats: tuple[str, ...] | list[str]) -> list[str]:
    """The file names ``write_sample`` writes for these formats, in order."""
    names = {
        "csv": ["households.csv", "persons.csv"],
        "csv-id": ["households_id.csv"],
        "parquet": ["households.parquet", "persons.parquet"],
        "xlsx": ["p3ke_sabang.xlsx"],
        "sav": ["susenas_kor_rt.sav", "susenas_kor_ind.sav"],
        "dta": ["susenas_kor_rt.dta", "susenas_kor_ind.dta"],
    }
    return [name for fmt in formats for name in names[fmt]]


def parse_formats(text: str) -> tuple[str, ...]:
    """``"csv,parquet"`` → ``("csv", "parquet")``; UsageError naming an unknown format."""
    formats = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(
            f"--formats: unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}"
        )
    return formats


def check_formats(survey: Survey, formats: tuple[str, ...]) -> None:
    """Refuse, before anything is written, what a format cannot hold (an XLSX sheet has at most 1,048,575 rows)."""
    if "xlsx" in formats:
        rows = max(len(survey.households), len(survey.persons) if survey.persons is not None else 0)
        if rows + 1 > XLSX_MAX_ROWS:
            raise UsageError(
                f"--formats xlsx: the sample has {rows:,} rows in one sheet, an XLSX sheet holds at most "
                f"{XLSX_MAX_ROWS - 1:,}; use --formats csv or parquet for samples this large"
            )


def write_sample(survey: Survey, out_dir: str | Path, formats: tuple[str, ...] | list[str] = ("csv",)) -> list[Path]:
    """Write a generated survey into ``out_dir`` in the given formats (see ``FORMATS`` and ``sample_files``).

    The source formats are the canonical tables run backwards through the mapping presets
    (``peka.mapping.to_source``): ``xlsx`` = P3KE-style sheets ``Keluarga``/``Individu`` with Indonesian
    headers and text values; ``sav``/``dta`` = Susenas-style names with numeric codes, value labels and variable
    labels; ``csv-id`` = the households with ``;``, decimal commas and dot thousands, UTF-8 with BOM (Indonesian
    Excel). The same survey gives byte-identical files.

    All files of one call are written into a temporary folder beside ``out_dir`` and swapped in as a whole when
    complete (``peka.deliver.files.atomic_directory``): ``out_dir`` never holds files of two runs, and a run that
    is killed leaves the previous files as they were. Afterwards ``out_dir`` holds this call's sample files only
    (sample files of other formats from an earlier run are removed); other files in it (a README) are kept. A
    folder that holds subfolders is refused.
    """
    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UsageError(f"unknown sample format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    check_formats(survey, formats)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; give a folder to write the sample into")
    households = survey.households.drop(columns=[ROW], errors="ignore")
    persons = survey.persons.drop(columns=[ROW], errors="ignore") if survey.persons is not None else None
    staged: list[Path] = []
    with atomic_directory(out, sample_files(FORMATS)) as staging:
        for fmt in formats:
            if fmt == "csv":
                staged.append(_write_csv(households, staging / "households.csv"))
                if persons is not None:
                    staged.append(_write_csv(persons, staging / "persons.csv"))
            elif fmt == "csv-id":
                staged.append(_write_indonesian_csv(households, staging / "households_id.csv"))
            elif fmt == "parquet":
                staged.append(write_table(households, staging / "households.parquet"))
                if persons is not None:
                    staged.append(write_table(persons, staging / "persons.parquet"))
            elif fmt == "xlsx":
                staged.append(write_p3ke_xlsx(households, persons, staging / "p3ke_sabang.xlsx"))
            else:
                staged.extend(_write_susenas(households, persons, staging, fmt))
            log.info("wrote %s sample files in %s", fmt, staging)
    return [out / path.name for path in staged]


# formats a sample can be written in piece by piece (appended): the others need the whole table at once
PIECEWISE_FORMATS = ("csv", "csv-id", "parquet")


def check_piecewise(formats: tuple[str, ...]) -> None:
    """Refuse formats that cannot be appended to, for a sample generated in pieces (``peka.sample.pieces``)."""
    whole = [f for f in formats if f not in PIECEWISE_FORMATS]
    if whole:
        raise UsageError(
            f"--formats {', '.join(whole)}: a sample over 1,000,000 households is written piece by piece, which "
            f"only {', '.join(PIECEWISE_FORMATS)} allow; choose those formats or fewer households"
        )


def write_sample_pieces(pieces: Iterable[Survey], out_dir: str | Path, formats: tuple[str, ...]) -> tuple[
        list[Path], int, int]:
    """Write a survey that comes in pieces (``peka.sample.generate_pieces``) into ``out_dir``: each file is appended
    piece by piece (CSV: the header once; Parquet: one row group or more per piece), so memory holds one piece.
    The same files and the same all-or-nothing swap as ``write_sample``; a one-piece survey gives the same bytes
    for CSV (Parquet: the same table). Returns the files, households and persons written."""
    formats = tuple(formats)
    check_piecewise(formats)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; give a folder to write the sample into")
    households_written = persons_written = 0
    names = sample_files(formats)
    with atomic_directory(out, sample_files(FORMATS)) as staging, ExitStack() as files:
        handles: dict[str, BinaryIO] = {name: files.enter_context(open(staging / name, "wb"))
                                        for name in names if name.endswith(".csv")}
        parquet: dict[str, pq.ParquetWriter] = {}
        try:
            for survey in pieces:
                households = survey.households.drop(columns=[ROW], errors="ignore")
                persons = survey.persons.drop(columns=[ROW], errors="ignore") if survey.persons is not None else None
                header = households_written == 0
                for fmt in formats:
                    if fmt == "csv":
                        _append_csv(households, handles["households.csv"], header=header)
                        if persons is not None:
                            _append_csv(persons, handles["persons.csv"], header=header)
                    elif fmt == "csv-id":
                        _append_csv(_indonesian_frame(households), handles["households_id.csv"], header=header,
                                    sep=";", bom=True, quote=False)
                    else:
                        for name, frame in (("households.parquet", households), ("persons.parquet", persons)):
                            if frame is not None:
                                table = pa.Table.from_pandas(frame, preserve_index=False)
                                if name not in parquet:
                                    parquet[name] = pq.ParquetWriter(staging / name, table.schema, compression="zstd")
                                parquet[name].write_table(table.cast(parquet[name].schema))
                households_written += len(households)
                persons_written += len(persons) if persons is not None else 0
                log.info("wrote %s households so far", f"{households_written:,}")
        finally:
            for writer in parquet.values():
                writer.close()
        written = [name for name in names if (staging / name).exists()]
    return [out / name for name in written], households_written, persons_written


def _indonesian_numbers(values: np.ndarray) -> pa.Array:
    """Numbers as Indonesian Excel shows them: ``1.250.000,5`` → text ``1.250.000,50`` (2 decimals kept only when
    not whole), missing → null. Built with array arithmetic, no per-value formatting."""
    missing = np.isnan(values)
    cents = np.round(np.abs(np.where(missing, 0.0, values)) * 100).astype("int64")
    whole, frac = cents // 100, cents % 100
    groups = [whole // 10**9, (whole // 10**6) % 1000, (whole // 1000) % 1000, whole % 1000]
    text: pa.Array = int_text(groups[0])
    started = groups[0] > 0
    for group in groups[1:]:
        padded = pc.utf8_lpad(int_text(group), 3, "0")
        text = pc.if_else(pa.array(started), join_text(text, ".", padded), int_text(group))
        started = started | (group > 0)
    fraction = pc.if_else(pa.array(frac > 0), join_text(",", pc.utf8_lpad(int_text(frac), 2, "0")), pa.scalar(""))
    sign = pc.if_else(pa.array(values < 0), pa.scalar("-"), pa.scalar(""))
    return pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), join_text(sign, text, fraction))


def _write_csv(frame: pd.DataFrame, target: Path, *, sep: str = ",", bom: bool = False, quote: bool = True) -> Path:
    """CSV through pyarrow's writer (about ten times faster than ``DataFrame.to_csv`` at a million rows): UTF-8,
    text quoted (``quote=False``: nothing quoted, as Indonesian Excel writes ``;`` files — the synthetic text
    holds no ``;``, quote or line break), missing = empty, booleans ``true``/``false``."""
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        _append_csv(frame, fh, header=True, sep=sep, bom=bom, quote=quote)
    return target


def _append_csv(frame: pd.DataFrame, fh: BinaryIO, *, header: bool, sep: str = ",", bom: bool = False,
                quote: bool = True) -> None:
    """``frame``'s rows onto an open file (``header``: the first piece, with the BOM and the header line)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if header and bom:
        fh.write("\ufeff".encode("utf-8"))  # Excel on Windows reads UTF-8 only with a BOM
    if header and not quote:  # pyarrow quotes the header whatever the style: write it plainly
        fh.write((sep.join(frame.columns) + "\n").encode("utf-8"))
    options = pacsv.WriteOptions(delimiter=sep, quoting_style="needed" if quote else "none",
                                 include_header=quote and header)
    pacsv.write_csv(table, fh, write_options=options)


def _indonesian_frame(households: pd.DataFrame) -> pd.DataFrame:
    columns = {
        name: pd.array(_indonesian_numbers(households[name].to_numpy()), dtype="str")
        if households[name].dtype == "float64"
        else households[name]
        for name in households.columns
    }
    return pd.DataFrame(columns)


def _write_indonesian_csv(households: pd.DataFrame, target: Path) -> Path:
    return _write_csv(_indonesian_frame(households), target, sep=";", bom=True, quote=False)


def write_p3ke_xlsx(households: pd.DataFrame, persons: pd.DataFrame | None, target: Path) -> Path:
    mapping = load_mapping("p3ke")
    sheets = {mapping.household_sheet or "Keluarga": to_source(households, mapping, "household")}
    if persons is not None:
        sheets[mapping.person_sheet or "Individu"] = to_source(persons, mapping, "person")
    with atomic_path(target) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {**XLSX_OPTIONS, "constant_memory": False})
        book.set_properties({"created": FIXED_TIMESTAMP, "title": "Synthetic P3KE-style sample (peka)"})
        header = book.add_format({"bold": True})
        for name, frame in sheets.items():
            sheet = book.add_worksheet(name)
            sheet.write_row(0, 0, list(frame.columns), header)
            for j, col in enumerate(frame.columns):  # a loop over columns; xlsxwriter writes the cells
                values = frame[col].astype(object)
                sheet.write_column(1, j, values.where(values.notna(), None).tolist())  # ids are str: NIK stays text
            sheet.freeze_panes(1, 0)
        book.close()
    return target


def _write_susenas(households: pd.DataFrame, persons: pd.DataFrame | None, out: Path, fmt: str) -> list[Path]:
    mapping = load_mapping("susenas")
    written = []
    tables: tuple[tuple[model.Level, pd.DataFrame | None, str], ...] = (
        ("household", households, "susenas_kor_rt"),
        ("person", persons, "susenas_kor_ind"),
    )
    for level, frame, stem in tables:
        if frame is None:
            continue
        source = to_source(frame, mapping, level)
        labels: dict[str, dict[int | float, str]] = {
            col: {code: text for code, text in codes.items() if isinstance(code, (int, float))}
            for col, codes in source_value_labels(mapping, level).items()
        }
        canonical_of = {spec.sources[0]: name for name, spec in mapping.specs(level).items()}
        column_labels: dict[str, str | None] = {
            col: columns_for(level)[canonical_of[col]].description[:80] for col in source.columns
        }
        for col in source.columns:
            if source[col].dtype == "Int64" or source[col].dtype == "Int8":  # SPSS/Stata numbers are doubles
                source[col] = source[col].astype("float64")
            elif source[col].dtype == "str":  # pyreadstat iterates cells: Python strings are 3x faster than Arrow's
                source[col] = source[col].astype(object)
        target = out / f"{stem}.{fmt}"
        with atomic_path(target) as tmp:
            if fmt == "sav":
                missing_ranges: dict[str, list[Any]] = {}
                for col in SAV_USER_MISSING:
                    if col in source.columns:
                        source[col] = source[col].fillna(98.0)
                        labels[col] = {**labels.get(col, {}), **USER_MISSING_LABELS}
                        missing_ranges[col] = [98, 99]
                pyreadstat.write_sav(
                    source,
                    tmp,
                    file_label="Synthetic Susenas-style sample (peka)",
                    column_labels=column_labels,
                    variable_value_labels=labels,
                    missing_ranges=missing_ranges,
                    row_compress=True,
                )
            else:
                pyreadstat.write_dta(
                    source,
                    tmp,
                    file_label="Synthetic Susenas-style sample (peka)",
                    column_labels=column_labels,
                    variable_value_labels=labels,
                )
            _fix_timestamp(tmp, fmt)
        written.append(target)
    return written


def _fix_timestamp(path: Path, fmt: str) -> None:
    """Overwrite the creation time ReadStat writes into a .sav/.dta header with FIXED_TIMESTAMP, so that the same
    sample gives byte-identical files (a committed sample does not change when regenerated)."""
    data = bytearray(path.read_bytes())
    if fmt == "sav":  # header: creation date (9 bytes "dd Mon yy") at offset 92, time (8 bytes "hh:mm:ss") at 101
        stamp = FIXED_TIMESTAMP.strftime("%d %b %y").encode("ascii") + FIXED_TIMESTAMP.strftime("%H:%M:%S").encode(
            "ascii"
        )
        data[92:109] = stamp
    else:  # <timestamp> + 1 length byte + "dd Mon yyyy hh:mm"
        start = data.find(b"<timestamp>") + len(b"<timestamp>")
        length = data[start]
        data[start + 1 : start + 1 + length] = FIXED_TIMESTAMP.strftime("%d %b %Y %H:%M").encode("ascii")[:length]
    path.write_bytes(bytes(data))
