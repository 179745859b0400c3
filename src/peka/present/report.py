"""The report as one neutral document: ordered sections, each with a title, short texts, tables of *numbers* (a
kind per column: share, index, count, rupiah, ratio, number, text) with a reliability flag per cell, and chart
specifications. ``deliver/report/xlsx.py`` and ``deliver/report/html.py`` draw this one document, so the workbook
and the page show the same numbers; only the drawing differs.

Texts come from the label catalogue (``[report.*]`` in ``peka/data/labels.toml``) in the chosen language; the
plain-language paragraphs are generated from the estimates and say when a difference is within sampling error.

>>> mark("caution"), mark("reliable"), mark("low_n")
('*', '', '†')
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from peka.config.provenance import not_confirmed
from peka.present.labels import catalogue, category_label, column_label, label
from peka.present.numbers import Lang, format_count, format_number, format_percent
from peka.present.region_map import RegionMap
from peka.schema.classified import BOOLEAN_COLUMNS, CAUSE_PREFIX
from peka.schema.model import PERSONAL_COLUMNS

ReportData = Any  # peka.jobs.report.ReportData (a job's result: not imported, the layers point down)
Kind = Literal["text", "share", "index", "count", "rupiah", "ratio", "number"]
KINDS: tuple[str, ...] = ("text", "share", "index", "count", "rupiah", "ratio", "number")
FLAG_MARKS: dict[str, str] = {"caution": "*", "unreliable": "**", "low_n": "†", "suppressed": "–"}
LESS_RELIABLE: frozenset[str] = frozenset({"caution", "unreliable", "low_n"})
HOUSEHOLD_SHEET = {"id": "Rumah tangga", "en": "Households"}
RATE_MEASURES = ("P0", "extreme", "H", "A", "bps14_poor")
INDEX_MEASURES = ("P1", "P2", "M0")
# The region tables, split so each prints readably on landscape A4: (measure, kind, with CI). Rates carry their CI;
# the indices are shown as estimates (their CIs are in `peka profile --format json`).
REGION_MONETARY: tuple[tuple[str, Kind, bool], ...] = (
    ("P0", "share", True), ("P1", "index", False), ("P2", "index", False), ("extreme", "share", True),
)
REGION_MULTIDIMENSIONAL: tuple[tuple[str, Kind, bool], ...] = (
    ("H", "share", True), ("A", "share", False), ("M0", "index", False), ("bps14_poor", "share", True),
)
# household columns a printed copy shows (first, in this order): one line per household to check on paper
PRINTED_HOUSEHOLD_COLUMNS = ("hh_id", "kec_name", "desa_name", "hh_size", "exp_pc", "level", "poverty_status",
                             "primary_cause")


def mark(flag: str | None) -> str:
    """The mark a reliability flag puts beside a figure (empty for a reliable one)."""
    return FLAG_MARKS.get(flag or "", "")


@dataclass
class Column:
    key: str
    header: str
    kind: Kind = "text"


@dataclass
class ReportTable:
    """A table stored column by column: ``data[i]`` holds the values of ``columns[i]`` (text, a float/int, or None
    for missing); ``flags[i]`` the reliability flag of each of its cells (None: no flag)."""

    key: str
    title: str
    columns: list[Column]
    data: list[list[Any]]
    flags: list[list[str | None]] = field(default_factory=list)
    note: str | None = None
    media: tuple[str, ...] = ("xlsx", "html")  # where it is drawn (the household table only in the workbook)
    print_columns: int | None = None  # how many leading columns a printed copy shows (None: all)

    def __post_init__(self) -> None:
        if not self.flags:
            self.flags = [[None] * self.n_rows for _ in self.columns]
        if len(self.data) != len(self.columns) or any(len(d) != self.n_rows for d in self.data):
            raise ValueError(f"table {self.key}: every column needs the same number of values")

    @property
    def n_rows(self) -> int:
        return len(self.data[0]) if self.data else 0

    def index(self, key: str) -> int:
        return [c.key for c in self.columns].index(key)

    def values(self, key: str) -> list[Any]:
        return self.data[self.index(key)]


@dataclass
class ChartSpec:
    """``bar_ci``: one bar per row of ``table`` (``category``, ``value``, whiskers ``low``–``high``); ``scatter``:
    one point per row at (``x``, ``y``) labelled by ``category``, with the reference ``cross`` lines."""

    key: str
    kind: Literal["bar_ci", "scatter"]
    title: str
    table: str
    category: str
    value: str | None = None
    low: str | None = None
    high: str | None = None
    x: str | None = None
    y: str | None = None
    cross: tuple[float, float] | None = None
    cross_label: str | None = None
    x_title: str = ""
    y_title: str = ""


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)

    def table(self, key: str) -> ReportTable:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)


@dataclass
class ReportDocument:
    title: str
    subtitle: str
    lang: Lang
    sections: list[Section]
    legend: list[tuple[str, str]]  # (flag, text)
    legend_intro: str
    region_map: RegionMap | None = None  # peka report --boundaries: the P0 map (drawn in the page only)

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    def table(self, key: str) -> ReportTable:
        for section in self.sections:
            for table in section.tables:
                if table.key == key:
                    return table
        raise KeyError(key)


def text(group: str, key: str, lang: str, **values: Any) -> str:
    """A text of the ``[report.<group>]`` catalogue group, placeholders filled."""
    entry = catalogue()["report"][group][key]
    found = entry.get(lang) or entry["id"]
    return found.format(**values) if values else found


def format_value(value: Any, kind: str, lang: str) -> str:
    """A cell as the page shows it (the workbook stores the number and formats it the same way)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if kind == "share":
        return format_percent(value, lang)
    if kind == "index":
        return format_number(value, 3, lang)
    if kind in ("count", "rupiah"):
        return format_count(round(value), lang)
    if kind == "ratio":
        return format_number(value, 2, lang)
    if kind == "number":
        return format_number(value, 2, lang)
    return str(value)


