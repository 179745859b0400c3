"""The stream engine: a survey read, mapped, validated and classified in chunks of households.

What is held in memory, and why the results equal the memory engine's:

* **Reading.** CSV/TSV: the pandas C reader with ``chunksize`` and the dialect ``peka.io.delimited.sniff`` found
  (encoding, delimiter, decimal mark, header line); Parquet: ``pyarrow`` ``iter_batches``. Every chunk goes through
  the same ``peka.mapping.apply_mapping`` as a whole file, so values convert (and fail to convert) the same way.
  XLSX, SPSS, Stata and SAS files are read whole (memory engine only).
* **Order.** Both files must be sorted by ``hh_id`` (non-decreasing, no missing id): then the rows of one id are
  adjacent, a chunk boundary is never put between two of them, and a household's members are the prefix of the
  sorted person file up to the chunk's last id. A file found out of order raises :class:`Unsorted` (the job then
  falls back to the memory engine with a warning; an on-disk sort is future work).
* **Whole-table checks, bounded.** Duplicate ``hh_id``: in a sorted file duplicates are adjacent, so they fall in
  one chunk and ``validate`` finds them there with the same finding (the same "already used in row" message).
  Orphan persons: a person whose id is at most the chunk's last household id goes with that chunk, where ``validate``
  finds no household for it; persons after the last household go with the last chunk. Roster size and member
  errors are per household, so per chunk. No set of ids is kept: these checks hold one chunk at a time.
* **Deciles (O(n), small).** ``desil_survei`` needs the weighted distribution of the whole file: a first pass keeps
  ``exp_pc`` and the person weight of every kept household (two float64 arrays, 16 bytes a household: 32 MB for 2
  million) and computes ``decile_cutpoints`` exactly; the second pass classifies each chunk with them.
* **What grows with the data, besides the deciles**: the findings of rows with errors (the rejects file and the
  ``--on-invalid fail`` message), never the rows without.

Known differences from the memory engine (docs/architecture.md): the monetary mode (expenditure / registry desil)
is decided per chunk, so a file whose expenditure is missing in a whole chunk but not elsewhere classifies that
chunk in registry mode; invalid UTF-8 after the sampled start is an error (the memory engine re-reads as cp1252);
column-level summary findings (missing shares, single-PSU strata) are per chunk (they are warnings, never reasons
to reject a row).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from peka.config.models import Config
from peka.errors import InputError, PekaError
from peka.io import delimited
from peka.io.raw import TEXT_KINDS, add_row_numbers, drop_blank_rows
from peka.io.readers import Source, open_source
from peka.mapping import Mapping, apply_mapping, detect_mapping, load_mapping, resolve_sources
from peka.schema.findings import Finding
from peka.schema.model import ROW, Level, Survey, columns_for

log = logging.getLogger(__name__)

CHUNK_ROWS = 100_000  # households per chunk (about 100-200 MB of working memory with their members, classified)


class Unsorted(PekaError):
    """A file is not sorted by ``hh_id``: it cannot be linked chunk by chunk (the job falls back to memory)."""


def _raw_chunks(source: Source, usecols: list[str], kinds: dict[str, str], chunk_rows: int
                ) -> Iterator[tuple[pd.DataFrame, str]]:
    """The source columns ``usecols`` (plus ``_row``) in chunks of ``chunk_rows`` rows, and the decimal mark."""
    if source.format == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            reader = pq.ParquetFile(source.path)
            first = 1
            for batch in reader.iter_batches(batch_size=chunk_rows, columns=usecols):
                frame = add_row_numbers(batch.to_pandas(), first=first)
                first += batch.num_rows
                yield frame, "."
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
                yield drop_blank_rows(frame, source.label), dialect.decimal
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
    kinds = {src: columns[canonical].kind for canonical, src in resolved.items()}
    usecols = list(dict.fromkeys(resolved.values()))
    if ROW in source.header:
        usecols.append(ROW)
    for raw, decimal in _raw_chunks(source, usecols, kinds, chunk_rows):
        mapped = apply_mapping(raw, mapping, level, file=source.label, decimal=decimal)
        yield MappedChunk(mapped.frame, mapped.findings, mapped.missing_counts)


def _check_sorted(ids: pd.Series, previous: object, label: str) -> None:
    """``ids`` non-decreasing, none missing, none below ``previous`` (the last id of the chunk before)."""
    values = ids.to_numpy(dtype=object, na_value=None)
    if len(values) == 0:
        return
    if ids.isna().any():
        raise Unsorted(f"{label}: a household id is missing, so the file cannot be streamed in id order")
    ordered = bool((values[1:] >= values[:-1]).all()) and (previous is None or values[0] >= previous)
    if not ordered:
        raise Unsorted(f"{label}: not sorted by household id")


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

    def __post_init__(self) -> None:
        options = {"sep": self.sep, "encoding": self.encoding, "decimal": self.decimal}
        self.hh_source = open_source(self.path, **options)
        if self.persons is not None:
            self.person_source = open_source(self.persons, **options)
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

    def _aligned_households(self) -> Iterator[tuple[MappedChunk, bool]]:
        """Household chunks cut between two different ids (the rows of one id stay together), checked sorted when
        persons are linked; ``True`` with the last chunk."""
        held: MappedChunk | None = None
        previous: object = None
        check = self.person_source is not None
        for chunk in _mapped_chunks(self.hh_source, self.chosen, "household", self.chunk_rows):
            frame = chunk.frame
            if check:
                _check_sorted(frame["hh_id"], previous, self.hh_source.label)
                if len(frame):
                    previous = frame["hh_id"].iloc[-1]
            if held is not None:
                frame = pd.concat([held.frame, frame], ignore_index=True)
                chunk = MappedChunk(frame, held.findings + chunk.findings, held.user_missing + chunk.user_missing)
                held = None
            if check and len(frame):
                ids = frame["hh_id"].to_numpy(dtype=object)
                cut = int(np.searchsorted(ids, ids[-1], side="left"))  # the run of the last id waits for the next
                if cut == 0:
                    held = chunk
                    continue
                tail = frame.iloc[cut:].reset_index(drop=True)
                tail_rows = set(tail[ROW].tolist())
                chunk_now = MappedChunk(frame.iloc[:cut].reset_index(drop=True),
                                        [f for f in chunk.findings if f.table != "household" or f.row not in tail_rows],
                                        chunk.user_missing)
                held = MappedChunk(tail, [f for f in chunk.findings if f.table == "household" and f.row in tail_rows],
                                   [])
                yield chunk_now, False
            else:
                yield chunk, False
        if held is not None:
            yield held, True
        else:
            yield MappedChunk(pd.DataFrame(), [], []), True  # marks the end (persons after the last household)

    def chunks(self) -> Iterator[Survey]:
        """The survey in linked chunks. Raises ``Unsorted`` (before yielding the chunk concerned) when a file is
        not sorted by ``hh_id``."""
        persons = (_mapped_chunks(self.person_source, self.chosen, "person", self.chunk_rows)
                   if self.person_source is not None else None)
        buffer: list[MappedChunk] = []
        exhausted = persons is None
        last_person: object = None
        empty_households: pd.DataFrame | None = None
        for chunk, final in self._aligned_households():
            if len(chunk.frame) == 0 and not final:
                continue
            if len(chunk.frame) and empty_households is None:
                empty_households = chunk.frame.iloc[:0]
            households = chunk.frame if len(chunk.frame) else (empty_households if empty_households is not None
                                                                else chunk.frame)
            survey = Survey(households=households, sources={"household": self.hh_source.label},
                            findings=list(chunk.findings), user_missing=list(chunk.user_missing),
                            rows_read={"household": len(households)})
            if persons is not None:
                assert self.person_source is not None
                bound = None if final else households["hh_id"].iloc[-1]
                while not exhausted and (bound is None or not buffer or _last_id(buffer[-1]) <= bound):
                    try:
                        nxt = next(persons)
                    except StopIteration:
                        exhausted = True
                        break
                    _check_sorted(nxt.frame["hh_id"], last_person, self.person_source.label)
                    if len(nxt.frame):
                        last_person = nxt.frame["hh_id"].iloc[-1]
                    buffer.append(nxt)
                taken, buffer = _take_persons(buffer, bound)
                survey.persons = taken.frame
                survey.sources["person"] = self.person_source.label
                survey.rows_read["person"] = len(taken.frame)
                survey.findings.extend(taken.findings)
                survey.user_missing.extend(taken.user_missing)
            if len(households) == 0 and (survey.persons is None or len(survey.persons) == 0):
                continue
            yield survey


def _last_id(chunk: MappedChunk) -> object:
    return chunk.frame["hh_id"].iloc[-1] if len(chunk.frame) else ""


def _take_persons(buffer: list[MappedChunk], bound: object) -> tuple[MappedChunk, list[MappedChunk]]:
    """The persons of ``buffer`` whose id is at most ``bound`` (all when ``None``), and the rest."""
    if not buffer:
        return MappedChunk(pd.DataFrame(columns=["_row", "hh_id"]), [], []), []
    frame = pd.concat([c.frame for c in buffer], ignore_index=True) if len(buffer) > 1 else buffer[0].frame
    findings = [f for c in buffer for f in c.findings]
    missing = [m for c in buffer for m in c.user_missing]
    n = len(frame) if bound is None else int(np.searchsorted(frame["hh_id"].to_numpy(dtype=object), bound,
                                                                side="right"))
    if n == len(frame):
        return MappedChunk(frame, findings, missing), []
    rows_taken = set(frame[ROW].iloc[:n].tolist())
    taken = MappedChunk(frame.iloc[:n].reset_index(drop=True), [f for f in findings if f.row in rows_taken], missing)
    rest = MappedChunk(frame.iloc[n:].reset_index(drop=True), [f for f in findings if f.row not in rows_taken], [])
    return taken, [rest]


# ---- the two passes of a streamed classification -----------------------------------------------------------------


@dataclass
class FirstPass:
    """What the first pass learnt: the ``desil_survei`` cut points of the whole file, and per poverty line id the
    households that got that broader line for want of a region code (``broad_line_fallbacks``, added up)."""

    cutpoints: np.ndarray
    fallbacks: dict[str, int]


def first_pass(stream: StreamSurvey, config: Config, *, skip: bool) -> FirstPass:
    """Validate every chunk (``skip``: leave out rejected rows as ``apply_on_invalid`` does; else raise
    ``ValidationFailed`` naming the first error of the whole file, as the memory engine does), compute the monetary
    columns of the kept households as ``classify`` does, and from their ``exp_pc`` and person weights the
    ``desil_survei`` cut points (two float64 arrays: the one O(n) state of the stream engine)."""
    from peka.classify.monetary import (
        DESIL, broad_line_fallbacks, classify_from_desil, classify_monetary, decile_cutpoints, monetary_mode,
        person_weights,
    )  # fmt: skip
    from peka.schema.checks import validate
    from peka.schema.rejects import apply_on_invalid

    welfare: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    errors: list[pd.DataFrame] = []
    rows_in: dict[str, int] = {}
    files: dict[str, str] = {}
    fallbacks: dict[str, int] = {}
    for survey in stream.chunks():
        report = validate(survey)
        for table, n in report.rows_in.items():
            rows_in[table] = rows_in.get(table, 0) + n
        files.update(report.files)
        if skip:
            clean, _ = apply_on_invalid(survey, report, mode="skip")
        else:
            if not report.ok:
                errors.append(report.frame[report.frame["severity"] == "error"])
            clean = survey
        households = clean.households
        if errors or len(households) == 0:
            continue
        mode = monetary_mode(households)
        monetary = classify_from_desil(households, config) if mode == DESIL else classify_monetary(households, config)
        welfare.append(monetary["exp_pc"].to_numpy(dtype="float64", na_value=np.nan))
        weights.append(person_weights(households))
        for line_id, n in broad_line_fallbacks(households, monetary["poverty_line_id"], config).items():
            fallbacks[line_id] = fallbacks.get(line_id, 0) + n
    if errors:
        raise _failure(errors, rows_in, files)
    if not welfare:
        return FirstPass(np.full(9, np.nan), fallbacks)
    return FirstPass(decile_cutpoints(np.concatenate(welfare), np.concatenate(weights)), fallbacks)


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
    """One chunk after the second pass: its classification, the kept survey rows, its rejects and its row counts."""

    table: pd.DataFrame
    clean: Survey
    rejects: pd.DataFrame
    rows_in: dict[str, int]


def classify_chunks(stream: StreamSurvey, config: Config, *, skip: bool, cutpoints: np.ndarray,
                    include_personal: bool = False) -> Iterator[ClassifiedChunk]:
    """Second pass: every chunk validated, the on-invalid policy applied, classified with the whole file's
    ``cutpoints`` (``first_pass``)."""
    from peka.classify import classify
    from peka.schema.checks import validate
    from peka.schema.rejects import apply_on_invalid

    for survey in stream.chunks():
        report = validate(survey)
        clean, rejects = apply_on_invalid(survey, report, mode="skip" if skip else "fail")
        table = classify(clean, config, decile_cutpoints=cutpoints, include_personal=include_personal)
        yield ClassifiedChunk(table, clean, rejects, dict(report.rows_in))


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
