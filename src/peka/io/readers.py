"""Choose a reader by file suffix; read the header first (cheap) so the mapping can say how to read the data.

``open_source(path, ...)`` returns a ``Source`` whose ``header`` is known; ``Source.read(usecols, kinds)`` reads the
data, parsing only the columns the mapping uses, ids as strings and numbers as numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from peka.errors import InputError, UsageError, printable_name
from peka.io import delimited
from peka.io.raw import RawTable

# excel, parquet and statfiles are imported where a file of theirs is read: pyreadstat and pyarrow.parquet alone
# take a quarter of a second to import, which every `peka profile x.csv` would otherwise pay

FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".sav": "sav",
    ".zsav": "zsav",
    ".dta": "dta",
    ".sas7bdat": "sas7bdat",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(f"unknown file type {path.suffix!r}; peka reads {', '.join(sorted(FORMATS))}", file=str(path))
    return fmt


@dataclass
class Source:
    """A file (and sheet) whose header has been read; ``read`` gets the data."""

    path: Path
    format: str
    header: list[str]
    sheet: str | None = None
    dialect: delimited.Dialect | None = None
    _cached: RawTable | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        """How messages name this table: the path, plus the sheet for workbooks."""
        name = printable_name(self.path)  # a name with a newline or a non-UTF-8 byte must not break messages
        return f"{name} (sheet {self.sheet})" if self.sheet else name

    def read(
        self,
        *,
        usecols: list[str] | None = None,
        kinds: dict[str, str] | None = None,
        types: dict[str, str] | None = None,
    ) -> RawTable:
        """The data; ``types`` (exact types of a file peka wrote: ``delimited.read_delimited``) only speeds up
        reading a CSV: other formats carry their types."""
        if self.format == "csv":
            assert self.dialect is not None
            return delimited.read_delimited(self.path, self.dialect, usecols=usecols, kinds=kinds, types=types)
        if self.format == "xlsx":
            from peka.io import excel

            assert self.sheet is not None and self._cached is not None
            return excel.infer_types(self._cached, kinds or {})
        if self.format == "parquet":
            from peka.io import parquet

            return parquet.read_parquet(self.path, usecols=usecols)
        from peka.io import statfiles

        return statfiles.read_stat(self.path, self.format, usecols=usecols)


def open_source(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    preferred_sheets: list[str] | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
) -> Source:
    """Detect the format of ``path`` and read its header. Text-file options apply to CSV/TSV/TXT only."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=str(path))
    if path.is_dir():
        raise InputError("is a folder, not a file", file=str(path))
    fmt = format_of(path)
    if fmt == "csv":
        dialect = delimited.sniff(path, sep=sep, encoding=encoding, decimal=decimal)
        return Source(path, fmt, list(dialect.header), dialect=dialect)
    if fmt == "xlsx":
        from peka.io import excel

        name = excel.choose_sheet(path, sheet, preferred_sheets)
        raw = excel.read_xlsx_raw(path, name)  # a workbook is read whole anyway: keep it for ``read``
        header = [c for c in raw.frame.columns if c != "_row"]
        return Source(path, fmt, header, sheet=name, _cached=raw)
    if fmt == "parquet":
        from peka.io import parquet

        return Source(path, fmt, parquet.parquet_header(path))
    from peka.io import statfiles

    return Source(path, fmt, statfiles.stat_header(path, fmt))
