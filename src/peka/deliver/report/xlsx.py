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
import math
from typing import Any

from peka.deliver.files import XLSX_MAX_ROWS, in_memory_workbook
from peka.errors import UsageError
from peka.present.report import (
    FLAG_MARKS,
    LESS_RELIABLE,
    ChartSpec,
    ReportDocument,
    ReportTable,
    Section,
    format_value,
    text,
)

NUMBER_FORMATS: dict[str, str] = {"share": "0.0%", "index": "0.000", "count": "#,##0", "rupiah": "#,##0",
                                  "ratio": "0.00", "number": "#,##0.00", "text": "@"}
PORTRAIT_PX = 720  # a sheet whose printed columns are wider than A4 portrait (7.5 in at 96 px) prints landscape
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
    # headers wrap: a column is as wide as its longest header word or half its header (two lines), at most 24
    header = min(max(max(len(w) for w in col.header.split() or [""]) + 1, math.ceil(len(col.header) / 2) + 1), 24)
    return min(max(longest + 2, header, 8), MAX_WIDTH)


def _lines(text_: str, width: float) -> int:
    """How many lines ``text_`` wraps to in a column ``width`` characters wide: whole words to a line, as a
    spreadsheet wraps them, each character counted a tenth wider than the column's unit (bold headers, and a
    character count alone had LibreOffice cut the third line of "H (% miskin multidimensi): SK 95% bawah")."""
    limit = max(width - 1, 1)
    lines, used = 1, 0.0
    for word in text_.split():
        size = len(word) * WIDE
        if used and used + WIDE + size > limit:
            lines, used = lines + 1, size
        else:
            used += (WIDE if used else 0.0) + size
    return lines


WIDE = 1.1  # characters of bold or proportional text per unit of column width


def write_table(ws: Any, formats: Formats, table: ReportTable, row: int, lang: str, widths: dict[int, float]
                ) -> tuple[int, dict[str, Any]]:
    """Write ``table`` with its title at ``row``; returns the next free row and where the table went. ``widths``
    are the sheet's column widths, fitted beforehand to every table of the sheet."""
    ws.write_string(row, 0, table.title, formats.table_title)
    header_row = row + 1
    for c, col in enumerate(table.columns):
        ws.write_string(header_row, c, col.header, formats.header)
    # wrapped headers: the row is made as high as the longest one needs (LibreOffice does not grow it on its own)
    # (judged on the printed columns: a very long header of a column only seen on screen is cut, not the row made
    # a quarter page high)
    printed = table.columns[:table.print_columns or len(table.columns)]
    ws.set_row(header_row, 15 * min(max(_lines(col.header, widths[c]) for c, col in enumerate(printed)), 5))
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
    if table.note:  # across the table's width, as high as the text needs
        last = max(len(table.columns) - 1, 1)
        ws.merge_range(end, 0, end, last, "", formats.note)
        ws.write_string(end, 0, table.note, formats.note)
        ws.set_row(end, 15 * _lines(table.note, sum(widths.get(c, 8) for c in range(last + 1))))
        end += 1
    return end + 1, {"header_row": header_row, "first": first, "last": first + table.n_rows - 1}


def _range(sheet: str, place: dict[str, Any], column: int) -> list[Any]:
    return [sheet, place["first"], column, place["last"], column]


CHART_W, CHART_H, CHART_GAP = 520, 340, 16  # two charts side by side fit landscape A4 at full scale
CHART_ROWS = CHART_H // 20 + 2  # default rows are 20 px high
LABELLED_POINTS = 8  # the quadrant labels its first points (the rows are sorted by P0): the rest would overlap


