"""The report as an XLSX workbook (xlsxwriter): one sheet per section, numbers stored as numbers.

Each column has one number format by its kind (share ``0.0%``, index ``0.000``, count and Rupiah ``#,##0``, ratio
``0.00``); a less reliable cell keeps the same format, drawn grey and italic with its mark (``*``, ``**``, ``†``)
appended by the format, so the cell still holds the exact number. Headers are wrapped and the first table's header
row frozen and repeated on printed pages; the largest table of a sheet has the autofilter; widths are fitted. Native
charts: P0 by region with CI error bars, the quadrant scatter (P0 against P1, crossing at the overall values),
contributions by dimension. Print setup: A4, landscape for wide sheets, one page wide, page numbers. Every text cell
is written with ``write_string`` and the workbook refuses formulas and links in strings, so ``=1+1`` stays text.
"""

from __future__ import annotations

import io
from typing import Any

from peka.deliver.files import XLSX_MAX_ROWS, XLSX_OPTIONS
from peka.errors import UsageError
from peka.present.report import (
    FLAG_MARKS,
    LESS_RELIABLE,
    ChartSpec,
    ReportDocument,
    ReportTable,
    Section,
    format_value,
)

NUMBER_FORMATS: dict[str, str] = {"share": "0.0%", "index": "0.000", "count": "#,##0", "rupiah": "#,##0",
                                  "ratio": "0.00", "number": "#,##0.00", "text": "@"}
WIDE = 8  # a table with more columns than this prints landscape
MAX_WIDTH = 50
SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_name(title: str, used: set[str]) -> str:
    """An Excel-valid, unique sheet name (at most 31 characters, none of ``[]:*?/\\``)."""
    base = title.translate(SHEET_FORBIDDEN).strip()[:31] or "Sheet"
    name, i = base, 2
    while name.lower() in used:
        name = f"{base[:28]} {i}"
        i += 1
    used.add(name.lower())
    return name


