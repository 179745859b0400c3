"""The profile on the terminal: a design line, the whole population measure by measure, one wide table per domain
set (rows = domain values, columns = key measures as "estimate (SE)" with a reliability mark, split to fit the
console width), the MPI indicators and causes of the whole population, and a note of what is left out; Indonesian
(default) or English, shares in %, P1/P2/M0 ×100 as BPS publishes them, Rupiah lines.
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Mapping
from typing import Any

import pandas as pd

from peka.deliver.profile.records import (
    HEADINGS,
    MEASURE_KIND,
    Lang,
    estimate_records,
    profile_labels,
)
from peka.present.numbers import format_number, format_rupiah
from peka.schema.classified import SEGMENT_COLUMNS

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
FLAG_MARKS: dict[str, str] = {"caution": "*", "unreliable": "**", "low_n": "†", "few_psu": "‡"}
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


def format_cell(record: Mapping[str, Any], lang: Lang = "id", *, with_se: bool = True, with_ci: bool = False) -> str:
    """An estimate as "estimate (SE)" — or "estimate [CI]" with ``with_ci`` — plus its reliability mark: shares
    in % and P1/P2/M0 ×100 (2 decimals; 1 in a CI), ratios as they are, counts without decimals; ``–`` when there
    is no estimate (or it was suppressed).

    >>> format_cell({"measure": "P0", "estimate": 0.1629, "se": 0.0078, "flag": "caution"})
    '16,29 (0,78)*'
    >>> format_cell({"measure": "P0", "estimate": 0.1629, "ci_low": 0.1481, "ci_high": 0.1789, "flag": "few_psu"},
    ...             with_ci=True)
    '16,29 [14,8–17,9]‡'
    """
    measure, estimate, se = record["measure"], record.get("estimate"), record.get("se")
    if estimate is None or (isinstance(estimate, float) and not math.isfinite(estimate)):
        return "–"
    kind = MEASURE_KIND.get(measure, "ratio")
    if kind == "count":
        return format_number(estimate, 0, lang)
    scale = 100.0 if kind in ("share", "index") else 1.0
    text = format_number(scale * estimate, 2, lang)
    if with_ci:
        low, high = record.get("ci_low"), record.get("ci_high")
        if low is not None and high is not None and math.isfinite(low) and math.isfinite(high):
            text += f" [{format_number(scale * low, 1, lang)}–{format_number(scale * high, 1, lang)}]"
    elif with_se:
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
    lang: Lang, width: int, sort: str | None = None,
) -> tuple[list[Any], list[str], int]:
    """The wide tables of one domain set (split at measure groups to fit ``width``), the measures left out as
    trivial, and how many records the tables show."""
    cells: dict[str, dict[tuple[str, str | None], dict[str, Any]]] = {}
    values: dict[str, tuple[Any, ...]] = {}
    for r in records:
        key = json.dumps([r["domain"].get(c) for c in columns], ensure_ascii=False)
        values.setdefault(key, tuple(r["domain"].get(c) for c in columns))
        cells.setdefault(key, {})[(r["measure"], r["indicator"])] = r
    if sort is not None and columns != (SEGMENT_COLUMN,):  # --sort: highest estimate first, missing last
        def estimate_of(key: str) -> float:
            value = (cells[key].get((sort, None)) or {}).get("estimate")
            return -math.inf if value is None else float(value)

        cells = dict(sorted(cells.items(), key=lambda item: -estimate_of(item[0])))
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
                format_cell(whole[(m, i)], lang, with_ci=True) if (m, i) in whole else "" for m, i, _ in chosen])
        for label_cells, row in plan:
            if row is None:
                sections.add(len(rows))
                rows.append(label_cells + [""] * (1 + len(chosen)))
                continue
            rows.append(label_cells + [format_number(_first_n(row), 0, lang)] + [
                format_cell(row[(m, i)], lang, with_ci=True) if (m, i) in row else "–" for m, i, _ in chosen])
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
    dimensions: Mapping[str, str] | None = None, config: Any = None, sort: str | None = None,
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
        tables, trivial, count = _domain_tables(part, columns, whole, lang, width, sort)
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
    reliability = design.get("reliability") or {}
    notes.insert(0, TEXTS["legend"][lang].format(min_n=reliability.get("min_n", 30),
                                                 min_psu=reliability.get("min_psu", 10)))
    for ranking in design.get("rankings") or []:  # --sort: whether the leading domains can be told apart
        key = "ranking_overlap" if ranking["top_overlap"] else "ranking_clear"
        notes.append(TEXTS[key][lang].format(domain=" × ".join(ranking["by"]), measure=ranking["measure"],
                                             leader=ranking["leader"], leaders=ranking["leaders"]))
    if design.get("skipped"):
        notes.append(TEXTS["skipped"][lang].format("; ".join(str(s) for s in design["skipped"])))
    notes.append(TEXTS["full"][lang].format(shown=format_number(shown, 0, lang),
                                            total=format_number(len(records), 0, lang)))
    out.append(Text(wrapped("\n".join(notes)), style="dim"))
    return out


