"""The one contract of the classified table: what ``peka classify`` writes and what profile, targeting and reports
read.

Column names, prefixes, status vocabularies and the boolean columns are defined here and nowhere else. So is the
*classification record*: the effective configuration that made a table (MPI indicators with weights and dimensions,
cause catalogue with labels, lines, levels) travels **with** the table, so that ``peka profile k.csv`` uses the same
specification without being told again:

* in memory, ``classified.attrs[RECORD_ATTR]`` holds the record text;
* in Parquet, the key ``peka.record`` of the file's key-value metadata holds it;
* beside a CSV or XLSX file, ``<file>.peka.toml`` holds it (a valid ``peka.toml``: ``--config`` on it reproduces
  the run).

>>> record_path_for("out/hasil.csv").as_posix()
'out/hasil.csv.peka.toml'
>>> is_poor_status("miskin_ganda"), is_poor_status("rentan")
(True, False)
>>> sorted(boolean_columns(["poor", "cause_no_earner", "level", "mpi_d_water"]))
['cause_no_earner', 'poor']
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

# the column only a classification has: a table with it is profiled as it is, not classified again
MARKER = "poverty_status"

POOR_STATUSES: tuple[str, ...] = ("miskin_ganda", "miskin_moneter", "miskin_multidimensi")
VULNERABLE_STATUS = "rentan"
NONPOOR_STATUS = "tidak_miskin"
UNKNOWN_STATUS = "tidak_diketahui"
STATUSES: tuple[str, ...] = (*POOR_STATUSES, VULNERABLE_STATUS, NONPOOR_STATUS, UNKNOWN_STATUS)

# where the monetary side of each household came from: its expenditure, its registry desil (a P3KE/DTSEN extract
# has no expenditure), or nowhere (unknown)
MONETARY_SOURCE = "monetary_source"
MONETARY_SOURCES: tuple[str, ...] = ("expenditure", "desil", "none")

# the measures classify computes; each can be accepted as not computable (--skip, [classify] skip)
MEASURES: tuple[str, ...] = ("money", "mpi", "bps14", "causes")

# group counts of the members kept by default ([[derive]] in presets/default.toml): usable in --by and --hh-size
GROUP_COUNT_COLUMNS: tuple[str, ...] = ("n_children", "n_under5", "n_elderly", "n_women", "n_disabled")

# per-indicator, per-criterion and per-cause columns: prefix + the configured code
MPI_PREFIX = "mpi_d_"
BPS14_PREFIX = "bps14_c"
CAUSE_PREFIX = "cause_"

# domains whose definition fixes some measures (P0 of a poor status is 1 by definition); added to every profile
SEGMENT_COLUMNS: tuple[str, ...] = (MARKER, "segment")
# columns holding true/false (a CSV gives text: read back as nullable boolean); plus every CAUSE_PREFIX column
BOOLEAN_COLUMNS: tuple[str, ...] = ("poor", "extreme_poor", "mpi_poor", "mpi_vulnerable", "mpi_severe", "miskin_14k")
# coded text columns of the classification, read back as text (codes keep their leading zeros)
TEXT_COLUMNS: tuple[str, ...] = (
    MARKER, "segment", "primary_cause", "causes", "level", "line_id", MONETARY_SOURCE,
)  # fmt: skip

# numbers with a fraction (or missing cells) in a classified table: read back as floats; plus every MPI_PREFIX column
FLOAT_COLUMNS: tuple[str, ...] = ("weight", "exp_pc", "poverty_line", "extreme_line", "welfare_ratio", "poverty_gap",
                                  "mpi_score")

RECORD_SUFFIX = ".peka.toml"
RECORD_ATTR = "peka.record"  # DataFrame.attrs key in memory: the record text
MPI_ATTR = "peka.mpi"  # DataFrame.attrs key in memory: the active MPI spec (k, indicators: name, dimension, weight)
PARQUET_RECORD_KEY = b"peka.record"  # Parquet key-value metadata key on disk


def is_poor_status(status: str) -> bool:
    return status in POOR_STATUSES


def boolean_columns(columns: Iterable[str]) -> list[str]:
    """The columns of ``columns`` that hold true/false in a classified table."""
    return [c for c in columns if c in BOOLEAN_COLUMNS or c.startswith(CAUSE_PREFIX)]


def column_types(columns: Iterable[str]) -> dict[str, str]:
    """The type (``"float"``, ``"bool"`` or ``"text"``) of each of ``columns`` whose type the contract fixes, for a
    reader that parses a classified CSV back (``peka.io`` ``types``); other columns are left to inference."""
    types: dict[str, str] = {}
    for name in columns:
        if name in BOOLEAN_COLUMNS or name.startswith(CAUSE_PREFIX):
            types[name] = "bool"
        elif name in FLOAT_COLUMNS or name.startswith(MPI_PREFIX):
            types[name] = "float"
        elif name in TEXT_COLUMNS:
            types[name] = "text"
    return types


def indicator_names(columns: Iterable[str]) -> list[str]:
    """MPI indicator names of the ``mpi_d_*`` columns, in column order."""
    return [c[len(MPI_PREFIX) :] for c in columns if c.startswith(MPI_PREFIX)]


def cause_codes(columns: Iterable[str]) -> list[str]:
    """Cause codes of the ``cause_*`` columns, in column order."""
    return [c[len(CAUSE_PREFIX) :] for c in columns if c.startswith(CAUSE_PREFIX)]


def record_path_for(output: str | Path) -> Path:
    """Where the classification record of a CSV/XLSX ``output`` goes: ``hasil.csv`` → ``hasil.csv.peka.toml``."""
    output = Path(output)
    return output.with_name(output.name + RECORD_SUFFIX)
