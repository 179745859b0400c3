"""Scratch files: data a job sets aside on disk while it runs, in a private folder removed when the job ends.

The stream engine uses them to put a person file in household order (``engine.person_order``): the rows hold
personal data (names, NIK), so the folder is made by ``tempfile.mkdtemp`` (mode 0700: no other user can list or
read it), lives under ``TMPDIR`` (or the system's temporary folder), and is removed on every way out of the job,
error or Ctrl-C included. Only a killed process (SIGKILL, power loss) leaves it behind: its name starts with
``peka-scratch-`` so an administrator can find it (docs/batch.md).

The files are Arrow IPC files, one record batch per piece the reader asks for, compressed with LZ4 where pyarrow
has it (fast to write and read back; the persons of 1M households: 250 MB, from a 452 MB CSV).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

SCRATCH_PREFIX = "peka-scratch-"


@contextmanager
def scratch_folder() -> Iterator[Path]:
    """A new private folder (mode 0700) for scratch files, removed with everything in it on exit."""
    folder = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_batches(path: Path, schema: pa.Schema, batches: Sequence[pa.RecordBatch]) -> None:
    """``batches`` as one Arrow IPC file at ``path`` (inside a ``scratch_folder``), batch ``i`` readable alone."""
    import pyarrow as pa

    options = pa.ipc.IpcWriteOptions(compression="lz4" if pa.Codec.is_available("lz4") else None)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, schema, options=options) as writer:
        for batch in batches:
            writer.write_batch(batch)
