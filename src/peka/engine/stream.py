"""The stream engine: a survey read, mapped, validated and classified in chunks of households.

What is held in memory, and why the results equal the memory engine's:

* **Reading.** CSV/TSV: the pandas C reader with ``chunksize`` and the dialect ``peka.io.delimited.sniff`` found
  (encoding, delimiter, decimal mark, header line); Parquet: ``pyarrow`` ``iter_batches``; SPSS (.sav/.zsav) and
  Stata (.dta): ``peka.io.statfiles.read_stat_chunks``, a slice of cases at a time with the file's value labels and
  user-missing ranges (pyreadstat skips the cases before each slice, so reading a big compressed .sav costs more
  per chunk the further in it is). Every chunk goes through the same ``peka.mapping.apply_mapping`` as a whole
  file, so values convert (and fail to convert) the same way. XLSX and SAS files are read whole (memory engine).
* **Order.** A person file listing the members in the order of the household file (grouped by household, as
  ``peka sample``, Susenas and registry extracts write them; sorted by ``hh_id`` in both files also qualifies) is
  linked as it is read: a chunk's members are the persons up to the first person of a household of the next chunk
  (each person read is tested once, by a pyarrow hash lookup of the next chunk's ids; the persons already read
  past that point are tested against this chunk's ids, so a shuffled file is found at the first chunk). A person
  file out of that order, or a household id repeated in two chunks, raises :class:`Unsorted`. A person file out of
  order is then put in the household file's order on disk (``persons_in_household_order``,
  ``engine.person_order``: bucketed by household chunk in a private scratch folder) and the job starts again; a
  household id in two chunks sends the job to the memory engine with a warning, which reports the same findings.
* **Whole-table checks.** Duplicate ``hh_id`` within a chunk: ``validate`` finds it there with the same finding;
  across chunks: found with a 64-bit hash of every id seen (8 bytes a household, O(n), kept in sorted runs that
  are searched, ``_HashSet``) and handed to the memory engine. Orphan persons: a person before the first member
  of the next chunk's households with no household in this chunk is an orphan for ``validate``; its id hash is
  kept (O(orphans)) and checked against every household id seen before and after, so a person that is merely out
  of order is never reported as an orphan. Roster size and member errors are per household, so per chunk.
* **Two passes.** ``desil_survei`` needs the weighted distribution of the whole file: ``first_pass`` keeps
  ``exp_pc`` and the person weight of every kept household the cut points count (both present, weight > 0: two
  float64 arrays, 16 bytes a household: 160 MB for 10 million, freed before the second pass) and computes
  ``decile_cutpoints`` exactly; ``classify_chunks`` classifies each chunk with them. Under ``--on-invalid fail``
  the first pass reads the household file alone (``households_only``): no row is left out, so the cut points do not
  depend on the persons, and the second pass raises the whole file's ``ValidationFailed`` if the persons hold an
  error.
* **What grows with the data**: the id hashes (8 bytes a household), the cut-point arrays during the first pass,
  and the findings of rows with errors (the rejects file and the ``--on-invalid fail`` message), never the rows
  without. The terminal summary is kept as sums (``peka.present.summary.SummarySums``, ``jobs.streamed``).
* **What is alive at once**: the chunk being linked and classified, and the next household chunk (read ahead: its
  ids end this chunk's members). Every reader, the linker and the job drop their references to a chunk when the
  next is asked for, so a chunk is freed before the one after the next is read, and its pages go back to the system
  (``_return_freed_memory``); the peak RSS of a classification then hardly grows with the number of chunks.

Known differences from the memory engine (docs/architecture.md): the monetary mode (expenditure / registry desil)
is decided per chunk, so a file whose expenditure is missing in a whole chunk but not elsewhere classifies that
chunk in registry mode; invalid UTF-8 after the sampled start is an error (the memory engine re-reads as cp1252);
column-level summary findings (missing shares, single-PSU strata, user-missing counts) are per chunk (they are
warnings, never reasons to reject a row).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from peka.config.models import Config
from peka.errors import InputError, PekaError
from peka.io import delimited, statfiles
from peka.io.raw import TEXT_KINDS, RawTable, add_row_numbers, drop_blank_rows, require_rows
from peka.io.readers import Source, open_source
from peka.mapping import Mapping, apply_mapping, detect_mapping, load_mapping, resolve_sources
from peka.schema.findings import Finding
from peka.schema.model import ROW, Level, Survey, columns_for

if TYPE_CHECKING:
    from peka.engine.person_order import PersonBuckets

log = logging.getLogger(__name__)

CHUNK_ROWS = 100_000  # households per chunk (about 100-200 MB of working memory with their members, classified)
# runs a per-chunk function over the chunks, results in the chunks' order: ``map`` here, ``engine.dask.ClusterMap``
Mapper = Callable[[Callable[[Survey], Any], Iterable[Survey]], Iterator[Any]]


class Unsorted(PekaError):
    """A file is not in ``hh_id`` order: it cannot be linked chunk by chunk. ``persons``: the person file is not in
    the household file's order (the job puts it in that order on disk, ``engine.person_order``, and starts again);
    else a household id repeats across chunks (the job falls back to the memory engine, which reports it)."""

    def __init__(self, message: str, *, persons: bool = False) -> None:
        super().__init__(message)
        self.persons = persons


def _raw_chunks(source: Source, usecols: list[str], kinds: dict[str, str], chunk_rows: int, *,
                refuse_empty: bool = True) -> Iterator[RawTable]:
    """The source columns ``usecols`` (plus ``_row``) in chunks of ``chunk_rows`` rows, as ``RawTable`` objects (with
    the file's value labels and user-missing ranges for SPSS/Stata, the decimal mark for CSV). ``refuse_empty``: a
    file without data rows is the readers' error, as a whole read has it (a chunk without rows is no error, see
    ``Survey.chunk_of_files``)."""
    rows = 0
    for raw in _format_chunks(source, usecols, kinds, chunk_rows):
        rows += len(raw.frame)
        yield raw
        del raw  # not alive while the next chunk is read (see ``StreamSurvey.chunks``)
    if refuse_empty and rows == 0:
        require_rows(pd.DataFrame(), source.label, row=source.dialect.header_line + 1 if source.dialect else 2)


def _format_chunks(source: Source, usecols: list[str], kinds: dict[str, str], chunk_rows: int
                   ) -> Iterator[RawTable]:
    """``_raw_chunks`` by the source's format."""
    if source.format in statfiles.CHUNKED_FORMATS:
        yield from statfiles.read_stat_chunks(source.path, source.format, usecols=usecols, chunk_rows=chunk_rows)
        return
    if source.format == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            reader = pq.ParquetFile(source.path)
            first = 1
            for batch in reader.iter_batches(batch_size=chunk_rows, columns=usecols):
                frame = add_row_numbers(batch.to_pandas(), first=first)
                first += batch.num_rows
                yield RawTable(frame, source.label, "parquet", len(frame))
                del batch, frame  # not alive while the next batch is read (see ``StreamSurvey.chunks``)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"cannot read the parquet file: corrupt or not parquet ({type(exc).__name__})",
                             file=source.label) from None
        return
    dialect = source.dialect
    assert dialect is not None and source.format == "csv"
    dtype: dict[str, str] = {}
    for name in usecols:  # as peka.io.delimited.read_delimited: ids and text as strings, decimal-comma numbers too
        if kinds.get(name) in TEXT_KINDS or (kinds.get(name) in ("int", "float") and dialect.decimal == ","):
            dtype[name] = "str"
    first = dialect.header_line + 1
    try:
        reader = pd.read_csv(
            source.path, sep=dialect.sep, encoding=dialect.encoding, decimal=dialect.decimal,
            thousands=dialect.thousands, skiprows=dialect.header_line - 1, header=0, names=list(dialect.header),
            usecols=usecols, dtype=dtype or None, engine="c", skip_blank_lines=False, keep_default_na=False,
            na_values=delimited.NA_VALUES, chunksize=chunk_rows,
        )  # fmt: skip
        with reader:
            for chunk in reader:
                n = len(chunk)
                frame = add_row_numbers(chunk[usecols], first=first)
                first += n
                frame = drop_blank_rows(frame, source.label)
                yield RawTable(frame, source.label, "csv", len(frame), decimal=dialect.decimal)
                del chunk, frame  # not alive while the next chunk is parsed (see ``StreamSurvey.chunks``)
    except pd.errors.ParserError as exc:
        match = delimited._LINE_IN_ERROR.search(str(exc))
        if match:
            expected, line, saw = match.groups()
            raise InputError(f"the row has {saw} fields but the header has {expected}", file=source.label,
                             row=int(line)) from None
        raise InputError(f"cannot parse the file ({str(exc).splitlines()[-1][:200]})", file=source.label) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"unreadable text encoding: not valid {dialect.encoding} ({exc.reason}); pass --encoding "
                         "or use --engine memory", file=source.label) from None


