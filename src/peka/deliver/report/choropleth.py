"""The P0 map (``peka.present.region_map.RegionMap``) as inline SVG: an equirectangular projection scaled to the
bounding box of the shapes (longitude shrunk by the cosine of the middle latitude, which is exact enough at the scale
of a kabupaten), one path per shape filled by its P0 class, a ``<title>`` tooltip, and the legend. No script, no
tile, no external reference."""

from __future__ import annotations

import math
from html import escape

import numpy as np

from peka.present.region_map import RegionMap

CLASS_FILLS: tuple[str, ...] = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")  # light → dark
NO_ESTIMATE_FILL = "#d0d0d0"
INK = "#222"
MAP_WIDTH, MAP_MAX_HEIGHT, TOP = 560.0, 560.0, 30.0


def _path(rings: list[np.ndarray]) -> str:
    """Rings in pixels as one path; consecutive points that round to the same tenth of a pixel are dropped, which
    keeps a detailed boundary file from bloating the page."""
    parts = []
    for ring in rings:
        points = np.round(ring, 1)
        keep = np.ones(len(points), dtype=bool)
        keep[1:] = np.any(np.diff(points, axis=0) != 0, axis=1)
        points = points[keep]
        if len(points) < 3:
            continue
        coords = " ".join(f"{x:g} {y:g}" for x, y in points)
        parts.append(f"M{coords}Z")
    return "".join(parts)


def choropleth_svg(region_map: RegionMap) -> str:
    arrays = [[np.asarray(ring, dtype=float).reshape(-1, 2) for ring in shape.rings] for shape in region_map.shapes]
    every = np.concatenate([ring for rings in arrays for ring in rings if len(ring)] or [np.zeros((1, 2))])
    lon0, lat0 = every.min(axis=0)
    lon1, lat1 = every.max(axis=0)
    x_scale = math.cos(math.radians((lat0 + lat1) / 2))
    span_x, span_y = max((lon1 - lon0) * x_scale, 1e-9), max(lat1 - lat0, 1e-9)
    scale = min(MAP_WIDTH / span_x, MAP_MAX_HEIGHT / span_y)
    height = span_y * scale
    legend_x = MAP_WIDTH + 20

    def project(ring: np.ndarray) -> np.ndarray:
        return np.column_stack(((ring[:, 0] - lon0) * x_scale * scale, TOP + (lat1 - ring[:, 1]) * scale))

    rows = len(region_map.legend) + 1
    total_h = max(TOP + height + 10, TOP + 20 * rows + 10)
    parts = [(f'<svg viewBox="0 0 {legend_x + 150:.0f} {total_h:.0f}" width="100%" role="img" '
              f'aria-label="{escape(region_map.title)}" class="chart map">'),
             f'<text x="4" y="18" font-size="14" font-weight="bold" fill="{INK}">{escape(region_map.title)}</text>']
    for shape, rings in zip(region_map.shapes, arrays):
        d = _path([project(r) for r in rings if len(r)])
        if not d:
            continue
        fill = NO_ESTIMATE_FILL if shape.klass is None else CLASS_FILLS[shape.klass]
        klass = "none" if shape.klass is None else str(shape.klass)
        parts.append(f'<path d="{d}" fill="{fill}" fill-rule="evenodd" stroke="#fff" stroke-width="0.8" '
                     f'data-code="{escape(shape.code)}" data-class="{klass}"><title>{escape(shape.tooltip)}</title>'
                     f'</path>')
    entries = [*zip(CLASS_FILLS, region_map.legend), (NO_ESTIMATE_FILL, region_map.no_estimate)]
    for i, (fill, label) in enumerate(entries):
        y = TOP + i * 20
        parts.append(f'<rect x="{legend_x}" y="{y}" width="16" height="14" fill="{fill}" stroke="#999"/>')
        parts.append(f'<text x="{legend_x + 22}" y="{y + 11}" font-size="11" fill="{INK}">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
