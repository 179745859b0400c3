"""``peka mapping suggest`` as one library call: propose a mapping for unknown files, and write it where asked —
never over one of the files it was proposed for."""

from __future__ import annotations

from pathlib import Path

from peka.deliver.files import write_text
from peka.jobs.inputs import PathLike
from peka.jobs.outputs import OutputPlan


def run_suggest(
    path: PathLike,
    *,
    persons: PathLike | None = None,
    sheet: str | None = None,
    person_sheet: str | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    output: PathLike | None = None,
) -> tuple[str, Path | None]:
    """The suggested mapping TOML, and the file it was written to (``None``: not written, the caller prints it).
    ``output`` is checked against the inputs first (exit 2 on a clash)."""
    from peka.mapping import suggest_for_files

    plan = OutputPlan.for_inputs([Path(p) for p in (path, persons) if p is not None])
    target = plan.add("-o", output)
    text = suggest_for_files(path, persons=persons, sheet=sheet, person_sheet=person_sheet, sep=sep, encoding=encoding)
    return text, (write_text(text, target) if target is not None else None)