@dataclass
class MappedChunk:
    frame: pd.DataFrame
    findings: list[Finding]
    user_missing: list[dict[str, object]]


def _mapped_chunks(source: Source, mapping: Mapping, level: Level, chunk_rows: int) -> Iterator[MappedChunk]:
    """``source`` read in chunks and mapped to canonical ``level`` columns (as ``peka.io.load``'s ``_load_table``)."""
    resolved = resolve_sources(mapping, level, source.header, file=source.label)
    columns = columns_for(level)
    kinds: dict[str, str] = {src: columns[canonical].kind for canonical, src in resolved.items()}
    usecols = list(dict.fromkeys(resolved.values()))
    if ROW in source.header:
        usecols.append(ROW)
    for raw in _raw_chunks(source, usecols, kinds, chunk_rows):
        mapped = apply_mapping(raw.frame, mapping, level, file=source.label, value_labels=raw.value_labels,
                               user_missing=raw.user_missing, decimal=raw.decimal)
        yield MappedChunk(mapped.frame, mapped.findings, mapped.missing_counts)
        del raw, mapped  # the raw strings are not kept while the next chunk is read


@dataclass
class StreamSurvey:
    """A household file and optional person file, opened for chunked reading; ``chunks()`` yields ``Survey``\\s of
    at most about ``chunk_rows`` households (more only when one id repeats past a boundary) with their members."""

    path: Path
    persons: Path | None = None
    mapping: str | Path | Mapping | None = None
    sep: str | None = None
    encoding: str | None = None
    decimal: str | None = None
    chunk_rows: int = CHUNK_ROWS
    chosen: Mapping = field(init=False)
    hh_source: Source = field(init=False)
    person_source: Source | None = field(init=False, default=None)
    # the person file put in household order on disk (``persons_in_household_order``), else linked as it is read
    buckets: PersonBuckets | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.hh_source = open_source(self.path, sep=self.sep, encoding=self.encoding, decimal=self.decimal)
        if self.persons is not None:
            self.person_source = open_source(self.persons, sep=self.sep, encoding=self.encoding, decimal=self.decimal)
        if self.mapping is not None:
            self.chosen = load_mapping(self.mapping)
        else:
            try:
                self.chosen, _ = detect_mapping(self.hh_source.header,
                                                self.person_source.header if self.person_source else None)
            except PekaError as exc:
                raise exc.in_file(self.hh_source.label) from None
        if self.person_source is not None and not self.chosen.person:
            raise InputError(f"mapping {self.chosen.name!r} has no [person] table for the person file",
                             file=self.person_source.label)
        log.info("%s: mapping %r (stream engine, %s households a chunk)", self.hh_source.label, self.chosen.name,
                 f"{self.chunk_rows:,}")

    @contextmanager
    def persons_in_household_order(self) -> Iterator[StreamSurvey]:
        """This survey with its person file bucketed by household chunk in a private scratch folder
        (``engine.person_order``), removed on exit; ``chunks`` then takes each chunk's members from there. Raises
        ``Unsorted`` (of the household file) when a household id is in two chunks."""
        from peka.deliver.scratch import scratch_folder
        from peka.engine.person_order import PersonBuckets

        if self.person_source is None:
            yield self
            return
        with scratch_folder() as folder:
            self.buckets = PersonBuckets.build(self, folder)
            try:
                yield self
            finally:
                self.buckets = None

    def _households(self) -> Iterator[tuple[MappedChunk, MappedChunk | None]]:
        """Household chunks, each with the next one (``None`` for the last): the next chunk's ids end the
        members of this one in the person file."""
        previous: MappedChunk | None = None
        for chunk in _mapped_chunks(self.hh_source, self.chosen, "household", self.chunk_rows):
            if previous is not None:
                yield previous, chunk
            previous = chunk
        if previous is not None:
            yield previous, None

    def chunks(self, with_persons: bool = True) -> Iterator[Survey]:
        """The survey in linked chunks (``with_persons=False``: the households alone, the person file unread).
        Raises ``Unsorted`` (before yielding the chunk concerned) when a household id repeats across chunks or the
        person file is not in the household file's order."""
        if self.buckets is not None:
            yield from self._bucketed_chunks(self.buckets, with_persons)
            return
        persons = (_mapped_chunks(self.person_source, self.chosen, "person", self.chunk_rows)
                   if self.person_source is not None and with_persons else None)
        pending: list[pd.DataFrame] = []  # person chunks read but not yet linked, in file order
        pending_findings: list[Finding] = []
        exhausted = persons is None
        seen = _HashSet()  # hashes of every household id so far: 8 bytes a household
        orphans = np.empty(0, dtype=np.uint64)  # hashes of the ids of persons linked to no household so far
        for chunk, following in self._households():
            households = chunk.frame
            hashes = _id_hashes(households["hh_id"])
            if seen.contains_any(hashes):
                raise Unsorted(f"{self.hh_source.label}: a household id repeats in another chunk")
            if len(orphans) and np.isin(hashes, orphans).any():  # orphans come from the person file
                raise self._persons_out_of_order()
            seen.add(hashes)
            survey = self._chunk_survey(chunk)
            if persons is not None:
                assert self.person_source is not None
                # this chunk's members: the persons before the first one of a household of the next chunk (all
                # that are left after the last chunk); every person is tested against one next chunk only once
                next_ids = following.frame["hh_id"] if following is not None else None
                split = None  # (index in pending, row in it) of the first person of the next chunk
                if next_ids is not None:
                    for i, frame in enumerate(pending):
                        split = _first_in(frame["hh_id"], next_ids, i)
                        if split is not None:
                            break
                while split is None and not exhausted:
                    try:
                        more = next(persons)
                    except StopIteration:
                        exhausted = True
                        break
                    pending.append(more.frame)
                    pending_findings += more.findings
                    survey.user_missing.extend(more.user_missing)
                    del more
                    if next_ids is not None:
                        split = _first_in(pending[-1]["hh_id"], next_ids, len(pending) - 1)
                if split is None:
                    parts, pending = pending, []
                else:
                    i, n = split
                    parts = [*pending[:i], pending[i].iloc[:n]]
                    rest = pending[i].iloc[n:].reset_index(drop=True)
                    pending = [rest, *pending[i + 1:]]
                    # a member of this chunk among the persons already read past the split: out of order, found
                    # before the chunk is yielded with part of its members (a shuffled file: at the first chunk)
                    if any((_is_in(frame["hh_id"], households["hh_id"]) & frame["hh_id"].notna().to_numpy()).any()
                           for frame in pending):
                        raise self._persons_out_of_order()
                if not parts:
                    parts = [pd.DataFrame({ROW: pd.Series(dtype="int64"), "hh_id": pd.Series(dtype="str")})]
                taken = (parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)).reset_index(drop=True)
                if pending_findings:
                    # a finding of a whole column goes with the chunk being linked when it was read
                    finding_rows = np.array([_NO_ROW if f.row is None else f.row for f in pending_findings],
                                            dtype=np.int64)
                    linked = np.isin(finding_rows, taken[ROW].to_numpy(dtype=np.int64)) | (finding_rows == _NO_ROW)
                    survey.findings.extend(f for f, here in zip(pending_findings, linked, strict=True) if here)
                    pending_findings = [f for f, here in zip(pending_findings, linked, strict=True) if not here]
                loose = ~_is_in(taken["hh_id"], households["hh_id"]) & taken["hh_id"].notna().to_numpy()
                if loose.any():
                    loose_hashes = _id_hashes(taken.loc[loose, "hh_id"])
                    if seen.contains_any(loose_hashes):
                        raise self._persons_out_of_order()
                    orphans = np.concatenate([orphans, loose_hashes])
                survey.persons = taken
                survey.sources["person"] = self.person_source.label
                survey.rows_read["person"] = len(taken)
                del taken, parts
            yield survey
            # this chunk is done with once the caller asks for the next: without these names it is freed before the
            # next household chunk is read (the reader holds the following one), so at most two chunks are alive
            del survey, households, chunk, hashes
            _return_freed_memory()


    def _chunk_survey(self, chunk: MappedChunk) -> Survey:
        """The ``Survey`` of one household chunk, its members not yet linked."""
        return Survey(households=chunk.frame, sources={"household": self.hh_source.label},
                      findings=list(chunk.findings), user_missing=list(chunk.user_missing),
                      rows_read={"household": len(chunk.frame)}, chunk_of_files=True)

    def _persons_out_of_order(self) -> Unsorted:
        assert self.person_source is not None
        return Unsorted(f"{self.person_source.label}: not in the order of the household file", persons=True)

    def _bucketed_chunks(self, buckets: PersonBuckets, with_persons: bool) -> Iterator[Survey]:
        """``chunks`` with each chunk's members from ``buckets`` (the household index already refused an id in two
        chunks; a person of no household is with the last chunk, where validation reports it)."""
        for number, (chunk, _) in enumerate(self._households()):
            survey = self._chunk_survey(chunk)
            if with_persons:
                assert self.person_source is not None
                members, findings, user_missing = buckets.members(number)
                survey.persons = members
                survey.findings.extend(findings)
                survey.user_missing.extend(user_missing)
                survey.sources["person"] = self.person_source.label
                survey.rows_read["person"] = len(members)
                del members
            yield survey
            del survey, chunk  # as in ``chunks``: at most two chunks alive
            _return_freed_memory()


