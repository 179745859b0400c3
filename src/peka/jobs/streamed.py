"""``peka classify`` and ``peka profile`` on the stream engine (``--engine stream``, or ``auto`` on a big input).

The job steps are those of ``jobs.classify`` / ``jobs.profile``; only the data moves in chunks
(``peka.engine.stream``): validate + on-invalid policy + classify per chunk, the table written chunk by chunk
through ``deliver.files.table_writer``, the profile's ``PartialSums`` added chunk by chunk. Whole-table decisions
(measures no household can get, the broad-line warning, the rejects file, row counts) and the terminal summary
(``present.summary.SummarySums``: households and weighted sums per status/segment/line group) are made from small
accumulations, so the outputs equal the memory engine's (tests/engine/) and no column per household is kept:
``ClassifyRun.table`` of a streamed run has as many rows as households classified and no columns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from peka.config.models import Config
from peka.engine import check_scheduler, choose_engine
from peka.engine.stream import (
    CHUNK_ROWS,
    ClassifiedChunk,
    FirstPass,
    Mapper,
    StreamSurvey,
    Unsorted,
    classify_chunks,
    first_pass,
    first_values,
)  # fmt: skip
from peka.jobs.inputs import InputSpec, RowPolicy
from peka.present.summary import SummarySums, add_summary_sums, summary_sums
from peka.schema.model import ROW, Survey
from peka.schema.rejects import RowCounts, empty_rejects

log = logging.getLogger(__name__)

def resolve_engine(engine: str, inputs: InputSpec) -> str:
    """``memory``, ``stream`` or ``dask`` for the requested engine; sheets (workbooks) are always read whole."""
    if inputs.sheet is not None or inputs.person_sheet is not None:
        return "memory" if engine == "auto" else choose_engine(engine, [Path("x.xlsx")])
    return choose_engine(engine, inputs.files)


def chunked_engine(engine: str, scheduler: str | None, inputs: InputSpec) -> str | None:
    """The engine a job's chunks run on, ``stream`` or ``dask``, or ``None`` for the memory engine (``memory``, or
    ``auto`` on a small input); ``--scheduler`` without ``--engine dask`` is a usage error."""
    check_scheduler(engine, scheduler)
    chosen = resolve_engine(engine, inputs)
    return None if chosen == "memory" else chosen


def open_stream(inputs: InputSpec, chunk_rows: int | None = None) -> StreamSurvey:
    return StreamSurvey(Path(inputs.path), persons=Path(inputs.persons) if inputs.persons is not None else None,
                        mapping=inputs.mapping, chunk_rows=chunk_rows or CHUNK_ROWS, **inputs.text_options)


@dataclass
class StreamedClassification:
    """What the chunks added up to: the terminal summary's sums, row counts, rejects, whole-table witnesses."""

    summary: SummarySums | None
    counts: RowCounts
    rejects: pd.DataFrame
    witness_table: pd.DataFrame
    witness_survey: Survey
    fallbacks: dict[str, int]


