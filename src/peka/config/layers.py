"""The layers of ``peka.toml`` and where each value came from: merging a layer into the document key by key,
the keyed lists (``[[mpi.indicators]]`` by ``name`` …), ``--set`` overrides, dotted keys for messages.

Merging: tables merge key by key; lists of scalars are replaced; the lists of entries ``[[derive]]``,
``[[mpi.indicators]]``, ``[[bps14.criteria]]`` and ``[[causes.catalogue]]`` merge by their key (``name`` or
``code``): an entry with a known key updates that entry field by field, a new key is appended, and
``enabled = false`` switches an entry off. ``[[lines.entries]]`` are appended.

>>> dotted(["mpi", "indicators", 2, "weight"])
'mpi.indicators[2].weight'
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from peka.errors import ConfigError

Path_ = tuple[object, ...]

KEYED_LISTS: dict[tuple[str, ...], str] = {
    ("derive",): "name",
    ("mpi", "indicators"): "name",
    ("bps14", "criteria"): "code",
    ("causes", "catalogue"): "code",
}
BUILTIN = "built-in"




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