def household_id_chunks(stream: StreamSurvey) -> Iterator[pd.Series]:
    """The household ids of ``stream``, mapped as ``chunks`` maps them, in its chunks (the id column alone is read)."""
    from peka.mapping.apply import convert_column

    source = stream.hh_source
    level: Level = "household"
    column = stream.chosen.columns(level)["hh_id"]
    spec = stream.chosen.specs(level)["hh_id"]
    name = resolve_sources(stream.chosen, level, source.header, file=source.label)["hh_id"]
    # refuse_empty off: the id column alone drops the rows whose id is blank, which a whole read keeps (and rejects)
    for raw in _raw_chunks(source, [name], {name: column.kind}, stream.chunk_rows, refuse_empty=False):
        converted = convert_column(raw.frame[name], spec, column, labels=raw.value_labels.get(name),
                                   decimal=raw.decimal)
        yield pd.Series(converted.values)
        del raw, converted


def table_chunks(source: Source, usecols: list[str], kinds: dict[str, str], float_columns: Iterable[str] = (),
                 chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """``usecols`` of a plain table (a classified file) in chunks of ``chunk_rows`` rows, with ``_row``: ``kinds``
    columns as text, ``float_columns`` as float64 (as a whole read gives them, whatever a chunk's values look like)."""
    floats = [c for c in float_columns if c in usecols]
    for raw in _raw_chunks(source, usecols, kinds, chunk_rows):
        frame = raw.frame
        if floats:
            frame = frame.assign(**{c: pd.to_numeric(frame[c]).astype("float64") for c in floats})
        yield frame
        del raw, frame


def person_chunks(stream: StreamSurvey) -> Iterator[MappedChunk]:
    """The person file of ``stream`` read and mapped in chunks, in file order."""
    assert stream.person_source is not None
    yield from _mapped_chunks(stream.person_source, stream.chosen, "person", stream.chunk_rows)


def _glibc_malloc_trim() -> Callable[[int], int] | None:
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl): nothing to do
        return None


