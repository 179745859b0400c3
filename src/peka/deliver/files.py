"""Writing output files: atomically, by suffix, safe for Excel users.

Every file peka writes goes through ``atomic_path``: the content is written to a temporary file in the target's
folder and moved into place with ``os.replace`` only when complete, so a cron job that dies half-way never leaves
a truncated report, and a reader never sees a half-written file. Inputs are never opened for writing.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peka.errors import UsageError

if TYPE_CHECKING:  # pandas is imported where a frame is written, pyarrow when a Parquet table is
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

XLSX_MAX_ROWS = 1_048_576  # a sheet's hard limit, header included
# xlsxwriter turns strings starting with "=" into formulas and URL-like strings into links unless told not to:
# survey text typed by enumerators must stay inert text in a workbook (formula injection).
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": False}
# the creation date every workbook peka writes records (xlsxwriter stamps the current time otherwise): the same
# inputs give byte-identical .xlsx files, as they do .csv and .json
XLSX_CREATED = datetime.datetime(2000, 1, 1)
TABLE_SUFFIXES = (".csv", ".parquet", ".xlsx", ".json")


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV peka writes is spelled: field separator, decimal mark, and whether the UTF-8 text starts with a BOM.

    ``standard`` (``,``, decimal point, no BOM) is what other software expects; ``id`` (``;``, decimal comma, BOM)
    is what Excel set to Indonesian opens into columns by a double click. Numbers keep full precision and are never
    grouped by thousands in either, so a file reads back to the same values (peka's reader detects both).
    """

    name: str
    sep: str
    decimal: str
    bom: bool

    @property
    def encoding(self) -> str:
        return "utf-8-sig" if self.bom else "utf-8"


CSV_STANDARD = CsvDialect("standard", sep=",", decimal=".", bom=False)
CSV_INDONESIAN = CsvDialect("id", sep=";", decimal=",", bom=True)
CSV_DIALECTS = {dialect.name: dialect for dialect in (CSV_STANDARD, CSV_INDONESIAN)}


def csv_dialect(name: str | CsvDialect) -> CsvDialect:
    """The dialect called ``name`` (``standard`` or ``id``); a ``CsvDialect`` is returned as it is."""
    if isinstance(name, CsvDialect):
        return name
    try:
        return CSV_DIALECTS[name]
    except KeyError:
        raise UsageError(f"unknown CSV dialect {name!r}: use one of {', '.join(CSV_DIALECTS)}") from None


def csv_bytes(frame: pd.DataFrame, dialect: CsvDialect = CSV_STANDARD, *, formula_safe: bool = True) -> bytes:
    """``frame`` as CSV bytes in ``dialect`` ("\\n" line ends, missing as empty); text a spreadsheet would run as a
    formula prefixed with ``'`` (``formula_safe_text``)."""
    safe = formula_safe_text(frame) if formula_safe else frame
    text = safe.to_csv(index=False, lineterminator="\n", sep=dialect.sep, decimal=dialect.decimal)
    return text.encode(dialect.encoding)


