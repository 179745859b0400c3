"""Loading ``peka.toml``: built-in presets, then the user's file, then command-line overrides, then every check.

Layers, from the bottom up (a higher layer wins; docs/config.md):

1. ``presets/default.toml`` with ``presets/levels.toml``'s chosen scheme, ``presets/bps14.toml`` and
   ``presets/causes.toml``;
2. the named presets the merged result asks for: ``presets/mpi/<mpi.preset>.toml`` under ``[mpi]``, the level
   scheme under ``[levels]`` and ``presets/lines/<name>.toml`` for each name in ``lines.include``;
3. the user's ``peka.toml``;
4. overrides from the command line (``--set mpi.k=0.4``).

Merging: tables merge key by key; lists of scalars are replaced; the lists of entries ``[[derive]]``,
``[[mpi.indicators]]``, ``[[bps14.criteria]]`` and ``[[causes.catalogue]]`` merge by their key (``name`` or
``code``): an entry with a known key updates that entry field by field, a new key is appended, and
``enabled = false`` switches an entry off. ``[[lines.entries]]`` are appended.

Every problem is a ``ConfigError`` naming the dotted key (``mpi.indicators[2].weight``) and the file that set it.
"""

from __future__ import annotations

import copy
import math
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from peka.config.models import CONSTANT, Config
from peka.config.tomlfile import read_toml_file
from peka.errors import ConfigError, RuleError
from peka.schema.model import COLUMNS, HOUSEHOLD_COLUMNS

Path_ = tuple[object, ...]

KEYED_LISTS: dict[tuple[str, ...], str] = {
    ("derive",): "name",
    ("mpi", "indicators"): "name",
    ("bps14", "criteria"): "code",
    ("causes", "catalogue"): "code",
}
WEIGHT_TOLERANCE = 1e-9
# columns classify computes before any rule runs, so rules may read them
COMPUTED_COLUMNS: frozenset[str] = frozenset({"poverty_line", "welfare_ratio", "extreme_line"})
BUILTIN = "built-in"


# ---- reading files --------------------------------------------------------------------------------------------


def preset_text(relative: str) -> str:
    """The text of a built-in preset file, e.g. ``preset_text("mpi/global.toml")``."""
    return resources.files("peka.presets").joinpath(relative).read_text(encoding="utf-8")


def preset_names(folder: str) -> list[str]:
    """Names of the built-in presets in ``presets/<folder>/`` (without ``.toml``)."""
    return sorted(
        p.name[:-5] for p in resources.files("peka.presets").joinpath(folder).iterdir() if p.name.endswith(".toml")
    )


def _read_preset(relative: str) -> dict[str, Any]:
    return tomllib.loads(preset_text(relative))


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a user's TOML file; a missing or unreadable file, a syntax error or absurd nesting is a ``ConfigError``
    naming the file (``peka.config.tomlfile``)."""
    return read_toml_file(path, what="configuration")


def parse_override(text: str) -> tuple[list[str], Any]:
    """``"mpi.k=0.4"`` → (["mpi", "k"], 0.4). The value is read as a TOML value; bare words are text."""
    if "=" not in text:
        raise ConfigError(f"override {text!r} is not KEY=VALUE", key=text)
    key, raw = (part.strip() for part in text.split("=", 1))
    if not key:
        raise ConfigError(f"override {text!r} has no key", key=text)
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key.split("."), value


def _nest(keys: Sequence[str], value: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    node = doc
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    node[keys[-1]] = value
    return doc


# ---- merging with source tracking -------------------------------------------------------------------------------


def _leaves(value: Any, path: Path_) -> Iterable[Path_]:
    if isinstance(value, dict):
        if not value:
            yield path
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    else:
        yield path


def _drop_under(sources: dict[Path_, str], path: Path_) -> None:
    for p in [p for p in sources if p[: len(path)] == path]:
        del sources[p]


def merge_layer(
    base: dict[str, Any], over: Mapping[str, Any], layer: str, sources: dict[Path_, str], path: Path_ = ()
) -> dict[str, Any]:
    """Merge ``over`` into a copy of ``base`` (rules in the module docstring), recording ``layer`` as the source of
    every leaf ``over`` sets."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        here = (*path, key)
        key_field = KEYED_LISTS.get(tuple(str(p) for p in here))
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_layer(out[key], value, layer, sources, here)
        elif key_field and isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = _merge_keyed(out[key], value, key_field, layer, sources, here)
        elif here == ("lines", "entries") and isinstance(value, list) and isinstance(out.get(key), list):
            start = len(out[key])
            out[key] = out[key] + copy.deepcopy(value)
            for i, entry in enumerate(value):
                for leaf in _leaves(entry, (*here, start + i)):
                    sources[leaf] = layer
        else:
            _drop_under(sources, here)
            out[key] = copy.deepcopy(value)
            for leaf in _leaves(value, here):
                sources[leaf] = layer
    return out