def stream_classified(inputs: InputSpec, cfg: Config, rows: RowPolicy, *, include_personal: bool,
                      chunk_rows: int | None = None, sink: Any = None, stream: StreamSurvey | None = None,
                      first: Any = None, mapper: Mapper | None = None) -> StreamedClassification:
    """The second pass (after ``first_pass``, run here unless given); every classified chunk goes to
    ``sink(chunk)`` (a table writer or a partial-sum adder, given the ``ClassifiedChunk``). ``Unsorted`` is raised
    when a file is not in ``hh_id`` order: by the first pass, or (a person file after a households-only first pass)
    by this one, after some chunks went to ``sink`` (the table writer then leaves no file). ``mapper``: where chunks
    are classified (``engine.stream.first_pass``)."""
    stream = stream or open_stream(inputs, chunk_rows)
    first = first or first_pass(stream, cfg, skip=rows.skip, households_only=not rows.skip, mapper=mapper)
    cutpoints = first.cutpoints
    summary: SummarySums | None = None
    rejects = []
    rows_in: dict[str, int] = {}
    processed: dict[str, int] = {}
    witness_table = witness_hh = witness_p = None
    for chunk in classify_chunks(stream, cfg, skip=rows.skip, cutpoints=cutpoints, include_personal=include_personal,
                                 mapper=mapper):
        if sink is not None:
            sink(chunk)
        summary = add_summary_sums(summary, summary_sums(chunk.table))
        if len(chunk.rejects):
            rejects.append(chunk.rejects)
        for table, n in chunk.rows_in.items():
            rows_in[table] = rows_in.get(table, 0) + n
        for table, n in chunk.processed.items():
            processed[table] = processed.get(table, 0) + n
        witness_table = first_values(chunk.table, witness_table)
        witness_hh = first_values(chunk.clean.households, witness_hh)
        if chunk.clean.persons is not None and len(chunk.clean.persons):
            witness_p = first_values(chunk.clean.persons, witness_p)
        del chunk  # freed before the next chunk is read (``engine.stream.StreamSurvey.chunks``)
    if "person" in rows_in:
        processed.setdefault("person", 0)
    from peka.schema.rejects import REJECT_COLUMNS

    all_rejects = (pd.concat(rejects, ignore_index=True).sort_values(["table", ROW, "check"], kind="stable",
                                                                      ignore_index=True)
                   if rejects else empty_rejects())
    all_rejects = all_rejects[list(REJECT_COLUMNS)]
    counts = _counts(rows_in, processed, all_rejects)
    survey = Survey(households=witness_hh if witness_hh is not None else pd.DataFrame(), persons=witness_p)
    return StreamedClassification(summary, counts, all_rejects,
                                  witness_table if witness_table is not None else pd.DataFrame(), survey,
                                  first.fallbacks)


def _counts(rows_in: dict[str, int], processed: dict[str, int], rejects: pd.DataFrame) -> RowCounts:
    rejected = {t: 0 for t in rows_in}
    if len(rejects):
        per = rejects.drop_duplicates(["table", ROW]).groupby("table").size()
        rejected.update({str(t): int(n) for t, n in per.items()})
    return RowCounts(dict(rows_in), processed, rejected)


def line_extremes(frame: pd.DataFrame, before: pd.DataFrame | None) -> pd.DataFrame:
    """The rows of ``before`` and ``frame`` with the smallest and largest poverty and extreme lines (what
    ``jobs.profile.line_values`` reads), plus the first row: a few rows whatever the size of the data."""
    both = frame if before is None else pd.concat([before, frame], ignore_index=True)
    keep = {0} if len(both) else set()
    for column in ("poverty_line", "extreme_line"):
        if column in both.columns:
            values = pd.to_numeric(both[column], errors="coerce")
            if values.notna().any():
                keep.update({int(np.nanargmin(values.to_numpy(dtype=float))),
                             int(np.nanargmax(values.to_numpy(dtype=float)))})
    return both.iloc[sorted(keep)].reset_index(drop=True)


T = TypeVar("T")


def in_household_order(stream: StreamSurvey, attempt: Callable[[StreamSurvey], T]) -> T | None:
    """``attempt(stream)``; when it finds the person file out of the household file's order, ``attempt`` again
    with the persons put in that order on disk (``StreamSurvey.persons_in_household_order``: a private scratch
    folder, removed when done). ``None`` when a household id repeats across chunks (logged: the caller runs the
    memory engine, which reports the duplicate). ``attempt`` starts from nothing each time (its outputs and sums
    from the first try are dropped: a table writer leaves no file)."""
    try:
        return attempt(stream)
    except Unsorted as exc:
        if not exc.persons:
            log.warning("%s; reading it whole instead (--engine memory)", exc.message)
            return None
        log.warning("%s; putting it in that order on disk first (a private scratch folder, removed when done)",
                    exc.message)
    try:
        with stream.persons_in_household_order():
            return attempt(stream)
    except Unsorted as exc:
        log.warning("%s; reading it whole instead (--engine memory)", exc.message)
        return None


