"""Checks across the sections of an effective configuration: MPI weights summing to 1 by dimension, the desil
table, every rule parsed and reading only columns that exist (canonical, derived or computed) — before any data is
read, so a bad ``peka.toml`` ends with exit 4 naming the key and the file."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from peka.config.layers import dotted, source_of
from peka.config.models import CONSTANT, Config
from peka.errors import ConfigError, RuleError
from peka.schema.model import COLUMNS, HOUSEHOLD_COLUMNS

WEIGHT_TOLERANCE = 1e-9
# columns classify computes before any rule runs, so rules may read them
COMPUTED_COLUMNS: frozenset[str] = frozenset({"poverty_line", "welfare_ratio", "extreme_line"})



# ---- checks across sections -----------------------------------------------------------------------------------


def check_config(
    config: Config, *, check_rules: bool = True, extra_columns: Mapping[str, Mapping[str, str]] | None = None
) -> None:
    """Checks a single field cannot make: weights, thresholds, unique names, and every rule against the columns it
    may read. Raises ``ConfigError`` for the first problem."""
    src = config.sources

    def fail(message: str, path: Sequence[object]) -> ConfigError:
        return ConfigError(message, key=dotted(path), file=source_of(src, path))

    constants = config.all_constants()
    for section, table in (("constants", config.constants), ("bps14.constants", config.bps14.constants)):
        for name in table:
            if not re.fullmatch(CONSTANT, name):
                raise fail("constant names are UPPER_CASE (letters, digits, _)", (*section.split("."), name))
    both = set(config.constants) & set(config.bps14.constants)
    if both:
        name = min(both)
        raise fail(f"constant {name} is defined in both [constants] and [bps14.constants]", ("constants", name))

    # lines
    seen: dict[tuple[object, ...], int] = {}
    for i, line in enumerate(config.lines.entries):
        ident = (line.period, line.prov_code, line.kab_code, line.urban_rural)
        if ident in seen:
            raise fail(
                f"a second line for {line.line_id} (first at lines.entries[{seen[ident]}])", ("lines", "entries", i)
            )
        seen[ident] = i
    if not config.line_for_period:
        raise fail(f"no poverty line has period {config.lines.period!r}", ("lines", "period"))

    # levels
    classes = config.levels.classes
    if len(classes) < 2:
        raise fail("a level scheme needs at least two classes", ("levels", "classes"))
    previous = 0.0
    for i, cls in enumerate(classes):
        last = i == len(classes) - 1
        if last and cls.below is not None:
            raise fail("the last class has no 'below' (it holds everything above)", ("levels", "classes", i, "below"))
        if not last and cls.below is None:
            raise fail("every class but the last needs 'below'", ("levels", "classes", i, "below"))
        if not last and cls.below is not None:
            if cls.below <= previous:
                raise fail(f"thresholds must increase: {cls.below} after {previous}", ("levels", "classes", i, "below"))
            previous = cls.below
    codes = [c.code for c in classes]
    if len(set(codes)) != len(codes):
        raise fail("level codes must be unique", ("levels", "classes"))
    if 1.0 not in [c.below for c in classes]:
        raise fail("one class must end exactly at the poverty line (below = 1.0)", ("levels", "classes"))
    for i, code in enumerate(config.levels.vulnerable):
        if code not in codes:
            raise fail(f"{code!r} is not a class of this scheme", ("levels", "vulnerable", i))
    _check_desil(config, fail)

    # MPI
    mpi = config.mpi
    active = mpi.active
    if not active:
        raise fail("no MPI indicators (use a preset or give [[mpi.indicators]])", ("mpi", "indicators"))
    total = math.fsum(ind.weight for ind in active)
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        raise fail(f"MPI weights must sum to 1; they sum to {total:.12g}", ("mpi", "indicators"))
    names = [ind.name for ind in mpi.indicators]
    if len(set(names)) != len(names):
        raise fail("MPI indicator names must be unique", ("mpi", "indicators"))
    if not mpi.vulnerable < mpi.k:
        raise fail(f"the vulnerability threshold ({mpi.vulnerable}) must be below k ({mpi.k})", ("mpi", "vulnerable"))

    # BPS-14
    criteria = config.bps14.active
    if config.bps14.cutoff > len(criteria):
        raise fail(
            f"cutoff {config.bps14.cutoff} is above the number of criteria ({len(criteria)})", ("bps14", "cutoff")
        )
    bps_codes = [c.code for c in config.bps14.criteria]
    if len(set(bps_codes)) != len(bps_codes):
        raise fail("criterion codes must be unique", ("bps14", "criteria"))

    # causes
    cause_codes = [c.code for c in config.causes.catalogue]
    if len(set(cause_codes)) != len(cause_codes):
        raise fail("cause codes must be unique", ("causes", "catalogue"))

    # derived columns
    derived: list[str] = []
    for i, d in enumerate(config.derive):
        here = ("derive", i)
        if d.name in HOUSEHOLD_COLUMNS or d.name in COMPUTED_COLUMNS:
            raise fail(f"{d.name!r} is a canonical column; a derived column needs a new name", (*here, "name"))
        if d.name in derived:
            raise fail(f"a second derived column named {d.name!r}", (*here, "name"))
        if d.level == "person":
            if d.aggregate is None:
                raise fail("a person-level derived column needs 'aggregate'", (*here, "aggregate"))
            if d.of is not None:
                raise fail("'of' applies to level = \"household\" only", (*here, "of"))
            if d.aggregate != "count" and d.value is None:
                raise fail(f"aggregate {d.aggregate!r} needs 'value'", (*here, "value"))
        else:
            if d.where is not None:
                raise fail("'where' applies to level = \"person\" only", (*here, "where"))
            if d.aggregate == "count":
                if not d.of or d.value is not None:
                    raise fail(
                        "aggregate = \"count\" at household level counts the conditions in 'of' (and takes no 'value')",
                        (*here, "of"),
                    )
            elif d.aggregate is not None:
                raise fail("at household level, 'aggregate' can only be \"count\" (with 'of')", (*here, "aggregate"))
            elif d.value is None:
                raise fail("a household-level derived column needs 'value'", (*here, "value"))
        if d.enabled:
            derived.append(d.name)

    if check_rules:
        _check_rules(config, constants, extra_columns or {})


def _check_desil(config: Config, fail: Any) -> None:
    """Registry desil classes: increasing ``max``, the last ending at 10, poor/extreme/vulnerable naming classes."""
    desil = config.desil
    if not desil.classes:
        return
    previous = 0
    for i, cls in enumerate(desil.classes):
        if cls.max <= previous:
            raise fail(f"desil classes must increase: max {cls.max} after {previous}", ("desil", "classes", i, "max"))
        previous = cls.max
    if previous != 10:
        raise fail("the last desil class must end at desil 10 (max = 10)", ("desil", "classes"))
    codes = [c.code for c in desil.classes]
    if len(set(codes)) != len(codes):
        raise fail("desil class codes must be unique", ("desil", "classes"))
    for group in ("poor", "extreme", "vulnerable"):
        for i, code in enumerate(getattr(desil, group)):
            if code not in codes:
                raise fail(f"{code!r} is not a desil class", ("desil", group, i))


def model_kinds(level: str) -> dict[str, str]:
    """Column name → model kind, for the rule checker."""
    return {c.name: c.kind for c in COLUMNS if c.level == level}


DERIVED_KIND = {
    "count": "int",
    "any": "bool",
    "all": "bool",
    "sum": "float",
    "max": "float",
    "min": "float",
    "mean": "float",
}


def _check_rules(
    config: Config, constants: Mapping[str, object], extra_columns: Mapping[str, Mapping[str, str]]
) -> None:
    """Compile every rule and check the names and kinds it reads: a typo, a call or an attribute is refused here,
    before any data is read. ``extra_columns`` (level → name → kind) are the input mapping's own columns
    (``[household.extra]``), which rules may read too."""
    from peka.rules import compile_rule

    src = config.sources
    person_kinds = {**model_kinds("person"), **extra_columns.get("person", {})}
    household_kinds = {**model_kinds("household"), **{name: "float" for name in COMPUTED_COLUMNS},
                       **extra_columns.get("household", {})}

    def check(text: str | None, path: tuple[object, ...], kinds: Mapping[str, str], expect: str | None) -> str | None:
        if text is None:
            return None
        key = dotted(path)
        try:
            rule = compile_rule(text, key=key)
            return rule.check_columns(set(kinds), constants, kinds, expect=expect)  # type: ignore[arg-type]
        except RuleError as exc:
            raise RuleError(_without_key(exc, key), key=key, file=source_of(src, path)) from None

    for i, d in enumerate(config.derive):
        if not d.enabled:
            continue
        here: tuple[object, ...] = ("derive", i)
        if d.level == "person":
            check(d.where, (*here, "where"), person_kinds, "bool")
            needs_bool = d.aggregate in ("any", "all", "count")
            check(d.value, (*here, "value"), person_kinds, "bool" if needs_bool else "number")
            household_kinds[d.name] = DERIVED_KIND[d.aggregate or "count"]
        elif d.of is not None:
            for j, item in enumerate(d.of):
                check(item, (*here, "of", j), household_kinds, "bool")
            household_kinds[d.name] = "int"
        else:
            kind = check(d.value, (*here, "value"), household_kinds, None)
            household_kinds[d.name] = kind or "float"
    for i, ind in enumerate(config.mpi.indicators):
        if not ind.enabled:
            continue
        here = ("mpi", "indicators", i)
        if ind.level == "household" and ind.eligible_if:
            raise ConfigError(
                "'eligible_if' applies to level = \"person\" indicators",
                key=dotted((*here, "eligible_if")),
                file=source_of(src, (*here, "eligible_if")),
            )
        kinds = person_kinds if ind.level == "person" else household_kinds
        check(ind.deprived_if, (*here, "deprived_if"), kinds, "bool")
        check(ind.eligible_if, (*here, "eligible_if"), person_kinds, "bool")
    for i, crit in enumerate(config.bps14.criteria):
        if crit.enabled:
            check(crit.rule, ("bps14", "criteria", i, "rule"), household_kinds, "bool")
    for i, cause in enumerate(config.causes.catalogue):
        if cause.enabled:
            check(cause.rule, ("causes", "catalogue", i, "rule"), household_kinds, "bool")


def _without_key(exc: RuleError, key: str) -> str:
    text = exc.message
    prefix = f"{key}: "
    return text.removeprefix(prefix)

