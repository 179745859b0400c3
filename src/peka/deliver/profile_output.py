"""Render the tidy profile estimates of ``peka.estimate.profile`` as JSON, CSV, XLSX or a terminal table.

The estimates frame has one row per (domain, measure[, indicator]) with the columns of :data:`RECORD_FIELDS`
(``domain`` is a dict column → value, ``{}`` for the whole population). Every format shows the same numbers:

* JSON: ``{"peka_version", "design", "estimates": [record, ...]}``; fractions stay in [0, 1]; NaN → ``null``.
* CSV: one row per record, the domain flattened into one column per domain variable (empty for the whole
  population), then the record fields.
* XLSX: one sheet per measure group (monetary, multidimensional, MPI indicators, domains, BPS-14, causes, counts)
  plus a ``desain`` sheet; shares as percentages, P1/P2 as fractions, counts and Rupiah as ``#,##0``; header
  frozen, autofilter; every text cell is written as text, so a domain value such as ``=HYPERLINK(...)`` can never
  run as a formula.
* Terminal: rich tables with Indonesian (default) or English headings; shares in %, P1/P2 ×100 as BPS publishes
  them, counts and Rupiah with the language's thousands separator.

The document is schema-described in docs/profile-output.md.
"""

from __future__ import annotations

import io
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from peka.deliver.files import XLSX_MAX_ROWS, XLSX_OPTIONS, write_bytes
from peka.errors import UsageError

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

# display labels. peka.labels (the project catalogue) did not exist when this module was written; these are the
# profile's own headings and measure names, kept here until they move there.
MEASURE_LABELS: dict[str, dict[str, str]] = {
    "P0": {"id": "Persentase penduduk miskin (P0)", "en": "Headcount ratio (P0)"},
    "P1": {"id": "Indeks kedalaman kemiskinan (P1)", "en": "Poverty gap index (P1)"},
    "P2": {"id": "Indeks keparahan kemiskinan (P2)", "en": "Poverty severity index (P2)"},
    "extreme": {"id": "Persentase miskin ekstrem", "en": "Extreme poverty rate"},
    "H": {"id": "Insiden kemiskinan multidimensi (H)", "en": "Multidimensional headcount (H)"},
    "A": {"id": "Intensitas kemiskinan multidimensi (A)", "en": "Intensity of poverty (A)"},
    "M0": {"id": "Indeks kemiskinan multidimensi (M0)", "en": "Adjusted headcount ratio (M0)"},
    "h_uncensored": {"id": "Rasio deprivasi tak tersensor", "en": "Uncensored headcount ratio"},
    "h_censored": {"id": "Rasio deprivasi tersensor", "en": "Censored headcount ratio"},
    "contribution": {"id": "Kontribusi terhadap M0", "en": "Contribution to M0"},
    "pop_share": {"id": "Porsi penduduk", "en": "Population share"},
    "bps14_poor": {"id": "Miskin menurut 14 kriteria BPS", "en": "Poor by the 14 BPS criteria"},
    "cause_share": {"id": "Porsi penyebab di antara rumah tangga miskin", "en": "Cause share among poor households"},
    "cause_ratio": {"id": "Rasio penyebab miskin / tidak miskin", "en": "Cause ratio poor / non-poor"},
    "households": {"id": "Jumlah rumah tangga (tertimbang)", "en": "Households (weighted)"},
    "persons": {"id": "Jumlah penduduk (tertimbang)", "en": "Persons (weighted)"},
}
HEADINGS: dict[str, dict[str, str]] = {
    "domain": {"id": "Domain", "en": "Domain"},
    "measure": {"id": "Ukuran", "en": "Measure"},
    "indicator": {"id": "Indikator", "en": "Indicator"},
    "estimate": {"id": "Estimasi", "en": "Estimate"},
    "se": {"id": "Galat baku", "en": "Std. error"},
    "ci": {"id": "SK 95%", "en": "95% CI"},
    "rse": {"id": "RSE", "en": "RSE"},
    "flag": {"id": "Keandalan", "en": "Reliability"},
    "n": {"id": "n", "en": "n"},
    "weighted_n": {"id": "n tertimbang", "en": "weighted n"},
    "whole": {"id": "Seluruh populasi", "en": "Whole population"},
    "design": {"id": "Desain survei", "en": "Survey design"},
}
FLAG_LABELS: dict[str, dict[str, str]] = {
    "reliable": {"id": "andal", "en": "reliable"},
    "caution": {"id": "hati-hati", "en": "use with caution"},
    "unreliable": {"id": "tidak andal", "en": "unreliable"},
    "low_n": {"id": "n kecil", "en": "small n"},
    "no_rse": {"id": "tanpa RSE", "en": "no RSE"},
    "suppressed": {"id": "disembunyikan", "en": "suppressed"},
}
SEPARATORS: dict[str, tuple[str, str]] = {"id": (".", ","), "en": (",", ".")}  # (thousands, decimal)
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
            ws.write_number(r, 1, float(value), rupiah_format if key.split(".")[-1] in RUPIAH_KEYS else None)
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
        elif isinstance(value, list):
            out.append((name, ", ".join(str(v) for v in value)))
        else:
            out.append((name, value))
    return out


