"""Render the tidy profile estimates of ``peka.estimate.profile`` as JSON, CSV, XLSX or a terminal table.

The estimates frame has one row per (domain, measure[, indicator]) with the columns of :data:`RECORD_FIELDS`
(``domain`` is a dict column → value, ``{}`` for the whole population). The three file formats hold every record
(they are the output contract); the terminal shows a summary of the same numbers:

* JSON: ``{"peka_version", "design", "estimates": [record, ...]}``; fractions stay in [0, 1]; NaN → ``null``.
* CSV: one row per record, the domain flattened into one column per domain variable (empty for the whole
  population), then the record fields.
* XLSX: one sheet per measure group (monetary, multidimensional, MPI indicators, domains, BPS-14, causes, counts)
  plus a ``desain`` sheet; shares as percentages, P1/P2 as fractions, counts and Rupiah as ``#,##0``; header
  frozen, autofilter; every text cell is written as text, so a domain value such as ``=HYPERLINK(...)`` can never
  run as a formula.
* Terminal (:func:`profile_tables`): a design line, the whole population measure by measure, one wide table per
  domain set (rows = domain values, columns = key measures as "estimate (SE)" with a reliability mark, split to
  fit the console width), the MPI indicators and causes of the whole population, and a note of what is left out;
  Indonesian (default) or English, shares in %, P1/P2/M0 ×100 as BPS publishes them, Rupiah lines.

The document is schema-described in docs/profile-output.md.
"""

from __future__ import annotations

import io
import json
import math
import os
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from peka.deliver.files import XLSX_MAX_ROWS, XLSX_OPTIONS, write_bytes
from peka.errors import UsageError
from peka.present.labels import catalogue
from peka.present.numbers import format_number, format_rupiah
from peka.schema.classified import SEGMENT_COLUMNS

Lang = Literal["id", "en"]
Format = Literal["table", "csv", "json", "xlsx"]
FORMATS: tuple[str, ...] = ("table", "csv", "json", "xlsx")

# the fields of one estimate record, in output order (docs/profile-output.md)
RECORD_FIELDS: tuple[str, ...] = (
    "domain", "measure", "indicator", "estimate", "se", "ci_low", "ci_high", "rse", "flag", "n", "weighted_n",
)
NUMBER_FIELDS = ("estimate", "se", "ci_low", "ci_high", "rse", "weighted_n")

# measure groups: sheet / table name per language, measures in display order
MEASURE_GROUPS: tuple[tuple[str, dict[str, str], tuple[str, ...]], ...] = (
    ("monetary", {"id": "moneter", "en": "monetary"}, ("P0", "P1", "P2", "extreme")),
    ("multidimensional", {"id": "multidimensi", "en": "multidimensional"}, ("H", "A", "M0")),
    ("mpi_indicators", {"id": "indikator_mpi", "en": "mpi_indicators"},
     ("h_uncensored", "h_censored", "contribution")),
    ("domains", {"id": "domain", "en": "domains"}, ("pop_share",)),
    ("bps14", {"id": "bps14", "en": "bps14"}, ("bps14_poor",)),
    ("causes", {"id": "penyebab", "en": "causes"}, ("cause_share", "cause_ratio")),
    ("counts", {"id": "jumlah", "en": "counts"}, ("households", "persons")),
)

# how each measure's value is shown: share (fraction in [0, 1]), index (P1/P2: fraction, ×100 on screen as BPS
# does), ratio (a plain number), count (weighted households/persons)
MEASURE_KIND: dict[str, str] = {
    "P0": "share", "P1": "index", "P2": "index", "extreme": "share", "H": "share", "A": "share", "M0": "index",
    "h_uncensored": "share", "h_censored": "share", "contribution": "share", "pop_share": "share",
    "bps14_poor": "share", "cause_share": "share", "cause_ratio": "ratio", "households": "count",
    "persons": "count",
}



def profile_labels(group: str) -> dict[str, dict[str, str]]:
    """A group of the profile's display texts from the one label catalogue (``[profile.<group>]`` in
    ``peka/data/labels.toml``), each ``{"id": ..., "en": ...}``."""
    return dict(catalogue()["profile"][group])


# headings shared by the terminal tables (the measure names are in the terminal section below)
HEADINGS: dict[str, dict[str, str]] = profile_labels("heading")
RUPIAH_KEYS = ("poverty_line", "extreme_line", "line")  # design entries holding Rupiah amounts

