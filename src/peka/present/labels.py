"""Display labels in Indonesian (``id``, the default) and English (``en``): one catalogue for every code peka shows.

Fixed vocabularies (category codes of the canonical model, welfare levels, poverty statuses, clusters, output
column headers, summary texts) are in ``peka/data/labels.toml``. Labels of things a user can define in
``peka.toml`` (MPI indicators, BPS-14 criteria, causes, level classes) come from the configuration entry that
defines them (``label_id`` / ``label_en``), falling back to the catalogue. An unknown code is shown as itself.

>>> label("level", "rentan_miskin")
'Rentan miskin'
>>> label("level", "rentan_miskin", "en")
'Vulnerable to poverty'
>>> category_label("floor_material", "tanah", "en")
'Earth'
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from peka.present.numbers import LANGS

if TYPE_CHECKING:
    from peka.config.models import Config



@lru_cache(maxsize=1)
def catalogue() -> dict[str, Any]:
    """The parsed label catalogue (read once)."""
    text = resources.files("peka.data").joinpath("labels.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _pick(entry: Any, lang: str) -> str | None:
    if isinstance(entry, dict):
        return entry.get(lang) or entry.get("id")
    return None


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"language must be one of {LANGS}, not {lang!r}")


def label(group: str, code: object, lang: str = "id", *, config: Config | None = None) -> str:
    """The label of ``code`` in ``group``: ``level``, ``poverty_status``, ``source_status``, ``cluster``,
    ``dimension``, ``summary``, ``column``, or the config-defined groups ``cause``, ``indicator``, ``bps14``."""
    _check_lang(lang)
    key = str(code)
    if group in ("cause", "indicator", "bps14", "level"):
        found = _from_config(group, key, lang, config)
        if found:
            return found
    if group == "column":
        return column_label(key, lang, config=config)
    return _pick(catalogue().get(group, {}).get(key), lang) or key


def _from_config(group: str, code: str, lang: str, config: Config | None) -> str | None:
    if config is None:  # no configuration given: the catalogue's label, or the code itself
        return None
    entries: list[Any]
    if group == "cause":
        entries = [(c.code, c) for c in config.causes.catalogue]
    elif group == "indicator":
        entries = [(i.name, i) for i in config.mpi.indicators]
    elif group == "bps14":
        entries = [(c.code, c) for c in config.bps14.criteria]
    else:
        entries = [(c.code, c) for c in config.levels.classes]
    for key, entry in entries:
        if key == code:
            return getattr(entry, f"label_{lang}", None) or getattr(entry, "label_id", None)
    return None


def category_label(column: str, code: object, lang: str = "id") -> str:
    """The label of a category code of a canonical column, e.g. ``("toilet", "bersama")`` → ``"Bersama"``."""
    _check_lang(lang)
    for vocabulary in catalogue().get("category", {}).values():
        if column in vocabulary.get("columns", []):
            return _pick(vocabulary.get(str(code)), lang) or str(code)
    return str(code)


def column_label(column: str, lang: str = "id", *, config: Config | None = None) -> str:
    """A header for an output column, including the per-indicator, per-criterion and per-cause columns."""
    _check_lang(lang)
    fixed = _pick(catalogue()["column"].get(column), lang)
    if fixed:
        return fixed
    prefix = {"id": ("Deprivasi", "Kriteria BPS", "Penyebab"), "en": ("Deprived", "BPS criterion", "Cause")}[lang]
    if column.startswith("mpi_d_"):
        return f"{prefix[0]}: {label('indicator', column[6:], lang, config=config)}"
    if column.startswith("bps14_c"):
        return f"{prefix[1]} {column[7:]}: {label('bps14', column[6:], lang, config=config)}"
    if column.startswith("cause_"):
        return f"{prefix[2]}: {label('cause', column[6:], lang, config=config)}"
    return column


def summary_text(key: str, lang: str = "id", **values: object) -> str:
    """A sentence of the terminal summary, with ``{placeholders}`` filled from ``values``."""
    text = label("summary", key, lang)
    return text.format(**values) if values else text