# ---- terminal ---------------------------------------------------------------------------------------------------


def format_number(value: float | None, decimals: int, lang: Lang = "id") -> str:
    """A number with the language's separators: ``format_number(1234567.891, 2, "id") == "1.234.567,89"``."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    thousands, decimal = SEPARATORS[lang]
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def format_rupiah(value: float | None, lang: Lang = "id") -> str:
    """``format_rupiah(609160, "id") == "Rp609.160"`` (Indonesian thousands separator, no decimals)."""
    return "–" if value is None else "Rp" + format_number(value, 0, lang)


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


def _domain_text(domain: Mapping[str, Any], lang: Lang) -> str:
    if not domain:
        return HEADINGS["whole"][lang]
    return ", ".join(f"{k}={v}" for k, v in domain.items())


def profile_tables(estimates: pd.DataFrame, design: Mapping[str, Any], *, lang: Lang = "id") -> list[Any]:
    """rich renderables: a design summary line, then one table per measure (titled with its label; grouped in
    the order of :data:`MEASURE_GROUPS`), rows = domains (and indicators)."""
    from rich.table import Table
    from rich.text import Text

    records = estimate_records(estimates)
    out: list[Any] = [Text(_design_line(design, lang))]
    order = [m for _, _, measures in MEASURE_GROUPS for m in measures]
    order += sorted({r["measure"] for r in records} - set(order))
    for measure in order:
        rows = [r for r in records if r["measure"] == measure]
        if not rows:
            continue
        title = f"{MEASURE_LABELS.get(measure, {}).get(lang, measure)} [{measure}]"
        table = Table(title=title, title_justify="left", title_style="bold")
        with_indicator = any(r["indicator"] for r in rows)
        columns = [("domain", "left")] + ([("indicator", "left")] if with_indicator else [])
        columns += [("estimate", "right"), ("se", "right"), ("ci", "right"), ("rse", "right"), ("flag", "left"),
                    ("n", "right")]
        for key, justify in columns:
            table.add_column(HEADINGS[key][lang], justify=justify, overflow="fold")  # type: ignore[arg-type]
        for r in rows:
            flag = r["flag"]
            cells = [_domain_text(r["domain"], lang)] + ([r["indicator"] or ""] if with_indicator else [])
            cells += [
                format_value(measure, r["estimate"], lang),
                format_value(measure, r["se"], lang),
                f"{format_value(measure, r['ci_low'], lang)} – {format_value(measure, r['ci_high'], lang)}",
                "–" if r["rse"] is None else format_number(100 * r["rse"], 1, lang) + "%",
                FLAG_LABELS.get(flag, {}).get(lang, flag) if flag else "",
                "–" if r["n"] is None else format_number(r["n"], 0, lang),
            ]
            table.add_row(*cells)
        out.append(table)
    return out


def _design_line(design: Mapping[str, Any], lang: Lang) -> str:
    parts = [f"{HEADINGS['design'][lang]}: {design.get('description') or design.get('type') or '?'}"]
    for key, value in _flatten_design(design):
        if key.split(".")[-1] in RUPIAH_KEYS and isinstance(value, (int, float)):
            parts.append(f"{key} = {format_rupiah(float(value), lang)}")
    return "; ".join(parts)


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
