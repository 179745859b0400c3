"""Scratch files: data a job sets aside on disk while it runs, in a private folder removed when the job ends.

The stream engine uses them to put a person file in household order (``engine.person_order``): the rows hold
personal data (names, NIK), so the folder is made by ``tempfile.mkdtemp`` (mode 0700: no other user can list or
read it), lives under ``TMPDIR`` (or the system's temporary folder), and is removed on every way out of the job,
error or Ctrl-C included. Only a killed process (SIGTERM or SIGKILL, power loss) leaves it behind: its name starts with
``peka-scratch-`` so an administrator can find it (docs/batch.md).

The files are Arrow IPC files, one record batch per piece the reader asks for, compressed with LZ4 where pyarrow
has it (fast to write and read back; the persons of 1M households: 250 MB, from a 452 MB CSV).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

log = logging.getLogger(__name__)

SCRATCH_PREFIX = "peka-scratch-"
# file systems held in memory: scratch files there take the memory the stream engine is meant to spare
MEMORY_FILESYSTEMS = ("tmpfs", "ramfs")


def filesystem_type(path: Path, mounts: str | None = None) -> str | None:
    """The type of the file system ``path`` is on, from ``/proc/mounts`` (Linux; ``mounts``: its text, for tests),
    the longest mount point that holds it; ``None`` where that cannot be read."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    best, kind = "", None
    target = str(path)
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, kind = point, fields[2]
    return kind


@contextmanager
def scratch_folder() -> Iterator[Path]:
    """A new private folder (mode 0700) for scratch files, removed with everything in it on exit. A folder on a
    file system held in memory (``/tmp`` is a tmpfs on some systems, Debian 13's default among them) is logged as a
    warning naming ``TMPDIR``."""
    folder = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
    kind = filesystem_type(folder.resolve())
    if kind in MEMORY_FILESYSTEMS:
        log.warning("the scratch folder is on %s, which is held in memory: set TMPDIR to a folder on disk with room "
                    "for about half the person file", kind)
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