# Excel number formats (the cell keeps the exact value; only the display changes)
XLSX_FORMATS: dict[str, str] = {"share": "0.00%", "index": "0.00000", "ratio": "0.000", "count": "#,##0"}
RUPIAH_FORMAT = "#,##0"
# text a spreadsheet may read as a formula (formula injection, OWASP "CSV injection")
FORMULA_PREFIXES = ("=", "+", "-", "@")


# ---- records ----------------------------------------------------------------------------------------------------


def _clean(value: Any) -> Any:
    """A JSON-ready scalar: numpy → Python, NaN/inf/NA → None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _domain_value(value: Any) -> str | None:
    cleaned = _clean(value)
    return None if cleaned is None else str(cleaned)


def estimate_records(estimates: pd.DataFrame) -> list[dict[str, Any]]:
    """The estimates as a list of JSON-ready dicts with exactly the keys of :data:`RECORD_FIELDS`.

    Domain values are strings (codes keep their leading zeros), a missing indicator is ``None``, NaN → ``None``,
    ``n`` is an int.

    >>> frame = pd.DataFrame([{"domain": {}, "measure": "P0", "indicator": None, "estimate": 0.25, "se": 0.01,
    ...     "ci_low": 0.23, "ci_high": 0.27, "rse": 0.04, "flag": "reliable", "n": 120, "weighted_n": 5400.0}])
    >>> estimate_records(frame)[0]["domain"], estimate_records(frame)[0]["indicator"]
    ({}, None)
    """
    missing = [f for f in RECORD_FIELDS if f not in estimates.columns]
    if missing:
        raise ValueError(f"estimates lack column(s) {', '.join(missing)}")
    columns = {f: estimates[f].tolist() for f in RECORD_FIELDS}
    records = []
    for i in range(len(estimates)):  # output records, not data rows: one per estimate
        domain = columns["domain"][i]
        domain = {} if domain is None or (isinstance(domain, float) and math.isnan(domain)) else domain
        record: dict[str, Any] = {
            "domain": {str(k): _domain_value(v) for k, v in dict(domain).items()},
            "measure": str(columns["measure"][i]),
            "indicator": _domain_value(columns["indicator"][i]),
        }
        for f in ("estimate", "se", "ci_low", "ci_high", "rse"):
            record[f] = _clean(_as_float(columns[f][i]))
        record["flag"] = _domain_value(columns["flag"][i])
        n = _clean(columns["n"][i])
        record["n"] = None if n is None else int(n)
        record["weighted_n"] = _clean(_as_float(columns["weighted_n"][i]))
        records.append(record)
    return records


def _as_float(value: Any) -> float | None:
    cleaned = _clean(value)
    return None if cleaned is None else float(cleaned)


def profile_document(estimates: pd.DataFrame, design: Mapping[str, Any], peka_version: str) -> dict[str, Any]:
    """The JSON document: ``{"peka_version": ..., "design": {...}, "estimates": [...]}``."""
    return {"peka_version": peka_version, "design": _clean(dict(design)), "estimates": estimate_records(estimates)}


def profile_json(estimates: pd.DataFrame, design: Mapping[str, Any], peka_version: str) -> str:
    """The JSON document as text (UTF-8, indented, NaN written as ``null``, never as the invalid ``NaN``)."""
    return json.dumps(profile_document(estimates, design, peka_version), ensure_ascii=False, indent=2,
                      allow_nan=False) + "\n"


def domain_columns(estimates: pd.DataFrame) -> list[str]:
    """The domain variables in order of first appearance (``--by`` order)."""
    seen: dict[str, None] = {}
    for domain in estimates["domain"]:
        for key in dict(domain or {}):
            seen.setdefault(str(key), None)
    return list(seen)


def flat_table(estimates: pd.DataFrame) -> pd.DataFrame:
    """One row per record with the domain flattened into columns (empty for the whole population)."""
    records = estimate_records(estimates)
    keys = domain_columns(estimates)
    clash = [k for k in keys if k in RECORD_FIELDS]
    if clash:
        raise UsageError(f"domain column {clash[0]!r} has the name of an output field; rename it before profiling")
    rows = [{**{k: r["domain"].get(k) for k in keys}, **{f: r[f] for f in RECORD_FIELDS if f != "domain"}}
            for r in records]
    frame = pd.DataFrame(rows, columns=[*keys, *[f for f in RECORD_FIELDS if f != "domain"]])
    for k in keys:
        frame[k] = frame[k].astype("str")
    frame["n"] = frame["n"].astype("Int64")
    for f in NUMBER_FIELDS:
        frame[f] = pd.to_numeric(frame[f]).astype("float64")
    return frame


def profile_csv(estimates: pd.DataFrame) -> str:
    """CSV text; numbers with full precision (repr), missing as empty."""
    buffer = io.StringIO()
    flat_table(estimates).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


# ---- XLSX -------------------------------------------------------------------------------------------------------


def _group_of(measure: str) -> str:
    for key, _names, measures in MEASURE_GROUPS:
        if measure in measures:
            return key
    return "other"


def _sheet_name(group: str, lang: Lang) -> str:
    for key, names, _ in MEASURE_GROUPS:
        if key == group:
            return names[lang]
    return {"id": "lainnya", "en": "other"}[lang]


def _write_text(ws: Any, row: int, col: int, text: str, fmt: Any = None) -> None:
    """Text always as a text cell (never a formula or a link, whatever it starts with)."""
    ws.write_string(row, col, text, fmt)


def profile_xlsx(estimates: pd.DataFrame, design: Mapping[str, Any], peka_version: str, *, lang: Lang = "id") -> bytes:
    """The workbook as bytes: a sheet per measure group (only groups with estimates) and a design sheet."""
    import xlsxwriter

    flat = flat_table(estimates)
    keys = domain_columns(estimates)
    flat["_group"] = [_group_of(m) for m in flat["measure"]]
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, **XLSX_OPTIONS})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    number_formats = {kind: workbook.add_format({"num_format": f}) for kind, f in XLSX_FORMATS.items()}
    rse_format = workbook.add_format({"num_format": "0.0%"})
    count_format = workbook.add_format({"num_format": "#,##0"})
    rupiah_format = workbook.add_format({"num_format": RUPIAH_FORMAT})
    columns = [*keys, *[f for f in RECORD_FIELDS if f != "domain"]]
    group_order = [g for g, _, _ in MEASURE_GROUPS] + ["other"]
    for group in group_order:
        part = flat[flat["_group"] == group]
        if part.empty:
            continue
        if len(part) + 1 > XLSX_MAX_ROWS:
            raise UsageError(f"the {group} sheet would exceed the XLSX row limit; write CSV or JSON instead")
        ws = workbook.add_worksheet(_sheet_name(group, lang))
        for c, name in enumerate(columns):
            _write_text(ws, 0, c, name, header)
        values = {name: part[name].tolist() for name in columns}
        for r in range(len(part)):  # output rows (estimates), at most a few thousand
            kind = MEASURE_KIND.get(values["measure"][r], "ratio")
            for c, name in enumerate(columns):
                value = values[name][r]
                if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
                    continue  # empty cell = missing
                if name in ("estimate", "se", "ci_low", "ci_high"):
                    ws.write_number(r + 1, c, float(value), number_formats[kind])
                elif name == "rse":
                    ws.write_number(r + 1, c, float(value), rse_format)
                elif name in ("n", "weighted_n"):
                    ws.write_number(r + 1, c, float(value), count_format)
                else:
                    _write_text(ws, r + 1, c, str(value))
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(part), len(columns) - 1)
        ws.set_column(0, len(columns) - 1, 14)
    ws = workbook.add_worksheet({"id": "desain", "en": "design"}[lang])
    _write_text(ws, 0, 0, "key", header)
    _write_text(ws, 0, 1, "value", header)
    items = [("peka_version", peka_version), *_flatten_design(design)]
    for r, (key, value) in enumerate(items, start=1):
        _write_text(ws, r, 0, key)
        if isinstance(value, bool) or value is None:
            _write_text(ws, r, 1, "" if value is None else str(value).lower())
        elif isinstance(value, (int, float)) and math.isfinite(float(value)):
            rupiah = key.split(".")[-1] in RUPIAH_KEYS or key.startswith("line_values.")
            ws.write_number(r, 1, float(value), rupiah_format if rupiah else None)
        else:
            _write_text(ws, r, 1, str(value))
    ws.freeze_panes(1, 0)
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 60)
    workbook.close()
    return buffer.getvalue()


def _flatten_design(design: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in _clean(dict(design)).items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.extend(_flatten_design(value, prefix=f"{name}."))
        elif isinstance(value, list) and any(isinstance(v, Mapping) for v in value):  # e.g. the MPI indicators
            for i, item in enumerate(value):
                out.extend(_flatten_design(item, prefix=f"{name}.{i}.") if isinstance(item, Mapping)
                           else [(f"{name}.{i}", item)])
        elif isinstance(value, list):
            out.append((name, ", ".join(str(v) for v in value)))
        else:
            out.append((name, value))
    return out


# ---- terminal ---------------------------------------------------------------------------------------------------
#
# The terminal shows an analyst's summary, not every record: the whole population measure by measure; one wide
# table per domain set (rows = domain values, columns = the key measures as "estimate (SE)" with a reliability
# mark), split at measure groups to fit the console width; the MPI indicators and the causes for the whole
# population; and a note of what was left out and where the full tidy output is (CSV/JSON/XLSX, unchanged).

# the key measures of the per-domain tables: (measure, indicator, group), in display order
DOMAIN_COLUMNS: tuple[tuple[str, str | None, str], ...] = (
    ("households", None, "counts"),
    ("persons", None, "counts"),
    ("pop_share", None, "counts"),
    ("P0", None, "monetary"),
    ("P1", None, "monetary"),
    ("P2", None, "monetary"),
    ("extreme", None, "monetary"),
    ("H", None, "multidimensional"),
    ("A", None, "multidimensional"),
    ("M0", None, "multidimensional"),
    ("contribution", "domain", "multidimensional"),
    ("bps14_poor", None, "bps14"),
)
# the domain set of classify's segments ("status/cause"): only these measures are shown for it
SEGMENT_COLUMN = "segment"
SEGMENT_MEASURES: frozenset[tuple[str, str | None]] = frozenset({
    ("households", None), ("persons", None), ("pop_share", None), ("P1", None), ("A", None),
    ("contribution", "domain"), ("bps14_poor", None),
})
# the whole-population summary, in display order
SUMMARY_MEASURES: tuple[str, ...] = ("households", "persons", "P0", "P1", "P2", "extreme", "H", "A", "M0", "bps14_poor")
SHORT_LABELS: dict[tuple[str, str | None], dict[str, str]] = {
    (key.split(":")[0], key.split(":")[1] if ":" in key else None): texts
    for key, texts in profile_labels("short").items()
}  # catalogue key "measure" or "measure:indicator"
SUMMARY_LABELS: dict[str, dict[str, str]] = profile_labels("summary")
GROUP_LABELS: dict[str, dict[str, str]] = profile_labels("group")
# reliability marks appended to an estimate (the legend under the tables explains them)
FLAG_MARKS: dict[str, str] = {"caution": "*", "unreliable": "**", "low_n": "†"}
DESIGN_TEXTS: dict[str, dict[str, str]] = profile_labels("design")
TEXTS: dict[str, dict[str, str]] = profile_labels("text")


def format_value(measure: str, value: float | None, lang: Lang = "id") -> str:
    """One estimate as shown on screen: shares as percentages, P1/P2 (and M0) ×100, ratios, counts."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    kind = MEASURE_KIND.get(measure, "ratio")
    if kind == "share":
        return format_number(100 * value, 2, lang) + "%"
    if kind == "index":
        return format_number(100 * value, 3, lang)
    if kind == "count":
        return format_number(value, 0, lang)
    return format_number(value, 3, lang)


