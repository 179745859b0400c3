"""Writing output files: atomically, by suffix, safe for Excel users.

Every file peka writes goes through ``atomic_path``: the content is written to a temporary file in the target's
folder and moved into place with ``os.replace`` only when complete, so a cron job that dies half-way never leaves
a truncated report, and a reader never sees a half-written file. Inputs are never opened for writing.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from peka.errors import UsageError

XLSX_MAX_ROWS = 1_048_576  # a sheet's hard limit, header included
# xlsxwriter turns strings starting with "=" into formulas and URL-like strings into links unless told not to:
# survey text typed by enumerators must stay inert text in a workbook (formula injection).
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": False}
TABLE_SUFFIXES = (".csv", ".parquet", ".xlsx", ".json")


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
    csv_sep: str = ",",
    csv_bom: bool = False,
    metadata: dict[bytes, bytes] | None = None,
    formula_safe: bool = True,
) -> Path:
    """Write a DataFrame by the target's suffix: .csv, .parquet, .xlsx or .json (records). Atomic.

    CSV: UTF-8 (``csv_bom=True`` adds a BOM so Excel on Windows reads it right), missing as empty.
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
            safe.to_csv(tmp, index=False, sep=csv_sep, encoding="utf-8-sig" if csv_bom else "utf-8")
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

    >>> formula_safe_text(pd.DataFrame({"a": ["=1+1", "ok", "-x"], "b": [-1.5, 2.0, 3.0]})).to_dict("list")
    {'a': ["'=1+1", 'ok', "'-x"], 'b': [-1.5, 2.0, 3.0]}
    """
    changed = {}
    for column in frame.columns:
        values = frame[column]
        if not (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object):
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
    pq.write_table(table, path, compression="zstd")


def write_xlsx_sheets(sheets: dict[str, pd.DataFrame], path: str | os.PathLike[str]) -> None:
    """Several frames, one sheet each, with frozen header, autofilter and formula-safe text (not atomic by itself:
    call inside ``atomic_path``)."""
    for name, frame in sheets.items():
        if len(frame) + 1 > XLSX_MAX_ROWS:
            raise UsageError(
                f"sheet {name!r} would have {len(frame):,} rows; an XLSX sheet holds at most {XLSX_MAX_ROWS - 1:,}: "
                "write .csv or .parquet for household-level output"
            )
    with pd.ExcelWriter(path, engine="xlsxwriter", engine_kwargs={"options": XLSX_OPTIONS}) as writer:
        for name, frame in sheets.items():
            safe = frame.replace({np.inf: np.nan, -np.inf: np.nan})
            safe.to_excel(writer, sheet_name=name[:31], index=False)
            ws = writer.sheets[name[:31]]
            ws.freeze_panes(1, 0)
            if len(frame.columns):
                ws.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
            ws.autofit()