class ChartData:
    """Numbers only a chart needs (the reference lines of a quadrant), kept in a hidden sheet instead of loose cells
    beside the charts: each block is written at the end, when the sheet exists."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.blocks: list[tuple[int, str, list[tuple[float, float]]]] = []
        self.next_row = 0

    def add(self, title: str, points: list[tuple[float, float]]) -> int:
        """Reserve a block for ``points`` (x in column A, y in column B, below a title row); its first data row."""
        row = self.next_row
        self.blocks.append((row, title, points))
        self.next_row += len(points) + 2
        return row + 1

    def write(self, workbook: Any, formats: Formats) -> None:
        if not self.blocks:
            return
        ws = workbook.add_worksheet(self.name)
        for row, title, points in self.blocks:
            ws.write_string(row, 0, title, formats.table_title)
            for i, (a, b) in enumerate(points):
                ws.write_number(row + 1 + i, 0, a)
                ws.write_number(row + 1 + i, 1, b)
        ws.set_column(0, 1, 14)
        ws.hide()


def add_chart(workbook: Any, ws: Any, sheet: str, chart: ChartSpec, table: ReportTable, place: dict[str, Any],
              anchor: tuple[int, int], data: ChartData) -> None:
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
        native.set_legend({"none": True})
    else:
        assert chart.x is not None and chart.y is not None
        native = workbook.add_chart({"type": "scatter"})
        x_col, y_col, name_col = table.index(chart.x), table.index(chart.y), table.index(chart.category)
        # references to the (text) name cells, never a formula of data; past the first points no label
        labels = [{"value": f"='{sheet}'!${_col_letter(name_col)}${place['first'] + r + 1}"}
                  if r < LABELLED_POINTS else {"delete": True} for r in range(table.n_rows)]
        native.add_series({"name": chart.title, "categories": _range(sheet, place, x_col),
                           "values": _range(sheet, place, y_col),
                           "marker": {"type": "circle", "size": 6, "fill": {"color": "#2F6FAE"}},
                           "data_labels": {"custom": labels, "position": "right", "font": {"size": 8}}})
        if chart.cross is not None:
            xs = [v for v in table.values(chart.x) if v is not None] + [chart.cross[0]]
            ys = [v for v in table.values(chart.y) if v is not None] + [chart.cross[1]]
            cx, cy = chart.cross
            for points, name in (([(cx, 0.0), (cx, max(ys) * 1.1)], chart.x_title),
                                 ([(0.0, cy), (max(xs) * 1.1, cy)], chart.y_title)):
                start = data.add(f"{chart.title}: {chart.cross_label} ({name})", points)
                native.add_series({"name": f"{chart.cross_label} ({name})",
                                   "categories": [data.name, start, 0, start + 1, 0],
                                   "values": [data.name, start, 1, start + 1, 1],
                                   "line": {"color": "#BB3333", "dash_type": "dash"}, "marker": {"type": "none"}})
        native.set_x_axis({"name": chart.x_title, "num_format": NUMBER_FORMATS[table.columns[x_col].kind], "min": 0})
        native.set_y_axis({"name": chart.y_title, "num_format": NUMBER_FORMATS[table.columns[y_col].kind], "min": 0})
        native.set_legend({"position": "bottom"})
    native.set_size({"width": CHART_W, "height": CHART_H})
    native.set_title({"name": chart.title, "name_font": {"size": 11}})
    row, slot = anchor
    ws.insert_chart(row, 0, native, {"x_offset": slot * (CHART_W + CHART_GAP), "y_offset": 0})


def _col_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def write_section(workbook: Any, formats: Formats, section: Section, document: ReportDocument, used: set[str],
                  data: ChartData) -> None:
    lang = document.lang
    name = sheet_name(section.title, used)
    ws = workbook.add_worksheet(name)
    tables = [t for t in section.tables if "xlsx" in t.media]
    printed = [t.print_columns or len(t.columns) for t in tables]
    n_columns = max(printed or [6])
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
    for table in tables:
        for c in range(len(table.columns)):
            widths[c] = max(widths.get(c, 0), _width(table, c, lang))
    places: dict[str, dict[str, Any]] = {}
    for table in tables:
        row, places[table.key] = write_table(ws, formats, table, row, lang, widths)
    if tables:
        first = places[tables[0].key]["header_row"]
        if first <= 15:
            ws.freeze_panes(first + 1, 0)
        if len(tables) == 1:  # a header repeated above another table's rows would mislabel them
            ws.repeat_rows(first)
        biggest = max(tables, key=lambda t: t.n_rows)
        where = places[biggest.key]
        ws.autofilter(where["header_row"], 0, max(where["last"], where["header_row"]), len(biggest.columns) - 1)
    for c, width in widths.items():
        ws.set_column(c, c, width)
    if not tables:
        ws.set_column(0, 0, 100)
    # charts two by two below the tables, each pair starting a printed page so no chart is cut or lies on a table
    breaks = []
    for i, chart in enumerate(section.charts):
        if i % 2 == 0:
            breaks.append(row)
            anchor = row + 1
            row += CHART_ROWS + 1
        table = next(t for t in tables if t.key == chart.table)
        add_chart(workbook, ws, name, chart, table, places[chart.table], (anchor, i % 2), data)
    if breaks:
        ws.set_h_pagebreaks(breaks)
    ws.set_paper(9)  # A4
    if len(tables) == 1 and (print_columns := tables[0].print_columns):  # the household table: its printed columns
        where = places[tables[0].key]
        ws.print_area(0, 0, max(where["last"], where["header_row"]), print_columns - 1)
    ws.fit_to_pages(1, 0)
    printed_width = sum(7 * widths.get(c, 8.43) + 5 for c in range(n_columns))  # pixels, as Excel sizes columns
    if printed_width > PORTRAIT_PX or section.charts:
        ws.set_landscape()
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header(f"&L{document.title.replace('&', '&&')}")
    ws.set_footer("&C&P / &N")


def report_xlsx(document: ReportDocument) -> bytes:
    """The workbook as bytes."""

    buffer = io.BytesIO()
    workbook = in_memory_workbook(buffer, title=document.title, subject=document.subtitle)
    formats = Formats(workbook)
    used: set[str] = set()
    data = ChartData(sheet_name(text("section", "chart_data", document.lang), used))  # reserved: written last
    for section in document.sections:
        write_section(workbook, formats, section, document, used, data)
    data.write(workbook, formats)
    workbook.close()
    return buffer.getvalue()