def format_cell(record: Mapping[str, Any], lang: Lang = "id", *, with_se: bool = True) -> str:
    """An estimate as "estimate (SE)" plus its reliability mark: shares in % and P1/P2/M0 ×100 (2 decimals),
    ratios as they are, counts without decimals; ``–`` when there is no estimate (or it was suppressed).

    >>> format_cell({"measure": "P0", "estimate": 0.1629, "se": 0.0078, "flag": "caution"})
    '16,29 (0,78)*'
    """
    measure, estimate, se = record["measure"], record.get("estimate"), record.get("se")
    if estimate is None or (isinstance(estimate, float) and not math.isfinite(estimate)):
        return "–"
    kind = MEASURE_KIND.get(measure, "ratio")
    if kind == "count":
        return format_number(estimate, 0, lang)
    scale = 100.0 if kind in ("share", "index") else 1.0
    text = format_number(scale * estimate, 2, lang)
    if with_se:
        text += f" ({format_number(None if se is None else scale * se, 2, lang)})"
    return text + FLAG_MARKS.get(record.get("flag") or "", "")


def _design_text(design: Mapping[str, Any], lang: Lang) -> str:
    """One line: the design in words (SRS said so), its size, how SEs and intervals are made, singleton strata."""
    kind = str(design.get("type") or "")
    parts = [DESIGN_TEXTS.get(kind, {}).get(lang) or str(design.get("description") or kind or "?")]
    if design.get("weighted") is False:
        parts.append(TEXTS["unweighted"][lang])
    if design.get("n_households") is not None:
        parts.append(TEXTS["counts"][lang].format(
            households=format_number(design.get("n_households"), 0, lang),
            strata=format_number(design.get("n_strata"), 0, lang), psu=format_number(design.get("n_psu"), 0, lang)))
    ci = design.get("ci") or {}
    if ci:
        method = {"normal": "normal", "t": "t"}.get(str(ci.get("method")), str(ci.get("method")))
        parts.append(TEXTS["variance"][lang].format(
            confidence=format_number(100 * float(ci.get("confidence", 0.95)), 0, lang), method=method))
    singletons = design.get("singleton_strata") or []
    if singletons:
        parts.append(TEXTS["singletons"][lang].format(count=len(singletons), rule=design.get("lonely_psu")))
    text = f"{TEXTS['design'][lang]}: " + "; ".join(parts)
    lines = []
    for key, bounds in (design.get("line_values") or {}).items():
        low, high = float(bounds["min"]), float(bounds["max"])
        amount = format_rupiah(low, lang) if low == high else f"{format_rupiah(low, lang)} – {format_rupiah(high, lang)}"
        lines.append(f"{TEXTS['extreme_line' if key == 'extreme_line' else 'line'][lang]}: {amount}")
    if design.get("configuration"):  # which configuration (a classification record, --config, presets) was used
        lines.append(f"{TEXTS['configuration'][lang]}: {configuration_text(design['configuration'], lang)}")
    return text + ("\n" + "; ".join(lines) if lines else "")


