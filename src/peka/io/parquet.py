"""Parquet via pyarrow (``_row`` = row position from 1, as for case files)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from peka.errors import InputError, printable_name
from peka.io.raw import RawTable, add_row_numbers, require_rows


def parquet_header(path: Path) -> list[str]:
    try:
        return list(pq.read_schema(path).names)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read the parquet file: corrupt or not parquet ({type(exc).__name__})",
                         file=str(path)) from None  # fmt: skip


def parquet_metadata(path: Path) -> dict[bytes, bytes]:
    """The key-value metadata of a Parquet file's schema (where peka keeps a classification record)."""
    try:
        return dict(pq.read_schema(path).metadata or {})
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read the parquet file: corrupt or not parquet ({type(exc).__name__})",
                         file=str(path)) from None  # fmt: skip


def read_parquet(path: Path, *, usecols: list[str] | None = None) -> RawTable:
    file = printable_name(path)
    try:
        table = pq.read_table(path, columns=usecols)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read the parquet file: corrupt or not parquet ({type(exc).__name__})",
                         file=file) from None  # fmt: skip
    frame = add_row_numbers(table.to_pandas(), first=1)
    require_rows(frame, file)
    return RawTable(frame=frame, file=file, format="parquet", rows=len(frame))