TEMP_PREFIX = ".peka-tmp."  # every temporary file peka writes: ".peka-tmp.<pid>.<target name>.<random>.tmp"
TEMP_SUFFIX = ".tmp"
_STARTED = time.time()  # a temporary newer than this process may belong to a concurrent run: left alone


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success move it over ``target``, on failure delete it.

    A symbolic link as ``target`` is written through (its target file is replaced, the link stays). The temporary
    file's name carries peka's prefix and this process's id, so that the next run can remove what a killed run left
    (``remove_stale_temporaries``).

    >>> with atomic_path("out.csv") as tmp:  # doctest: +SKIP
    ...     frame.to_csv(tmp)
    """
    target = Path(target)
    if target.is_symlink():
        target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}.{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        # mkstemp makes the file 0600; give the result the permissions any new file would get (umask applies)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def remove_stale_temporaries(target: str | os.PathLike[str]) -> list[Path]:
    """Delete temporaries of ``target`` left by killed peka runs: only files named by peka's own pattern for this
    target, whose writing process is no longer alive and that are older than this process. Returns what was
    removed."""
    target = Path(target)
    removed: list[Path] = []
    try:
        candidates = list(target.parent.glob(f"{TEMP_PREFIX}*.{_glob_escape(target.name)}.*{TEMP_SUFFIX}"))
    except OSError:
        return removed
    for path in candidates:
        pid_text = path.name[len(TEMP_PREFIX) :].split(".", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime <= _STARTED:
                path.unlink()
                removed.append(path)
    return removed


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def write_bytes(data: bytes, target: str | os.PathLike[str]) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_text(text: str, target: str | os.PathLike[str], encoding: str = "utf-8") -> Path:
    return write_bytes(text.encode(encoding), target)


def write_table(
    frame: pd.DataFrame,
    target: str | os.PathLike[str],
    *,
    sheet_name: str = "data",
    csv_dialect: CsvDialect = CSV_STANDARD,
    metadata: dict[bytes, bytes] | None = None,
    formula_safe: bool = True,
) -> Path:
    """Write a DataFrame by the target's suffix: .csv, .parquet, .xlsx or .json (records). Atomic.

    CSV: in ``csv_dialect`` (``CsvDialect``: separator, decimal mark, UTF-8 with or without BOM), missing as empty.
    XLSX: refuses frames over the sheet limit (use CSV/Parquet for microdata); text that Excel would run as a
    formula or open as a link is stored as plain text; header frozen and filtered. ``metadata``: key-value pairs
    stored in a Parquet file's schema (the classification record). ``formula_safe`` (CSV): a text cell beginning
    with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading apostrophe, so that Excel shows it as
    text instead of running it (OWASP "CSV injection"); numbers are never touched.
    """
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise UsageError(f"cannot write {target.name}: use one of {', '.join(TABLE_SUFFIXES)}")
    with atomic_path(target) as tmp:
        if suffix == ".csv":
            safe = formula_safe_text(frame) if formula_safe else frame
            safe.to_csv(
                tmp, index=False, sep=csv_dialect.sep, decimal=csv_dialect.decimal, encoding=csv_dialect.encoding
            )
        elif suffix == ".parquet":
            _write_parquet(frame, tmp, metadata or {})
        elif suffix == ".json":
            frame.to_json(tmp, orient="records", force_ascii=False, indent=1)
        else:
            write_xlsx_sheets({sheet_name: frame}, tmp)
    return target


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def formula_safe_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell that a spreadsheet would run as a formula prefixed by ``'``.

    >>> import pandas as pd
    >>> formula_safe_text(pd.DataFrame({"a": ["=1+1", "ok", "-x"], "b": [-1.5, 2.0, 3.0]})).to_dict("list")
    {'a': ["'=1+1", 'ok', "'-x"], 'b': [-1.5, 2.0, 3.0]}
    """
    from pandas.api.types import is_string_dtype

    changed = {}
    for column in frame.columns:
        values = frame[column]
        if not (is_string_dtype(values.dtype) or values.dtype == object):
            continue
        text = values.astype("string")
        risky = text.str.startswith(FORMULA_PREFIXES).fillna(False).to_numpy(dtype=bool)
        if risky.any():
            changed[column] = values.where(~risky, "'" + text)
    return frame.assign(**changed) if changed else frame


def _write_parquet(frame: pd.DataFrame, path: Path, metadata: dict[bytes, bytes]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    if metadata:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    pq.write_table(table, path, compression="zstd", write_statistics=_columns_with_statistics(table.schema))


def _columns_with_statistics(schema: Any) -> list[str]:
    """The columns whose min/max statistics go into the Parquet footer: every column but text, and the region codes
    among text (what a reader filters a province's file by). The min and max of thirty text columns (ids, names,
    category labels) cost ~0.4 s of a 1.7 s write of a million households and help no filter."""
    import pyarrow as pa

    from peka.schema.model import REGION_COLUMNS

    def is_text(kind: Any) -> bool:
        return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind))

    return [f.name for f in schema if not is_text(f.type) or (f.name in REGION_COLUMNS and f.name.endswith("_code"))]


