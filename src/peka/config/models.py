"""Pydantic models of ``peka.toml``: every section, every field, nothing else (``extra="forbid"`` everywhere).

The models check what one field or one entry can check (types, ranges, names). Checks across sections (weights
summing to 1, rules compiling against the known columns, unique codes) live in ``peka.config.loader`` so that
their messages can name the key and the file the value came from.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr

Status = Literal["confirmed", "single_source", "unconfirmed"]
IDENTIFIER = r"^[a-z_][a-z0-9_]*$"
CONSTANT = r"^[A-Z_][A-Z0-9_]*$"


def _number(value: object) -> object:
    """Accept a plain number or a fraction written as text ("1/18"), so nested weights read as in the sources."""
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d+)?\s*/\s*\d+(\.\d+)?\s*|\s*\d+(\.\d+)?\s*", value):
        try:
            return float(Fraction(value.replace(" ", "")))
        except (ValueError, ZeroDivisionError):
            return value
    return value


Number = Annotated[float, BeforeValidator(_number)]


def _text(value: object) -> object:
    """A period or code written as a bare number (``period = 2019``, ``--set lines.period=2019``) is still text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Text = Annotated[str, BeforeValidator(_text)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class Sourced(Strict):
    """Every policy number says where it comes from and how sure we are of it."""

    source: str | None = None
    status: Status = "confirmed"
    note: str | None = None


class Constant(Sourced):
    """A named number with its provenance: ``ELDERLY_AGE = { value = 60, source = "...", status = "confirmed" }``.
    A plain ``NAME = 60`` (what a user usually writes) is a constant whose source is the file that sets it."""

    value: Number | str


ConstantValue = Number | str | Constant


def constant_values(table: dict[str, float | str | Constant]) -> dict[str, float | str]:
    """``{name: value}`` with sourced constants unwrapped (what rules see)."""
    return {name: c.value if isinstance(c, Constant) else c for name, c in table.items()}


# ---- poverty lines ----------------------------------------------------------------------------------------------


class PovertyLine(Sourced):
    period: Text = Field(min_length=1)
    value: Number = Field(gt=0)
    prov_code: Text | None = None
    kab_code: Text | None = None
    urban_rural: Literal["perkotaan", "perdesaan"] | None = None
    area_name: str | None = None
    source: str = Field(min_length=1)

    @property
    def tier(self) -> str:
        return "kab" if self.kab_code else "prov" if self.prov_code else "national"

    @property
    def line_id(self) -> str:
        """Stable identifier shown in output, e.g. ``2025-03/kab:1172/perkotaan``."""
        area = f"kab:{self.kab_code}" if self.kab_code else f"prov:{self.prov_code}" if self.prov_code else "nasional"
        return f"{self.period}/{area}" + (f"/{self.urban_rural}" if self.urban_rural else "")


class LinesConfig(Strict):
    period: Text = Field(min_length=1)
    include: list[str] = []
    entries: list[PovertyLine] = []


class ExtremeConfig(Sourced):
    value: Number = Field(gt=0)
    basis: str
    source: str = Field(min_length=1)


# ---- levels -------------------------------------------------------------------------------------------------------


class LevelClass(Strict):
    code: str = Field(pattern=IDENTIFIER)
    below: Number | None = Field(default=None, gt=0)  # exclusive upper bound in multiples of the line; None: top
    label_id: str | None = None
    label_en: str | None = None


class LevelsConfig(Sourced):
    scheme: str = "bps_classes"
    classes: list[LevelClass] = []
    vulnerable: list[str] = []


# ---- registry deciles (registry mode: the monetary side from a DTSEN/P3KE desil) --------------------------------


class DesilClass(Strict):
    code: str = Field(pattern=IDENTIFIER)
    max: int = Field(ge=1, le=10)  # the class holds desil <= max not held by an earlier class
    label_id: str | None = None
    label_en: str | None = None


class DesilConfig(Sourced):
    """How a registry desil stands in for expenditure when a table has none (docs/methodology.md §1.5)."""

    classes: list[DesilClass] = []
    poor: list[str] = []  # classes counted as monetary poor (poor = true)
    extreme: list[str] = []  # classes counted as extreme poor
    vulnerable: list[str] = []  # classes that make a non-poor household "rentan"


# ---- what classify computes and keeps ---------------------------------------------------------------------------

Measure = Literal["money", "mpi", "bps14", "causes"]


class ClassifyConfig(Strict):
    # measures accepted as not computable (a measure no household can get is otherwise an input error, exit 3)
    skip: list[Measure] = []
    # household characteristics copied into the classified table when the input (or a [[derive]]) has them
    keep: list[str] = []


# ---- MPI ----------------------------------------------------------------------------------------------------------


class MpiIndicator(Sourced):
    name: str = Field(pattern=IDENTIFIER)
    dimension: str = Field(min_length=1)
    weight: Number = Field(ge=0, le=1)
    deprived_if: str
    level: Literal["household", "person"] = "household"
    # any: an eligible member deprived; all: every eligible member deprived; count: at least min_count;
    # max and min are any and all for true/false values (the largest / smallest of 0/1)
    aggregate: Literal["any", "all", "count", "max", "min"] = "any"
    min_count: int = Field(default=1, ge=1)
    eligible_if: str | None = None
    no_eligible: Literal["not_deprived", "deprived", "missing"] = "not_deprived"
    label_id: str | None = None
    label_en: str | None = None
    enabled: bool = True


class MpiConfig(Sourced):
    preset: str = "indonesia"
    label_id: str | None = None
    label_en: str | None = None
    k: Number = Field(gt=0, le=1)
    # no defaults here: the numbers and their source are in presets/default.toml
    vulnerable: Number = Field(ge=0, le=1)
    severe: Number = Field(ge=0, le=1)
    missing: Literal["reweight", "indeterminate"] = "reweight"
    indicators: list[MpiIndicator] = []

    @property
    def active(self) -> list[MpiIndicator]:
        return [ind for ind in self.indicators if ind.enabled]


# ---- BPS 14 -------------------------------------------------------------------------------------------------------


class Bps14Criterion(Strict):
    code: str = Field(pattern=r"^c\d\d$")
    label_id: str
    label_en: str
    rule: str
    note: str | None = None
    enabled: bool = True


class Bps14Config(Sourced):
    cutoff: int = Field(ge=1)
    constants: dict[str, ConstantValue] = {}
    criteria: list[Bps14Criterion] = []

    @property
    def active(self) -> list[Bps14Criterion]:
        return [c for c in self.criteria if c.enabled]


# ---- causes and derived columns -------------------------------------------------------------------------------


class Cause(Strict):
    code: str = Field(pattern=IDENTIFIER)
    label_id: str
    label_en: str
    rule: str
    cluster: int = Field(ge=1, le=4)
    programs: list[str] = []
    priority: int
    source: str | None = None
    note: str | None = None
    enabled: bool = True


class CausesConfig(Sourced):
    primary_rule: Literal["priority", "cluster_order"] = "priority"
    catalogue: list[Cause] = []

    @property
    def active(self) -> list[Cause]:
        return [c for c in self.catalogue if c.enabled]


class Derive(Strict):
    """A per-household column computed before the rules: from members (``level = "person"``: ``aggregate`` of
    ``value`` over the members for which ``where`` holds), or from household columns (``level = "household"``:
    the expression ``value``, or with ``aggregate = "count"`` the number of the conditions in ``of`` that hold)."""

    name: str = Field(pattern=IDENTIFIER)
    level: Literal["person", "household"]
    aggregate: Literal["any", "all", "count", "sum", "max", "min", "mean"] | None = None
    where: str | None = None
    value: str | None = None
    of: list[str] | None = None
    empty: bool | int | float | None = None
    note: str | None = None
    enabled: bool = True


# ---- the whole file ---------------------------------------------------------------------------------------------


class Config(Strict):
    """The effective configuration. Build it with ``peka.config.load_config``, which also records where each value
    came from (``sources``) for ``peka config show`` and error messages."""

    constants: dict[str, ConstantValue] = {}
    lines: LinesConfig
    extreme: ExtremeConfig
    levels: LevelsConfig
    mpi: MpiConfig
    bps14: Bps14Config
    causes: CausesConfig
    derive: list[Derive] = []
    desil: DesilConfig = DesilConfig()
    classify: ClassifyConfig = ClassifyConfig()

    _sources: dict[tuple[object, ...], str] = PrivateAttr(default_factory=dict)
    # the merged built-in presets before the user's layers (raw TOML values), to tell a changed number from a restated one
    _builtin: dict[str, object] = PrivateAttr(default_factory=dict)

    @property
    def sources(self) -> dict[tuple[object, ...], str]:
        """Leaf path (as a tuple of keys and list indices) → the layer that set it (a file name or ``--set``)."""
        return self._sources

    @property
    def builtin(self) -> dict[str, object]:
        """The merged built-in presets this configuration started from (raw TOML values, before the user's file and
        ``--set``), to tell a changed policy number from a restated one."""
        return self._builtin

    @property
    def active_derive(self) -> list[Derive]:
        return [d for d in self.derive if d.enabled]

    def all_constants(self) -> dict[str, float | str]:
        """Named constants usable in every rule: ``[constants]`` and ``[bps14.constants]``."""
        return {**constant_values(self.constants), **constant_values(self.bps14.constants)}

    def constant_entries(self) -> dict[str, tuple[str, float | str | Constant]]:
        """Name → (dotted key, entry) of every constant, sourced or plain, for provenance reports."""
        out: dict[str, tuple[str, float | str | Constant]] = {}
        for section, table in (("constants", self.constants), ("bps14.constants", self.bps14.constants)):
            for name, entry in table.items():
                out[name] = (f"{section}.{name}", entry)
        return out

    @property
    def line_for_period(self) -> list[PovertyLine]:
        return [line for line in self.lines.entries if line.period == self.lines.period]