_MALLOC_TRIM = _glibc_malloc_trim()


def _return_freed_memory() -> None:
    """Hand the pages of the chunk just freed back to the system (glibc's ``malloc_trim``; elsewhere nothing).

    Why: glibc raises its mmap threshold to the size of the largest block freed (up to 32 MB), so a chunk's
    column buffers are then carved from the heap, and a block that lives on between them (an id-hash run, a reject
    frame) keeps the freed pages around it resident: the peak RSS crept up chunk after chunk (2M households, second
    pass: +50 MB over 20 chunks). A trim takes up to about 20 ms, well under 1% of a chunk's time."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _is_in(values: pd.Series, lookup: pd.Series) -> np.ndarray:
    """``values.isin(lookup)`` (a missing value is in ``lookup`` when one is missing there, as pandas has it) as a
    pyarrow hash lookup: ``Series.isin`` on Arrow strings builds a Python list of the lookup values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    left = pa.array(values if isinstance(values.dtype, pd.StringDtype) else values.astype("str"), from_pandas=True)
    right = pa.array(lookup if isinstance(lookup.dtype, pd.StringDtype) else lookup.astype("str"), from_pandas=True)
    if isinstance(right, pa.ChunkedArray):
        right = right.combine_chunks()
    return pc.is_in(left, value_set=right).fill_null(False).to_numpy(zero_copy_only=False)


