"""The programme catalogue of ``peka target``: pydantic models (``extra="forbid"``) and its loader.

The built-in catalogue is ``presets/programs.toml``; a user's catalogue file (same layout, ``--programs FILE``)
replaces it whole. Every programme names its cluster (klaster 1–4), an eligibility rule in the rule language on the
columns of the classified table, a unit cost in Rupiah with its source and status, the input column recording
current receipt (if any), and the source and status of the rule. Rules are compiled here, so a typo fails before
any data is read (exit 4, naming the key). Only jobs call :func:`load_programs`.

>>> catalogue = load_programs()
>>> [p.code for p in catalogue.catalogue][:3]
['pkh', 'bpnt', 'pbi_jk']
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator

from peka.config.loader import preset_text
from peka.config.models import IDENTIFIER, Number, Sourced, Strict
from peka.config.tomlfile import read_toml_file
from peka.errors import ConfigError
from peka.rules import Rule, compile_rule

PRESET = "programs.toml"
SORT_KEY = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s+(asc|desc)\s*$")


class UnitCost(Sourced):
    """Rupiah per year for one place; ``per = "person"`` multiplies by the household size."""

    value: Number = Field(ge=0)
    per: Literal["household", "person"] = "household"


class Program(Sourced):
    code: str = Field(pattern=IDENTIFIER)
    label_id: str
    label_en: str
    cluster: int = Field(ge=1, le=4)
    rule: str
    receipt: str | None = Field(default=None, pattern=IDENTIFIER)
    components: list[str] = Field(default_factory=list)
    unit_cost: UnitCost | None = None
    priority: list[str] | None = None  # overrides the catalogue's default sort keys
    enabled: bool = True

    @field_validator("priority")
    @classmethod
    def _keys(cls, value: list[str] | None) -> list[str] | None:
        for key in value or ():
            if not SORT_KEY.match(key):
                raise ValueError(f"priority key {key!r} is not 'COLUMN asc' or 'COLUMN desc'")
        return value

    def compiled(self) -> Rule:
        return compile_rule(self.rule, key=f"programs.catalogue.{self.code}.rule")


class ProgramsConfig(Sourced):
    priority: list[str] = Field(default_factory=lambda: ["mpi_score desc", "poverty_gap desc", "desil asc"])
    catalogue: list[Program] = Field(default_factory=list)

    @field_validator("priority")
    @classmethod
    def _keys(cls, value: list[str]) -> list[str]:
        for key in value:
            if not SORT_KEY.match(key):
                raise ValueError(f"priority key {key!r} is not 'COLUMN asc' or 'COLUMN desc'")
        return value

    @property
    def active(self) -> list[Program]:
        return [p for p in self.catalogue if p.enabled]

    def sort_keys(self, program: Program) -> list[tuple[str, bool]]:
        """(column, descending) pairs of ``program``'s priority."""
        keys = program.priority if program.priority is not None else self.priority
        return [(m.group(1), m.group(2) == "desc") for m in (SORT_KEY.match(k) for k in keys) if m]

    def select(self, codes: list[str] | None) -> list[Program]:
        """The programmes named by ``--program`` (all active ones when none is named), in catalogue order."""
        if not codes:
            return self.active
        known = {p.code: p for p in self.catalogue}
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ConfigError(f"unknown programme {unknown[0]!r}; the catalogue has {', '.join(known)}",
                              key="programs.catalogue")
        wanted = set(codes)
        return [p for p in self.catalogue if p.code in wanted]


class ProgramsFile(Strict):
    programs: ProgramsConfig


def load_programs(path: str | Path | None = None) -> ProgramsConfig:
    """The built-in catalogue, or the catalogue file at ``path``; rules compiled, codes unique, components known."""
    if path is None:
        raw, where = tomllib.loads(preset_text(PRESET)), f"built-in {PRESET}"
    else:
        raw, where = read_toml_file(path, what="programme catalogue"), str(path)
    try:
        programs = ProgramsFile.model_validate(raw).programs
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise ConfigError(first["msg"], file=where, key=key) from None
    seen: set[str] = set()
    for program in programs.catalogue:
        if program.code in seen:
            raise ConfigError(f"programme code {program.code!r} appears twice", file=where, key="programs.catalogue")
        seen.add(program.code)
        program.compiled()
    for program in programs.catalogue:
        for component in program.components:
            if component not in seen:
                raise ConfigError(f"component {component!r} is not a programme of the catalogue", file=where,
                                  key=f"programs.catalogue.{program.code}.components")
    return programs
