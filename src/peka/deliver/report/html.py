"""The report as one self-contained HTML page: CSS and SVG charts inline, no script, no font, no link to anything
outside the file; readable on a phone (tables scroll sideways inside their box) and printable (print CSS: one
section per page, nothing hidden). The template is ``peka/data/report.html.j2`` (Jinja2, autoescaped: a domain value
such as ``<script>`` or ``=1+1`` is shown as text)."""

from __future__ import annotations

from importlib import resources
from typing import Any

from markupsafe import Markup

from peka.deliver.report.charts import bar_ci_svg, scatter_svg
from peka.deliver.report.choropleth import choropleth_svg
from peka.present.report import LESS_RELIABLE, ChartSpec, ReportDocument, ReportTable, format_value, mark, text


def _cell(table: ReportTable, column: int, row: int, lang: str) -> dict[str, Any]:
    col = table.columns[column]
    value = table.data[column][row]
    flag = table.flags[column][row]
    return {"text": format_value(value, col.kind, lang), "mark": mark(flag) if value is not None else "",
            "weak": flag in LESS_RELIABLE, "number": col.kind != "text", "ci": False}


def _ci_text(low: Any, high: Any, kind: str, lang: str) -> str:
    """A CI as one compact cell: ``15,4–19,5`` (the unit is the estimate's, in the column to its left)."""
    if low is None or high is None:
        return "–"
    ends = [format_value(low, kind, lang), format_value(high, kind, lang)]
    if kind == "share":
        ends = [e.removesuffix("%") for e in ends]
    return "–".join(ends)


def _table_view(table: ReportTable, lang: str) -> dict[str, Any]:
    """Rows of formatted cells; an estimate's ``_low`` and ``_high`` columns become one "SK 95%" column."""
    keys = [c.key for c in table.columns]
    shown: list[tuple[int, int | None]] = []  # (column, its high column when the column is a CI's low)
    headers: list[str] = []
    for c, key in enumerate(keys):
        if key.endswith("_high") and key[:-5] + "_low" in keys:
            continue
        if key.endswith("_low") and key[:-4] + "_high" in keys:
            shown.append((c, keys.index(key[:-4] + "_high")))
            headers.append(text("column", "ci", lang))
        else:
            shown.append((c, None))
            headers.append(table.columns[c].header)
    rows = []
    for r in range(table.n_rows):
        cells = []
        for c, high in shown:
            cell = _cell(table, c, r, lang)
            if high is not None:
                cell.update(text=_ci_text(table.data[c][r], table.data[high][r], table.columns[c].kind, lang),
                            mark="", ci=True)
            cells.append(cell)
        rows.append(cells)
    return {"title": table.title, "headers": headers, "ci": [h is not None for _, h in shown], "rows": rows,
            "note": table.note}


def _formatter(kind: str, lang: str):
    return lambda v: format_value(v, kind, lang)


def chart_svg(chart: ChartSpec, table: ReportTable, lang: str) -> str:
    kinds = {c.key: c.kind for c in table.columns}
    labels = [str(v) for v in table.values(chart.category)]
    if chart.kind == "bar_ci":
        assert chart.value is not None
        weak = [f in LESS_RELIABLE for f in table.flags[table.index(chart.value)]]
        return bar_ci_svg(chart.title, labels, table.values(chart.value),
                          table.values(chart.low) if chart.low else [None] * len(labels),
                          table.values(chart.high) if chart.high else [None] * len(labels), weak,
                          _formatter(kinds[chart.value], lang))
    assert chart.x is not None and chart.y is not None
    return scatter_svg(chart.title, labels, table.values(chart.x), table.values(chart.y), chart.cross,
                       chart.cross_label or "", chart.x_title, chart.y_title, _formatter(kinds[chart.x], lang),
                       _formatter(kinds[chart.y], lang))


def report_html(document: ReportDocument) -> str:
    """The page as text."""
    import jinja2

    source = resources.files("peka.data").joinpath("report.html.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    template = env.from_string(source)
    lang = document.lang
    sections = []
    for section in document.sections:
        tables = {t.key: t for t in section.tables}
        charts = [Markup(chart_svg(c, tables[c.table], lang)) for c in section.charts]
        region_map = document.region_map if section.key == "regions" else None
        sections.append({
            "key": section.key, "title": section.title, "paragraphs": section.paragraphs,
            "tables": [_table_view(t, lang) for t in section.tables if "html" in t.media],
            "charts": charts,
            "map": Markup(choropleth_svg(region_map)) if region_map else None,
            "map_note": region_map.note if region_map else None,
        })
    return template.render(document=document, sections=sections, lang=lang)