def _first_in(ids: pd.Series, lookup: pd.Series, index: int) -> tuple[int, int] | None:
    """``(index, position)`` of the first of ``ids`` that is in ``lookup``, ``None`` when none is."""
    found = _is_in(ids, lookup)
    return (index, int(found.argmax())) if found.any() else None


_NO_ROW = np.iinfo(np.int64).min  # the row of a finding about a whole column (linked to the chunk it was read in)


class _HashSet:
    """A set of 64-bit hashes as a few sorted arrays, each at least as long as the next (as a binary counter:
    adding a chunk merges the runs that are not longer than it), so adding n hashes in chunks costs O(n log n) and a
    lookup searches O(log chunks) arrays; 8 bytes a hash, 12 for a moment while the two largest runs merge: the longer
    run is grown in place (``ndarray.resize``: a realloc, which moves pages rather than copying them for big arrays)
    and timsort merges the two sorted halves with a buffer of the shorter one."""

    def __init__(self) -> None:
        self.runs: list[np.ndarray] = []

    def contains_any(self, hashes: np.ndarray) -> bool:
        for run in self.runs:
            if len(run) and len(hashes):
                at = np.searchsorted(run, hashes).clip(max=len(run) - 1)
                if (run[at] == hashes).any():
                    return True
        return False

    def add(self, hashes: np.ndarray) -> None:
        run = np.sort(hashes)
        while self.runs and len(self.runs[-1]) <= len(run):
            merged = self.runs.pop()
            start = len(merged)
            merged.resize(start + len(run), refcheck=False)  # the runs own their data and have no views
            merged[start:] = run
            del run
            merged.sort(kind="stable")  # timsort: one merge of the two sorted halves
            run = merged
        self.runs.append(run)