class FirstPasses:
    """``first_pass`` for a job's attempts (``in_household_order``): a households-only first pass (``--on-invalid
    fail``) does not read the person file, so a second attempt with the persons in order reuses it."""

    def __init__(self, cfg: Config, rows: RowPolicy, mapper: Mapper | None) -> None:
        self.cfg, self.rows, self.mapper = cfg, rows, mapper
        self.households_only: FirstPass | None = None

    def first(self, stream: StreamSurvey) -> FirstPass:
        if self.households_only is not None:
            return self.households_only
        first = first_pass(stream, self.cfg, skip=self.rows.skip, households_only=not self.rows.skip,
                           mapper=self.mapper)
        if not first.persons_checked:
            self.households_only = first
        return first


__all__ = ["FirstPasses", "Unsorted", "chunked_engine", "in_household_order", "line_extremes", "open_stream",
           "resolve_engine", "stream_classified"]


def run_classify_stream(inputs: InputSpec, cfg: Config, rows: RowPolicy, *, output: Any, include_personal: bool,
                        keep_more: Any, rejects_target: Path | None, chunk_rows: int | None = None,
                        csv_dialect: Any = None, mapper: Mapper | None = None) -> Any:
    """``jobs.classify.run_classify`` on the stream engine (its checks, record and rejects); ``None`` when a
    household id repeats across chunks (logged: the caller runs the memory engine). A person file out of the
    household file's order is put in that order on disk (``in_household_order``)."""
    from peka.config.show import record_text
    from peka.deliver import files
    from peka.deliver.rejects import write_rejects
    from peka.errors import InputError, printable_name
    from peka.jobs.classify import ClassifyRun, check_measures, fallback_warnings
    from peka.schema.classified import PARQUET_RECORD_KEY, record_path_for

    persons_part = f" --persons {printable_name(Path(inputs.persons).name)}" if inputs.persons else ""
    title = f"peka classify {printable_name(Path(inputs.path).name)}{persons_part}"
    passes = FirstPasses(cfg, rows, mapper)

    def attempt(stream: StreamSurvey) -> tuple[StreamedClassification, Path | None, Path | None, list[str]]:
        first = passes.first(stream)
        warnings = fallback_warnings(first.fallbacks)
        if output is None:
            done = stream_classified(inputs, cfg, rows, include_personal=include_personal, stream=stream, first=first,
                                     mapper=mapper)
            _checked(done, cfg, inputs, keep_more, check_measures, InputError)
            return done, None, None, warnings
        record_toml = record_text(cfg, title=f"{title} → {printable_name(Path(output).name)}", warnings=warnings)
        with files.table_writer(output, metadata={PARQUET_RECORD_KEY: record_toml.encode()},
                                csv_dialect=csv_dialect or files.CSV_STANDARD) as writer:  # nothing left on Unsorted
            done = stream_classified(inputs, cfg, rows, include_personal=include_personal,
                                     sink=lambda chunk: writer.write(chunk.table), stream=stream, first=first,
                                     mapper=mapper)
            _checked(done, cfg, inputs, keep_more, check_measures, InputError)
        return done, Path(output), files.write_text(record_toml, record_path_for(output)), warnings

    result = in_household_order(open_stream(inputs, chunk_rows), attempt)
    if result is None:
        return None
    done, out_path, record, warnings = result
    for warning in warnings:
        log.warning(warning)
    rejects_path = (write_rejects(done.rejects, rejects_target, csv_dialect or files.CSV_STANDARD)
                    if rejects_target is not None else None)
    log.info(done.counts.line(rejects_path))
    # the table is not kept (its rows are in the output): a frame of as many rows and no columns, and the summary's
    # sums (present.summary.classify_summary reads those)
    households = done.summary.households if done.summary is not None else 0
    return ClassifyRun(pd.DataFrame(index=pd.RangeIndex(households)), cfg, done.rejects, done.counts, out_path,
                       rejects_path, record, tuple(cfg.classify.skip), tuple(warnings), summary_sums=done.summary)


def _checked(done: StreamedClassification, cfg: Config, inputs: InputSpec, keep_more: Any, check_measures: Any,
             input_error: Any) -> None:
    """The whole-table checks of ``run_classify``, on the witnesses (``first_values``)."""
    check_measures(done.witness_table, done.witness_survey, cfg, inputs)
    missing_keep = [c for c in keep_more if c not in done.witness_table.columns]
    if missing_keep:
        raise input_error(
            f"--keep {', '.join(missing_keep)}: not a column of the household table or a [[derive]] value; check the "
            f"name (canonical names: docs/data-model.md) or map the column with --mapping", file=str(inputs.path)
        )