class Formats:
    """The workbook's cell formats, made once per (kind, flag)."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.cache: dict[tuple[str, str | None], Any] = {}
        self.header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                           "valign": "top"})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.table_title = workbook.add_format({"bold": True, "font_size": 11})
        self.paragraph = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.note = workbook.add_format({"italic": True, "font_color": "#555555", "text_wrap": True,
                                         "valign": "top"})

    def cell(self, kind: str, flag: str | None) -> Any:
        weak = flag if flag in LESS_RELIABLE else None
        key = (kind, weak)
        if key not in self.cache:
            spec: dict[str, Any] = {"num_format": NUMBER_FORMATS[kind]}
            if weak is not None:
                spec.update(font_color="#808080", italic=True)
                if kind != "text":
                    spec["num_format"] = f'{NUMBER_FORMATS[kind]}"{FLAG_MARKS[weak]}"'
            self.cache[key] = self.workbook.add_format(spec)
        return self.cache[key]


def _width(table: ReportTable, column: int, lang: str) -> float:
    col = table.columns[column]
    values = table.data[column]
    sample = values if len(values) <= 2000 else values[:2000]
    longest = max([len(format_value(v, col.kind, lang)) for v in sample] or [0])
    header = min(len(col.header), 24)  # headers wrap: a long header does not widen the column beyond this
    return min(max(longest + 2, header, 8), MAX_WIDTH)


def write_table(ws: Any, formats: Formats, table: ReportTable, row: int, lang: str, widths: dict[int, float]
                ) -> tuple[int, dict[str, Any]]:
    """Write ``table`` with its title at ``row``; returns the next free row and where the table went."""
    ws.write_string(row, 0, table.title, formats.table_title)
    header_row = row + 1
    for c, col in enumerate(table.columns):
        ws.write_string(header_row, c, col.header, formats.header)
        widths[c] = max(widths.get(c, 0), _width(table, c, lang))
    first = header_row + 1
    if first + table.n_rows > XLSX_MAX_ROWS:
        raise UsageError(f"table {table.key} does not fit in an XLSX sheet: use CSV or Parquet")
    for c, col in enumerate(table.columns):
        values, flags = table.data[c], table.flags[c]
        plain = formats.cell(col.kind, None)
        for r in range(table.n_rows):  # output cells; the household table is at most 50,000 rows (the job's limit)
            value = values[r]
            if value is None:
                continue
            fmt = plain if flags[r] is None else formats.cell(col.kind, flags[r])
            if col.kind == "text":
                ws.write_string(first + r, c, str(value), fmt)
            else:
                ws.write_number(first + r, c, float(value), fmt)
    end = first + table.n_rows
    if table.note:
        ws.write_string(end, 0, table.note, formats.note)
        end += 1
    return end + 1, {"header_row": header_row, "first": first, "last": first + table.n_rows - 1}


def _range(sheet: str, place: dict[str, Any], column: int) -> list[Any]:
    return [sheet, place["first"], column, place["last"], column]


def add_chart(workbook: Any, ws: Any, sheet: str, chart: ChartSpec, table: ReportTable, place: dict[str, Any],
              anchor_row: int, cross_cells: tuple[int, int] | None) -> None:
    if table.n_rows == 0:
        return
    if chart.kind == "bar_ci":
        assert chart.value is not None
        value_col = table.index(chart.value)
        native = workbook.add_chart({"type": "column"})
        series: dict[str, Any] = {"name": chart.title, "categories": _range(sheet, place, table.index(chart.category)),
                                  "values": _range(sheet, place, value_col), "fill": {"color": "#2F6FAE"}}
        if chart.low and chart.high:
            est = table.data[value_col]
            low, high = table.values(chart.low), table.values(chart.high)
            plus = [0.0 if e is None or h is None else h - e for e, h in zip(est, high)]
            minus = [0.0 if e is None or lo is None else e - lo for e, lo in zip(est, low)]
            series["y_error_bars"] = {"type": "custom", "plus_values": plus, "minus_values": minus,
                                      "end_style": 1}
        native.add_series(series)
        native.set_y_axis({"name": chart.y_title, "num_format": NUMBER_FORMATS[table.columns[value_col].kind],
                           "min": 0})
        native.set_x_axis({"name": chart.x_title})
        native.set_size({"width": max(480, 28 * table.n_rows + 120), "height": 320})
    else:
        assert chart.x is not None and chart.y is not None
        native = workbook.add_chart({"type": "scatter"})
        x_col, y_col, name_col = table.index(chart.x), table.index(chart.y), table.index(chart.category)
        labels = [{"value": f"='{sheet}'!${_col_letter(name_col)}${place['first'] + r + 1}"}
                  for r in range(table.n_rows)]  # references to the (text) name cells: never a formula of data
        native.add_series({"name": chart.title, "categories": _range(sheet, place, x_col),
                           "values": _range(sheet, place, y_col),
                           "marker": {"type": "circle", "size": 6, "fill": {"color": "#2F6FAE"}},
                           "data_labels": {"custom": labels, "position": "right", "font": {"size": 8}}})
        if chart.cross is not None and cross_cells is not None:
            r0, c0 = cross_cells  # 4 rows × 2 columns: vertical line (x, y) × 2, horizontal line × 2
            for start, name in ((r0, "P0"), (r0 + 2, "P1")):
                native.add_series({"name": f"{chart.cross_label} ({name})",
                                   "categories": [sheet, start, c0, start + 1, c0],
                                   "values": [sheet, start, c0 + 1, start + 1, c0 + 1],
                                   "line": {"color": "#BB3333", "dash_type": "dash"}, "marker": {"type": "none"}})
        native.set_x_axis({"name": chart.x_title, "num_format": NUMBER_FORMATS[table.columns[x_col].kind], "min": 0})
        native.set_y_axis({"name": chart.y_title, "num_format": NUMBER_FORMATS[table.columns[y_col].kind], "min": 0})
        native.set_legend({"position": "bottom"})
        native.set_size({"width": 640, "height": 420})
    native.set_title({"name": chart.title, "name_font": {"size": 11}})
    ws.insert_chart(anchor_row, 0, native)


def _col_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _write_cross(ws: Any, formats: Formats, chart: ChartSpec, table: ReportTable, row: int) -> tuple[int, int]:
    """The reference lines of a quadrant chart as cells (charts read ranges): x/y pairs of both lines."""
    assert chart.cross is not None and chart.x is not None and chart.y is not None
    xs = [v for v in table.values(chart.x) if v is not None] + [chart.cross[0]]
    ys = [v for v in table.values(chart.y) if v is not None] + [chart.cross[1]]
    cx, cy = chart.cross
    ws.write_string(row, 0, chart.cross_label or "", formats.table_title)
    x_fmt = formats.cell(table.columns[table.index(chart.x)].kind, None)
    y_fmt = formats.cell(table.columns[table.index(chart.y)].kind, None)
    points = [(cx, 0.0), (cx, max(ys) * 1.1), (0.0, cy), (max(xs) * 1.1, cy)]
    for i, (a, b) in enumerate(points):
        ws.write_number(row + 1 + i, 0, a, x_fmt)
        ws.write_number(row + 1 + i, 1, b, y_fmt)
    return row + 1, 0


def write_section(workbook: Any, formats: Formats, section: Section, document: ReportDocument, used: set[str]
                  ) -> None:
    lang = document.lang
    name = sheet_name(section.title, used)
    ws = workbook.add_worksheet(name)
    tables = [t for t in section.tables if "xlsx" in t.media]
    n_columns = max([len(t.columns) for t in tables] or [6])
    span = max(n_columns - 1, 7)
    ws.write_string(0, 0, section.title, formats.title)
    row = 1
    paragraphs = list(section.paragraphs)
    if section.key == "summary":
        paragraphs.insert(0, document.subtitle)
        paragraphs.append(document.legend_intro + " " + "; ".join(t for _, t in document.legend) + ".")
    for paragraph in paragraphs:
        ws.merge_range(row, 0, row, span, "", formats.paragraph)
        ws.write_string(row, 0, paragraph, formats.paragraph)
        ws.set_row(row, 15 * max(1, len(paragraph) // (12 * (span + 1)) + 1))
        row += 1
    row += 1
    widths: dict[int, float] = {}
    places: dict[str, dict[str, Any]] = {}
    for table in tables:
        row, places[table.key] = write_table(ws, formats, table, row, lang, widths)
    if tables:
        first = places[tables[0].key]["header_row"]
        if first <= 15:
            ws.freeze_panes(first + 1, 0)
        ws.repeat_rows(first)
        biggest = max(tables, key=lambda t: t.n_rows)
        where = places[biggest.key]
        ws.autofilter(where["header_row"], 0, max(where["last"], where["header_row"]), len(biggest.columns) - 1)
    for c, width in widths.items():
        ws.set_column(c, c, width)
    if not tables:
        ws.set_column(0, 0, 100)
    for chart in section.charts:
        table = next(t for t in tables if t.key == chart.table)
        cross = None
        if chart.kind == "scatter" and chart.cross is not None:
            cross = _write_cross(ws, formats, chart, table, row)
            row += 6
        add_chart(workbook, ws, name, chart, table, places[chart.table], row, cross)
        row += 23
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    if n_columns > WIDE:
        ws.set_landscape()
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header(f"&L{document.title.replace('&', '&&')}")
    ws.set_footer("&C&P / &N")


def report_xlsx(document: ReportDocument) -> bytes:
    """The workbook as bytes."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, **XLSX_OPTIONS})
    workbook.set_properties({"title": document.title, "subject": document.subtitle})
    formats = Formats(workbook)
    used: set[str] = set()
    for section in document.sections:
        write_section(workbook, formats, section, document, used)
    workbook.close()
    return buffer.getvalue()
