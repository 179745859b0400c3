"""A lock that stops two runs writing the same output folder at once (``peka run``, docs/batch.md).

The lock is ``fcntl.flock`` on a file beside the folder, ``.<folder name>.peka-lock``. The kernel releases it when
the process ends, however it ends (SIGKILL included), so a killed run never leaves a stale lock; the file itself
stays (removing it would let a third run lock a new file while a second still holds the old one).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from peka.errors import BusyError


def lock_path_for(folder: str | os.PathLike[str]) -> Path:
    folder = Path(folder).absolute()
    return folder.parent / f".{folder.name}.peka-lock"


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold the lock of ``folder`` for the block; ``BusyError`` (exit 75) at once if another process holds it."""
    import fcntl  # POSIX only: peka run is for cron

    path = lock_path_for(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BusyError(f"another peka run is writing {Path(folder).name} (it holds {path.name}); try again "
                            "when it has finished", file=str(folder)) from None
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the lock