# ---- the estimates, indexed ---------------------------------------------------------------------------------------


class Estimates:
    """The tidy estimates looked up by (domain, measure, indicator)."""

    def __init__(self, estimates: pd.DataFrame) -> None:
        records = estimates.to_dict("records")
        self.by_key: dict[tuple[str, str, str | None], dict[str, Any]] = {}
        self.by_set: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        self.by_domain: dict[str, list[dict[str, Any]]] = {}
        for record in records:  # output records (a few thousand), not data rows
            domain = dict(record["domain"] or {})
            indicator = record["indicator"] if isinstance(record["indicator"], str) else None
            key = _domain_key(domain)
            self.by_key[(key, record["measure"], indicator)] = record
            self.by_set.setdefault(tuple(domain), []).append(record)
            self.by_domain.setdefault(key, []).append(record)

    def of_domain(self, domain: dict[str, Any], measure: str) -> list[dict[str, Any]]:
        """Every estimate of ``measure`` for ``domain`` (all its indicators), in estimation order."""
        return [r for r in self.by_domain.get(_domain_key(domain), []) if r["measure"] == measure]

    def get(self, domain: dict[str, Any], measure: str, indicator: str | None = None) -> dict[str, Any] | None:
        return self.by_key.get((_domain_key(domain), measure, indicator))

    def domains(self, column: str) -> list[dict[str, Any]]:
        """The domains of the margin ``column``, in estimation order."""
        seen: dict[str, dict[str, Any]] = {}
        for record in self.by_set.get((column,), []):
            seen.setdefault(_domain_key(record["domain"]), dict(record["domain"]))
        return list(seen.values())


def _domain_key(domain: dict[str, Any]) -> str:
    return json.dumps({str(k): (None if _missing(v) else str(v)) for k, v in domain.items()}, sort_keys=True)


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _num(value: Any) -> float | None:
    if _missing(value):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


# ---- table builders -----------------------------------------------------------------------------------------------


class TableBuilder:
    """Collects a table column by column, with the flags of the estimate columns."""

    def __init__(self, key: str, title: str) -> None:
        self.key, self.title = key, title
        self.columns: list[Column] = []
        self.data: list[list[Any]] = []
        self.flags: list[list[str | None]] = []

    def add(self, key: str, header: str, kind: Kind, values: Sequence[Any],
            flags: Sequence[str | None] | None = None) -> None:
        self.columns.append(Column(key, header, kind))
        self.data.append([(None if _missing(v) else v) if kind == "text" else _num(v) for v in values])
        self.flags.append(list(flags) if flags is not None else [None] * len(values))

    def add_estimate(self, key: str, header: str, kind: Kind, records: Sequence[dict[str, Any] | None],
                     lang: str, *, ci: bool = True) -> None:
        """Estimate, CI low and CI high columns of ``records`` (None: missing), each cell carrying the flag."""
        flags = [None if r is None else r.get("flag") for r in records]
        self.add(key, header, kind, [None if r is None else r["estimate"] for r in records], flags)
        if ci:
            low, high = text("column", "low", lang), text("column", "high", lang)
            self.add(f"{key}_low", f"{header}: {low}", kind, [None if r is None else r["ci_low"] for r in records],
                     flags)
            self.add(f"{key}_high", f"{header}: {high}", kind, [None if r is None else r["ci_high"] for r in records],
                     flags)

    def build(self, note: str | None = None, media: tuple[str, ...] = ("xlsx", "html"),
              print_columns: int | None = None) -> ReportTable:
        return ReportTable(self.key, self.title, self.columns, self.data, self.flags, note, media, print_columns)


def _estimate_table(key: str, title: str, kind: Kind, measures: Sequence[str], est: Estimates, lang: str,
                    whole: dict[str, Any]) -> ReportTable | None:
    records = [est.get(whole, m) for m in measures]
    kept = [(m, r) for m, r in zip(measures, records) if r is not None]
    if not kept:
        return None
    b = TableBuilder(key, title)
    b.add("measure", text("column", "measure", lang), "text", [text("column", m, lang) for m, _ in kept])
    b.add_estimate("estimate", text("column", "estimate", lang), kind, [r for _, r in kept], lang)
    b.add("rse", text("column", "rse", lang), "share", [r["rse"] for _, r in kept])
    b.add("n", text("column", "n", lang), "count", [r["n"] for _, r in kept])
    b.add("mark", text("column", "mark", lang), "text", [mark(r["flag"]) for _, r in kept])
    return b.build()


# ---- sections -----------------------------------------------------------------------------------------------------


def place_name(data: ReportData, lang: str) -> str:
    """The city/regency the survey covers (``kab_name`` when it has one value), else "the whole population"."""
    for column in ("kab_name", "prov_name"):
        if column in data.table.columns:
            values = data.table[column].dropna().unique()
            if len(values) == 1:
                return str(values[0])
    return text("text", "whole", lang)