def configuration_text(source: Mapping[str, Any], lang: Lang) -> str:
    """Where the configuration came from, in words: ``catatan klasifikasi k.csv.peka.toml``, ``--config c.toml``…"""
    kind = source.get("source")
    if kind == "record":
        parts = [TEXTS["config_record"][lang].format(file=source.get("file"))]
    elif kind == "config" and source.get("file"):
        parts = [TEXTS["config_file"][lang].format(file=source.get("file"))]
    else:
        parts = [TEXTS["config_presets"][lang]]
    parts += [f"--set {item}" for item in source.get("set") or []]
    if source.get("mpi"):
        parts.append(TEXTS["config_mpi"][lang].format(file=source["mpi"]))
    return ", ".join(parts)


def _domain_label(column: str, value: Any, lang: Lang) -> str:
    if value is None:
        return TEXTS["missing"][lang]
    if column == "poverty_status":
        from peka.present.labels import label

        return label("poverty_status", value, lang)
    return str(value)


def _is_trivial(records: list[Mapping[str, Any]]) -> bool:
    """Every estimate of a column is 0 or 1 with zero SE: the domain definition fixes it (P0 within a poverty
    status), so the column says nothing."""
    values = [(r["estimate"], r["se"]) for r in records if r["estimate"] is not None]  # output records, not rows
    return bool(values) and all(e in (0.0, 1.0) and (s or 0.0) == 0.0 for e, s in values)


