"""The terminal report of ``peka validate`` as a ``Display``: files and row counts, a column summary, the findings
(one line per problem with its rows), totals — in Bahasa Indonesia or English.

>>> doc = {"files": {"household": "rt.csv"}, "rows_in": {"household": 1200}, "columns": [], "findings": [],
...        "summary": {"errors": 0, "warnings": 1, "info": 0, "findings": 1, "findings_listed": 1}}
>>> display = validation_display(doc, "id")
>>> display.lines, display.notes
(['rt.csv: 1.200 baris (rumah tangga)'], ['0 galat, 1 peringatan, 0 info'])
>>> validation_display(doc, "en").notes
['0 errors, 1 warnings, 0 info']
"""

from __future__ import annotations

from typing import Any

from peka.present.labels import label
from peka.present.numbers import format_count, format_percent
from peka.present.tables import Display, DisplayTable

ROWS_SHOWN = 6  # row numbers listed in one cell before "… (+N)"
VALUE_CHARS = 40  # long cells (a 200 KB field) are cut on screen; --json keeps them whole


def _t(key: str, lang: str, **values: object) -> str:
    text = label("validate", key, lang)
    return text.format(**values) if values else text


def validation_display(doc: dict[str, Any], lang: str = "id") -> Display:
    """``doc`` is ``ValidationReport.to_dict()``: file lines, then the tables, then the totals as a note."""
    display = Display()
    for table, path in doc["files"].items():
        who = _t("households" if table == "household" else "persons", lang)
        display.lines.append(f"{path}: {_t('rows', lang, rows=format_count(doc['rows_in'].get(table, 0), lang), who=who)}")
    short = {"household": _t("household_short", lang), "person": _t("person_short", lang)}
    if doc["columns"]:
        headers = [_t(k, lang) for k in ("table", "column", "kind", "missing", "missing_share", "errors", "warnings")]
        rows = [[short.get(c["table"], c["table"]), c["column"], c["kind"], format_count(c["missing"], lang),
                 format_percent(c["missing_share"], lang), format_count(c["errors"], lang),
                 format_count(c["warnings"], lang)] for c in doc["columns"]]  # fmt: skip
        styles = ["error" if c["errors"] else ("warning" if c["warnings"] else None) for c in doc["columns"]]
        align = ["left", "left", "left", "right", "right", "right", "right"]
        display.tables.append(DisplayTable(_t("columns_title", lang), headers, rows, align, styles))  # type: ignore[arg-type]
    if doc["findings"]:
        headers = [_t(k, lang) for k in ("severity", "table", "row", "column", "check", "value", "message")]
        rows, styles = [], []
        for group in group_findings(doc["findings"]):
            f = group[0]
            rows.append([_t(f["severity"], lang), short.get(f["table"], f["table"] or ""),
                         rows_text([g["row"] for g in group]), f["column"] or "", label("check", f["check"], lang),
                         "" if f["value"] is None else _short(str(f["value"])), f["message"]])  # fmt: skip
            styles.append({"error": "error", "warning": "warning"}.get(f["severity"], "muted"))
        display.tables.append(DisplayTable(_t("findings_title", lang), headers, rows, ["left"] * 7, styles))  # type: ignore[arg-type]
    s = doc["summary"]
    more = _t("listed", lang, listed=format_count(s["findings_listed"], lang)) if s["findings_listed"] < s["findings"] else ""
    display.notes.append(
        _t("totals", lang, errors=format_count(s["errors"], lang), warnings=format_count(s["warnings"], lang),
           info=format_count(s["info"], lang)) + more
    )  # fmt: skip
    return display


def group_findings(findings: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Findings that differ only by row (same severity, table, column, check, message and value: e.g. a NIK column
    stored as numbers) as one group, in the order of their first finding, so a terminal table lists each problem
    once with its rows.

    >>> f = {"severity": "error", "table": "household", "column": "x", "check": "type", "message": "m", "value": "a"}
    >>> [[g["row"] for g in group] for group in group_findings([{**f, "row": 2}, {**f, "row": 5}])]
    [[2, 5]]
    """
    groups: dict[tuple[object, ...], list[dict[str, Any]]] = {}
    for f in findings:
        key = (f["severity"], f["table"], f["column"], f["check"], f["message"], f["value"], f["row"] is None)
        groups.setdefault(key, []).append(f)
    return list(groups.values())


def rows_text(rows: list[int | None], shown: int = ROWS_SHOWN) -> str:
    """``2, 3, 5`` or ``2, 3, 5, 8, 9, 13 … (+7)``; empty for a whole-column finding.

    >>> rows_text([2, 3, 5, 8, 9, 13, 20], shown=6)
    '2, 3, 5, 8, 9, 13 … (+1)'
    """
    numbers = [str(r) for r in rows if r is not None]
    if len(numbers) <= shown:
        return ", ".join(numbers)
    return f"{', '.join(numbers[:shown])} … (+{len(numbers) - shown})"


def _short(text: str, limit: int = VALUE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
