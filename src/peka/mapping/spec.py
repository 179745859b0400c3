"""Mapping files: the ``ColumnSpec``/``Mapping`` objects, parsing and checking mapping TOML, the built-in presets.

A mapping is a TOML file (format in docs/mappings.md) naming, per canonical column, the source column(s) it comes
from, how source values recode to canonical codes (``values``, matched on the source text or on the value label of
SPSS/Stata files), a unit factor (``scale``) and the source codes that mean "missing" (``missing``). Built-in
presets live in ``peka/presets/mappings/`` (``canonical``, ``susenas``, ``p3ke``). Every problem in a mapping is a
``ConfigError`` (exit 4) naming the dotted key.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from peka.config.tomlfile import parse_toml_text
from peka.errors import ConfigError
from peka.schema.model import Column, Level, columns_for

LEVELS: tuple[Level, ...] = ("household", "person")
PRESET_PACKAGE = "peka.presets.mappings"
TOP_KEYS = {"name", "description", "absent", "household_sheet", "person_sheet", "household", "person"}
SPEC_KEYS = {"from", "values", "labels", "scale", "missing", "optional"}
EXTRA_KEYS = SPEC_KEYS | {"kind", "personal", "description"}
EXTRA_KINDS = ("bool", "int", "float", "category", "str")
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
INTEGER_TEXT = re.compile(r"[+-]?\d+\.0*")

# ---- the mapping objects ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    """How one canonical column is read. ``values``/``labels``/``missing`` keys are kept as written in the TOML
    (for inversion) and looked up through ``value_key`` normalisation (casefolded text, ``1.0`` == ``1``)."""

    canonical: str
    sources: tuple[str, ...]
    values: dict[str, Any] | None = None
    labels: dict[str, str] = field(default_factory=dict)
    scale: float | None = None
    missing: tuple[str, ...] = ()
    optional: bool = False

    def lookup(self) -> dict[str, Any]:
        """Normalised source key → canonical value (``values`` keys, plus the ``labels`` of those keys)."""
        table: dict[str | None, Any] = {}
        if self.values is None:
            return table  # type: ignore[return-value]
        for key, value in self.values.items():
            table.setdefault(value_key(key), value)
        for key, label in self.labels.items():
            if key in self.values:
                table.setdefault(value_key(label), self.values[key])
        table.pop(None, None)
        return table  # type: ignore[return-value]

    def missing_keys(self) -> set[str]:
        keys = {value_key(code) for code in self.missing}
        keys |= {value_key(self.labels[code]) for code in self.missing if code in self.labels}
        return {k for k in keys if k is not None}


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping: one ``ColumnSpec`` per canonical column and level, in file order."""

    name: str
    description: str = ""
    household: dict[str, ColumnSpec] = field(default_factory=dict)
    person: dict[str, ColumnSpec] = field(default_factory=dict)
    absent: str = "error"  # "error": a mapped source column missing from the file is an InputError; "skip"
    household_sheet: str | None = None
    person_sheet: str | None = None
    origin: str = ""  # preset name or file path, for messages
    # the survey's own questions kept beside the canonical model ([household.extra] / [person.extra]): a column
    # description of each, by level; their ColumnSpecs are in ``household``/``person`` under the same names
    extra: dict[str, dict[str, Column]] = field(default_factory=dict)

    def specs(self, level: Level) -> dict[str, ColumnSpec]:
        return self.household if level == "household" else self.person

    def columns(self, level: Level) -> dict[str, Column]:
        """The canonical columns of ``level`` and this mapping's extra columns."""
        return {**columns_for(level), **self.extra.get(level, {})}

    def extra_kinds(self) -> dict[str, dict[str, str]]:
        """Extra column name → kind, by level (what the rule checker needs to accept rules reading them)."""
        return {level: {name: col.kind for name, col in cols.items()} for level, cols in self.extra.items()}

    def source_names(self, level: Level) -> list[str]:
        return [name for spec in self.specs(level).values() for name in spec.sources]

    def kinds_by_source(self, level: Level) -> dict[str, str]:
        """Source column name → canonical kind (first mention wins), used by readers to pick dtypes."""
        cols = self.columns(level)
        out: dict[str, str] = {}
        for spec in self.specs(level).values():
            for name in spec.sources:
                out.setdefault(name, cols[spec.canonical].kind)
        return out