def _table(title: str, headings: list[tuple[str, str]], rows: list[list[str]], *, width: int | None = None,
           first_row_total: bool = False, section_rows: frozenset[int] = frozenset()) -> Any:
    """A borderless rich table at most ``width`` wide: numbers are never cut; text columns (left-aligned) give way,
    the widest first, wrapping onto more lines (never cut: "Miskin moneter saja" and "Miskin moneter dan
    multidimensi" must stay distinguishable)."""
    from rich import box
    from rich.table import Table

    natural = [max([len(heading), *(len(row[j]) for row in rows)]) for j, (heading, _) in enumerate(headings)]
    text_columns = [j for j, (_, justify) in enumerate(headings) if justify == "left"]
    limits = dict(zip(range(len(natural)), natural))
    if width is not None and text_columns:
        room = width - 3 * (len(headings) - 1) - sum(natural[j] for j in range(len(natural)) if j not in text_columns)
        cap = max(natural[j] for j in text_columns)
        while cap > 8 and sum(min(natural[j], cap) for j in text_columns) > room:  # the widest text gives way first
            cap -= 1
        limits.update({j: min(natural[j], cap) for j in text_columns})
    table = Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, show_edge=False,
                  pad_edge=False)
    for j, (heading, justify) in enumerate(headings):
        text = justify == "left"
        table.add_column(heading, justify=justify, no_wrap=not text, overflow="fold" if text else "ellipsis",  # type: ignore[arg-type]
                         min_width=limits[j], max_width=limits[j])
    for i, row in enumerate(rows):
        bold = (first_row_total and i == 0) or i in section_rows
        table.add_row(*row, style="bold" if bold else None)
    return table


