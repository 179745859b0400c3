"""A classified table built on the stream engine for jobs that need household rows (``peka report``, ``peka target``).

Those jobs rank, cross-tabulate and re-estimate the classified table in ways that are not sums over chunks (ranking
under a budget, re-estimates with a scaled line or another MPI cut-off, accuracy rates), so they need one row per
household. What they do not need is the raw survey, the person table and most classified columns: the stream engine
(``jobs.streamed.stream_classified``) classifies chunk by chunk and this module keeps, of every classified chunk,
only the columns the job names. The kept rows are those the memory engine classifies (same values, same order), so
the job's code runs unchanged on them and its outputs are identical; memory is bounded by the chosen columns
(O(households × those columns)), not by the input.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from peka.config.models import Config
from peka.engine.stream import Mapper
from peka.jobs.inputs import InputSpec, RowPolicy
from peka.schema.rejects import RowCounts

log = logging.getLogger(__name__)

# (columns of a classified chunk) → the columns to keep, in the table's order
ColumnChoice = Callable[[Sequence[str]], list[str]]


@dataclass
class Gathered:
    """The kept columns of every classified household, as one table (``attrs`` of the first chunk), and what the
    chunks added up to."""

    table: pd.DataFrame
    counts: RowCounts
    rejects: pd.DataFrame
    fallbacks: dict[str, int]
    witness_table: pd.DataFrame  # the first values of every classified column (jobs.classify.check_measures)
    witness_survey: object
    whole: bool = False  # the table has every classified column (at most ``whole_up_to`` households)
    columns: list[str] = field(default_factory=list)  # every column of the classified chunks


def gather_classified(inputs: InputSpec, cfg: Config, rows: RowPolicy, *, choose: ColumnChoice,
                      include_personal: bool, whole_up_to: int = 0,
                      chunk_rows: int | None = None, mapper: Mapper | None = None) -> Gathered | None:
    """Stream-classify ``inputs`` keeping ``choose(columns)`` of every chunk; while the households so far are at
    most ``whole_up_to`` every column is kept (a report shows the whole table of a small survey). ``None`` when a
    household id repeats across chunks (logged; the caller runs the memory engine); a person file out of the
    household file's order is put in that order on disk (``jobs.streamed.in_household_order``). ``mapper``: where
    the chunks are classified (``engine.chunk_mapper``: here, or on a Dask cluster; the kept columns travel back)."""
    from peka.engine.stream import ClassifiedChunk, StreamSurvey
    from peka.jobs.streamed import (
        FirstPasses,
        StreamedClassification,
        in_household_order,
        open_stream,
        stream_classified,
    )

    passes = FirstPasses(cfg, rows, mapper)

    def narrow(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[choose(list(frame.columns))]

    def attempt(stream: StreamSurvey) -> tuple[StreamedClassification, list[pd.DataFrame], dict | None, list[str],
                                               bool]:
        kept: list[pd.DataFrame] = []  # a second attempt (``in_household_order``) starts afresh
        attrs: dict | None = None  # of the first chunk
        columns: list[str] = []  # every column of the classified chunks
        rows_seen, whole = 0, True

        def keep(chunk: ClassifiedChunk) -> None:
            nonlocal attrs, columns, rows_seen, whole
            table = chunk.table
            if attrs is None:
                attrs, columns = dict(table.attrs), list(table.columns)
            rows_seen += len(table)
            if whole and rows_seen > whole_up_to:
                whole = False
                kept[:] = [narrow(frame) for frame in kept]
            kept.append(table.copy() if whole else narrow(table))

        done = stream_classified(inputs, cfg, rows, include_personal=include_personal, sink=keep, stream=stream,
                                 first=passes.first(stream), mapper=mapper)
        return done, kept, attrs, columns, whole

    result = in_household_order(open_stream(inputs, chunk_rows), attempt)
    if result is None:
        return None
    done, kept, attrs, columns, whole = result
    if kept:
        table = pd.concat(kept, ignore_index=True)
    else:  # no household kept: the columns of the witness, no rows
        table = narrow(done.witness_table.iloc[:0]) if len(done.witness_table.columns) else pd.DataFrame()
    table.attrs = dict(attrs or {})
    return Gathered(table, done.counts, done.rejects, dict(done.fallbacks), done.witness_table, done.witness_survey,
                    whole and bool(kept), columns or list(table.columns))


def by_names(names: Sequence[str], prefixes: Sequence[str] = ()) -> ColumnChoice:
    """A ``ColumnChoice`` keeping ``names`` and every column starting with one of ``prefixes``."""
    wanted, starts = set(names), tuple(prefixes)

    def choose(columns: Sequence[str]) -> list[str]:
        return [c for c in columns if c in wanted or (starts and c.startswith(starts))]

    return choose


def rejects_written(gathered: Gathered, target: Path | None, csv_dialect: object = None) -> Path | None:
    """Write the rejects of the chunks where the memory engine would (``None``: not asked)."""
    if target is None:
        return None
    from peka.deliver import files
    from peka.deliver.rejects import write_rejects

    return write_rejects(gathered.rejects, target, csv_dialect or files.CSV_STANDARD)  # type: ignore[arg-type]
