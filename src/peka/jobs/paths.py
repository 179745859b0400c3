"""Where a job writes what the user did not name: the job layer decides where outputs go."""

from __future__ import annotations

import os
from pathlib import Path


def default_rejects_path(input_path: str | os.PathLike[str], output: str | os.PathLike[str] | None = None) -> Path:
    """Where ``--on-invalid skip`` writes its rejects when no ``--rejects`` is given: beside the output
    (``hasil.csv`` → ``hasil.rejects.csv``), else in the working folder after the input's name — never beside the
    input, which peka does not write to."""
    if output is not None:
        out = Path(output)
        return out.with_name(f"{out.stem}.rejects.csv")
    return Path.cwd() / f"{Path(input_path).stem}.rejects.csv"


__all__ = ["default_rejects_path"]
