"""A person file not in the household file's order, put in that order on disk, so the stream engine can still link
each chunk of households to its members with memory bounded by the chunk size.

Why not sort: the stream engine needs, for household chunk ``c``, exactly the persons whose households are in
``c``, in file order; it never needs a total order. So the persons are *bucketed* by household chunk, a
distribution pass that costs one read of each file and one write and read of the persons, where a sort costs
``log(n)`` merge passes:

1. **Where each household is** (``household_index``): the household file's id column alone is read in the stream
   engine's chunks (the same boundaries ``StreamSurvey.chunks`` will use) and every id's 64-bit hash is kept with
   its chunk number, sorted by hash: 12 bytes a household (960 MB for the 80 million of the national register).
   An id in two chunks is a duplicate the memory engine must report: ``Unsorted`` (of the household file).
2. **Spilling** (``PersonBuckets.build``): the person file is read and mapped in chunks; each person's chunk is
   looked up by its household id's hash (a person whose household id is missing or matches no household goes to
   the last chunk, where validation reports it as the memory engine does); the persons are stably ordered by chunk
   and written, a few person chunks together, as one Arrow IPC file with one record batch per household chunk
   (``deliver.scratch``: a private folder removed when the job ends). Findings of the mapping go with their row.
3. **Reading** (``PersonBuckets.members``): chunk ``c``'s members are batch ``c`` of every spill file that has one,
   in file order, converted back to the mapped frame's dtypes.

A hash collision can only send a file to the memory engine (two ids hashing alike in two chunks) or a person that
belongs to no household into some chunk, where validation compares the real ids and reports it: never change a
result. Disk: the mapped person columns, LZ4-compressed (250 MB for the 4.2M persons of 1M households, whose CSV
is 452 MB); time: one more read of the household id column and one write and read of the persons, about 1.3 x the
stream engine's time on a sorted file (bench/README.md, ``bench_stream.py --shuffle-persons``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from peka.schema.findings import Finding
from peka.schema.model import ROW

if TYPE_CHECKING:
    import pyarrow as pa

    from peka.engine.stream import MappedChunk, StreamSurvey

log = logging.getLogger(__name__)

SPILL_CHUNKS = 4  # person chunks written together to one spill file: fewer files to open per household chunk


def id_hashes_with_mask(ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The 64-bit hash of every id (0 where missing) and the mask of the ids present (``engine.stream._id_hashes``:
    the same hash)."""
    from peka.engine.stream import _id_hashes

    present = ids.notna().to_numpy()
    hashes = np.zeros(len(ids), dtype=np.uint64)
    hashes[present] = _id_hashes(ids)
    return hashes, present


@dataclass
class HouseholdIndex:
    """Every household id's hash, sorted, with the number of the stream chunk its household is in."""

    hashes: np.ndarray  # uint64, sorted
    chunks: np.ndarray  # uint32, the chunk of ``hashes[i]``
    n_chunks: int

    def chunk_of(self, ids: pd.Series) -> np.ndarray:
        """The chunk of each id's household; the last chunk for a missing id or one of no household."""
        hashes, present = id_hashes_with_mask(ids)
        last = max(self.n_chunks - 1, 0)
        if len(self.hashes) == 0:
            return np.full(len(ids), last, dtype=np.int64)
        at = np.searchsorted(self.hashes, hashes).clip(max=len(self.hashes) - 1)
        found = present & (self.hashes[at] == hashes)
        return np.where(found, self.chunks[at].astype(np.int64), last)


def household_index(stream: StreamSurvey) -> HouseholdIndex:
    """Read the household file's id column in the stream engine's chunks (``Unsorted`` when an id is in two)."""
    from peka.engine.stream import Unsorted, household_id_chunks

    parts: list[np.ndarray] = []
    numbers: list[np.ndarray] = []
    n_chunks = 0
    for number, ids in enumerate(household_id_chunks(stream)):
        hashes, present = id_hashes_with_mask(ids)
        parts.append(hashes[present])
        numbers.append(np.full(int(present.sum()), number, dtype=np.uint32))
        n_chunks = number + 1
    hashes = np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)
    chunks = np.concatenate(numbers) if numbers else np.empty(0, dtype=np.uint32)
    parts.clear()
    numbers.clear()
    order = np.argsort(hashes, kind="stable")
    hashes, chunks = hashes[order], chunks[order]
    del order
    repeated = (hashes[1:] == hashes[:-1]) & (chunks[1:] != chunks[:-1])
    if repeated.any():  # a duplicate id (or, once in 2^64, two ids hashing alike) in two chunks
        raise Unsorted(f"{stream.hh_source.label}: a household id repeats in another chunk")
    return HouseholdIndex(hashes, chunks, n_chunks)