def _fits(table: Any, width: int) -> bool:
    from rich.console import Console

    return Console(width=100_000).measure(table).maximum <= width


def _domain_tables(
    records: list[dict[str, Any]], columns: tuple[str, ...], whole: dict[tuple[str, str | None], dict[str, Any]],
    lang: Lang, width: int,
) -> tuple[list[Any], list[str], int]:
    """The wide tables of one domain set (split at measure groups to fit ``width``), the measures left out as
    trivial, and how many records the tables show."""
    cells: dict[str, dict[tuple[str, str | None], dict[str, Any]]] = {}
    values: dict[str, tuple[Any, ...]] = {}
    for r in records:
        key = json.dumps([r["domain"].get(c) for c in columns], ensure_ascii=False)
        values.setdefault(key, tuple(r["domain"].get(c) for c in columns))
        cells.setdefault(key, {})[(r["measure"], r["indicator"])] = r
    present = [c for c in DOMAIN_COLUMNS if any((c[0], c[1]) in row for row in cells.values())]
    if columns == (SEGMENT_COLUMN,):  # many small cells: the measures that differ between segments
        present = [c for c in present if (c[0], c[1]) in SEGMENT_MEASURES]
    # in classify's status/segment domains some measures are fixed by the definition (P0 = 100% for the monetary
    # poor, 0% for the others): such a column is left out; in the user's own domains everything is shown
    by_definition = set(columns) <= set(SEGMENT_COLUMNS)
    trivial = [c for c in present if by_definition and MEASURE_KIND.get(c[0]) != "count"
               and _is_trivial([row[(c[0], c[1])] for row in cells.values() if (c[0], c[1]) in row])]
    shown = [c for c in present if c not in trivial]
    # row plan: (label cells, cell measures or None for a heading row); segments "status/cause" are grouped under
    # a heading row per poverty status, so the label column holds only the cause
    plan: list[tuple[list[str], dict[tuple[str, str | None], dict[str, Any]] | None]] = []
    heading = None
    for key, row in cells.items():
        cell_values = values[key]
        if columns == (SEGMENT_COLUMN,) and isinstance(cell_values[0], str) and "/" in cell_values[0]:
            status, cause = cell_values[0].split("/", 1)
            if status != heading:
                plan.append(([_domain_label("poverty_status", status, lang)], None))
                heading = status
            plan.append(([f"  {cause}"], row))
            continue
        heading = None
        column_kind = ["poverty_status" if columns == (SEGMENT_COLUMN,) else c for c in columns]
        plan.append(([_domain_label(c, v, lang) for c, v in zip(column_kind, cell_values)], row))
    total_label = [TEXTS["total"][lang]] + [""] * (len(columns) - 1)

    def build(chosen: list[tuple[str, str | None, str]], part: str) -> Any:
        headings = [(c, "left") for c in columns] + [(HEADINGS["n"][lang], "right")]
        headings += [(SHORT_LABELS[(m, i)][lang], "right") for m, i, _ in chosen]
        rows, sections = [], set()
        if whole:
            rows.append(total_label + [format_number(_first_n(whole), 0, lang)] + [
                format_cell(whole[(m, i)], lang) if (m, i) in whole else "" for m, i, _ in chosen])
        for label_cells, row in plan:
            if row is None:
                sections.add(len(rows))
                rows.append(label_cells + [""] * (1 + len(chosen)))
                continue
            rows.append(label_cells + [format_number(_first_n(row), 0, lang)] + [
                format_cell(row[(m, i)], lang) if (m, i) in row else "–" for m, i, _ in chosen])
        title = f"{TEXTS['by'][lang]} {' × '.join(columns)} — {part}"
        return _table(title, headings, rows, width=width, first_row_total=bool(whole),
                      section_rows=frozenset(sections))

    tables: list[Any] = []
    current: list[tuple[str, str | None, str]] = []

    def flush() -> None:
        nonlocal current
        if current:
            tables.append(build(current, ", ".join(GROUP_LABELS[g][lang] for g in dict.fromkeys(c[2] for c in current))))
            current = []

    for group in dict.fromkeys(g for _, _, g in shown):  # whole groups side by side while they fit
        members = [c for c in shown if c[2] == group]
        if _fits(build(current + members, ""), width):
            current = current + members
            continue
        flush()
        if _fits(build(members, ""), width):
            current = members
            continue
        for column in members:  # a group wider than the console: column by column
            if current and not _fits(build(current + [column], ""), width):
                flush()
            current.append(column)
    flush()
    count = sum(1 for row in cells.values() for m, i, _ in shown if (m, i) in row)
    return tables, [m if i is None else f"{m}:{i}" for m, i, _ in trivial], count


