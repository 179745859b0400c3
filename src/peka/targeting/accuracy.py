"""Targeting accuracy of selection rules and of actual receipt, with design-based standard errors.

The Coady-Grosh-Hoddinott indicator is the target's share of the selected over its share of the population (1 is
neutral targeting).

For a selection s (a rule, or a receipt column) and a target group t (the monetary poor ``poor``, the MPI poor
``mpi_poor``), over households where both are known (a household with an undecided rule or target is left out of
that pair's measures; ``n`` counts the households used), every measure is a function of weighted totals
T(y) = Σ w·y (domain estimation: outside the domain y = 0, every PSU of the sample still counts):

| measure | definition | estimator |
|---|---|---|
| ``coverage`` | T(s·t) / T(t) | Ratio |
| ``exclusion_error`` | T((1−s)·t) / T(t) = 1 − coverage | Ratio |
| ``inclusion_error_beneficiaries`` | T(s·(1−t)) / T(s): non-target among the selected (leakage) | Ratio |
| ``inclusion_error_nontarget`` | T(s·(1−t)) / T(1−t): share of the non-target selected | Ratio |
| ``targeting_differential`` | coverage of t − coverage of the non-target (Ravallion 2009) | DifferenceOfRatios |
| ``cgh`` | (T(s·t)/T(s)) / (T(t)/T(1)), Coady, Grosh & Hoddinott 2004 | RatioOfRatios |

Shares are of households (household weights). Standard errors: Taylor linearisation of ``peka.estimate`` (PSUs
with replacement within strata), the same numbers as R ``survey``'s ``svyratio``/``svycontrast``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from peka.estimate import Design, DifferenceOfRatios, PartialSums, Ratio, RatioOfRatios
from peka.estimate.linearize import Estimator, set_view, variances

TARGETS: dict[str, str] = {"miskin_moneter": "poor", "miskin_mpi": "mpi_poor"}
MEASURES: tuple[str, ...] = (
    "coverage", "exclusion_error", "inclusion_error_beneficiaries", "inclusion_error_nontarget",
    "targeting_differential", "cgh",
)  # fmt: skip


@dataclass(frozen=True)
class Selection:
    """A rule or receipt column evaluated on the table: ``values`` is nullable boolean; ``kind`` is ``rule``,
    ``programme`` or ``receipt``; ``status`` the source status of the rule (``unconfirmed`` is labelled)."""

    name: str
    kind: str
    values: pd.Series
    status: str = "confirmed"
    source: str = ""


def _bool(values: pd.Series) -> pd.Series:
    return values.astype("boolean")


def standard_selections(table: pd.DataFrame) -> list[Selection]:
    """The reference rules present in ``table``: DTSEN desil ≤ 4 and ≤ 5, MPI poor, BPS-14, monetary poor."""
    out = []
    if "desil" in table.columns:
        desil = pd.to_numeric(table["desil"], errors="coerce").astype("Float64")
        news = "DTSEN desil cut used by PKH / BPNT (news only, domain notes §2.4)"
        out.append(Selection("desil_le_4", "rule", _bool(desil <= 4), "unconfirmed", news))
        out.append(Selection("desil_le_5", "rule", _bool(desil <= 5), "unconfirmed", news))
    for name, column, source in (
        ("miskin_mpi", "mpi_poor", "MPI poor (c_i ≥ k) of the classification"),
        ("bps14", "miskin_14k", "BPS-14 criteria count ≥ cutoff of the classification"),
        ("miskin_moneter", "poor", "exp_pc < poverty line of the classification"),
    ):
        if column in table.columns:
            out.append(Selection(name, "rule", _bool(table[column]), "confirmed", source))
    return out


def evaluate(
    table: pd.DataFrame,
    selections: Sequence[Selection],
    design: Design,
    by: Sequence[str] = ("kec_code", "desa_code"),
    names: Mapping[str, str] | None = None,
    targets: Mapping[str, str] = TARGETS,
) -> pd.DataFrame:
    """One row per (selection, target, domain, measure): ``selection``, ``kind``, ``status``, ``target``,
    ``domain_level`` (``all`` or a ``by`` column), ``domain_code``, ``domain_name``, ``measure``, ``estimate``,
    ``se``, ``n`` (households used). ``names`` maps a ``by`` column to the column of its names; ``targets`` the
    target groups to evaluate against (label → column; those present are used)."""
    by = [c for c in by if c in table.columns]
    target_values = {label: _bool(table[col]) for label, col in targets.items() if col in table.columns}
    variables: dict[str, np.ndarray] = {}
    counters: dict[str, np.ndarray] = {}
    pairs = []
    for i, sel in enumerate(selections):
        for label, target in target_values.items():
            s_raw, t_raw = sel.values, target
            valid = (s_raw.notna() & t_raw.notna()).to_numpy(dtype=bool)
            s = s_raw.fillna(False).to_numpy(dtype=bool) & valid
            t = t_raw.fillna(False).to_numpy(dtype=bool) & valid
            p = f"{i}|{label}|"
            variables.update({  # 0/1 as booleans: the partial sums make floats block by block
                p + "st": s & t, p + "t": t, p + "s": s, p + "snt": s & ~t & valid, p + "nt": ~t & valid,
                p + "nst": ~s & t, p + "one": valid,
            })  # fmt: skip
            counters[p + "n"] = valid
            pairs.append((sel, label, p))
    if not pairs:
        return pd.DataFrame(columns=["selection", "kind", "status", "target", "domain_level", "domain_code",
                                     "domain_name", "measure", "estimate", "se", "n"])
    frame = table[[c for c in dict.fromkeys(("_row", *design.columns, *by)) if c in table.columns]].copy()
    for column in by:  # domain cells keyed by text codes
        frame[column] = frame[column].astype("string")
    ps = PartialSums.from_frame(frame, design, variables, by=list(by), counters=counters)
    var_index = {name: j for j, name in enumerate(ps.variables)}
    counter_index = {name: j for j, name in enumerate(ps.counters)}
    rows = []
    levels = ["all", *by]
    for set_id, level in enumerate(levels):
        view = set_view(ps, set_id)
        codes = [_cell_code(key) for key in view.cells]
        name_map = _names(table, level, names)
        for sel, label, p in pairs:
            estimators: dict[str, Estimator] = {
                "coverage": Ratio(p + "st", p + "t"),
                "exclusion_error": Ratio(p + "nst", p + "t"),
                "inclusion_error_beneficiaries": Ratio(p + "snt", p + "s"),
                "inclusion_error_nontarget": Ratio(p + "snt", p + "nt"),
                "targeting_differential": DifferenceOfRatios(p + "st", p + "t", p + "snt", p + "nt"),
                "cgh": RatioOfRatios(p + "st", p + "s", p + "t", p + "one"),
            }
            n = view.counts[:, counter_index[p + "n"]]
            for measure, estimator in estimators.items():
                estimate, variance = variances(view, estimator, design.lonely_psu, var_index)
                for c, code in enumerate(codes):
                    rows.append((sel.name, sel.kind, sel.status, label, level, code, name_map.get(code, ""),
                                 measure, estimate[c], np.sqrt(variance[c]), int(n[c])))
    out = pd.DataFrame(rows, columns=["selection", "kind", "status", "target", "domain_level", "domain_code",
                                      "domain_name", "measure", "estimate", "se", "n"])
    out["estimate"] = out["estimate"].where(np.isfinite(out["estimate"]))
    order = {name: i for i, name in enumerate(levels)}
    out["_level"] = out["domain_level"].map(order)
    out["_sel"] = out["selection"].map({s.name: i for i, s in enumerate(selections)})
    out["_measure"] = out["measure"].map({m: i for i, m in enumerate(MEASURES)})
    out = out.sort_values(["_sel", "target", "_level", "domain_code", "_measure"], kind="stable")
    return out.drop(columns=["_level", "_sel", "_measure"]).reset_index(drop=True)


def _cell_code(key: str) -> str:
    import json

    values = json.loads(key)
    return "" if not values else ("" if values[0] is None else str(values[0]))


def _names(table: pd.DataFrame, level: str, names: Mapping[str, str] | None) -> dict[str, str]:
    name_column = (names or {}).get(level)
    if level == "all" or name_column is None or name_column not in table.columns:
        return {}
    pairs = table[[level, name_column]].dropna().astype(str).drop_duplicates(level)
    return dict(zip(pairs[level], pairs[name_column]))


def concordance(table: pd.DataFrame, weight: str | None = "weight") -> pd.DataFrame:
    """Registry desil × survey decile (``desil_survei``): unweighted households and weighted households per
    pair, both present only (empty frame when either column is missing)."""
    columns = ["desil", "desil_survei", "households", "weighted_households"]
    if "desil" not in table.columns or "desil_survei" not in table.columns:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame({
        "desil": pd.to_numeric(table["desil"], errors="coerce"),
        "desil_survei": pd.to_numeric(table["desil_survei"], errors="coerce"),
        "w": pd.to_numeric(table[weight], errors="coerce") if weight and weight in table.columns else 1.0,
    }).dropna()  # fmt: skip
    grouped = frame.groupby(["desil", "desil_survei"]).agg(households=("w", "size"), weighted_households=("w", "sum"))
    out = grouped.reset_index()
    out[["desil", "desil_survei"]] = out[["desil", "desil_survei"]].astype("int64")
    return out[columns]