def profile_stream(request: Any, options: Any, mapper: Any = None) -> tuple[pd.DataFrame, Any, Any] | None:
    """``peka profile`` of a raw survey on the stream engine: classified chunk by chunk as ``peka classify`` does,
    each chunk reduced to ``PartialSums`` by the plan made from the first. Returns (a few rows holding the columns
    and the extreme line values, the ``ProfileResult``, the chosen configuration), or ``None`` when the memory
    engine must run: engine ``memory`` (or ``auto`` on a small file), quick use, a household id in two chunks
    (logged). A classified file is read in chunks by ``profile_classified_stream``. ``mapper``
    (``engine.dask.ClusterMap``, engine ``dask``): where chunks are classified and, after the first (which makes the
    plan), reduced to their partial sums. A person file out of the household file's order is put in that order on
    disk (``in_household_order``)."""
    from peka.io import open_source
    from peka.jobs.classify import apply_classify_options, check_measures, fallback_warnings, plan_outputs
    from peka.jobs.profile import load_profile_config
    from peka.schema.classified import MARKER

    if request.quick or resolve_engine(request.engine, request.inputs) not in ("stream", "dask"):
        return None
    source = open_source(request.input, **request.inputs.text_options)
    if MARKER in source.header:
        return profile_classified_stream(request, options, source)
    chosen = load_profile_config(request, check_rules=True)
    cfg = chosen.config
    _, rejects_target = plan_outputs(request.inputs, None, request.rows, rejects_beside=request.output)
    apply_classify_options(cfg, skip=request.skip, keep=None, keep_more=(), include_personal=False)
    passes = FirstPasses(cfg, request.rows, mapper)

    def attempt(stream: StreamSurvey) -> tuple[StreamedClassification, FirstPass, ProfileSums]:
        first = passes.first(stream)
        sums = ProfileSums(request, options, lambda table: cfg.mpi)  # a second attempt starts afresh
        chunk_map = mapper
        if mapper is not None:  # the plan from the first chunk, then every chunk reduced where it is classified
            planning = planning_chunk(stream, cfg, request.rows.skip, first.cutpoints, mapper)
            if planning is not None:
                chunk_map = mapper.then(partial(reduced_for_profile, plan=sums.plan_from(planning.table)))
        done = stream_classified(request.inputs, cfg, request.rows, include_personal=False,
                                 sink=lambda chunk: sums.add(chunk.table, chunk.partial), stream=stream, first=first,
                                 mapper=chunk_map)
        return done, first, sums

    result = in_household_order(open_stream(request.inputs, request.chunk_rows), attempt)
    if result is None:
        return None
    done, first, sums = result
    check_measures(done.witness_table, done.witness_survey, cfg, request.inputs)
    for warning in fallback_warnings(first.fallbacks):
        log.warning(warning)
    if rejects_target is not None:
        from peka.deliver.rejects import write_rejects

        rejects_path = write_rejects(done.rejects, rejects_target, request.csv_dialect)
        log.info(done.counts.line(rejects_path))
    else:
        log.info(done.counts.line())
    if len(done.rejects):
        log.warning("%s: rows failing the data-quality checks were left out (--on-invalid skip)", request.input)
    return (*sums.finish(), chosen)


