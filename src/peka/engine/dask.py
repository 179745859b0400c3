"""The Dask engine: the stream engine's chunks validated, classified and reduced on a Dask cluster.

The driver (the ``peka`` process) reads the files and links each chunk's members exactly as the stream engine does
(``engine.stream.StreamSurvey``: one reader, so the order checks, duplicate ids and orphans are found the same way),
then hands each chunk to a worker. What a worker runs is the stream engine's own per-chunk step
(``first_pass_chunk``, ``classify_chunk``, and for ``peka profile`` the plan's ``partial``), so the results are
the stream engine's, which equal the memory engine's (tests/engine/test_dask.py).

What moves over the network: each chunk's mapped household and person rows to a worker (twice: one per pass);
back, per chunk, in pass 1 its ``exp_pc`` and person weights (16 bytes a household) and error findings; in pass 2
the classified table (``classify``, which the driver writes in chunk order) or its ``PartialSums`` and a few rows
(``profile``); the kept rows themselves never come back (``_compact``: a few witness rows instead). At most
``WINDOW_PER_THREAD`` chunks per worker thread are in flight, so the driver holds a bounded number of chunks.

Dask is imported here only, and only when the engine runs: ``import peka`` never needs it.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from peka.engine.stream import ClassifiedChunk, first_values
from peka.errors import UsageError
from peka.schema.model import Survey

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0  # seconds to reach a --scheduler before giving up (a closed port fails at once)
WINDOW_PER_THREAD = 2  # chunks in flight per worker thread: one computing, one on its way
INSTALL = "pip install 'peka[dask]'"


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise UsageError(f"--engine dask needs Dask and distributed, which are not installed: {INSTALL}") from None
    return distributed


def local_workers() -> int:
    """Workers of the default local cluster: one single-threaded process per core (pandas holds the GIL)."""
    return max(1, os.cpu_count() or 1)


@dataclass
class Cluster:
    """A connection to a Dask scheduler (``address``) or, without one, a ``distributed.LocalCluster`` of
    ``local_workers()`` processes, made on first use and closed by ``close``."""

    address: str | None = None
    client: Any = field(default=None, init=False)
    local: Any = field(default=None, init=False)

    def connect(self) -> Any:
        if self.client is not None:
            return self.client
        distributed = _distributed()
        if self.address is None:
            self.local = distributed.LocalCluster(n_workers=local_workers(), threads_per_worker=1, processes=True,
                                                  dashboard_address=None)
            self.client = distributed.Client(self.local)
            log.info("dask: local cluster of %d workers", local_workers())
            return self.client
        try:
            self.client = distributed.Client(self.address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            raise UsageError(f"--scheduler {self.address}: cannot connect to a Dask scheduler there ({reason})"
                             ) from None
        log.info("dask: scheduler %s, %d worker threads", self.address, _threads(self.client))
        return self.client

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        if self.local is not None:
            self.local.close()
        self.client = self.local = None


def _threads(client: Any) -> int:
    return max(1, sum(client.nthreads().values()))


def _compact(result: Any) -> Any:
    """What a worker sends back: a classified chunk without its kept rows (a few witness rows, ``first_values``,
    which is all the driver reads of them besides their counts); other results as they are."""
    if isinstance(result, ClassifiedChunk):
        persons = result.clean.persons
        witness = Survey(households=first_values(result.clean.households),
                         persons=first_values(persons) if persons is not None else None)
        return replace(result, clean=witness)
    return result


def _run(task: Callable[[Survey], Any], after: tuple[Callable[[Any], Any], ...], survey: Survey) -> Any:
    """On a worker: ``task`` on one chunk, then the ``after`` steps (e.g. the profile's partial sums)."""
    result = task(survey)
    for step in after:
        result = step(result)
    return _compact(result)


@dataclass(frozen=True)
class ClusterMap:
    """An ``engine.stream.Mapper`` running each chunk's task on the cluster, results in the chunks' order."""

    cluster: Cluster
    after: tuple[Callable[[Any], Any], ...] = ()

    def then(self, step: Callable[[Any], Any]) -> ClusterMap:
        """This mapper with ``step`` applied to each result on the worker (before it travels back)."""
        return replace(self, after=(*self.after, step))

    def __call__(self, task: Callable[[Survey], Any], surveys: Iterable[Survey]) -> Iterator[Any]:
        client = self.cluster.connect()
        window = WINDOW_PER_THREAD * _threads(client)
        run = partial(_run, task, self.after)
        pending: deque[Any] = deque()
        try:
            for survey in surveys:
                [data] = client.scatter([survey], hash=False)  # sent now: the task graph stays small
                pending.append(client.submit(run, data, pure=False))
                del survey, data
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            if pending:  # stopped early (an error, Unsorted in the reader): drop the chunks still queued
                client.cancel(list(pending))


@contextmanager
def cluster_map(address: str | None = None) -> Iterator[ClusterMap]:
    """A ``ClusterMap`` on the scheduler at ``address`` (a local cluster without one), closed on exit. Raises
    ``UsageError`` at once when Dask is not installed; a scheduler that cannot be reached fails at first use."""
    _distributed()
    cluster = Cluster(address)
    try:
        yield ClusterMap(cluster)
    finally:
        cluster.close()
