"""Writing output files: atomically, by suffix, safe for Excel users.

Every file peka writes goes through ``atomic_path``: the content is written to a temporary file in the target's
folder and moved into place with ``os.replace`` only when complete, so a cron job that dies half-way never leaves
a truncated report, and a reader never sees a half-written file. Inputs are never opened for writing.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
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


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success move it over ``target``, on failure delete it.

    >>> with atomic_path("out.csv") as tmp:  # doctest: +SKIP
    ...     frame.to_csv(tmp)
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
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
) -> Path:
    """Write a DataFrame by the target's suffix: .csv, .parquet, .xlsx or .json (records). Atomic.

    CSV: UTF-8 (``csv_bom=True`` adds a BOM so Excel on Windows reads it right), missing as empty.
    XLSX: refuses frames over the sheet limit (use CSV/Parquet for microdata); text that Excel would run as a
    formula or open as a link is stored as plain text; header frozen and filtered.
    """
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise UsageError(f"cannot write {target.name}: use one of {', '.join(TABLE_SUFFIXES)}")
    with atomic_path(target) as tmp:
        if suffix == ".csv":
            frame.to_csv(tmp, index=False, sep=csv_sep, encoding="utf-8-sig" if csv_bom else "utf-8")
        elif suffix == ".parquet":
            frame.to_parquet(tmp, index=False, compression="zstd")
        elif suffix == ".json":
            frame.to_json(tmp, orient="records", force_ascii=False, indent=1)
        else:
            write_xlsx_sheets({sheet_name: frame}, tmp)
    return target


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