def summary_section(data: ReportData, est: Estimates, lang: str) -> Section:
    whole: dict[str, Any] = {}
    section = Section("summary", text("section", "summary", lang))
    p0, h, bps = est.get(whole, "P0"), est.get(whole, "H"), est.get(whole, "bps14_poor")
    if p0 is not None:
        section.paragraphs.append(text(
            "text", "summary", lang, p0=format_percent(p0["estimate"], lang), p0_low=format_percent(p0["ci_low"], lang),
            p0_high=format_percent(p0["ci_high"], lang), h=format_percent(h["estimate"] if h else None, lang),
            bps=format_percent(bps["estimate"] if bps else None, lang)))
    section.paragraphs.append(text("text", "indices", lang))
    counts = TableBuilder("summary_counts", text("table", "counts", lang))
    rows = [r for r in (est.get(whole, "households"), est.get(whole, "persons")) if r is not None]
    if rows:
        counts.add("measure", text("column", "measure", lang), "text",
                   [text("column", r["measure"], lang) for r in rows])
        counts.add_estimate("estimate", text("column", "estimate", lang), "count", rows, lang)
        counts.add("n", text("column", "n", lang), "count", [r["n"] for r in rows])
        section.tables.append(counts.build())
    for table in (_estimate_table("summary_rates", text("table", "rates", lang), "share", RATE_MEASURES, est, lang,
                                  whole),
                  _estimate_table("summary_indices", text("table", "indices", lang), "index", INDEX_MEASURES, est,
                                  lang, whole)):
        if table is not None:
            section.tables.append(table)
    published = published_table(data, p0, lang)
    if published is not None:
        section.tables.append(published)
    lines = data.design.get("line_values") or {}
    if lines:
        b = TableBuilder("summary_lines", text("table", "lines", lang))
        keys = [k for k in ("poverty_line", "extreme_line") if k in lines]
        b.add("line", text("column", "line", lang), "text", [column_label(k, lang) for k in keys])
        b.add("min", text("column", "min", lang), "rupiah", [lines[k]["min"] for k in keys])
        b.add("max", text("column", "max", lang), "rupiah", [lines[k]["max"] for k in keys])
        section.tables.append(b.build(note=text("text", "lines_period", lang)))
    return section


Z_CRITICAL = 1.959964  # two-sided 5 %


def published_table(data: ReportData, p0: dict[str, Any] | None, lang: str) -> ReportTable | None:
    """The survey's P0 beside the published P0 of the same period (province, national): the difference and
    z = (P0 − published) / SE(P0), the published value treated as fixed (its own sampling error is not known here)."""
    published = getattr(data, "published", None) or []
    if p0 is None or not published:
        return None
    estimate, se = _num(p0["estimate"]), _num(p0.get("se"))
    b = TableBuilder("summary_published", text("bantuan", "published_table", lang))
    b.add("area", text("bantuan", "area", lang), "text", [e["area"] for e in published])
    b.add("published", text("bantuan", "published", lang), "share", [e["value"] for e in published])
    b.add("P0", text("column", "P0", lang), "share", [estimate] * len(published))
    diff = [None if estimate is None else estimate - e["value"] for e in published]
    b.add("difference", text("bantuan", "difference", lang), "share", diff)
    z = [None if d is None or not se else d / se for d in diff]
    b.add("z", "z", "number", z)
    b.add("significant", text("bantuan", "significant", lang), "text",
          [None if v is None else text("text", "yes" if abs(v) > Z_CRITICAL else "no", lang) for v in z])
    b.add("source", text("column", "source", lang), "text", [e["source"] for e in published])
    b.add("status", text("column", "status", lang), "text",
          [label("source_status", e["status"], lang) for e in published])
    return b.build(note=text("bantuan", "published_note", lang))


def _sorted_domains(est: Estimates, column: str) -> list[dict[str, Any]]:
    """Domains of a margin by P0, highest first (domains without P0 last)."""
    domains = est.domains(column)

    def key(domain: dict[str, Any]) -> float:
        record = est.get(domain, "P0")
        value = None if record is None else _num(record["estimate"])
        return -value if value is not None else math.inf

    return sorted(domains, key=key)


def _domain_label(value: Any, column: str, lang: str, config: Any = None) -> str:
    if _missing(value):
        return text("text", "missing", lang)
    if column == "head_age_group":
        return str(value)
    return category_label(column, value, lang)


def region_tables(est: Estimates, column: str, lang: str) -> list[ReportTable]:
    """The monetary table (P0 and extreme poverty with CI, P1, P2) and the multidimensional one (H and BPS-14 with
    CI, A, M0) of the margin ``column``, both in the same row order (P0, highest first); short headers, explained
    in the table note."""
    domains = _sorted_domains(est, column)
    region = column_label(column, lang)
    names = [_domain_label(d[column], column, lang) for d in domains]
    first = [est.get(d, "households") for d in domains]
    tables = []
    for key, kind, measures in (("region", "region", REGION_MONETARY),
                                ("region_mpi", "region_mpi", REGION_MULTIDIMENSIONAL)):
        present = [(m, k, ci) for m, k, ci in measures if any(est.get(d, m) is not None for d in domains)]
        if not present:
            continue
        b = TableBuilder(f"{key}_{column}", text("table", kind, lang, region=region))
        b.add("region", region, "text", names)
        b.add("n", text("short", "n", lang), "count", [None if r is None else r["n"] for r in first])
        if key == "region":
            b.add("n_psu", text("short", "n_psu", lang), "count", [None if r is None else r["n_psu"] for r in first])
            b.add("persons", text("short", "persons", lang), "count",
                  [None if r is None else r["estimate"] for r in (est.get(d, "persons") for d in domains)])
        for measure, measure_kind, ci in present:
            b.add_estimate(measure, text("short", measure, lang), measure_kind, [est.get(d, measure) for d in domains],
                           lang, ci=ci)
        tables.append(b.build(note=text("text", f"{key}_legend", lang)))
    return tables


