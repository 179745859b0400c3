"""Monetary poverty: per-capita expenditure, the applicable line, level, extreme flag, gap, and survey deciles.

Formulas (docs/methodology.md §1): ``exp_pc`` as given, else ``exp_hh / hh_size``; poor when ``exp_pc < GK``
(strict, as BPS); level = the first class with ``exp_pc < below × GK``; ``poverty_gap = max(0, (GK − exp_pc) / GK)``.
Levels compare ``exp_pc`` with ``below × GK`` rather than the rounded ratio, so a household exactly at 1.5 GK is
in the class that starts at 1.5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peka.classify.derive import text_from_codes
from peka.config.lines import resolve_lines
from peka.config.models import Config

DECILES = 10


def _float(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def per_capita_expenditure(households: pd.DataFrame) -> np.ndarray:
    """``exp_pc`` where given, else ``exp_hh / hh_size`` (missing when neither can be had)."""
    exp_pc = _float(households, "exp_pc")
    derived = _float(households, "exp_hh") / _float(households, "hh_size")
    return np.where(np.isnan(exp_pc), derived, exp_pc)


def _boolean(values: np.ndarray, known: np.ndarray) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(values & known, ~known)


def classify_monetary(households: pd.DataFrame, config: Config) -> pd.DataFrame:
    """The monetary columns of the classification table, aligned to ``households.index``.

    >>> from peka.config import load_config
    >>> frame = pd.DataFrame({"prov_code": ["11"], "exp_hh": [2_704_988.0], "hh_size": [4]})
    >>> classify_monetary(frame, load_config())[["exp_pc", "poverty_line", "level"]].to_dict("records")
    [{'exp_pc': 676247.0, 'poverty_line': 676247.0, 'level': 'rentan_miskin'}]
    """
    exp_pc = per_capita_expenditure(households)
    line_series, line_id = resolve_lines(households, config.lines)
    line = line_series.to_numpy(dtype="float64")
    known = ~np.isnan(exp_pc) & ~np.isnan(line)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = exp_pc / line
        gap = np.where(known, np.clip((line - exp_pc) / line, 0.0, None), np.nan)

    classes = config.levels.classes
    # the class index = how many upper bounds the household has reached
    level_code = np.zeros(len(households), dtype=np.intp)
    for cls in classes[:-1]:
        level_code += exp_pc >= cls.below * line
    level_code[~known] = -1

    extreme_line = np.full(len(households), float(config.extreme.value))
    known_extreme = ~np.isnan(exp_pc)
    out = pd.DataFrame(
        {
            "exp_pc": exp_pc,
            "poverty_line": line,
            "poverty_line_id": line_id.array,
            "welfare_ratio": np.where(known, ratio, np.nan),
            "level": text_from_codes(level_code, [cls.code for cls in classes]),
            "poor": _boolean(exp_pc < line, known),
            "extreme_line": extreme_line,
            "extreme_poor": _boolean(exp_pc < extreme_line, known_extreme),
            "poverty_gap": gap,
        },
        index=households.index,
    )
    return out


# ---- the source of the monetary side ----------------------------------------------------------------------------

EXPENDITURE, DESIL, NONE = "expenditure", "desil", "none"  # values of monetary_source (schema.classified)


def has_values(households: pd.DataFrame, column: str) -> bool:
    return column in households.columns and bool(households[column].notna().any())


def monetary_mode(households: pd.DataFrame) -> str:
    """Where the table's monetary side comes from: ``expenditure`` (exp_pc or exp_hh given for some household),
    else ``desil`` (a registry extract: a DTSEN/P3KE desil and no expenditure), else ``none``. Decided for the
    whole table: a survey with a few households lacking expenditure keeps them unknown, it does not mix sources."""
    if has_values(households, "exp_pc") or has_values(households, "exp_hh"):
        return EXPENDITURE
    if has_values(households, "desil"):
        return DESIL
    return NONE


def classify_from_desil(households: pd.DataFrame, config: Config) -> pd.DataFrame:
    """The monetary columns of a registry extract, from the ``desil`` (docs/methodology.md §1.5): ``level`` is the
    ``[desil]`` class, ``poor`` / ``extreme_poor`` its flags; expenditure, line, ratio and gap stay missing.

    >>> from peka.config import load_config
    >>> out = classify_from_desil(pd.DataFrame({"desil": pd.array([1, 3, 7, None], dtype="Int64")}), load_config())
    >>> out["level"].tolist(), out["poor"].tolist()
    (['sangat_miskin', 'hampir_miskin', 'bukan_40_terbawah', nan], [True, False, False, <NA>])
    """
    n = len(households)
    desil = _float(households, "desil")
    known = ~np.isnan(desil)
    classes = config.desil.classes
    level_code = np.zeros(n, dtype=np.intp)
    for cls in classes[:-1]:
        level_code += desil > cls.max
    level_code[~known] = -1
    codes = [cls.code for cls in classes]

    def flagged(names: list[str]) -> pd.arrays.BooleanArray:
        hit = np.array([c in names for c in codes] + [False], dtype=bool)
        return _boolean(hit[level_code], known)

    nan = np.full(n, np.nan)
    return pd.DataFrame(
        {
            "exp_pc": nan,
            "poverty_line": nan,
            "poverty_line_id": pd.array([pd.NA] * n, dtype="str"),
            "welfare_ratio": nan,
            "level": text_from_codes(level_code, codes),
            "poor": flagged(config.desil.poor),
            "extreme_line": np.full(n, float(config.extreme.value)),
            "extreme_poor": flagged(config.desil.extreme),
            "poverty_gap": nan,
        },
        index=households.index,
    )


def monetary_source(mode: str, poor: pd.Series) -> pd.arrays.ArrowStringArray:
    """``monetary_source`` per household: the table's mode where the monetary side is known, else ``none``."""
    known = poor.notna().to_numpy()
    return text_from_codes(np.where(known & (mode != NONE), 0, 1), [mode, NONE])