def profile_classified_stream(request: Any, options: Any, source: Any) -> tuple[pd.DataFrame, Any, Any]:
    """``peka profile`` of a classified file (``peka classify``'s output) on the stream engine: the columns the
    estimates read (``jobs.profile.classified_columns``), typed as a whole read types them, in chunks of
    ``request.chunk_rows`` rows, each reduced to ``PartialSums`` by the plan made from the first, so the memory
    held is one chunk and the sums (O(domain cells × PSUs)) whatever the file's length. The chunks are summed in
    this process on ``--engine dask`` too: a classified chunk's sums cost little next to reading it. Returns what
    ``profile_stream`` returns."""
    from peka.engine.stream import table_chunks
    from peka.jobs.profile import (
        _mpi_matches,
        _text_kinds,
        classified_columns,
        load_profile_config,
        read_record,
        restore_classified_types,
    )  # fmt: skip
    from peka.schema.classified import MARKER, column_types

    chosen = load_profile_config(request, check_rules=False, record=read_record(request.input))
    columns = classified_columns(request, source.header)
    types = column_types(columns)
    kinds = {k: v for k, v in _text_kinds(request).items() if k in columns}
    kinds |= {c: "str" for c, t in types.items() if t == "text" and c not in kinds}
    floats = [c for c, t in types.items() if t == "float"]
    # the MPI measures when the configured indicators are those the file was classified with
    config = chosen.config
    sums = ProfileSums(request, options, lambda table: config.mpi if _mpi_matches(table, config) else None)
    for chunk in table_chunks(source, columns, kinds, floats, request.chunk_rows or CHUNK_ROWS):
        sums.add(restore_classified_types(chunk))
        del chunk
    log.info("%s: a classified file (it has %s), read in chunks: configuration %s", request.input, MARKER,
             chosen.source)
    return (*sums.finish(), chosen)


class ProfileSums:
    """A profile added up chunk by chunk: the plan made from the first table (its columns checked, its design, the
    MPI specification ``mpi_spec(table)`` gives), every chunk's ``PartialSums`` added, and the few rows holding the
    extreme line values (``line_extremes``)."""

    def __init__(self, request: Any, options: Any, mpi_spec: Callable[[pd.DataFrame], Any]) -> None:
        self.request, self.options, self.mpi_spec = request, options, mpi_spec
        self.plan: Any = None
        self.total: Any = None
        self.lines: pd.DataFrame | None = None

    def plan_from(self, table: pd.DataFrame) -> Any:
        from peka.estimate import Design
        from peka.estimate.profile import plan_profile
        from peka.jobs.profile import _check_columns, _size_column

        request = self.request
        _check_columns(table, request)
        design = Design.from_frame(
            table, weight=request.weight or "weight", strata=request.strata or "strata", psu=request.psu or "psu",
            lonely_psu=request.lonely_psu,
        )  # fmt: skip
        self.plan = plan_profile(table, design=design, by=list(request.by), mpi_spec=self.mpi_spec(table),
                                 hh_size=_size_column(request, table), options=self.options)
        return self.plan

    def add(self, table: pd.DataFrame, partial: Any = None) -> None:
        """Add ``table``'s sums (``partial``: already computed where the chunk was classified, ``engine.dask``)."""
        if self.plan is None:
            self.plan_from(table)
        from peka.estimate.sums import sum_partials

        part = partial if partial is not None else self.plan.partial(table)
        self.total = part if self.total is None else sum_partials([self.total, part])
        self.lines = line_extremes(table, self.lines)

    def finish(self) -> tuple[pd.DataFrame, Any]:
        """(the rows with the extreme lines, the ``ProfileResult``)."""
        if self.plan is None:
            from peka.errors import UsageError

            raise UsageError("no data: the input has no chunks")
        return self.lines, self.plan.finish(self.total)


def planning_chunk(stream: StreamSurvey, cfg: Config, skip: bool, cutpoints: np.ndarray, mapper: Mapper
                   ) -> ClassifiedChunk | None:
    """The first chunk, classified by ``mapper`` (``None`` for an empty file): the profile plan is made from it
    before the chunks are reduced where they are classified, as the stream engine makes it from its first chunk."""
    from peka.engine.stream import classify_chunk

    task = partial(classify_chunk, config=cfg, skip=skip, cutpoints=cutpoints)
    return next(iter(list(mapper(task, islice(stream.chunks(), 1)))), None)


def reduced_for_profile(chunk: ClassifiedChunk, plan: Any) -> ClassifiedChunk:
    """``chunk`` with its partial sums, its table cut to the rows the profile job still reads (``first_values``
    and ``line_extremes``): what travels back from a Dask worker is O(domain cells × PSUs), not O(rows)."""
    few = line_extremes(chunk.table, first_values(chunk.table))
    return replace(chunk, table=few, partial=plan.partial(chunk.table))
