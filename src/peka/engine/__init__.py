"""How a job runs over its input: all in memory, or in bounded chunks (``stream``).

``memory`` is what every command did so far: read the whole survey, validate, classify, estimate. ``stream`` reads
the household file and its person file in chunks of ``chunk_rows`` households and feeds each chunk to the same
row-local ``classify`` and the same ``PartialSums`` (docs/architecture.md, "Engines"), so its results equal the
memory engine's. ``dask`` (``engine.dask``, extra ``peka[dask]``) runs the same per-chunk
work on a Dask cluster. ``choose_engine`` decides ``auto`` (never ``dask``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any

from peka.errors import UsageError


class Engine(str, Enum):
    """The engines a job can run on (``--engine``, a pipeline's ``engine``): the one list of their names."""

    memory = "memory"
    stream = "stream"
    dask = "dask"
    auto = "auto"


ENGINES = tuple(engine.value for engine in Engine)
# ``auto`` streams inputs whose household file (plus person file) is larger than this: a CSV of that size becomes
# roughly 5-10 times as much memory once read and classified whole
AUTO_STREAM_BYTES = 200 * 1024 * 1024
# formats read in chunks (SPSS/Stata a slice of cases at a time); XLSX and SAS are read whole by the memory engine
STREAM_FORMATS = ("csv", "parquet", "sav", "zsav", "dta")


def stream_format(path: str | Path) -> str | None:
    """The format of ``path`` when it can be streamed (``STREAM_FORMATS``), else ``None``."""
    from peka.io.readers import FORMATS

    fmt = FORMATS.get(Path(path).suffix.lower())
    return fmt if fmt in STREAM_FORMATS else None


def choose_engine(engine: str, files: list[Path]) -> str:
    """``memory``, ``stream`` or ``dask`` for ``engine`` (``memory``/``stream``/``dask``/``auto``) and the input
    ``files``.

    ``auto``: stream when every file can be streamed and together they are larger than ``AUTO_STREAM_BYTES``.
    ``stream`` or ``dask`` (which reads the file in the stream engine's chunks) on a file that cannot be streamed is
    a ``UsageError`` naming the format."""
    if engine not in ENGINES:
        raise UsageError(f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    streamable = all(stream_format(f) is not None for f in files)
    if engine in ("stream", "dask") and not streamable:
        bad = next(f for f in files if stream_format(f) is None)
        raise UsageError(f"--engine {engine} reads CSV/TSV, Parquet, SPSS and Stata files, not {bad.suffix}: use "
                         "--engine memory",
                         file=str(bad))
    if engine == "auto":
        size = sum(f.stat().st_size for f in files if f.exists())
        return "stream" if streamable and size > AUTO_STREAM_BYTES else "memory"
    return engine


def check_scheduler(engine: str, scheduler: str | None) -> None:
    """``--scheduler`` goes with ``--engine dask`` only."""
    if scheduler is not None and engine != "dask":
        raise UsageError("--scheduler names a Dask scheduler: it needs --engine dask")


@contextmanager
def chunk_mapper(engine: str, scheduler: str | None = None) -> Iterator[Any]:
    """The ``mapper`` of the stream engine's passes (``engine.stream.first_pass``) for the resolved ``engine``:
    ``None`` (chunks done here) for ``stream``, an ``engine.dask.ClusterMap`` for ``dask``, closed on exit."""
    if engine != "dask":
        yield None
        return
    from peka.engine.dask import cluster_map

    with cluster_map(scheduler) as mapper:
        yield mapper
