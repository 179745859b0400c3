"""The short summary ``peka classify`` prints: counts and weighted shares per level, status and segment.

Shares are of people: household weight × household size (each household counts with its size when the input has
no weight column), as BPS reports poverty. Numbers that rest on an unconfirmed or single-source setting (the level
scheme, a poverty line, the extreme line, the MPI set) say so in the table title or a note. The result is plain
data (titles, headers, rows of text) so that the CLI only renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from peka.classify.monetary import person_weights
from peka.classify.segments import POOR_STATUSES, STATUSES
from peka.config.models import Config
from peka.labels import label, summary_text

SEGMENTS_SHOWN = 12


@dataclass
class SummaryTable:
    title: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Summary:
    tables: list[SummaryTable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _status_mark(status: str, lang: str) -> str:
    return "" if status == "confirmed" else f" [{label('source_status', status, lang)}]"


def _percent(x: float) -> str:
    return "–" if np.isnan(x) else f"{100 * x:.1f}%"


def _rupiah(x: float) -> str:
    return "Rp" + f"{x:,.0f}".replace(",", ".")


def _counts(values: pd.Series, weights: np.ndarray, order: list[str], lang: str, group: str,
            config: Config) -> list[list[str]]:
    total = np.nansum(weights)
    codes = values.to_numpy(dtype=object, na_value=None)
    rows = []
    for code in [*order, None]:
        mask = codes == code if code is not None else pd.isna(values).to_numpy()
        n = int(mask.sum())
        if code is None and n == 0:
            continue
        share = np.nansum(weights[mask]) / total if total > 0 else np.nan
        name = label(group, code, lang, config=config) if code is not None else summary_text("missing", lang)
        rows.append([name, f"{n:,}", _percent(share)])
    return rows


def summarise(table: pd.DataFrame, config: Config, lang: str = "id") -> Summary:
    """Build the terminal summary of a classification table (``peka.classify.classify`` output)."""
    summary = Summary()
    weights = person_weights(table)
    if "weight" not in table:
        summary.notes.append(summary_text("unweighted", lang))
    headers = [summary_text("category", lang), summary_text("households", lang), summary_text("weighted_share", lang)]

    levels = config.levels
    title = f"{summary_text('level', lang)} ({levels.scheme}){_status_mark(levels.status, lang)}"
    rows = _counts(table["level"], weights, [c.code for c in levels.classes], lang, "level", config)
    summary.tables.append(SummaryTable(title, headers, rows))

    mpi_mark = _status_mark(config.mpi.status, lang)
    title = f"{summary_text('poverty_status', lang)} (MPI {config.mpi.preset}, k = {config.mpi.k:.4g}){mpi_mark}"
    summary.tables.append(SummaryTable(title, headers, _counts(table["poverty_status"], weights, list(STATUSES),
                                                               lang, "poverty_status", config)))

    poor = table["poverty_status"].isin(POOR_STATUSES).to_numpy(dtype=bool)
    if poor.any():
        segments = table.loc[poor, "segment"].value_counts().head(SEGMENTS_SHOWN)
        rows = []
        total = np.nansum(weights)
        for segment, n in segments.items():
            mask = (table["segment"] == segment).to_numpy(dtype=bool, na_value=False)
            status, _, cause = str(segment).partition("/")
            rows.append([label("poverty_status", status, lang), label("cause", cause, lang, config=config) if cause else "–",
                         f"{int(n):,}", _percent(np.nansum(weights[mask]) / total if total > 0 else np.nan)])
        segment_headers = [summary_text("poverty_status", lang), summary_text("primary_cause", lang), *headers[1:]]
        summary.tables.append(SummaryTable(summary_text("segment", lang), segment_headers, rows))

    # which lines were used, and how sure we are of them
    by_id = {line.line_id: line for line in config.line_for_period}
    used = table["poverty_line_id"].value_counts()
    for line_id, n in used.items():
        line = by_id.get(str(line_id))
        if line is None:
            continue
        summary.notes.append(
            f"{summary_text('lines', lang)} {line_id}: {_rupiah(line.value)} ({int(n):,} "
            f"{summary_text('households', lang).lower()}){_status_mark(line.status, lang)}"
        )
    missing_line = int(table["poverty_line"].isna().sum())
    if missing_line:
        summary.notes.append(f"{missing_line:,} {summary_text('no_line', lang)} ({config.lines.period})")
    ext = config.extreme
    summary.notes.append(f"{summary_text('extreme', lang)}: {_rupiah(ext.value)} ({ext.basis}){_status_mark(ext.status, lang)}")
    if config.mpi.status != "confirmed":
        name = config.mpi.label_id if lang == "id" else config.mpi.label_en
        summary.notes.append(f"{summary_text('mpi', lang)}: {name or config.mpi.preset}{mpi_mark}")
    return summary