def _id_hashes(ids: pd.Series) -> np.ndarray:
    """64-bit hashes of the (non-missing) ids: a collision can only send a file to the memory engine, never
    change a result."""
    present = ids.dropna()
    # categorize=False: the same hashes, without factorizing first (ids are nearly all distinct): 10x faster
    return pd.util.hash_array(present.astype(str).to_numpy(dtype=object), categorize=False)


# ---- the two passes of a streamed classification -----------------------------------------------------------------


@dataclass
class FirstPass:
    """What the first pass learnt: the ``desil_survei`` cut points of the whole file, and per poverty line id the
    households that got that broader line for want of a region code (``broad_line_fallbacks``, added up).
    ``persons_checked`` is false when the first pass read the households alone (``households_only``): then the
    second pass (``classify_chunks``) is the one that finds errors of the person file, and ``Unsorted`` of it."""

    cutpoints: np.ndarray
    fallbacks: dict[str, int]
    persons_checked: bool = True


@dataclass
class FirstPassChunk:
    """What the first pass keeps of one chunk: its row counts and files, its error findings (``skip`` off), and the
    ``exp_pc`` and person weights of its kept households (none once it has errors), with its broad-line fallbacks."""

    rows_in: dict[str, int]
    files: dict[str, str]
    errors: pd.DataFrame | None
    welfare: np.ndarray | None = None
    weights: np.ndarray | None = None
    fallbacks: dict[str, int] = field(default_factory=dict)