def in_memory_workbook(buffer: object, **properties: str) -> Any:
    """An ``xlsxwriter.Workbook`` writing into ``buffer`` with peka's options and the fixed ``XLSX_CREATED`` date
    (every workbook peka writes is made here or in ``write_xlsx_sheets``, so reruns give the same bytes);
    ``properties``: more document properties (title, subject)."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, **XLSX_OPTIONS})
    workbook.set_properties({"created": XLSX_CREATED, **properties})  # replaces all properties: set once
    return workbook


def write_xlsx_sheets(sheets: dict[str, pd.DataFrame], path: str | os.PathLike[str]) -> None:
    """Several frames, one sheet each, with frozen header, autofilter and formula-safe text (not atomic by itself:
    call inside ``atomic_path``)."""
    for name, frame in sheets.items():
        if len(frame) + 1 > XLSX_MAX_ROWS:
            raise UsageError(
                f"sheet {name!r} would have {len(frame):,} rows; an XLSX sheet holds at most {XLSX_MAX_ROWS - 1:,}: "
                "write .csv or .parquet for household-level output"
            )
    import numpy as np
    import pandas as pd

    with pd.ExcelWriter(path, engine="xlsxwriter", engine_kwargs={"options": XLSX_OPTIONS}) as writer:
        writer.book.set_properties({"created": XLSX_CREATED})
        for name, frame in sheets.items():
            safe = frame.replace({np.inf: np.nan, -np.inf: np.nan})
            safe.to_excel(writer, sheet_name=name[:31], index=False)
            ws = writer.sheets[name[:31]]
            ws.freeze_panes(1, 0)
            if len(frame.columns):
                ws.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
            ws.autofit()


# ---- a set of files swapped in as a whole ----------------------------------------------------------------------------

import re
import secrets
import shutil
import stat
from collections.abc import Iterable

# Temporary folders of atomic_directory, beside the target: ".<name>.peka-tmp-<pid>-<token>" (being written) and
# ".<name>.peka-old-<pid>-<token>" (the previous target, moved aside during the swap). The pid tells a later run
# whether the owner is still running; only folders of this exact pattern are ever removed.
_TEMP_DIR_KINDS = ("tmp", "old")


def _temp_dir_pattern(target: Path) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(target.name)}\.peka-(tmp|old)-(\d+)-[0-9a-z]+")


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` is running on this machine (unknown → True: a folder in doubt is left alone)."""
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process on Windows: ask the kernel instead
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # ERROR_ACCESS_DENIED: it exists, owned by someone else
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temp_dirs(target: str | os.PathLike[str]) -> list[Path]:
    """Remove what an ``atomic_directory`` run killed part-way left beside ``target``; return the folders removed.

    Only folders named by ``atomic_directory``'s pattern whose owning process is gone are touched. A run killed
    between its two renames left no ``target`` and the previous one as ``.<name>.peka-old-…``: that folder is
    renamed back to ``target`` (the last complete state), never deleted.
    """
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        return []
    pattern = _temp_dir_pattern(target)
    stale = []
    for entry in sorted(parent.iterdir()):
        match = pattern.fullmatch(entry.name)
        if match and entry.is_dir() and not entry.is_symlink() and not _pid_alive(int(match.group(2))):
            stale.append((match.group(1), entry))
    removed = []
    for kind, entry in sorted(stale, key=lambda item: _TEMP_DIR_KINDS.index(item[0]), reverse=True):  # "old" first
        if kind == "old" and not os.path.lexists(target):
            os.rename(entry, target)
            continue
        shutil.rmtree(entry)
        removed.append(entry)
    return removed


@contextlib.contextmanager
def atomic_directory(target: str | os.PathLike[str], replaces: Iterable[str]) -> Iterator[Path]:
    """Yield a new empty folder beside ``target``; when the block ends without error, it becomes ``target`` as a whole.

    For a set of files that belong together (``peka sample``: households and persons): a reader, or a run killed
    at any point, never finds ``target`` holding some files of one run and some of another. The block writes every
    file into the yielded folder; then entries of ``target`` not named in ``replaces`` (a README, the user's own
    files) are carried over (hard link, copy where links are not supported), the old ``target`` is renamed aside,
    the new folder renamed to ``target`` and the old one deleted. Files named in ``replaces`` but not written this
    time are therefore gone: ``target`` holds this run's set only. On error the new folder is deleted and ``target``
    is untouched. Stale folders of killed runs are cleaned first (``remove_stale_temp_dirs``).

    Refuses (UsageError) a ``target`` that is a file, or that holds subfolders it does not replace: those are not
    copied, and renaming a folder that holds other folders (``--out .``) is not what a user asking for files wants.
    The parent folder must be writable (the new folder is made there, on the same file system, so the swap is a
    rename). Between the two renames ``target`` is briefly absent; a run killed exactly then leaves the previous
    folder as ``.<name>.peka-old-…``, which the next run renames back.

    >>> with atomic_directory("sample", {"households.csv", "persons.csv"}) as tmp:  # doctest: +SKIP
    ...     write_csv(households, tmp / "households.csv")
    """
    target = Path(target).absolute()
    if target.is_symlink():
        target = target.resolve()  # swap the folder the link points to, keep the link
    replaced = set(replaces)
    _refuse_unswappable(target, replaced)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_dirs(target)
    token = secrets.token_hex(4)
    staging = target.parent / f".{target.name}.peka-tmp-{os.getpid()}-{token}"
    staging.mkdir()  # mode 0777 less the umask, as any new folder
    try:
        if target.is_dir():
            os.chmod(staging, stat.S_IMODE(target.stat().st_mode))
        yield staging
        if target.is_dir():
            _refuse_unswappable(target, replaced)  # the user may have added a folder while the run wrote
            for entry in target.iterdir():
                if entry.name not in replaced and not os.path.lexists(staging / entry.name):
                    _carry_over(entry, staging / entry.name)
            aside = target.parent / f".{target.name}.peka-old-{os.getpid()}-{token}"
            os.rename(target, aside)
            try:
                os.rename(staging, target)
            except BaseException:
                os.rename(aside, target)
                raise
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _refuse_unswappable(target: Path, replaced: set[str]) -> None:
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} is a file; give a folder to write into")
    if target.is_dir():
        folders = sorted(e.name for e in target.iterdir() if e.is_dir() and e.name not in replaced)
        if folders:
            raise UsageError(
                f"{target} holds folders peka did not write ({', '.join(folders[:3])}); give a new folder or one "
                "holding only files"
            )