def value_key(value: object) -> str | None:
    """The text a source value is matched on: casefolded, inner spaces collapsed, ``1``/``1.0``/``"1.0"`` → ``"1"``.

    >>> value_key(" Tanah  Liat"), value_key(2.0), value_key("02"), value_key(None)
    ('tanah liat', '2', '02', None)
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return None
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    text = " ".join(str(value).split()).casefold()
    if not text:
        return None
    if INTEGER_TEXT.fullmatch(text):
        return text.split(".")[0]
    return text


def name_key(name: str) -> str:
    """A column name as matched against a mapping: casefolded, inner spaces collapsed."""
    return " ".join(str(name).split()).casefold()


# ---- loading and checking ----------------------------------------------------------------------------------------


def preset_names() -> list[str]:
    """Names of the built-in mapping presets, e.g. ``['canonical', 'p3ke', 'susenas']``."""
    files = resources.files(PRESET_PACKAGE).iterdir()
    return sorted(f.name[: -len(".toml")] for f in files if f.name.endswith(".toml"))


def preset_text(name: str) -> str:
    """The TOML text of a built-in preset (what ``peka mapping show NAME`` prints)."""
    if name not in preset_names():
        raise ConfigError(f"no mapping preset {name!r}; presets: {', '.join(preset_names())}", key="mapping")
    return resources.files(PRESET_PACKAGE).joinpath(f"{name}.toml").read_text(encoding="utf-8")


def load_mapping(spec: str | Path | Mapping) -> Mapping:
    """A preset name (``"susenas"``), a path to a TOML file, or an already parsed ``Mapping``.

    >>> load_mapping("p3ke").household["hh_id"].sources
    ('ID Keluarga P3KE',)
    """
    if isinstance(spec, Mapping):
        return spec
    text_spec = str(spec)
    if isinstance(spec, str) and spec in preset_names():
        return _load_preset(spec)
    path = Path(text_spec)
    if not path.is_file():
        raise ConfigError(
            f"{text_spec!r} is neither a preset ({', '.join(preset_names())}) nor a TOML file", key="mapping"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read mapping file ({type(exc).__name__})", file=str(path)) from None
    return parse_mapping(text, origin=str(path))


@cache
def _load_preset(name: str) -> Mapping:
    return parse_mapping(preset_text(name), origin=name)


def parse_mapping(text: str, *, origin: str = "<string>") -> Mapping:
    """Parse and check mapping TOML; every problem is a ``ConfigError`` naming the dotted key."""
    data = parse_toml_text(text, file=origin, what="mapping")
    for key in data:
        if key not in TOP_KEYS:
            raise ConfigError(f"unknown key (allowed: {', '.join(sorted(TOP_KEYS))})", file=origin, key=key)
    absent = data.get("absent", "error")
    if absent not in ("error", "skip"):
        raise ConfigError("must be 'error' or 'skip'", file=origin, key="absent")
    for key in ("name", "description", "household_sheet", "person_sheet"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError("must be a string", file=origin, key=key)
    if "household" not in data:
        raise ConfigError("a mapping needs a [household] table", file=origin, key="household")
    levels: dict[str, dict[str, ColumnSpec]] = {}
    extra: dict[str, dict[str, Column]] = {}
    for level in LEVELS:
        table = data.get(level, {})
        if not isinstance(table, dict):
            raise ConfigError("must be a table", file=origin, key=level)
        own = table.get("extra", {})
        if not isinstance(own, dict):
            raise ConfigError("must be a table of name = { from = ..., kind = ... }", file=origin, key=f"{level}.extra")
        levels[level] = {name: _parse_spec(level, name, entry, origin) for name, entry in table.items() if name != "extra"}
        extra[level] = {}
        for name, entry in own.items():
            column = _extra_column(level, name, entry, origin)
            extra[level][name] = column
            levels[level][name] = _parse_spec(level, name, {k: v for k, v in entry.items() if k in SPEC_KEYS}, origin,
                                              column=column)
    return Mapping(
        name=data.get("name", Path(origin).stem),
        description=data.get("description", ""),
        household=levels["household"],
        person=levels["person"],
        absent=absent,
        household_sheet=data.get("household_sheet"),
        person_sheet=data.get("person_sheet"),
        origin=origin,
        extra=extra,
    )


def _extra_column(level: Level, name: str, entry: object, origin: str) -> Column:
    """The column description of an extra (non-canonical) column: ``name = { from = "Header", kind = "bool" }``;
    a ``category`` takes its codes from the targets of ``values``; ``personal = true`` marks names, addresses,
    phone numbers (never kept in outputs unless asked for, masked in messages)."""
    key = f"{level}.extra.{name}"
    if not IDENTIFIER.fullmatch(name):
        raise ConfigError("an extra column name is lower-case letters, digits and _ (it is used in rules)",
                          file=origin, key=key)
    if name in columns_for("household") or name in columns_for("person"):
        raise ConfigError("is a canonical column: map it in the table above, not as an extra", file=origin, key=key)
    if isinstance(entry, str) or not isinstance(entry, dict):
        raise ConfigError("must be a table with 'from' and 'kind'", file=origin, key=key)
    for sub_key in entry:
        if sub_key not in EXTRA_KEYS:
            raise ConfigError(f"unknown key (allowed: {', '.join(sorted(EXTRA_KEYS))})", file=origin,
                              key=f"{key}.{sub_key}")
    kind = entry.get("kind")
    if kind not in EXTRA_KINDS:
        raise ConfigError(f"'kind' must be one of {', '.join(EXTRA_KINDS)}", file=origin, key=f"{key}.kind")
    personal = entry.get("personal", False)
    if not isinstance(personal, bool):
        raise ConfigError("must be true or false", file=origin, key=f"{key}.personal")
    categories: tuple[str, ...] = ()
    if kind == "category":
        values = entry.get("values")
        if not isinstance(values, dict) or not values or not all(isinstance(v, str) for v in values.values()):
            raise ConfigError("a category needs 'values' mapping source codes to text codes", file=origin,
                              key=f"{key}.values")
        categories = tuple(dict.fromkeys(values.values()))
    return Column(name, level, kind, group="extra", description=str(entry.get("description", "")),
                  categories=categories, personal=personal)


def _parse_spec(level: Level, name: str, entry: object, origin: str, *, column: Column | None = None) -> ColumnSpec:
    key = f"{level}.{name}" if column is None else f"{level}.extra.{name}"
    cols = columns_for(level)
    if column is None and name not in cols:
        close = difflib.get_close_matches(name, list(cols), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"not a canonical {level} column{hint}", file=origin, key=key)
    column = column or cols[name]
    if isinstance(entry, str):
        entry = {"from": entry}
    if not isinstance(entry, dict):
        raise ConfigError("must be a source column name or a table with 'from'", file=origin, key=key)
    for sub in entry:
        if sub not in SPEC_KEYS:
            raise ConfigError(f"unknown key (allowed: {', '.join(sorted(SPEC_KEYS))})", file=origin, key=f"{key}.{sub}")
    sources = entry.get("from")
    if isinstance(sources, str):
        sources = [sources]
    if not sources or not isinstance(sources, list) or not all(isinstance(s, str) and s for s in sources):
        raise ConfigError(
            "'from' must name a source column (or a list of alternatives)", file=origin, key=f"{key}.from"
        )
    values = entry.get("values")
    if values is not None:
        if not isinstance(values, dict) or not values:
            raise ConfigError("must be a table of source value = canonical value", file=origin, key=f"{key}.values")
        for src, target in values.items():
            _check_target(column, target, origin, f"{key}.values.{src}")
    labels = entry.get("labels", {})
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise ConfigError("must be a table of source code = label text", file=origin, key=f"{key}.labels")
    scale = entry.get("scale")
    if scale is not None:
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not math.isfinite(scale) or scale == 0:
            raise ConfigError("must be a non-zero number", file=origin, key=f"{key}.scale")
        if column.kind not in ("int", "float"):
            raise ConfigError(
                f"only numeric columns take a scale ({name} is {column.kind})", file=origin, key=f"{key}.scale"
            )
    missing = entry.get("missing", [])
    if not isinstance(missing, list) or not all(
        isinstance(m, (str, int, float)) and not isinstance(m, bool) for m in missing
    ):
        raise ConfigError("must be a list of source codes", file=origin, key=f"{key}.missing")
    optional = entry.get("optional", False)
    if not isinstance(optional, bool):
        raise ConfigError("must be true or false", file=origin, key=f"{key}.optional")
    return ColumnSpec(
        canonical=name,
        sources=tuple(sources),
        values=dict(values) if values is not None else None,
        labels={str(k): v for k, v in labels.items()},
        scale=float(scale) if scale is not None else None,
        missing=tuple(code_text(m) for m in missing),
        optional=optional,
    )


def code_text(code: object) -> str:
    """A code as TOML key text: ``1.0`` → ``"1"``."""
    return str(int(code)) if isinstance(code, float) and code.is_integer() else str(code)


def _check_target(column: Column, target: object, origin: str, key: str) -> None:
    kind = column.kind
    ok = {
        "category": isinstance(target, str) and target in column.categories,
        "bool": isinstance(target, bool),
        "int": isinstance(target, int) and not isinstance(target, bool),
        "float": isinstance(target, (int, float)) and not isinstance(target, bool) and math.isfinite(target),
        "id": isinstance(target, str),
        "str": isinstance(target, str),
    }[kind]
    if not ok:
        expected = f"one of {', '.join(column.categories)}" if kind == "category" else f"a {kind} value"
        raise ConfigError(f"{target!r} is not valid for {column.name}: expected {expected}", file=origin, key=key)
