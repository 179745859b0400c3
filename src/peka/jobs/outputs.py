"""Which files a job writes, checked before anything is read or written: inputs are sacred.

Every output path (``-o``, ``--rejects``, ``--log-file``, the classification record, suggestion and sample files)
is resolved (symlinks, ``..``, and the case of case-insensitive file systems) and compared with every input and with
every other output. A clash is a usage error (exit 2) naming both; an output that is a folder, a device or another
special file is refused. Only then does the job read its inputs.

>>> plan = OutputPlan(inputs=[Path("survey.csv")])
>>> plan.add("-o", "hasil.csv")
PosixPath('hasil.csv')
>>> plan.add("--rejects", "./survey.csv")
Traceback (most recent call last):
...
peka.errors.UsageError: --rejects survey.csv is the input file survey.csv: choose another output path
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from peka.errors import UsageError


def _key(path: Path) -> tuple[object, ...]:
    """Identity of a path for clash detection: device and inode when it exists (catches symlinks, hard links and
    other spellings on case-insensitive file systems), else the fully resolved, case-normalised path."""
    resolved = path.resolve()
    try:
        st = resolved.stat()
    except OSError:
        return ("path", os.path.normcase(str(resolved)))
    return ("inode", st.st_dev, st.st_ino)


@dataclass
class OutputPlan:
    """The inputs of a job and the outputs it has announced so far."""

    inputs: list[Path] = field(default_factory=list)
    outputs: dict[tuple[object, ...], tuple[str, Path]] = field(default_factory=dict)

    @classmethod
    def for_inputs(cls, files: list[Path]) -> OutputPlan:
        """A plan for a job reading ``files``; the ``--log-file`` of this process (a file handler on the ``peka``
        logger, opened lazily) counts as an output too, so a log file can never append to a survey."""
        plan = cls(inputs=list(files))
        logger = logging.getLogger("peka")
        for handler in list(logger.handlers):
            if isinstance(handler, logging.FileHandler):
                try:
                    plan.add("--log-file", handler.baseFilename)
                except UsageError:
                    # not even the error line may reach that file: it is an input
                    logger.removeHandler(handler)
                    handler.close()
                    raise
        return plan

    def add(self, option: str, path: str | os.PathLike[str] | None) -> Path | None:
        """Announce an output; raises ``UsageError`` when it is an input, another output, or not a regular file."""
        if path is None:
            return None
        path = Path(path)
        _check_writable_kind(option, path)
        key = _key(path)
        for source in self.inputs:
            if _key(source) == key:
                raise UsageError(
                    f"{option} {path} is the input file {source}: choose another output path"
                )
        if key in self.outputs:
            other_option, other = self.outputs[key]
            raise UsageError(f"{option} {path} is also the file of {other_option} ({other}): choose different paths")
        self.outputs[key] = (option, path)
        return path


def _check_writable_kind(option: str, path: Path) -> None:
    try:
        st = path.stat()  # follows symlinks: what would be overwritten
    except FileNotFoundError:
        if path.is_symlink():
            raise UsageError(f"{option} {path} is a dangling symbolic link: name a regular file") from None
        return
    except OSError as exc:
        raise UsageError(f"{option} {path} cannot be used as an output ({type(exc).__name__})") from None
    if stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{option} {path} is a folder: name a file inside it")
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"{option} {path} is not a regular file (a device, pipe or socket): name a regular file")