@dataclass
class PersonBuckets:
    """The person file, mapped and bucketed by household chunk in a scratch folder (see the module docstring)."""

    folder: Path
    n_chunks: int
    template: pd.DataFrame  # no rows: the mapped person frame's columns and dtypes
    spills: list[tuple[Path, np.ndarray]] = field(default_factory=list)  # file, batch of each chunk (-1: none)
    findings: dict[int, list[Finding]] = field(default_factory=dict)  # per chunk, in file order
    user_missing: list[dict[str, object]] = field(default_factory=list)  # of the whole file: with chunk 0
    rows: int = 0

    @classmethod
    def build(cls, stream: StreamSurvey, folder: Path) -> PersonBuckets:
        from peka.engine.stream import person_chunks

        index = household_index(stream)
        buckets: PersonBuckets | None = None
        pending: list[tuple[pa.Table, np.ndarray]] = []  # (persons, their chunk) not yet written
        schema: pa.Schema | None = None  # of the first chunk: every chunk converts to it, so they concatenate
        for part in person_chunks(stream):
            if buckets is None:
                buckets = cls(folder, index.n_chunks, part.frame.iloc[:0].copy())
                schema = _arrow(buckets.template).schema
            target = index.chunk_of(part.frame["hh_id"])
            buckets._file_findings(part, target)
            pending.append((_arrow(part.frame, schema), target))
            buckets.rows += len(part.frame)
            del part
            if len(pending) >= SPILL_CHUNKS:
                buckets._spill(pending)  # emptied
        assert buckets is not None  # person_chunks refuses a person file without rows
        if pending:
            buckets._spill(pending)
        log.info("%s: %s persons put in the household file's order in %d scratch file(s)",
                 stream.person_source.label if stream.person_source else "", f"{buckets.rows:,}", len(buckets.spills))
        return buckets

    def _file_findings(self, part: MappedChunk, target: np.ndarray) -> None:
        """The mapping's findings of a person chunk, each with the chunk its row goes to (a finding of a whole
        column, or of a row not in the chunk, with chunk 0); the user-missing counts with chunk 0."""
        self.user_missing.extend(part.user_missing)
        if not part.findings:
            return
        wanted = np.array([-1 if f.row is None else f.row for f in part.findings], dtype=np.int64)
        chunks = np.zeros(len(wanted), dtype=np.int64)
        rows = part.frame[ROW].to_numpy(dtype=np.int64)
        if len(rows):
            order = np.argsort(rows, kind="stable")
            at = order[np.searchsorted(rows[order], wanted).clip(max=len(rows) - 1)]
            chunks = np.where((wanted >= 0) & (rows[at] == wanted), target[at], 0)
        for finding, chunk in zip(part.findings, chunks.tolist(), strict=True):
            self.findings.setdefault(chunk, []).append(finding)

    def _spill(self, pending: list[tuple[pa.Table, np.ndarray]]) -> None:
        """Write ``pending`` person chunks as one scratch file: the persons stably ordered by chunk, one batch per
        chunk that has any."""
        import pyarrow as pa

        from peka.deliver.scratch import write_batches

        table = pa.concat_tables([t for t, _ in pending])
        target = np.concatenate([c for _, c in pending])
        pending.clear()
        if len(target) == 0:
            return
        order = np.argsort(target, kind="stable")
        table = table.take(pa.array(order)).combine_chunks()
        present, starts, counts = np.unique(target[order], return_index=True, return_counts=True)
        batch_of = np.full(self.n_chunks, -1, dtype=np.int64)
        batch_of[present] = np.arange(len(present))
        batches = [table.slice(start, n).to_batches()[0]
                   for start, n in zip(starts.tolist(), counts.tolist(), strict=True)]
        path = self.folder / f"persons-{len(self.spills):05d}.arrow"
        write_batches(path, table.schema, batches)
        self.spills.append((path, batch_of))

    def members(self, chunk: int) -> tuple[pd.DataFrame, list[Finding], list[dict[str, object]]]:
        """Household chunk ``chunk``'s persons (in the person file's order, ``_row`` kept), the mapping findings of
        their rows, and (chunk 0) the user-missing counts of the whole file."""
        import pyarrow as pa

        batches = []
        schema = None
        for path, batch_of in self.spills:
            i = int(batch_of[chunk])
            if i < 0:
                continue
            with pa.memory_map(str(path)) as source:
                reader = pa.ipc.open_file(source)
                schema = reader.schema
                batches.append(reader.get_batch(i))
        frame = self.template.copy() if not batches else _restored(
            pa.Table.from_batches(batches, schema=schema).to_pandas(), self.template)
        findings = list(self.findings.get(chunk, []))
        return frame, findings, list(self.user_missing) if chunk == 0 else []


def _arrow(frame: pd.DataFrame, schema: pa.Schema | None = None) -> pa.Table:
    import pyarrow as pa

    return pa.Table.from_pandas(frame, schema=schema, preserve_index=False)


def _restored(frame: pd.DataFrame, template: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``template``'s dtypes where the Arrow round trip chose others (categories, say)."""
    for column, dtype in template.dtypes.items():
        if column in frame.columns and frame[column].dtype != dtype:
            frame[column] = frame[column].astype(dtype)
    return frame


__all__ = ["HouseholdIndex", "PersonBuckets", "household_index", "id_hashes_with_mask"]