def regions_section(data: ReportData, est: Estimates, lang: str) -> Section:
    place = place_name(data, lang)
    section = Section("regions", text("section", "regions", lang))
    if not data.regions:
        section.paragraphs.append(text("text", "no_regions", lang))
        return section
    section.paragraphs.append(text("text", "regions_intro", lang, place=place))
    section.paragraphs.extend(region_paragraphs(data, est, lang))
    whole: dict[str, Any] = {}
    p0, p1 = est.get(whole, "P0"), est.get(whole, "P1")
    for column in data.regions:
        tables = region_tables(est, column, lang)
        section.tables.extend(tables)
        if not tables or tables[0].key != f"region_{column}":
            continue
        table = tables[0]
        name = column_label(column, lang)
        if "P0" in [c.key for c in table.columns]:
            section.charts.append(ChartSpec(
                f"p0_{column}", "bar_ci", text("text", "chart_p0", lang, region=name), table.key, "region",
                value="P0", low="P0_low", high="P0_high", x_title=name, y_title="P0"))
        if p0 is not None and p1 is not None and "P1" in [c.key for c in table.columns]:
            section.charts.append(ChartSpec(
                f"quadrant_{column}", "scatter", text("text", "chart_quadrant", lang, region=name), table.key,
                "region", x="P0", y="P1", cross=(float(p0["estimate"]), float(p1["estimate"])),
                cross_label=text("text", "crossing", lang, place=place), x_title="P0", y_title="P1"))
    return section