def _merge_keyed(
    base: list[Any], over: list[Any], key_field: str, layer: str, sources: dict[Path_, str], path: Path_
) -> list[Any]:
    out = copy.deepcopy(base)
    index = {entry.get(key_field): i for i, entry in enumerate(out) if isinstance(entry, dict)}
    for entry in over:
        if isinstance(entry, dict) and entry.get(key_field) in index:
            i = index[entry[key_field]]
            out[i] = merge_layer(out[i], entry, layer, sources, (*path, i))
        else:
            i = len(out)
            out.append(copy.deepcopy(entry))
            if isinstance(entry, dict) and key_field in entry:
                index[entry[key_field]] = i
            for leaf in _leaves(entry, (*path, i)):
                sources[leaf] = layer
    return out


# ---- the public entry point -------------------------------------------------------------------------------------


def load_config(
    path: str | Path | None = None,
    *,
    overrides: Sequence[str] | Mapping[str, Any] = (),
    check_rules: bool = True,
    text: str | None = None,
) -> Config:
    """The effective configuration: built-in presets, the file at ``path`` (if any), then ``overrides``.

    ``text`` is a ``peka.toml`` held in memory instead of a file (a classification record stored inside a Parquet
    file); ``path`` then only names it in messages.

    ``overrides`` is a list of ``"dotted.key=value"`` strings (as given to ``--set``) or a mapping of dotted keys to
    values. Raises ``ConfigError`` naming the key and file of the first problem.

    >>> cfg = load_config(overrides=["mpi.preset=global"])
    >>> round(cfg.mpi.k, 4), len(cfg.mpi.active)
    (0.3333, 10)
    """
    user_file = str(path) if path is not None else ("<record>" if text is not None else None)
    if text is not None:
        try:
            user_doc = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError) as exc:
            raise ConfigError(f"not valid TOML ({type(exc).__name__})", file=user_file) from None
    else:
        user_doc = read_toml(path) if path is not None else {}
    override_docs: list[dict[str, Any]] = []
    items = overrides.items() if isinstance(overrides, Mapping) else (parse_override(o) for o in overrides)
    for keys, value in items:
        keys = keys.split(".") if isinstance(keys, str) else list(keys)
        override_docs.append(_nest(keys, value))

    # what the user asks for decides which named presets form layer 2
    sources: dict[Path_, str] = {}
    probe: dict[str, Any] = _read_preset("default.toml")
    for doc in (user_doc, *override_docs):
        probe = merge_layer(probe, doc, "probe", {})

    doc = _read_preset("default.toml")
    sources.update({leaf: f"{BUILTIN} presets/default.toml" for leaf in _leaves(doc, ())})
    for section_file in ("bps14.toml", "causes.toml"):
        doc = merge_layer(doc, _read_preset(section_file), f"{BUILTIN} presets/{section_file}", sources)
    doc = merge_layer(doc, {"levels": _level_scheme(probe, user_file)}, f"{BUILTIN} presets/levels.toml", sources)
    mpi_preset = _mpi_preset(probe, user_file)
    if mpi_preset is not None:
        doc = merge_layer(doc, mpi_preset, f"{BUILTIN} presets/mpi/{probe['mpi']['preset']}.toml", sources)
    for name in _line_includes(probe, user_file):
        entries = _read_preset(f"lines/{name}.toml").get("entries", [])
        doc = merge_layer(doc, {"lines": {"entries": entries}}, f"{BUILTIN} presets/lines/{name}.toml", sources)
    builtin_doc = doc
    if user_doc:
        doc = merge_layer(doc, user_doc, user_file or "peka.toml", sources)
    for override in override_docs:
        doc = merge_layer(doc, override, "--set", sources)

    _unsourced_sections_are_unconfirmed(doc)
    try:
        config = Config.model_validate(doc)
    except ValidationError as exc:
        raise _config_error(exc, sources) from None
    config._sources.update(sources)
    config._builtin = builtin_doc
    check_config(config, check_rules=check_rules)
    return config


SOURCED_SECTIONS: tuple[str, ...] = ("extreme", "levels", "desil", "mpi", "bps14", "causes")


def _unsourced_sections_are_unconfirmed(doc: dict[str, Any]) -> None:
    """A section no layer gave a source or a status (a level scheme or MPI set of the user's own) is
    ``unconfirmed``: the model's default status would otherwise call it confirmed."""
    for section in SOURCED_SECTIONS:
        table = doc.get(section)
        if isinstance(table, dict) and "status" not in table and "source" not in table:
            table["status"] = "unconfirmed"  # `peka config show` names its source "default"


