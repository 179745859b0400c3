"""Loading ``peka.toml``: built-in presets, then the user's file, then command-line overrides, then every check.

Layers, from the bottom up (a higher layer wins; docs/config.md):

1. ``presets/default.toml`` with ``presets/levels.toml``'s chosen scheme, ``presets/bps14.toml`` and
   ``presets/causes.toml``;
2. the named presets the merged result asks for: ``presets/mpi/<mpi.preset>.toml`` under ``[mpi]``, the level
   scheme under ``[levels]`` and ``presets/lines/<name>.toml`` for each name in ``lines.include``;
3. the user's ``peka.toml``;
4. overrides from the command line (``--set mpi.k=0.4``).

How layers merge is ``peka.config.layers``; the checks across sections, ``peka.config.checks``.

Every problem is a ``ConfigError`` naming the dotted key (``mpi.indicators[2].weight``) and the file that set it.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from peka.config.checks import check_config
from peka.config.layers import BUILTIN, Path_, _leaves, _nest, dotted, merge_layer, parse_override, source_of
from peka.config.models import Config
from peka.config.tomlfile import parse_toml_text, read_toml_file
from peka.errors import ConfigError

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



# ---- the public entry point -------------------------------------------------------------------------------------


def load_config(
    path: str | Path | None = None,
    *,
    overrides: Sequence[str] | Mapping[str, Any] = (),
    check_rules: bool = True,
    text: str | None = None,
    extra_columns: Mapping[str, Mapping[str, str]] | None = None,
) -> Config:
    """The effective configuration: built-in presets, the file at ``path`` (if any), then ``overrides``.

    ``text`` is a ``peka.toml`` held in memory instead of a file (a classification record stored inside a Parquet
    file); ``path`` then only names it in messages. ``extra_columns`` (level → name → kind): the input mapping's
    own columns, which rules may read besides the canonical ones.

    ``overrides`` is a list of ``"dotted.key=value"`` strings (as given to ``--set``) or a mapping of dotted keys to
    values. Raises ``ConfigError`` naming the key and file of the first problem.

    >>> cfg = load_config(overrides=["mpi.preset=global"])
    >>> round(cfg.mpi.k, 4), len(cfg.mpi.active)
    (0.3333, 10)
    """
    user_file = str(path) if path is not None else ("<record>" if text is not None else None)
    if text is not None:
        user_doc = parse_toml_text(text, file=user_file or "<record>", what="configuration")
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
    check_config(config, check_rules=check_rules, extra_columns=extra_columns)
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