def _first_n(row: Mapping[tuple[str, str | None], Mapping[str, Any]]) -> int | None:
    """The unweighted households of a cell: the ``n`` of its household count."""
    for key in (("households", None), ("persons", None)):
        if key in row:
            return row[key]["n"]
    return next(iter(row.values()))["n"] if row else None


def _summary_table(whole: Mapping[tuple[str, str | None], Mapping[str, Any]], lang: Lang, width: int) -> Any | None:
    rows = []
    for measure in SUMMARY_MEASURES:
        r = whole.get((measure, None))
        if r is None:
            continue
        kind = MEASURE_KIND[measure]
        ci = "" if kind == "count" else (
            f"{format_number(_scaled(r['ci_low'], kind), 2, lang)} – {format_number(_scaled(r['ci_high'], kind), 2, lang)}")
        rse = "–" if r["rse"] is None else format_number(100 * r["rse"], 1, lang) + "%"
        rows.append([SUMMARY_LABELS[measure][lang], format_cell(r, lang, with_se=kind != "count"), ci, rse,
                     format_number(r["n"], 0, lang)])
    if not rows:
        return None
    headings = [(TEXTS["measure"][lang], "left"), (TEXTS["estimate_se"][lang], "right"), (HEADINGS["ci"][lang], "right"),
                (HEADINGS["rse"][lang], "right"), (HEADINGS["n"][lang], "right")]
    return _table(TEXTS["summary"][lang], headings, rows, width=width)


def _scaled(value: float | None, kind: str) -> float | None:
    return None if value is None else (100 * value if kind in ("share", "index") else value)


def _indicator_table(whole: Mapping[tuple[str, str | None], Mapping[str, Any]], lang: Lang, width: int, config: Any,
                     dimensions: Mapping[str, str]) -> Any | None:
    """Uncensored and censored headcount and contribution per indicator, under a heading row per dimension that
    carries the dimension's contribution."""
    from peka.present.labels import label

    names = [i for (m, i) in whole if m == "h_uncensored" and i]
    if not names:
        return None
    rows: list[list[str]] = []
    sections: set[int] = set()
    groups = list(dict.fromkeys(dimensions.get(name, "") for name in names))
    for dim in groups:
        members = [name for name in names if dimensions.get(name, "") == dim]
        if dim:
            r = whole.get(("contribution", f"dim:{dim}"))
            sections.add(len(rows))
            rows.append([f"{TEXTS['dimension'][lang]}: {label('dimension', dim, lang)}", "", "",
                         format_cell(r, lang) if r else ""])
        for name in members:
            cells = [whole.get((measure, name)) for measure in ("h_uncensored", "h_censored", "contribution")]
            rows.append([("  " if dim else "") + label("indicator", name, lang, config=config)]
                        + [format_cell(r, lang) if r else "–" for r in cells])
    headings = [(TEXTS["indicator"][lang], "left"), (TEXTS["uncensored"][lang], "right"),
                (TEXTS["censored"][lang], "right"), (TEXTS["contribution"][lang], "right")]
    return _table(TEXTS["indicators"][lang], headings, rows, width=width, section_rows=frozenset(sections))


def _cause_table(whole: Mapping[tuple[str, str | None], Mapping[str, Any]], lang: Lang, width: int, config: Any
                 ) -> Any | None:
    from peka.present.labels import label

    codes = [i for (m, i) in whole if m == "cause_share" and i]
    if not codes:
        return None
    rows = [[label("cause", code, lang, config=config), format_cell(whole[("cause_share", code)], lang),
             format_cell(whole[("cause_ratio", code)], lang) if ("cause_ratio", code) in whole else "–"]
            for code in codes]
    headings = [(TEXTS["cause"][lang], "left"), (TEXTS["cause_share"][lang], "right"),
                (TEXTS["cause_ratio"][lang], "right")]
    return _table(TEXTS["causes"][lang], headings, rows, width=width)


