"""How a job runs over its input: all in memory, or in bounded chunks (``stream``).

``memory`` is what every command did so far: read the whole survey, validate, classify, estimate. ``stream`` reads
the household file (and a person file sorted by household id) in chunks of ``chunk_rows`` households and feeds
each chunk to the same row-local ``classify`` and the same ``PartialSums`` (docs/architecture.md, "Engines"), so
its results equal the memory engine's. ``choose_engine`` decides ``auto``.
"""

from __future__ import annotations

from pathlib import Path

from peka.errors import UsageError

ENGINES = ("memory", "stream", "auto")
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
    """``memory`` or ``stream`` for ``engine`` (``memory``/``stream``/``auto``) and the input ``files``.

    ``auto``: stream when every file can be streamed and together they are larger than ``AUTO_STREAM_BYTES``.
    ``stream`` on a file that cannot be streamed is a ``UsageError`` naming the format."""
    if engine not in ENGINES:
        raise UsageError(f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    streamable = all(stream_format(f) is not None for f in files)
    if engine == "stream" and not streamable:
        bad = next(f for f in files if stream_format(f) is None)
        raise UsageError(f"--engine stream reads CSV/TSV, Parquet, SPSS and Stata files, not {bad.suffix}: use --engine memory",
                         file=str(bad))
    if engine == "auto":
        size = sum(f.stat().st_size for f in files if f.exists())
        return "stream" if streamable and size > AUTO_STREAM_BYTES else "memory"
    return engine