def broad_line_fallbacks(households: pd.DataFrame, line_id: pd.Series, config: Config) -> dict[str, int]:
    """Households that got a broader line than their region's only because their region code is missing: the
    national line while provincial or kabupaten lines of the period exist and the household has no prov_code or
    kab_code; a provincial line while kabupaten lines exist and it has no kab_code. ``{line id: households}``."""
    candidates = config.line_for_period
    tiers = {line.tier for line in candidates}

    def missing(column: str) -> np.ndarray:
        if column not in households.columns:
            return np.ones(len(households), dtype=bool)
        return households[column].isna().to_numpy() | (households[column].astype("str") == "").to_numpy()

    ids = line_id.astype("str")
    national = ids.str.contains("/nasional", regex=False).fillna(False).to_numpy(dtype=bool)
    provincial = ids.str.contains("/prov:", regex=False).fillna(False).to_numpy(dtype=bool)
    no_kab = missing("kab_code")
    fallback = np.zeros(len(households), dtype=bool)
    if tiers & {"prov", "kab"}:
        fallback |= national & no_kab & missing("prov_code")
    if "kab" in tiers:
        fallback |= provincial & no_kab
    if not fallback.any():
        return {}
    return {str(k): int(v) for k, v in ids[fallback].value_counts().items()}


# ---- survey deciles ("desil survei") ------------------------------------------------------------------------------


def person_weights(households: pd.DataFrame) -> np.ndarray:
    """Household weight × household size (people represented); weight 1 when the file has no weight column."""
    weight = _float(households, "weight") if "weight" in households else np.ones(len(households))
    return weight * _float(households, "hh_size")


def counted_in_deciles(exp_pc: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The households the decile cut points rest on: expenditure and weight present, weight above 0."""
    return ~np.isnan(exp_pc) & ~np.isnan(weights) & (weights > 0)


def decile_cutpoints(exp_pc: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The 9 weighted decile cut points q_d = min{y : F(y) ≥ d/10}, F the weighted share with welfare ≤ y.

    Households with a missing ``exp_pc`` or weight are left out. Compute them on the whole file and pass them to
    ``assign_deciles`` for every chunk to classify a file in chunks.

    >>> decile_cutpoints(np.arange(1.0, 11.0), np.ones(10)).tolist()
    [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    """
    # memory: the stream engine calls this on the whole file (10M households: 160 MB of input), so no copy is made
    # that is not needed and each temporary is freed as soon as it is used
    ok = counted_in_deciles(exp_pc, weights)
    y, w = (exp_pc, weights) if ok.all() else (exp_pc[ok], weights[ok])
    del ok
    if len(y) == 0:
        return np.full(DECILES - 1, np.nan)
    order = np.argsort(y, kind="stable")
    y = y[order]
    w = w[order]
    del order
    share = np.cumsum(w)
    share /= w.sum()
    targets = np.arange(1, DECILES) / DECILES
    # a relative tolerance keeps a cumulative share of 0.30000000000000004 equal to the target 0.3
    idx = np.searchsorted(share, targets - 1e-12, side="left")
    return y[np.minimum(idx, len(y) - 1)]


def assign_deciles(exp_pc: np.ndarray, cutpoints: np.ndarray) -> pd.arrays.IntegerArray:
    """Decile 1..10 = 1 + the number of cut points strictly below the household's ``exp_pc``; missing stays
    missing. Households with equal welfare always share a decile."""
    decile = 1 + np.searchsorted(cutpoints, exp_pc, side="left")
    missing = np.isnan(exp_pc) | bool(np.isnan(cutpoints).any())
    return pd.arrays.IntegerArray(decile.astype("int64"), np.broadcast_to(missing, exp_pc.shape).copy())


def survey_deciles(households: pd.DataFrame, exp_pc: np.ndarray) -> pd.arrays.IntegerArray:
    """``desil_survei`` of every household, from the weighted distribution of this same table."""
    return assign_deciles(exp_pc, decile_cutpoints(exp_pc, person_weights(households)))