def _level_scheme(probe: Mapping[str, Any], user_file: str | None) -> dict[str, Any]:
    levels = probe.get("levels", {})
    scheme = levels.get("scheme", "bps_classes") if isinstance(levels, dict) else "bps_classes"
    schemes = _read_preset("levels.toml")["schemes"]
    if scheme in schemes:
        return {"scheme": scheme, **copy.deepcopy(schemes[scheme])}
    if isinstance(levels, dict) and levels.get("classes"):
        return {}  # a scheme of the user's own: the classes come from the user's file
    raise ConfigError(
        f"unknown level scheme {scheme!r}: use one of {', '.join(sorted(schemes))}, or give [[levels.classes]]",
        key="levels.scheme",
        file=user_file,
    )


def _mpi_preset(probe: Mapping[str, Any], user_file: str | None) -> dict[str, Any] | None:
    mpi = probe.get("mpi", {})
    name = mpi.get("preset", "indonesia") if isinstance(mpi, dict) else "indonesia"
    if name == "none":
        return None
    available = preset_names("mpi")
    if name not in available:
        raise ConfigError(
            f'unknown MPI preset {name!r}: use one of {", ".join(available)}, or "none" with your own '
            "[[mpi.indicators]]",
            key="mpi.preset",
            file=user_file,
        )
    return _read_preset(f"mpi/{name}.toml")


def _line_includes(probe: Mapping[str, Any], user_file: str | None) -> list[str]:
    lines = probe.get("lines", {})
    names = lines.get("include", []) if isinstance(lines, dict) else []
    available = preset_names("lines")
    for i, name in enumerate(names if isinstance(names, list) else []):
        if name not in available:
            raise ConfigError(
                f"unknown built-in line file {name!r}: use {', '.join(available)}",
                key=f"lines.include[{i}]",
                file=user_file,
            )
    return list(names) if isinstance(names, list) else []


# ---- error messages ---------------------------------------------------------------------------------------------


def dotted(path: Sequence[object]) -> str:
    """("mpi", "indicators", 2, "weight") → "mpi.indicators[2].weight"."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def source_of(sources: Mapping[Path_, str], path: Sequence[object]) -> str | None:
    """The layer that set ``path``, a leaf under it, or its nearest parent."""
    path = tuple(path)
    if path in sources:
        return sources[path]
    under = [layer for p, layer in sources.items() if p[: len(path)] == path]
    if under:
        return under[-1]
    for cut in range(len(path) - 1, 0, -1):
        parent = [layer for p, layer in sources.items() if p[:cut] == path[:cut]]
        if parent:
            return parent[-1]
    return None


def _config_error(exc: ValidationError, sources: Mapping[Path_, str]) -> ConfigError:
    errors = exc.errors()
    # a value that may be a number or a table (a constant) fails every branch of the union: the error inside the
    # table ("unknown key", "missing value") says what is wrong, "not a valid number" does not
    first = next((e for e in errors if e["type"] == "extra_forbidden"), None) or max(
        errors, key=lambda e: len(_strip_union(tuple(e["loc"]))) if e["type"] == "missing" else 0
    )
    loc: tuple[object, ...] = _strip_union(tuple(first["loc"]))
    kind = first["type"]
    if kind == "extra_forbidden":
        message = "unknown key (not a setting peka knows; check the spelling in docs/config.md)"
    elif kind == "missing":
        message = "required setting is missing"
    else:
        message = first["msg"]
        given = first.get("input")
        if isinstance(given, str | int | float | bool) and kind != "missing":
            message += f" (given {given!r})"
    extra = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return ConfigError(message + extra, key=dotted(loc), file=source_of(sources, loc))


def _strip_union(loc: tuple[object, ...]) -> tuple[object, ...]:
    # pydantic reports the union branch ("float", "bool", "str", "function-before[...]") as a path element
    return tuple(
        p
        for p in loc
        if not (isinstance(p, str) and (p in {"float", "bool", "str", "int", "Constant"} or p.startswith("function-")))
    )


# ---- checks across sections -----------------------------------------------------------------------------------


def check_config(config: Config, *, check_rules: bool = True) -> None:
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
        _check_rules(config, constants)


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


def _check_rules(config: Config, constants: Mapping[str, object]) -> None:
    """Compile every rule and check the names and kinds it reads: a typo, a call or an attribute is refused here,
    before any data is read."""
    from peka.rules import compile_rule

    src = config.sources
    person_kinds = model_kinds("person")
    household_kinds = {**model_kinds("household"), **{name: "float" for name in COMPUTED_COLUMNS}}

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
