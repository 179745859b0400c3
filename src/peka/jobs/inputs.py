"""What every data job is given: the input files and how to read them, the configuration layers, the row policy.

The CLI fills these from the shared input options (``peka.cli.options``); library callers build them directly.

>>> spec = InputSpec("data/samples/sabang/households.csv", persons="data/samples/sabang/persons.csv")
>>> [p.name for p in spec.files]
['households.csv', 'persons.csv']
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peka.config import Config, load_config
from peka.errors import UsageError
from peka.schema.model import Survey

if TYPE_CHECKING:
    from peka.schema.report import ValidationReport

PathLike = str | Path


class OnInvalid(str, Enum):
    """What a job does with rows that fail the data-quality checks."""

    fail = "fail"  # stop with exit 3, naming the first error
    skip = "skip"  # leave those rows out, write them to a rejects file, report rows in = processed + rejected


@dataclass(frozen=True)
class InputSpec:
    """A survey on disk: the household file, optionally the person file, and how to read and map them."""

    path: PathLike
    persons: PathLike | None = None
    mapping: str | None = None
    sheet: str | None = None
    person_sheet: str | None = None
    sep: str | None = None
    encoding: str | None = None
    decimal: str | None = None

    @property
    def files(self) -> list[Path]:
        """Every input file (the paths outputs must never overwrite)."""
        return [Path(p) for p in (self.path, self.persons) if p is not None]

    @property
    def text_options(self) -> dict[str, str | None]:
        return {"sep": self.sep, "encoding": self.encoding, "decimal": self.decimal}

    def extra_columns(self) -> dict[str, dict[str, str]]:
        """The mapping's own columns (``[household.extra]``/``[person.extra]``: level → name → kind), which the
        configuration's rules may read; none without an explicit ``--mapping``."""
        if self.mapping is None:
            return {}
        from peka.mapping import load_mapping

        return load_mapping(self.mapping).extra_kinds()


@dataclass(frozen=True)
class ConfigSpec:
    """The configuration layers a job starts from: built-in presets, a ``peka.toml`` (or an already built
    ``Config``), ``--set`` overrides."""

    path: PathLike | Config | None = None
    overrides: Sequence[str] | Mapping[str, Any] = field(default_factory=tuple)

    @property
    def given(self) -> bool:
        """The user named a configuration (file or overrides): it wins over a classification record."""
        return self.path is not None or bool(self.overrides)

    def load(self, *, check_rules: bool = True, inputs: InputSpec | None = None) -> Config:
        """The configuration; with ``inputs``, rules may read the columns its mapping adds (``[household.extra]``)."""
        if isinstance(self.path, Config):
            if self.overrides:
                raise UsageError("overrides need a configuration file, not a built configuration")
            return self.path
        extra = inputs.extra_columns() if inputs is not None else {}
        return load_config(self.path, overrides=self.overrides, check_rules=check_rules, extra_columns=extra)


@dataclass(frozen=True)
class RowPolicy:
    """``--on-invalid`` and ``--rejects``: where rows failing the checks go."""

    on_invalid: OnInvalid = OnInvalid.fail
    rejects: PathLike | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "on_invalid", OnInvalid(self.on_invalid))
        if self.rejects is not None and self.on_invalid is not OnInvalid.skip:
            raise UsageError("--rejects needs --on-invalid skip")

    @property
    def skip(self) -> bool:
        return self.on_invalid is OnInvalid.skip


@dataclass
class _Read:
    survey: Survey
    report: ValidationReport | None = None  # its validation, once a step asked for it


# the surveys read inside ``reading_once()``, by their InputSpec; None outside it
_READ: ContextVar[dict[InputSpec, _Read] | None] = ContextVar("peka_surveys_read", default=None)


@contextmanager
def reading_once() -> Iterator[None]:
    """Inside the block, ``load_input`` reads and maps each survey once and hands every later caller the same
    ``Survey``: the steps of one ``peka run`` (validate, classify, target, report on the memory engine) share one
    read of the inputs (~4.5 s a step at 1M households + 4.2M persons) and one version of files that might be
    replaced while the run goes on; ``validated`` checks each of them once. Safe because no job modifies a ``Survey``
    or a ``ValidationReport`` (they derive new tables); both are released when the block ends."""
    token = _READ.set({})
    try:
        yield
    finally:
        _READ.reset(token)


def forget_reads() -> None:
    """Release the surveys ``reading_once()`` holds (no later step will read them)."""
    read = _READ.get()
    if read is not None:
        read.clear()


def load_input(spec: InputSpec) -> Survey:
    """Read and map ``spec`` (``peka.io.load_survey`` with every reading option); inside ``reading_once()``, once."""
    read = _READ.get()
    if read is not None and spec in read:
        return read[spec].survey
    from peka.io import load_survey

    survey = load_survey(
        spec.path, persons=spec.persons, mapping=spec.mapping, sheet=spec.sheet, person_sheet=spec.person_sheet,
        sep=spec.sep, encoding=spec.encoding, decimal=spec.decimal,
    )  # fmt: skip
    if read is not None:
        read[spec] = _Read(survey)
    return survey


def validated(survey: Survey) -> ValidationReport:
    """``peka.schema.checks.validate(survey)``; inside ``reading_once()``, once for a survey ``load_input`` read."""
    from peka.schema.checks import validate

    entry = next((e for e in (_READ.get() or {}).values() if e.survey is survey), None)
    if entry is None:
        return validate(survey)
    if entry.report is None:
        entry.report = validate(survey)
    return entry.report