def _top(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    kept = [r for r in records if _num(r["estimate"]) is not None]
    return max(kept, key=lambda r: r["estimate"]) if kept else None


def region_paragraphs(data: ReportData, est: Estimates, lang: str) -> list[str]:
    """One plain-language paragraph per region of the coarsest level (per the whole population when there is only
    one level): its rate, the sub-region with the highest rate and whether its CI lies above the overall rate, the
    dimension contributing most, the most common cause — with the reliability said out loud."""
    place = place_name(data, lang)
    whole: dict[str, Any] = {}
    city = est.get(whole, "P0")
    if city is None:
        return []
    coarse, fine = data.regions[0], data.regions[-1]
    parents: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    if len(data.regions) > 1:
        pairs = data.table[[coarse, fine]].drop_duplicates()
        children = _sorted_domains(est, fine)
        for domain in _sorted_domains(est, coarse):
            inside = set(pairs.loc[pairs[coarse].astype("object").eq(domain[coarse]), fine].dropna().astype(str))
            parents.append((domain, [d for d in children if str(d[fine]) in inside]))
    else:
        parents.append((whole, _sorted_domains(est, fine)))
    paragraphs = []
    for domain, children in parents:
        parts = []
        if domain:
            own = est.get(domain, "P0")
            if own is not None:
                parts.append(text("text", "region_lead", lang, region=column_label(coarse, lang).lower(),
                                  name=_domain_label(domain[coarse], coarse, lang),
                                  p0=format_percent(own["estimate"], lang), low=format_percent(own["ci_low"], lang),
                                  high=format_percent(own["ci_high"], lang)))
        top = next((c for c in children if est.get(c, "P0") is not None), None)
        if top is not None:
            r = est.get(top, "P0")
            assert r is not None  # top was chosen as the first child with a P0
            parts.append(text("text", "highest", lang, child=column_label(fine, lang),
                              name=_domain_label(top[fine], fine, lang), p0=format_percent(r["estimate"], lang),
                              low=format_percent(r["ci_low"], lang), high=format_percent(r["ci_high"], lang)))
            above = _num(r["ci_low"]) is not None and r["ci_low"] > city["estimate"]
            parts.append(text("text", "above" if above else "overlaps", lang, place=place,
                              city=format_percent(city["estimate"], lang)))
            if r.get("flag") in LESS_RELIABLE:
                parts.append(text("text", "unsure", lang, flag=text("flag", r["flag"], lang,
                                                                      min_n=_min_n(data)).lstrip("*† ")))
        dims = [r for r in est.of_domain(domain, "contribution") if str(r["indicator"] or "").startswith("dim:")]
        top_dim = _top(dims)
        if top_dim is not None:
            parts.append(text("text", "top_dimension", lang,
                              dimension=label("dimension", top_dim["indicator"][4:], lang).lower(),
                              share=format_percent(top_dim["estimate"], lang)))
        causes = est.of_domain(domain, "cause_share")
        top_cause = _top(causes)
        if top_cause is not None:
            cluster = next((c.cluster for c in data.config.causes.catalogue if c.code == top_cause["indicator"]), "–")
            parts.append(text("text", "top_cause", lang,
                              cause=label("cause", top_cause["indicator"], lang, config=data.config).lower(),
                              share=format_percent(top_cause["estimate"], lang), cluster=cluster))
        if parts:
            paragraphs.append(" ".join(parts))
    return paragraphs


def _min_n(data: ReportData) -> int:
    return int((data.design.get("reliability") or {}).get("min_n", 30))


def profile_section(data: ReportData, est: Estimates, lang: str) -> Section:
    section = Section("profile", text("section", "profile", lang), [text("text", "profile_intro", lang)])
    if data.missing_characteristics:
        section.paragraphs.append(text("text", "profile_missing", lang, columns=", ".join(
            f"{column_label(c, lang)} ({c})" for c in data.missing_characteristics)))
    overall = est.get({}, "P0")
    for column in data.characteristics:
        domains = est.domains(column)
        name = column_label(column, lang) if column != "head_age_group" else _age_title(lang)
        b = TableBuilder(f"profile_{column}", text("table", "characteristic", lang, characteristic=name))
        b.add("category", name, "text", [_domain_label(d[column], column, lang) for d in domains])
        b.add("n", text("column", "n", lang), "count",
              [None if (r := est.get(d, "households")) is None else r["n"] for d in domains])
        p0 = [est.get(d, "P0") for d in domains]
        b.add_estimate("P0", text("column", "P0", lang), "share", p0, lang)
        shares = [est.get(d, "pop_share") for d in domains]
        poor_share = [None if (a is None or s is None or overall is None or not overall["estimate"])
                      else a["estimate"] * s["estimate"] / overall["estimate"] for a, s in zip(p0, shares)]
        b.add("poor_share", text("column", "poor_share", lang), "share", poor_share)
        b.add("pop_share", text("column", "pop_share", lang), "share",
              [None if s is None else s["estimate"] for s in shares], [None if s is None else s["flag"] for s in shares])
        section.tables.append(b.build())
    groups = group_table(data, lang)
    if groups is not None:
        section.tables.append(groups)
    return section


def group_table(data: ReportData, lang: str) -> ReportTable | None:
    """P0 of children, the elderly, women and persons with disability, each a person population (weight × members of
    the group, as ``peka profile --population``), with the estimated number of such persons."""
    groups = getattr(data, "groups", None)
    if groups is None or not len(groups):
        return None
    records = groups.to_dict("records")
    b = TableBuilder("profile_groups", text("bantuan", "groups_table", lang))
    b.add("group", text("bantuan", "group", lang), "text", [text("bantuan", r["population"], lang) for r in records])
    b.add("persons", text("column", "persons", lang), "count", [r["persons"] for r in records])
    b.add_estimate("P0", text("column", "P0", lang), "share", records, lang)
    b.add("n", text("column", "n", lang), "count", [r["n"] for r in records])
    return b.build(note=text("bantuan", "groups_note", lang))


RECEIPT_LABELS = {"recv_pkh": "PKH", "recv_bpnt": "BPNT", "recv_pbi": "PBI-JK", "recv_pip": "PIP", "recv_rtlh": "RTLH"}
RECEIPT_HEADERS = (("coverage", "coverage"), ("inclusion_error_nontarget", "nonpoor"),
                   ("inclusion_error_beneficiaries", "leakage"))


def _receipt_flag(estimate: Any, se: Any, n: Any, data: ReportData) -> str | None:
    """The reliability flag of a receipt share, by the thresholds of the profile (n, then the RSE)."""
    rel = data.design.get("reliability") or {}
    value, error = _num(estimate), _num(se)
    if n is not None and n < int(rel.get("min_n", 30)):
        return "low_n"
    if value is None or value == 0 or error is None:
        return None
    rse = error / abs(value)
    if rse <= float(rel.get("reliable_rse_max", 0.25)):
        return None
    return "caution" if rse <= float(rel.get("caution_rse_max", 0.5)) else "unreliable"


def _receipt_table(key: str, title: str, rows: pd.DataFrame, data: ReportData, lang: str,
                   with_desil: bool) -> ReportTable:
    wide = rows.pivot_table(index=["selection", "domain_code"], columns="measure", values=["estimate", "se", "n"],
                            aggfunc="first", sort=False, dropna=False)
    order = {c: i for i, c in enumerate(RECEIPT_LABELS)}
    keys = sorted(wide.index, key=lambda k: (order.get(k[0], 99), _desil_order(k[1])))
    b = TableBuilder(key, title)
    b.add("programme", text("bantuan", "programme", lang), "text", [RECEIPT_LABELS.get(k[0], k[0]) for k in keys])
    if with_desil:
        b.add("desil", text("bantuan", "desil", lang), "text", [k[1] for k in keys])
    for measure, short in RECEIPT_HEADERS:
        est = [wide.loc[k, ("estimate", measure)] for k in keys]
        se = [wide.loc[k, ("se", measure)] for k in keys]
        n = [wide.loc[k, ("n", measure)] for k in keys]
        flags = [_receipt_flag(e, s, c, data) for e, s, c in zip(est, se, n)]
        b.add(short, text("bantuan", short, lang), "share", est, flags)
        b.add(f"{short}_se", f"{text('bantuan', short, lang)}: SE", "share", se, flags)
    b.add("n", text("column", "n", lang), "count", [wide.loc[k, ("n", "coverage")] for k in keys])
    return b.build(note=text("bantuan", "receipt_note", lang))


def _desil_order(code: Any) -> float:
    try:
        return float(code)
    except (TypeError, ValueError):
        return math.inf


def bantuan_section(data: ReportData, lang: str) -> Section:
    """Receipt of PKH, BPNT, PBI-JK, PIP and RTLH among the monetary poor and non-poor (coverage, leakage) for the
    whole population and by DTSEN desil, from ``peka.targeting.accuracy``; what is missing said out loud."""
    section = Section("bantuan", text("bantuan", "section", lang), [text("bantuan", "intro", lang)])
    missing = list(getattr(data, "missing_receipt", []) or [])
    receipt = getattr(data, "receipt", None)
    absent = [RECEIPT_LABELS[c] + f" ({c})" for c in missing if c in RECEIPT_LABELS]
    if absent:
        section.paragraphs.append(text("bantuan", "missing", lang, columns=", ".join(absent)))
    if receipt is None or not len(receipt):
        section.paragraphs.append(text("bantuan", "none", lang))
        return section
    whole = receipt[receipt["domain_level"] == "all"]
    section.tables.append(_receipt_table("receipt", text("bantuan", "receipt_table", lang), whole, data, lang, False))
    by_desil = receipt[receipt["domain_level"] == "desil"]
    if len(by_desil):
        section.tables.append(_receipt_table("receipt_desil", text("bantuan", "receipt_desil_table", lang), by_desil,
                                             data, lang, True))
    elif "desil" in missing:
        section.paragraphs.append(text("bantuan", "no_desil", lang))
    return section


def _age_title(lang: str) -> str:
    return {"id": "Kelompok umur kepala", "en": "Head's age group"}[lang]


def dimensions_section(data: ReportData, est: Estimates, lang: str) -> Section:
    section = Section("dimensions", text("section", "dimensions", lang))
    mpi = (data.design.get("mpi") or {}).get("indicators") or []
    whole: dict[str, Any] = {}
    h, a, m0 = est.get(whole, "H"), est.get(whole, "A"), est.get(whole, "M0")
    if not mpi or m0 is None or h is None:  # H and M0 come from one measure plan: both or neither
        section.paragraphs.append(text("text", "no_mpi", lang))
        return section
    section.paragraphs.append(text("text", "dimensions_intro", lang, h=format_percent(h["estimate"], lang),
                                   a=format_percent(a["estimate"] if a else None, lang),
                                   m0=format_number(m0["estimate"], 3, lang)))
    dims = list(dict.fromkeys(i["dimension"] for i in mpi))
    b = TableBuilder("dimensions", text("table", "dimensions", lang))
    b.add("dimension", text("column", "dimension", lang), "text", [label("dimension", d, lang) for d in dims])
    b.add("weight", text("column", "weight", lang), "share",
          [sum(i["weight"] for i in mpi if i["dimension"] == d) for d in dims])
    b.add_estimate("contribution", text("column", "contribution", lang), "share",
                   [est.get(whole, "contribution", f"dim:{d}") for d in dims], lang)
    section.tables.append(b.build())
    section.charts.append(ChartSpec("contributions", "bar_ci", text("text", "chart_dimensions", lang), "dimensions",
                                    "dimension", value="contribution", low="contribution_low",
                                    high="contribution_high", x_title=text("column", "dimension", lang),
                                    y_title=text("column", "contribution", lang)))
    b = TableBuilder("indicators", text("table", "indicators", lang))
    b.add("indicator", text("column", "indicator", lang), "text",
          [label("indicator", i["name"], lang, config=data.config) for i in mpi])
    b.add("dimension", text("column", "dimension", lang), "text", [label("dimension", i["dimension"], lang)
                                                                    for i in mpi])
    b.add("weight", text("column", "weight", lang), "share", [i["weight"] for i in mpi])
    for measure in ("h_uncensored", "h_censored", "contribution"):
        b.add_estimate(measure, text("column", measure, lang), "share",
                       [est.get(whole, measure, i["name"]) for i in mpi], lang, ci=measure != "h_uncensored")
    section.tables.append(b.build())
    if data.regions:  # the dimensions' contributions in each domain of the first region level (e.g. kecamatan)
        column = data.regions[0]
        domains = est.domains(column)
        if domains:
            b = TableBuilder(f"dimensions_{column}", text("table", "dimensions_by", lang,
                                                         region=column_label(column, lang)))
            b.add(column, column_label(column, lang), "text", [str(d[column]) for d in domains])
            for d in dims:
                b.add_estimate(f"dim_{d}", label("dimension", d, lang), "share",
                               [est.get(domain, "contribution", f"dim:{d}") for domain in domains], lang, ci=False)
            section.tables.append(b.build())
    return section


def causes_section(data: ReportData, est: Estimates, lang: str) -> Section:
    section = Section("causes", text("section", "causes", lang), [text("text", "causes_intro", lang)])
    whole: dict[str, Any] = {}
    catalogue_ = [c for c in data.config.causes.active]
    shares = [(c, est.get(whole, "cause_share", c.code)) for c in catalogue_]
    rows = sorted([(c, r) for c, r in shares if r is not None], key=lambda cr: -(_num(cr[1]["estimate"]) or 0))
    if rows:
        b = TableBuilder("causes", text("table", "causes", lang))
        b.add("cause", text("column", "cause", lang), "text",
              [label("cause", c.code, lang, config=data.config) for c, _ in rows])
        b.add("cluster", text("column", "cluster", lang), "text", [label("cluster", c.cluster, lang) for c, _ in rows])
        b.add("programs", text("column", "programs", lang), "text", ["; ".join(c.programs) for c, _ in rows])
        b.add_estimate("cause_share", text("column", "cause_share", lang), "share", [r for _, r in rows], lang)
        ratios = [est.get(whole, "cause_ratio", c.code) for c, _ in rows]
        b.add("cause_ratio", text("column", "cause_ratio", lang), "ratio",
              [None if r is None else r["estimate"] for r in ratios], [None if r is None else r["flag"] for r in ratios])
        b.add("n", text("column", "n", lang), "count", [r["n"] for _, r in rows])
        section.tables.append(b.build())
    clusters = data.clusters
    if len(clusters) and data.regions:
        region = data.regions[-1]
        frame = clusters.copy()
        labels = [text("text", "missing", lang) if v == "" else _domain_label(v, region, lang)
                  for v in frame["region"]]
        b = TableBuilder("clusters", text("table", "clusters", lang, region=column_label(region, lang)))
        b.add("region", column_label(region, lang), "text", [*labels, text("text", "total", lang)])
        for key in ("poor_households", "poor_n", "cluster_1", "cluster_2", "cluster_3", "cluster_4"):
            header = (text("column", key, lang) if not key.startswith("cluster_")
                      else label("cluster", key[-1], lang).split(":")[0])
            values = frame[key].astype(float).tolist()
            b.add(key, header, "count", [*values, float(np.sum(values))])
        section.tables.append(b.build(note="; ".join(label("cluster", c, lang) for c in (1, 2, 3, 4))))
    return section


def sensitivity_section(data: ReportData, lang: str) -> Section:
    section = Section("sensitivity", text("section", "sensitivity", lang), [text("text", "sensitivity_intro", lang)])
    lines = data.line_sensitivity
    if len(lines):
        b = TableBuilder("line_scale", text("table", "line_scale", lang))
        b.add("scale", text("column", "scale", lang).strip(), "share", lines["scale"].tolist())
        b.add("line_min", text("column", "min", lang), "rupiah", lines["line_min"].tolist())
        b.add("line_max", text("column", "max", lang), "rupiah", lines["line_max"].tolist())
        b.add_estimate("P0", text("column", "P0", lang), "share", lines.to_dict("records"), lang)
        section.tables.append(b.build())
    ks = data.k_sensitivity
    if len(ks):
        b = TableBuilder("k_values", text("table", "k_values", lang))
        b.add("k", text("column", "k", lang), "share", ks["k"].tolist())
        b.add_estimate("H", text("column", "H", lang), "share", ks.to_dict("records"), lang)
        b.add("configured", text("column", "configured", lang), "text",
              ["✓" if c else "" for c in ks["configured"].tolist()])
        section.tables.append(b.build())
    return section


def method_section(data: ReportData, lang: str) -> Section:
    section = Section("method", text("section", "method", lang), [text("text", "method_intro", lang)])
    doubtful = not_confirmed(data.config, used_only=True)
    if doubtful:
        b = TableBuilder("unconfirmed", text("table", "unconfirmed", lang))
        b.add("setting", text("column", "setting", lang), "text", [s.key for s in doubtful])
        b.add("value", text("column", "value", lang), "text", [s.value for s in doubtful])
        b.add("status", text("column", "status", lang), "text", [label("source_status", s.status, lang)
                                                                  for s in doubtful])
        b.add("source", text("column", "source", lang), "text", [s.source or s.note or "" for s in doubtful])
        section.tables.append(b.build())
    else:
        section.paragraphs.append(text("text", "all_confirmed", lang))
    b = TableBuilder("inputs", text("table", "inputs", lang))
    b.add("file", text("column", "file", lang), "text", [f.name for f in data.inputs])
    b.add("sha256", text("column", "sha256", lang), "text", [f.sha256 for f in data.inputs])
    b.add("bytes", text("column", "bytes", lang), "count", [f.size for f in data.inputs])
    section.tables.append(b.build())
    tables = list(data.rows_in)
    b = TableBuilder("rows", text("table", "rows", lang))
    b.add("table", text("column", "table", lang), "text",
          [label("validate", "households" if t == "household" else "persons", lang) for t in tables])
    b.add("rows_in", text("column", "rows_in", lang), "count", [data.rows_in[t] for t in tables])
    b.add("processed", text("column", "processed", lang), "count", [data.processed.get(t, 0) for t in tables])
    b.add("rejected", text("column", "rejected", lang), "count", [data.rejected.get(t, 0) for t in tables])
    section.tables.append(b.build())
    items = _design_items(data)
    b = TableBuilder("design", text("table", "design", lang))
    b.add("key", text("column", "key", lang), "text", [k for k, _ in items])
    b.add("value", text("column", "value", lang), "text", [v for _, v in items])
    section.tables.append(b.build())
    configuration = data.design.get("configuration") or {}
    section.paragraphs.append(text("text", "version", lang, version=data.peka_version,
                                   configuration=configuration.get("file") or configuration.get("source", "")))
    return section


def _design_items(data: ReportData) -> list[tuple[str, str]]:
    design = data.design
    keys = ("description", "variance", "weight", "strata", "psu", "n_households", "n_strata", "n_psu", "df",
            "lonely_psu", "welfare", "poverty_line", "extreme_line")
    items = [(k, str(design[k])) for k in keys if design.get(k) is not None]
    ci = design.get("ci") or {}
    if ci:
        items.append(("ci", f"{ci.get('confidence')} ({ci.get('method')})"))
    rel = design.get("reliability") or {}
    if rel:
        items.append(("reliability", ", ".join(f"{k} = {v}" for k, v in rel.items())))
    mpi = design.get("mpi") or {}
    if mpi:
        items.append(("mpi.k", f"{mpi.get('k'):.4g}"))
    items.append(("configuration", json.dumps(design.get("configuration") or {}, ensure_ascii=False)))
    items.append(("peka_version", data.peka_version))
    return items


# columns of the classified table shown with a number format (the rest as text, codes as labels)
RUPIAH_COLUMNS = frozenset({"exp_pc", "exp_hh", "poverty_line", "extreme_line", "head_income", "savings_value"})
SHARE_COLUMNS = frozenset({"poverty_gap"})
LABELLED = {"level": "level", "poverty_status": "poverty_status", "primary_cause": "cause"}


def household_table(data: ReportData, lang: str, *, max_rows: int) -> ReportTable | None:
    """The classified table, formatted (labels instead of codes, yes/no for flags), personal columns left out; None
    when it has more than ``max_rows`` rows."""
    frame = data.table
    if len(frame) > max_rows:
        return None
    columns = [c for c in frame.columns if c not in PERSONAL_COLUMNS and not c.startswith("_report")]
    printed = [c for c in PRINTED_HOUSEHOLD_COLUMNS if c in columns]
    columns = printed + [c for c in columns if c not in printed]
    b = TableBuilder("households", text("table", "households", lang))
    yes, no = text("text", "yes", lang), text("text", "no", lang)
    for column in columns:
        values = frame[column]
        header = column_label(column, lang, config=data.config) if column != "head_age_group" else _age_title(lang)
        if column in BOOLEAN_COLUMNS or column.startswith(CAUSE_PREFIX) and values.dtype == "boolean" or (
                pd.api.types.is_bool_dtype(values.dtype)):
            shown = values.astype("boolean").map({True: yes, False: no}).astype("object")
            b.add(column, header, "text", shown.where(shown.notna(), None).tolist())
        elif pd.api.types.is_numeric_dtype(values.dtype) and column != "_row" or column == "_row":
            kind: Kind = ("rupiah" if column in RUPIAH_COLUMNS else "share" if column in SHARE_COLUMNS else
                          "count" if pd.api.types.is_integer_dtype(values.dtype) else "number")
            numbers = pd.to_numeric(values, errors="coerce").astype("float64")
            b.add(column, header, kind, numbers.where(numbers.notna(), None).tolist())
        else:
            codes = values.astype("object").where(values.notna(), None)
            unique = [v for v in pd.unique(codes) if v is not None]
            if column in LABELLED:
                names = {v: label(LABELLED[column], v, lang, config=data.config) for v in unique}
            else:
                names = {v: category_label(column, v, lang) for v in unique}
            b.add(column, header, "text", codes.map(names).where(codes.notna(), None).tolist())
    return b.build(media=("xlsx",), print_columns=len(printed) or None)


def households_section(data: ReportData, lang: str, *, max_rows: int) -> Section:
    section = Section("households", text("section", "households", lang))
    table = household_table(data, lang, max_rows=max_rows)
    if table is None:
        section.paragraphs.append(text("text", "too_many", lang, rows=format_count(len(data.table), lang),
                                       limit=format_count(max_rows, lang),
                                       file=data.inputs[0].name if data.inputs else "INPUT"))
    else:
        section.tables.append(table)
        section.paragraphs.append(text("text", "households_note", lang, sheet=HOUSEHOLD_SHEET[lang]))
        if table.print_columns:
            section.paragraphs.append(text("text", "households_print", lang, columns=", ".join(
                c.header for c in table.columns[:table.print_columns]), total=format_count(len(table.columns), lang)))
    return section


def build_report(data: ReportData, lang: Lang = "id", *, max_rows: int = 50_000) -> ReportDocument:
    """The document of ``data`` in ``lang``: Ringkasan, Wilayah, Profil kemiskinan, Dimensi, Penyebab & intervensi,
    Sensitivitas, Metode, Rumah tangga (the household table when it has at most ``max_rows`` rows)."""
    limit = max_rows
    est = Estimates(data.estimates)
    place = place_name(data, lang)
    files = ", ".join(f.name for f in data.inputs)
    sections = [
        summary_section(data, est, lang), regions_section(data, est, lang), profile_section(data, est, lang),
        dimensions_section(data, est, lang), causes_section(data, est, lang), bantuan_section(data, lang),
        sensitivity_section(data, lang),
        method_section(data, lang), households_section(data, lang, max_rows=limit),
    ]
    legend = [(flag, text("flag", flag, lang, min_n=_min_n(data))) for flag in ("caution", "unreliable", "low_n")]
    return ReportDocument(
        title=text("text", "title", lang, place=place),
        subtitle=text("text", "subtitle", lang, files=files, households=format_count(len(data.table), lang),
                      version=data.peka_version),
        lang=lang, sections=sections, legend=legend, legend_intro=text("text", "legend", lang),
    )