def first_pass_chunk(survey: Survey, config: Config, *, skip: bool) -> FirstPassChunk:
    """The first pass on one chunk (row-local: a chunk can be done anywhere, e.g. on a Dask worker)."""
    from peka.classify.monetary import (
        DESIL,
        broad_line_fallbacks,
        classify_from_desil,
        classify_monetary,
        counted_in_deciles,
        monetary_mode,
        person_weights,
    )  # fmt: skip
    from peka.schema.checks import validate
    from peka.schema.rejects import apply_on_invalid

    report = validate(survey)
    done = FirstPassChunk(dict(report.rows_in), dict(report.files), None)
    if skip:
        clean, _ = apply_on_invalid(survey, report, mode="skip")
    else:
        if not report.ok:
            done.errors = report.frame[report.frame["severity"] == "error"]
            return done
        clean = survey
    households = clean.households
    if len(households) == 0:
        return done
    mode = monetary_mode(households)
    monetary = classify_from_desil(households, config) if mode == DESIL else classify_monetary(households, config)
    welfare = monetary["exp_pc"].to_numpy(dtype="float64", na_value=np.nan)
    weights = person_weights(households)
    # only the households ``decile_cutpoints`` counts (it drops the others, keeping the order): fresh arrays, since
    # ``welfare`` can be a view that keeps the whole block of the monetary columns alive (5 columns, not 1)
    counted = counted_in_deciles(welfare, weights)
    done.welfare = welfare[counted]
    done.weights = weights[counted]
    done.fallbacks = broad_line_fallbacks(households, monetary["poverty_line_id"], config)
    return done


def first_pass(stream: StreamSurvey, config: Config, *, skip: bool, households_only: bool = False,
               mapper: Mapper | None = None) -> FirstPass:
    """Validate every chunk (``skip``: leave out rejected rows as ``apply_on_invalid`` does; else raise
    ``ValidationFailed`` naming the first error of the whole file, as the memory engine does), compute the monetary
    columns of the kept households as ``classify`` does, and from their ``exp_pc`` and person weights the
    ``desil_survei`` cut points (two float64 arrays: 16 bytes a household, the largest O(n) state of the engine).
    ``mapper`` runs ``first_pass_chunk`` over the chunks in order (default ``map``: here; ``engine.dask``: on a
    cluster).

    ``households_only`` (used with ``skip`` false, ``--on-invalid fail``): read the household file alone, about
    half the work. Without ``skip`` no row is left out, so the cut points depend on the households only; an error
    in the person file is then found by ``classify_chunks``, which raises the same ``ValidationFailed`` (the table
    writer discards what it wrote). When the households alone show an error, the whole first pass runs (and raises
    the memory engine's error, which may also name persons)."""
    from peka.classify.monetary import decile_cutpoints

    alone = households_only and not skip and stream.person_source is not None
    welfare: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    errors: list[pd.DataFrame] = []
    rows_in: dict[str, int] = {}
    files: dict[str, str] = {}
    fallbacks: dict[str, int] = {}
    task = partial(first_pass_chunk, config=config, skip=skip)
    for chunk in (mapper or map)(task, stream.chunks(with_persons=not alone)):
        for table, n in chunk.rows_in.items():
            rows_in[table] = rows_in.get(table, 0) + n
        files.update(chunk.files)
        if chunk.errors is not None:
            if alone:
                return first_pass(stream, config, skip=skip, mapper=mapper)
            errors.append(chunk.errors)
        if errors or chunk.welfare is None:
            continue
        welfare.append(chunk.welfare)
        weights.append(chunk.weights)
        for line_id, n in chunk.fallbacks.items():
            fallbacks[line_id] = fallbacks.get(line_id, 0) + n
    if errors:
        raise _failure(errors, rows_in, files)
    if not welfare:
        return FirstPass(np.full(9, np.nan), fallbacks, persons_checked=not alone)
    exp_pc = np.concatenate(welfare)  # each list is emptied once joined: at most 1.5 copies of the arrays at once
    welfare.clear()
    person_weight = np.concatenate(weights)
    weights.clear()
    return FirstPass(decile_cutpoints(exp_pc, person_weight), fallbacks, persons_checked=not alone)


def _failure(errors: list[pd.DataFrame], rows_in: dict[str, int], files: dict[str, str]) -> PekaError:
    """The ``ValidationFailed`` of the memory engine from the error findings of every chunk (a whole-column error
    repeats in each chunk: counted once)."""
    from peka.schema.report import ValidationReport, sort_findings, validation_failed

    frame = pd.concat(errors, ignore_index=True)
    whole = frame["row"].isna()
    frame = sort_findings(pd.concat([frame[~whole], frame[whole].drop_duplicates()], ignore_index=True))
    error_rows = {t: np.unique(frame.loc[frame["table"] == t, "row"].dropna().to_numpy(dtype=np.int64))
                  for t in rows_in}
    return validation_failed(ValidationReport(frame=frame, rows_in=rows_in, error_rows=error_rows, files=files))


