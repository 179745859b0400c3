"""The short summary ``peka classify`` prints: counts and weighted shares per level, status and segment.

Shares are of people: household weight × household size (each household counts with its size when the input has
no weight column), as BPS reports poverty. Numbers that rest on an unconfirmed or single-source setting (the level
scheme, a poverty line, the extreme line, the MPI set) say so in the table title or a note. The result is a
``present.tables.Display`` (titles, headers, rows of text) that any renderer draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from peka.classify.monetary import person_weights
from peka.config.models import Config
from peka.config.provenance import CHANGED_WITHOUT_SOURCE, not_confirmed
from peka.present.labels import label, summary_text
from peka.present.numbers import format_count, format_percent, format_rupiah
from peka.present.tables import Display, DisplayTable
from peka.schema.classified import MONETARY_SOURCE, MONETARY_SOURCES, POOR_STATUSES, STATUSES

SEGMENTS_SHOWN = 12


def _status_mark(status: str, lang: str) -> str:
    return "" if status == "confirmed" else f" [{label('source_status', status, lang)}]"


# the coded columns the summary counts by; with ``no_line`` (no poverty line) they key ``SummarySums.groups``
SUMMARY_KEYS = ("level", "poverty_status", "segment", "poverty_line_id", MONETARY_SOURCE)


@dataclass
class SummarySums:
    """What ``summarise`` reads of a classification table, as counts and sums that add across chunks
    (``add_summary_sums``): the stream engine keeps these instead of columns per household.

    ``groups``: one row per distinct (``SUMMARY_KEYS``, ``no_line``) in order of first appearance, with ``n``
    households and ``people`` (``person_weights`` summed, missing left out); ``undetermined`` households without an
    MPI flag and ``mpi_missing`` per MPI indicator column the households where it is missing."""

    groups: pd.DataFrame
    households: int
    weighted: bool
    undetermined: int
    mpi_missing: dict[str, int] = field(default_factory=dict)
    columns: frozenset[str] = frozenset()  # which of ``SUMMARY_KEYS`` the table has


def summary_sums(table: pd.DataFrame) -> SummarySums:
    """The ``SummarySums`` of a classification table (or a chunk of one)."""
    keys = {c: table[c] if c in table else pd.Series(np.nan, index=table.index, dtype="str") for c in SUMMARY_KEYS}
    no_line = table["poverty_line"].isna() if "poverty_line" in table else pd.Series(False, index=table.index)
    frame = pd.DataFrame({**keys, "no_line": no_line.to_numpy(dtype=bool), "people": person_weights(table)})
    groups = (frame.groupby([*SUMMARY_KEYS, "no_line"], sort=False, dropna=False)
              .agg(n=("people", "size"), people=("people", "sum")).reset_index())
    undetermined = int(table["mpi_poor"].isna().sum()) if "mpi_poor" in table else len(table)
    mpi_missing = {c: int(table[c].isna().sum()) for c in table.columns if str(c).startswith("mpi_d_")}
    return SummarySums(groups, len(table), "weight" in table, undetermined, mpi_missing,
                       frozenset(c for c in SUMMARY_KEYS if c in table))


def add_summary_sums(first: SummarySums | None, second: SummarySums) -> SummarySums:
    """The sums of two consecutive parts of one table (``first`` ``None``: ``second``)."""
    if first is None:
        return second
    both = pd.concat([first.groups, second.groups], ignore_index=True)
    groups = (both.groupby([*SUMMARY_KEYS, "no_line"], sort=False, dropna=False)
              .agg(n=("n", "sum"), people=("people", "sum")).reset_index())
    missing = dict(first.mpi_missing)
    for column, n in second.mpi_missing.items():
        missing[column] = missing.get(column, 0) + n
    return SummarySums(groups, first.households + second.households, first.weighted and second.weighted,
                       first.undetermined + second.undetermined, missing, first.columns | second.columns)


def _ranked(groups: pd.DataFrame, column: str) -> pd.Series:
    """Households per value of ``column`` (missing left out), most first: ``Series.value_counts`` of the table's
    column, ties in the same order (values in order of first appearance, then the same sort)."""
    counts = groups.dropna(subset=[column]).groupby(column, sort=False)["n"].sum().astype("int64")
    counts.name, counts.index.name = "count", column
    return counts.sort_values(ascending=False, kind="stable")


def _counts(
    groups: pd.DataFrame, column: str, total: float, order: list[str], lang: str, group: str, config: Config
) -> list[list[str]]:
    values = groups[column]
    rows = []
    for code in [*order, None]:
        mask = (values == code).to_numpy(dtype=bool, na_value=False) if code is not None else values.isna().to_numpy()
        n = int(groups["n"].to_numpy()[mask].sum())
        if code is None and n == 0:
            continue
        share = np.nansum(groups["people"].to_numpy()[mask]) / total if total > 0 else np.nan
        name = label(group, code, lang, config=config) if code is not None else summary_text("missing", lang)
        rows.append([name, format_count(n, lang), format_percent(share, lang)])
    return rows


def summarise(table: pd.DataFrame | SummarySums, config: Config, lang: str = "id") -> Display:
    """Build the terminal summary of a classification table (``peka.classify.classify`` output), or of its
    ``SummarySums`` (the stream engine's, added up chunk by chunk)."""
    sums = table if isinstance(table, SummarySums) else summary_sums(table)
    groups = sums.groups
    summary = Display()
    total = np.nansum(groups["people"].to_numpy())
    if not sums.weighted:
        summary.notes.append(summary_text("unweighted", lang))
    headers = [summary_text("category", lang), summary_text("households", lang), summary_text("weighted_share", lang)]

    levels = config.levels
    if (groups[MONETARY_SOURCE] == "desil").any():  # registry mode: the level is the [desil] class
        title = f"{summary_text('level_desil', lang)}{_status_mark(config.desil.status, lang)}"
        order = [c.code for c in config.desil.classes]
    else:
        title = f"{summary_text('level', lang)} ({levels.scheme}){_status_mark(levels.status, lang)}"
        order = [c.code for c in levels.classes]
    rows = _counts(groups, "level", total, order, lang, "level", config)
    summary.tables.append(DisplayTable(title, headers, rows))

    mpi_mark = _status_mark(config.mpi.status, lang)
    k = Fraction(config.mpi.k).limit_denominator(100)
    k_text = f"{k.numerator}/{k.denominator}" if abs(float(k) - config.mpi.k) < 1e-12 else f"{config.mpi.k:.4g}"
    title = f"{summary_text('poverty_status', lang)} (MPI {config.mpi.preset}, k = {k_text}){mpi_mark}"
    summary.tables.append(
        DisplayTable(
            title, headers, _counts(groups, "poverty_status", total, list(STATUSES), lang, "poverty_status", config)
        )
    )

    if sums.households and MONETARY_SOURCE in sums.columns:
        counts = _ranked(groups, MONETARY_SOURCE)
        text = ", ".join(
            f"{code} {format_count(int(counts[code]), lang)}" for code in MONETARY_SOURCES if code in counts
        )
        summary.notes.append(summary_text("monetary_source", lang, counts=text))
    if config.classify.skip:
        summary.notes.append(summary_text("skipped", lang, measures=", ".join(config.classify.skip)))
    summary.notes += _mpi_missing_notes(sums, config, lang)

    poor_groups = groups[groups["poverty_status"].isin(POOR_STATUSES).to_numpy(dtype=bool)]
    if poor_groups["n"].sum() > 0:
        segments = _ranked(poor_groups, "segment").head(SEGMENTS_SHOWN)
        rows = []
        for segment, n in segments.items():
            mask = (groups["segment"] == segment).to_numpy(dtype=bool, na_value=False)
            status, _, cause = str(segment).partition("/")
            rows.append(
                [
                    label("poverty_status", status, lang),
                    label("cause", cause, lang, config=config) if cause else "–",
                    format_count(int(n), lang),
                    format_percent(np.nansum(groups["people"].to_numpy()[mask]) / total if total > 0 else np.nan,
                                   lang),
                ]
            )
        segment_headers = [summary_text("poverty_status", lang), summary_text("primary_cause", lang), *headers[1:]]
        summary.tables.append(DisplayTable(summary_text("segment", lang), segment_headers, rows))

    # which lines were used, and how sure we are of them
    by_id = {line.line_id: line for line in config.line_for_period}
    used = _ranked(groups, "poverty_line_id")
    for line_id, n in used.items():
        line = by_id.get(str(line_id))
        if line is None:
            continue
        summary.notes.append(
            f"{summary_text('lines', lang)} {line_id}: {format_rupiah(line.value, lang)} ({format_count(int(n), lang)} "
            f"{summary_text('households', lang).lower()}){_status_mark(line.status, lang)}"
        )
    missing_line = int(groups.loc[groups["no_line"].to_numpy(dtype=bool), "n"].sum())
    if missing_line:
        summary.notes.append(
            f"{format_count(missing_line, lang)} {summary_text('no_line', lang)} ({config.lines.period})"
        )
    ext = config.extreme
    summary.notes.append(
        f"{summary_text('extreme', lang)}: {format_rupiah(ext.value, lang)} ({ext.basis}){_status_mark(ext.status, lang)}"
    )
    if config.mpi.status != "confirmed":
        name = config.mpi.label_id if lang == "id" else config.mpi.label_en
        summary.notes.append(f"{summary_text('mpi', lang)}: {name or config.mpi.preset}{mpi_mark}")
    summary.notes += _other_unconfirmed(config, lang)
    return summary


def _mpi_missing_notes(sums: SummarySums, config: Config, lang: str) -> list[str]:
    """Why MPI flags are missing, when they are: the indicators with missing values, and a missing person table."""
    undetermined = sums.undetermined
    if not undetermined:
        return []
    n_all = sums.households
    person_level = [i.name for i in config.mpi.active if i.level == "person"]
    all_missing = [n for n in person_level if sums.mpi_missing.get(f"mpi_d_{n}", n_all) == n_all]
    counts = {i.name: sums.mpi_missing.get(f"mpi_d_{i.name}", n_all) for i in config.mpi.active}
    worst = sorted((n for n in counts if counts[n]), key=lambda n: -counts[n])[:3]
    detail = ", ".join(f"{label('indicator', n, lang, config=config)} ({format_count(counts[n], lang)})" for n in worst)
    notes = [summary_text("mpi_missing", lang, n=format_count(undetermined, lang), detail=detail)]
    if all_missing and n_all:
        notes.append(summary_text("no_members", lang))
    return notes


def _other_unconfirmed(config: Config, lang: str) -> list[str]:
    """Notes for the settings not confirmed that the tables and notes above do not already mark: thresholds
    (constants) the rules read, the BPS-14 set, the cause catalogue, MPI indicators with a status of their own."""
    notes = []
    for item in not_confirmed(config, used_only=True):
        mark = _status_mark(item.status, lang)
        if item.key.startswith(("constants.", "bps14.constants.")):
            notes.append(f"{summary_text('constant', lang)} {item.value}{mark}")
        elif item.key == "causes":
            notes.append(f"{summary_text('causes_catalogue', lang)}{mark}")
        elif item.key == "bps14":
            notes.append(f"{summary_text('bps14', lang)}{mark}")
        elif item.note == CHANGED_WITHOUT_SOURCE:
            notes.append(f"{summary_text('changed', lang)}: {item.key} = {item.value}{mark}")
        elif item.key.startswith("mpi.indicators["):
            name = item.key.removeprefix("mpi.indicators[").removesuffix("]")
            notes.append(f"{summary_text('mpi', lang)}: {label('indicator', name, lang, config=config)}{mark}")
    return notes


def classify_summary(run: Any, lang: str = "id") -> Display:
    """The whole display of ``peka classify``: rows in / processed / rejected per table, then ``summarise``."""
    sums = getattr(run, "summary_sums", None)  # the stream engine's (its ``table`` has no columns)
    display = summarise(sums if sums is not None else run.table, run.config, lang)
    who = {"household": summary_text("households", lang).lower(), "person": summary_text("persons", lang).lower()}
    counts = run.counts
    lines = [f"{summary_text('title', lang)}"]
    for table in counts.rows_in:
        line = summary_text(
            "rows", lang, rows_in=format_count(counts.rows_in[table], lang),
            processed=format_count(counts.processed.get(table, 0), lang),
            rejected=format_count(counts.rejected.get(table, 0), lang),
        )  # fmt: skip
        lines.append(f"{line} ({who.get(table, table)})")
    display.lines = lines + display.lines
    warning = summary_text("warning", lang)
    display.notes = [f"{warning}: {w}" for w in getattr(run, "warnings", ())] + display.notes
    return display
