"""The P0 map of the report (``peka report --boundaries``) as neutral data: one shape per GeoJSON feature with its
P0, CI, class and tooltip, the class breaks and the legend. ``peka.deliver.report.choropleth`` draws it as SVG.

Classes have fixed breaks (``P0_BREAKS``) rather than quantiles of the data, so one colour means the same rate in
every report and every year, and a district with low poverty is not painted as if half of it were in the top class.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Protocol

import numpy as np

from peka.present.labels import catalogue
from peka.present.numbers import format_percent

Ring = list[tuple[float, float]]  # (longitude, latitude) pairs


class Boundary(Protocol):
    """A feature as ``peka.io.boundaries`` reads it (present does not import io: jobs hand it over)."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str | None: ...

    @property
    def rings(self) -> list[Ring]: ...


P0_BREAKS: tuple[float, ...] = (0.05, 0.10, 0.15, 0.20, 0.30)  # class i holds P0 in [break i-1, break i)


@dataclass(frozen=True)
class MapShape:
    code: str
    rings: list[Ring]
    estimate: float | None  # P0; None: no estimate for this feature (drawn grey)
    klass: int | None  # index into P0_BREAKS classes (0 .. len(P0_BREAKS)); None without an estimate
    tooltip: str


@dataclass(frozen=True)
class RegionMap:
    title: str
    shapes: list[MapShape]
    legend: list[str]  # one label per class, lowest first
    no_estimate: str  # the legend label of grey shapes
    note: str


def p0_class(estimate: float) -> int:
    """The class of a P0: 0 below 5 %, 1 for 5–10 %, …, 5 at 30 % and above.

    >>> [p0_class(p) for p in (0.0, 0.05, 0.149, 0.2, 0.31)]
    [0, 1, 2, 4, 5]
    """
    return int(np.searchsorted(P0_BREAKS, estimate, side="right"))


def _text(key: str, lang: str, **values: object) -> str:
    entry = catalogue()["report"]["text"][key]
    return (entry.get(lang) or entry["id"]).format(**values)


def class_labels(lang: str) -> list[str]:
    ends = [format_percent(b, lang, 0) for b in P0_BREAKS]
    return [f"< {ends[0]}", *(f"{lo}–{hi}" for lo, hi in pairwise(ends)), f"≥ {ends[-1]}"]


def build_region_map(boundaries: Sequence[Boundary], p0: dict[str, tuple[float, float, float]], names: dict[str, str],
                     lang: str, region: str) -> RegionMap:
    """``p0``: code → (estimate, CI low, CI high); ``names``: code → the region's name in the data (else the
    feature's own name, else its code)."""
    shapes = []
    for boundary in boundaries:
        name = names.get(boundary.code) or boundary.name or boundary.code
        found = p0.get(boundary.code)
        if found is None or not math.isfinite(found[0]):
            shapes.append(MapShape(boundary.code, boundary.rings, None, None,
                                   f"{name}: {_text('map_no_estimate', lang)}"))
            continue
        estimate, low, high = found
        tooltip = _text("map_tooltip", lang, name=name, p0=format_percent(estimate, lang),
                        low=format_percent(low, lang), high=format_percent(high, lang))
        shapes.append(MapShape(boundary.code, boundary.rings, estimate, p0_class(estimate), tooltip))
    return RegionMap(_text("map_title", lang, region=region), shapes, class_labels(lang),
                     _text("map_no_estimate", lang), _text("map_note", lang))