@dataclass
class ClassifiedChunk:
    """One chunk after the second pass: its classification, the kept survey rows, its rejects and its row counts
    (``processed``: kept rows per table). ``partial``: the chunk's profile ``PartialSums`` when they were computed
    where it was classified (``engine.dask``). ``errors``: without ``skip``, the chunk's error findings (then
    nothing was classified; possible only after a households-only first pass)."""

    table: pd.DataFrame
    clean: Survey
    rejects: pd.DataFrame
    rows_in: dict[str, int]
    processed: dict[str, int] = field(default_factory=dict)
    partial: Any = None
    errors: pd.DataFrame | None = None
    files: dict[str, str] = field(default_factory=dict)


def classify_chunk(survey: Survey, config: Config, *, skip: bool, cutpoints: np.ndarray,
                   include_personal: bool = False) -> ClassifiedChunk:
    """The second pass on one chunk: validated, the on-invalid policy applied, classified with ``cutpoints``."""
    from peka.classify import classify
    from peka.schema.checks import validate
    from peka.schema.rejects import apply_on_invalid

    report = validate(survey)
    if not skip and not report.ok:  # only after a households-only first pass (``first_pass``)
        return ClassifiedChunk(pd.DataFrame(), survey, pd.DataFrame(), dict(report.rows_in),
                               errors=report.frame[report.frame["severity"] == "error"], files=dict(report.files))
    clean, rejects = apply_on_invalid(survey, report, mode="skip" if skip else "fail")
    table = classify(clean, config, decile_cutpoints=cutpoints, include_personal=include_personal,
                     person_households=report.person_households)
    processed = {"household": len(clean.households)}
    if clean.persons is not None:
        processed["person"] = len(clean.persons)
    return ClassifiedChunk(table, clean, rejects, dict(report.rows_in), processed, files=dict(report.files))


def classify_chunks(stream: StreamSurvey, config: Config, *, skip: bool, cutpoints: np.ndarray,
                    include_personal: bool = False, mapper: Mapper | None = None) -> Iterator[ClassifiedChunk]:
    """Second pass: ``classify_chunk`` on every chunk, with the whole file's ``cutpoints`` (``first_pass``), in
    the order of the file; ``mapper`` as in ``first_pass``. Without ``skip``, an error (possible only after a
    households-only first pass) stops the yielding; the remaining chunks are validated and the whole file's
    ``ValidationFailed`` raised."""
    task = partial(classify_chunk, config=config, skip=skip, cutpoints=cutpoints, include_personal=include_personal)
    errors: list[pd.DataFrame] = []  # without skip, after a first error: the errors of every chunk from there on
    rows_in: dict[str, int] = {}
    files: dict[str, str] = {}
    for chunk in (mapper or map)(task, stream.chunks()):
        for table_name, n in chunk.rows_in.items():
            rows_in[table_name] = rows_in.get(table_name, 0) + n
        files.update(chunk.files)
        if chunk.errors is not None:
            errors.append(chunk.errors)
        if errors:
            continue
        yield chunk
        del chunk  # freed before the next chunk is read (``StreamSurvey.chunks``)
    if errors:
        raise _failure(errors, rows_in, files)


def first_values(frame: pd.DataFrame, before: pd.DataFrame | None = None) -> pd.DataFrame:
    """A few rows of ``before`` and ``frame`` holding, for every column, its first non-missing value (if any): a
    column is all-missing in the result exactly when it is in every frame seen, so whole-table checks of the kind
    "no household has X" run on it as on the whole table, in memory bounded by the number of columns."""
    both = frame if before is None else pd.concat([before, frame], ignore_index=True)
    if len(both) == 0:
        return both
    positions = {0}
    for column in both.columns:
        valid = both[column].notna().to_numpy()
        if valid.any():
            positions.add(int(valid.argmax()))
    return both.iloc[sorted(positions)].reset_index(drop=True)