def profile_tables(
    estimates: pd.DataFrame, design: Mapping[str, Any], *, lang: Lang = "id", width: int = 100,
    dimensions: Mapping[str, str] | None = None, config: Any = None,
) -> list[Any]:
    """rich renderables for the terminal, at most ``width`` characters wide: the design line, the whole-population
    summary, one table per domain set (split at measure groups when too wide), the MPI indicators and the causes
    for the whole population, then a legend and a note of what is not shown. ``dimensions`` maps an MPI indicator
    to its dimension (default: from the indicator set in ``design["mpi"]``). The tidy renderings (CSV/JSON/XLSX)
    hold every record."""
    from rich.text import Text

    records = estimate_records(estimates)
    if dimensions is None:
        spec = design.get("mpi") or {}
        dimensions = {str(i["name"]): str(i["dimension"]) for i in spec.get("indicators", [])}
    whole = {(r["measure"], r["indicator"]): r for r in records if not r["domain"]}
    by_set: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for r in records:
        if r["domain"]:
            by_set.setdefault(tuple(r["domain"]), []).append(r)
    def wrapped(text: str) -> str:  # plain lines broken between words at the console width
        return "\n".join(textwrap.fill(line, width, break_on_hyphens=False) for line in text.splitlines())

    out: list[Any] = [Text(wrapped(_design_text(design, lang)))]
    summary = _summary_table(whole, lang, width)
    if summary is not None:
        out.append(summary)
    notes: list[str] = []
    shown = sum(1 for key in whole if key[0] in SUMMARY_MEASURES and key[1] is None)
    for columns, part in by_set.items():
        tables, trivial, count = _domain_tables(part, columns, whole, lang, width)
        out.extend(tables)
        shown += count
        if columns == (SEGMENT_COLUMN,):
            notes.append(TEXTS["segments"][lang])
        if trivial:
            notes.append(TEXTS["trivial"][lang].format(domain=" × ".join(columns), measures=", ".join(trivial)))
    for extra in (_indicator_table(whole, lang, width, config, dimensions), _cause_table(whole, lang, width, config)):
        if extra is not None:
            out.append(extra)
    shown += sum(1 for m, i in whole if m in ("h_uncensored", "h_censored", "contribution", "cause_share",
                                              "cause_ratio") and i)
    min_n = (design.get("reliability") or {}).get("min_n", 30)
    notes.insert(0, TEXTS["legend"][lang].format(min_n=min_n))
    if design.get("skipped"):
        notes.append(TEXTS["skipped"][lang].format("; ".join(str(s) for s in design["skipped"])))
    notes.append(TEXTS["full"][lang].format(shown=format_number(shown, 0, lang),
                                            total=format_number(len(records), 0, lang)))
    out.append(Text(wrapped("\n".join(notes)), style="dim"))
    return out


# ---- writing ----------------------------------------------------------------------------------------------------


def render_profile(
    estimates: pd.DataFrame, design: Mapping[str, Any], peka_version: str, fmt: str, *, lang: Lang = "id"
) -> bytes:
    """The bytes of a ``csv``, ``json`` or ``xlsx`` rendering (the terminal table is :func:`profile_tables`)."""
    if fmt == "json":
        return profile_json(estimates, design, peka_version).encode("utf-8")
    if fmt == "csv":
        return profile_csv(estimates).encode("utf-8")
    if fmt == "xlsx":
        return profile_xlsx(estimates, design, peka_version, lang=lang)
    raise UsageError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


def write_profile(
    estimates: pd.DataFrame, design: Mapping[str, Any], peka_version: str, target: str | os.PathLike[str],
    fmt: str, *, lang: Lang = "id",
) -> Path:
    """Write the rendering atomically to ``target`` (a reader never sees a half-written file)."""
    return write_bytes(render_profile(estimates, design, peka_version, fmt, lang=lang), target)


def format_from_suffix(path: str | os.PathLike[str] | None) -> str | None:
    """``.json``/``.csv``/``.xlsx`` → the format name; anything else → None."""
    if path is None:
        return None
    return {".json": "json", ".csv": "csv", ".xlsx": "xlsx"}.get(Path(path).suffix.lower())


__all__ = [
    "FORMATS", "MEASURE_GROUPS", "MEASURE_KIND", "RECORD_FIELDS", "estimate_records", "flat_table",
    "format_from_suffix", "format_number", "format_rupiah", "format_value", "profile_csv", "profile_document",
    "profile_json", "profile_tables", "profile_xlsx", "render_profile", "write_profile",
]
