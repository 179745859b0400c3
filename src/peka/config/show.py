"""The effective configuration as TOML, each value annotated with the layer it came from (``peka config show``),
and the commented starting file of ``peka config init``.

The output is itself a valid ``peka.toml`` (it loads back to the same configuration), so an analyst can save it,
edit it and use it. Sections whose numbers are not confirmed by several sources carry a comment saying so.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from peka.config.loader import preset_text
from peka.config.models import Config
from peka.config.provenance import not_confirmed

FRACTION_FIELDS = frozenset({"weight", "k"})
STATUS_NOTE = {
    "single_source": "# NOTE: single source only — check before relying on it",
    "unconfirmed": "# WARNING: UNCONFIRMED — not an official or independently confirmed standard; outputs label it",
}


def init_text() -> str:
    """The commented starting ``peka.toml`` written by ``peka config init`` (valid as it stands)."""
    return preset_text("init.toml")


def _value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if key in FRACTION_FIELDS:
            frac = Fraction(value).limit_denominator(1000)
            if frac.denominator > 1 and math.isclose(float(frac), value, rel_tol=0, abs_tol=1e-15):
                return json.dumps(f"{frac.numerator}/{frac.denominator}")
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(key, v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


class _Writer:
    def __init__(self, sources: dict[tuple[object, ...], str], annotate: bool):
        self.sources = sources
        self.annotate = annotate
        self.lines: list[str] = []

    def table(self, header: str | None, data: dict[str, Any], path: tuple[object, ...]) -> None:
        scalars = {k: v for k, v in data.items() if v is not None and not _is_table(v) and not _is_table_list(v)}
        # what a value is first, where it comes from last
        scalars = {k: scalars[k] for k in sorted(scalars, key=lambda k: k in ("source", "status", "note"))}
        if header is not None:
            self.lines.append("")
            self.lines.append(header)
        status = data.get("status")
        if isinstance(status, str) and status in STATUS_NOTE:
            self.lines.append(STATUS_NOTE[status])
        for key, value in scalars.items():
            line = f"{_key(key)} = {_value(key, value)}"
            if self.annotate:
                line += f"  # {self.sources.get((*path, key), 'default')}"
            self.lines.append(line)
        for key, value in data.items():
            name = _dotted_header(path, key)
            if _is_table(value):
                self.table(f"[{name}]", value, (*path, key))
            elif _is_table_list(value):
                for i, entry in enumerate(value):
                    self.table(f"[[{name}]]", entry, (*path, key, i))


def _key(key: str) -> str:
    return key if key.replace("_", "").isalnum() and key.isascii() else json.dumps(key)


def _dotted_header(path: tuple[object, ...], key: str) -> str:
    return ".".join(_key(str(p)) for p in (*path, key) if not isinstance(p, int))


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def render_config(config: Config, *, annotate: bool = True, title: str | None = None) -> str:
    """``config`` as TOML; with ``annotate`` each value ends with a comment naming its source layer. The header lists
    every setting in force that is not confirmed (value, status, source); ``title`` adds a first comment line."""
    data = config.model_dump(mode="python", exclude_none=True)
    # the built-in line files are already listed below as [[lines.entries]]: including them again would add each
    # line twice when this text is loaded back
    included = data["lines"]["include"]
    data["lines"]["include"] = []
    writer = _Writer(config.sources, annotate)
    if title:
        writer.lines.append(f"# {title}")
    writer.lines.append("# Effective peka configuration (peka config show). Comments name where each value comes from:")
    writer.lines.append("# a built-in preset, your peka.toml, --set, or 'default' (peka's default for an unset key).")
    writer.lines.append("# This text is itself a valid peka.toml.")
    doubtful = not_confirmed(config)
    if doubtful:
        writer.lines.append("#")
        writer.lines.append("# Settings in force that are NOT confirmed by an official or several independent sources:")
        for item in doubtful:
            writer.lines.append(f"#   [{item.status}] {item.key}: {item.value} — source: {item.source or 'none'}")
    # tables nested under a list index need "[[a.b]]" headers relative to the list: _Writer.table handles them
    writer.table(None, data, ())
    if included:
        at = writer.lines.index("[lines]") + 1
        writer.lines.insert(at, f"# built-in line files {', '.join(included)}: their entries are listed below")
    return "\n".join(writer.lines).lstrip("\n") + "\n"


def record_text(config: Config, *, title: str, warnings: Sequence[str] = ()) -> str:
    """The configuration record written beside a classification file: ``render_config`` under ``title`` (the
    command that made the table). Like the output of ``peka config show`` it is a valid ``peka.toml``: ``--config``
    on it reproduces the run.

    >>> from peka.config import load_config
    >>> "[unconfirmed] bps14.constants.LAND_M2: LAND_M2 = 500" in record_text(load_config(), title="x")
    True
    """
    text = render_config(config, title=title)
    if not warnings:
        return text
    # what went wrong in this run heads the record (TOML comments: the file still loads)
    return "".join(f"# WARNING (this run): {w}\n" for w in warnings) + text