def _carry_over(source: Path, destination: Path) -> None:
    """Put ``source`` (a file of the user's) into the new folder: a hard link (no copy, same file), else a copy."""
    if source.is_symlink():
        os.symlink(os.readlink(source), destination)
        return
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


class TableWriter:
    """Writes a table chunk by chunk into an open temporary file (``table_writer``): CSV rows appended after one
    header, Parquet row groups under the schema of the first chunk (later chunks are cast to it, so a column
    missing in one chunk keeps its type), the record in the Parquet metadata as ``write_table`` puts it."""

    def __init__(self, path: Path, suffix: str, metadata: dict[bytes, bytes], formula_safe: bool,
                 csv_dialect: CsvDialect = CSV_STANDARD):
        self.path, self.suffix, self.metadata, self.formula_safe = path, suffix, metadata, formula_safe
        self.csv_dialect = csv_dialect
        self.rows = 0
        self._parquet: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        self._columns: list[str] | None = None

    def write(self, frame: pd.DataFrame) -> None:
        if self._columns is None:
            self._columns = list(frame.columns)
        elif list(frame.columns) != self._columns:
            raise ValueError("every chunk of a table must have the same columns")
        if self.suffix == ".csv":
            safe = formula_safe_text(frame) if self.formula_safe else frame
            dialect = self.csv_dialect
            # the BOM goes at the start of the file only: appended chunks are written without one
            encoding = dialect.encoding if self.rows == 0 else "utf-8"
            safe.to_csv(self.path, index=False, header=self.rows == 0, mode="w" if self.rows == 0 else "a",
                        sep=dialect.sep, decimal=dialect.decimal, encoding=encoding)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self._parquet is None:
                schema = table.schema
                if self.metadata:
                    schema = schema.with_metadata({**(schema.metadata or {}), **self.metadata})
                self._schema = schema
                self._parquet = pq.ParquetWriter(self.path, self._schema, compression="zstd",
                                                 write_statistics=_columns_with_statistics(self._schema))
            assert self._schema is not None  # set with the writer, on the first chunk
            table = table.replace_schema_metadata(self._schema.metadata).cast(self._schema)
            self._parquet.write_table(table)
        self.rows += len(frame)

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()


@contextlib.contextmanager
def table_writer(
    target: str | os.PathLike[str], *, metadata: dict[bytes, bytes] | None = None, formula_safe: bool = True,
    csv_dialect: CsvDialect = CSV_STANDARD,
) -> Iterator[TableWriter]:
    """A CSV or Parquet table written in chunks (``writer.write(frame)`` per chunk), atomically: the target appears
    complete when the block ends, never when it raises. The same bytes as ``write_table`` for CSV; for Parquet the
    same schema, values and metadata (row groups per chunk)."""
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise UsageError(f"cannot write {target.name} in chunks: use .csv or .parquet")
    with atomic_path(target) as tmp:
        writer = TableWriter(tmp, suffix, metadata or {}, formula_safe, csv_dialect)
        try:
            yield writer
        finally:
            writer.close()
