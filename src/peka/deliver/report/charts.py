"""Small SVG charts written by hand for the HTML report: bars with confidence-interval whiskers and a quadrant
scatter. A few dozen lines of SVG keep the page self-contained and small (no plotting library, no fonts, no
scripts); the workbook has native Excel charts of the same numbers instead.

SVG is inline HTML5 (no ``xmlns`` attribute is needed there), so the page holds no external reference at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

Formatter = Callable[[float], str]

BAR = "#2f6fae"
BAR_WEAK = "#a9c2dc"  # less reliable estimates: lighter bar
INK = "#222"
GRID = "#ccc"


Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def _text_width(label: str, size: float) -> float:
    """A generous width estimate of ``label`` at font ``size`` (no font metrics in a hand-written SVG)."""
    return 0.58 * size * len(label)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _nice_max(value: float) -> float:
    """A round axis end at or above ``value``."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def bar_ci_svg(title: str, labels: Sequence[str], values: Sequence[float | None], lows: Sequence[float | None],
               highs: Sequence[float | None], weak: Sequence[bool], fmt: Formatter) -> str:
    """Horizontal bars (one per label) with whiskers from ``lows`` to ``highs``; ``weak`` bars are drawn lighter
    and marked ``*``. Values are read as drawn: the axis starts at 0."""
    label_w, plot_w, row_h, top = 190, 360, 22, 34
    height = top + row_h * len(labels) + 30
    end = _nice_max(max([v for v in (*values, *highs) if v is not None] or [1.0]))

    def x(v: float) -> float:
        return label_w + plot_w * max(0.0, v) / end

    parts = [(f'<svg viewBox="0 0 {label_w + plot_w + 70} {height}" width="100%" role="img" '
             f'aria-label="{escape(title)}" class="chart">'),
             f'<text x="4" y="18" font-size="14" font-weight="bold" fill="{INK}">{escape(title)}</text>']
    for i in range(5):
        gx = label_w + plot_w * i / 4
        parts.append(f'<line x1="{gx:.1f}" y1="{top - 4}" x2="{gx:.1f}" y2="{height - 26}" stroke="{GRID}"/>')
        parts.append(f'<text x="{gx:.1f}" y="{height - 10}" font-size="10" text-anchor="middle" '
                     f'fill="{INK}">{escape(fmt(end * i / 4))}</text>')
    for i, (name, value) in enumerate(zip(labels, values)):
        y = top + i * row_h
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" font-size="11" text-anchor="end" '
                     f'fill="{INK}">{escape(name[:28])}</text>')
        if value is None:
            continue
        colour = BAR_WEAK if weak[i] else BAR
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{x(value) - label_w:.1f}" height="{row_h - 8}" '
                     f'fill="{colour}"><title>{escape(name)}: {escape(fmt(value))}</title></rect>')
        low, high = lows[i], highs[i]
        if low is not None and high is not None:
            cy = y + row_h / 2
            parts.append(f'<path d="M{x(low):.1f} {cy:.1f}H{x(high):.1f}M{x(low):.1f} {cy - 5:.1f}V{cy + 5:.1f}'
                         f'M{x(high):.1f} {cy - 5:.1f}V{cy + 5:.1f}" stroke="{INK}" fill="none"/>')
        tag = fmt(value) + (" *" if weak[i] else "")
        parts.append(f'<text x="{x(max(value, high or value)) + 4:.1f}" y="{y + 15}" font-size="10" '
                     f'fill="{INK}">{escape(tag)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def scatter_svg(title: str, labels: Sequence[str], xs: Sequence[float | None], ys: Sequence[float | None],
                cross: tuple[float, float] | None, cross_label: str, x_title: str, y_title: str, fmt_x: Formatter,
                fmt_y: Formatter) -> str:
    """Points at (x, y) with their labels, and dashed reference lines crossing at ``cross`` (the overall values):
    the four quadrants of a poverty-targeting picture."""
    left, top, w, h = 56, 34, 400, 280
    points = [(n, a, b) for n, a, b in zip(labels, xs, ys) if a is not None and b is not None]
    x_end = _nice_max(max([p[1] for p in points] + ([cross[0]] if cross else []) or [1.0]))
    y_end = _nice_max(max([p[2] for p in points] + ([cross[1]] if cross else []) or [1.0]))

    def px(v: float) -> float:
        return left + w * v / x_end

    def py(v: float) -> float:
        return top + h - h * v / y_end

    parts = [(f'<svg viewBox="0 0 {left + w + 120} {top + h + 46}" width="100%" role="img" '
             f'aria-label="{escape(title)}" class="chart">'),
             f'<text x="4" y="18" font-size="14" font-weight="bold" fill="{INK}">{escape(title)}</text>',
             f'<rect x="{left}" y="{top}" width="{w}" height="{h}" fill="none" stroke="{GRID}"/>']
    for i in range(5):
        gx, gy = left + w * i / 4, top + h - h * i / 4
        parts.append(f'<text x="{gx:.1f}" y="{top + h + 14}" font-size="10" text-anchor="middle" '
                     f'fill="{INK}">{escape(fmt_x(x_end * i / 4))}</text>')
        parts.append(f'<text x="{left - 4}" y="{gy + 3:.1f}" font-size="10" text-anchor="end" '
                     f'fill="{INK}">{escape(fmt_y(y_end * i / 4))}</text>')
    parts.append(f'<text x="{left + w / 2}" y="{top + h + 34}" font-size="11" text-anchor="middle" '
                 f'fill="{INK}">{escape(x_title)}</text>')
    parts.append(f'<text x="12" y="{top + h / 2}" font-size="11" text-anchor="middle" fill="{INK}" '
                 f'transform="rotate(-90 12 {top + h / 2})">{escape(y_title)}</text>')
    taken: list[Box] = [(px(a) - 4, py(b) - 4, px(a) + 4, py(b) + 4) for _, a, b in points]  # the markers
    if cross is not None:
        cx, cy = px(cross[0]), py(cross[1])
        parts.append(f'<path d="M{cx:.1f} {top}V{top + h}M{left} {cy:.1f}H{left + w}" stroke="#b33" '
                     f'stroke-dasharray="5 4" fill="none"/>')
        # the reference label above the plot, left of the vertical line when it would run past the right edge
        width = _text_width(cross_label, 10)
        lx = cx + 4 if cx + 4 + width <= left + w + 110 else cx - 4 - width
        taken.append((lx, top - 14, lx + width, top - 2))
        parts.append(f'<text x="{lx:.1f}" y="{top - 4}" font-size="10" fill="#b33">{escape(cross_label)}</text>')
    for name, a, b in points:
        parts.append(f'<circle cx="{px(a):.1f}" cy="{py(b):.1f}" r="4" fill="{BAR}"><title>{escape(name)}: '
                     f'{escape(fmt_x(a))}, {escape(fmt_y(b))}</title></circle>')
    # labels: the highest x first (the rows most worth naming), each at the first free side of its point; a label
    # that would cover another label or marker is left out (its name stays in the point's tooltip and the table)
    for name, a, b in sorted(points, key=lambda p: -p[1]):
        shown = name[:20]
        width = _text_width(shown, 9)
        x0, y0 = px(a), py(b)
        for anchor_x, anchor_y, anchor in ((x0 + 6, y0 + 3, "start"), (x0 - 6, y0 + 3, "end"),
                                           (x0, y0 - 7, "middle"), (x0, y0 + 13, "middle")):
            start = {"start": anchor_x, "end": anchor_x - width, "middle": anchor_x - width / 2}[anchor]
            box = (start, anchor_y - 8, start + width, anchor_y + 2)
            if box[0] >= 0 and box[2] <= left + w + 118 and not any(_overlaps(box, t) for t in taken):
                taken.append(box)
                parts.append(f'<text x="{anchor_x:.1f}" y="{anchor_y:.1f}" font-size="9" text-anchor="{anchor}" '
                             f'fill="{INK}">{escape(shown)}</text>')
                break
    parts.append("</svg>")
    return "".join(parts)
