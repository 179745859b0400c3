"""Alkire-Foster multidimensional poverty: indicator deprivations, the weighted score c_i and the poverty cutoffs.

Per household (docs/methodology.md §3): ``g_j`` ∈ {1, 0, missing} for each indicator; ``c_i = Σ_j w_j g_j``;
``mpi_poor = c_i ≥ k``, ``mpi_vulnerable = vulnerable ≤ c_i < k`` (0.2 by default), ``mpi_severe = c_i ≥ severe``
(0.5). Comparisons allow 1e-9 of floating-point slack, so six indicators of weight 1/18 reach k = 1/3.

Missing indicators never count as "not deprived":

* ``reweight`` (OPHI practice): a missing indicator's weight is spread over the known indicators of its dimension in
  proportion to their weights, so the dimension keeps its weight; a household with a whole dimension missing has a
  missing score and missing flags.
* ``indeterminate``: the score is missing when any indicator is missing; each flag is still known when the known
  deprivations already reach its threshold (true), or cannot reach it even if every missing indicator were a
  deprivation (false).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from peka.classify.derive import Members, blank_where, ensure_columns, rule
from peka.config.models import Config, MpiConfig, MpiIndicator
from peka.rules import Rule

TOLERANCE = 1e-9


def deprivations(households: pd.DataFrame, members: Members | None, config: Config) -> pd.DataFrame:
    """One ``mpi_d_<name>`` column (``Int8``: 1 deprived, 0 not, missing) per enabled indicator."""
    constants = config.all_constants()
    households = ensure_columns(
        households, [i.deprived_if for i in config.mpi.active if i.level == "household"], config
    )
    columns: dict[str, pd.Series] = {}
    for i, ind in enumerate(config.mpi.indicators):
        if not ind.enabled:
            continue
        key = f"mpi.indicators[{i}]"
        if ind.level == "household":
            result = rule(ind.deprived_if, f"{key}.deprived_if").evaluate(households, constants)
        elif members is None:
            result = pd.Series(pd.NA, index=households.index, dtype="boolean")
        else:
            result = _person_indicator(ind, key, households, members, constants)
        columns[f"mpi_d_{ind.name}"] = result.astype("Int8")
    return pd.DataFrame(columns, index=households.index)


def _person_indicator(
    ind: MpiIndicator, key: str, households: pd.DataFrame, members: Members, constants: Mapping[str, object]
) -> pd.Series:
    deprived = rule(ind.deprived_if, f"{key}.deprived_if")
    eligible = rule(ind.eligible_if, f"{key}.eligible_if") if ind.eligible_if else None
    no_eligible = {"not_deprived": False, "deprived": True, "missing": None}[ind.no_eligible]
    if ind.aggregate in ("any", "max", "all", "min"):
        how = "any" if ind.aggregate in ("any", "max") else "all"
        result = members.aggregate(deprived, where=eligible, how=how, empty=no_eligible, constants=constants)
    else:  # count: at least min_count eligible members deprived
        unknown = rule(f"({ind.deprived_if}) is missing", f"{key}.deprived_if")

        def count(value: Rule) -> np.ndarray:
            result = members.aggregate(value, where=eligible, how="count", empty=0, constants=constants)
            return result.to_numpy(dtype="float64", na_value=np.nan)

        n_deprived, n_unknown, n_eligible = count(deprived), count(unknown), count(rule("true", "true"))
        yes = n_deprived >= ind.min_count
        no = n_deprived + n_unknown < ind.min_count
        values = pd.array(yes, dtype="boolean")
        values[~yes & ~no] = pd.NA
        values[n_eligible == 0] = pd.NA if no_eligible is None else no_eligible
        result = pd.Series(values, index=households.index)
    return blank_where(result, ~members.roster)


def score(deprived: pd.DataFrame, mpi: MpiConfig) -> pd.DataFrame:
    """``mpi_score``, ``mpi_poor``, ``mpi_vulnerable``, ``mpi_severe`` from the ``mpi_d_*`` columns."""
    c, low, high = _score_bounds(deprived, mpi)
    out = pd.DataFrame({"mpi_score": c}, index=deprived.index)
    out["mpi_poor"] = _at_least(low, high, mpi.k)
    vul_yes = (low >= mpi.vulnerable - TOLERANCE) & (high < mpi.k - TOLERANCE)
    vul_no = (low >= mpi.k - TOLERANCE) | (high < mpi.vulnerable - TOLERANCE)
    out["mpi_vulnerable"] = _flag(vul_yes, ~vul_yes & ~vul_no)
    out["mpi_severe"] = _at_least(low, high, mpi.severe)
    return out


def poor_at_cutoffs(deprived: pd.DataFrame, mpi: MpiConfig, cutoffs: list[float]
                    ) -> tuple[np.ndarray, list[pd.arrays.BooleanArray]]:
    """The score ``mpi_score`` and ``mpi_poor`` at each of ``cutoffs`` (the k of ``mpi`` aside), by the rule of
    :func:`score`, the households scored once (the report's H by k)."""
    c, low, high = _score_bounds(deprived, mpi)
    return c, [_at_least(low, high, k) for k in cutoffs]


def _score_bounds(deprived: pd.DataFrame, mpi: MpiConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(c, low, high)``: the score c_i (NaN when it is not determined) and the least and the most it can be given
    the missing indicators. Under ``reweight`` both bounds are c_i; under ``indeterminate`` a household with a
    missing indicator has no score, but its status against a cutoff is known when both bounds fall on one side.

    The weighted sums run column by column, adding the indicators in their configured order: a household's sums
    then do not depend on which rows are scored with it (the stream engine scores chunks; BLAS would block a matrix
    product by its size and move the last bit), and ten passes over columns cost ~1/20 of a row-wise sum over an
    (n, 10) matrix, whose reduction loop is restarted for every row."""
    active = mpi.active
    n = len(deprived)
    columns = [_indicator(deprived[f"mpi_d_{ind.name}"]) for ind in active]
    if mpi.missing == "reweight":
        c = np.zeros(n)
        undetermined = np.zeros(n, dtype=bool)
        for dim in dict.fromkeys(ind.dimension for ind in active):
            in_dim = [(ind.weight, column) for ind, column in zip(active, columns, strict=True) if ind.dimension == dim]
            w_dim = float(np.sum([weight for weight, _ in in_dim]))
            known_weight, deprived_weight = np.zeros(n), np.zeros(n)
            for weight, (deprivation, missing) in in_dim:
                np.add(known_weight, weight, out=known_weight, where=~missing)
                deprived_weight += deprivation * weight
            whole_missing = known_weight <= 0
            undetermined |= whole_missing
            with np.errstate(invalid="ignore", divide="ignore"):
                c += np.where(whole_missing, 0.0, deprived_weight * (w_dim / known_weight))
        c = np.where(undetermined, np.nan, c)
        return c, c, c  # NaN compares false both ways: undetermined against every cutoff
    low, unknown_weight = np.zeros(n), np.zeros(n)  # deprivations already known; weight of the missing indicators
    any_missing = np.zeros(n, dtype=bool)
    for ind, (deprivation, missing) in zip(active, columns, strict=True):
        low += deprivation * ind.weight
        np.add(unknown_weight, ind.weight, out=unknown_weight, where=missing)
        any_missing |= missing
    high = low + unknown_weight  # if every missing indicator were a deprivation
    return np.where(any_missing, np.nan, low), low, high


def _indicator(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """An ``mpi_d_*`` column as (1.0 where deprived, else 0.0; missing)."""
    g = values.to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(g)
    return np.where(missing, 0.0, g), missing


def _at_least(low: np.ndarray, high: np.ndarray, threshold: float) -> pd.arrays.BooleanArray:
    """c_i ≥ threshold (with ``TOLERANCE``): true when even the least score reaches it, false when even the most
    does not, missing otherwise."""
    yes = low >= threshold - TOLERANCE
    no = high < threshold - TOLERANCE
    return _flag(yes, ~yes & ~no)


def _flag(values: np.ndarray, unknown: np.ndarray) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(np.asarray(values, dtype=bool) & ~unknown, np.asarray(unknown, dtype=bool).copy())


def classify_mpi(households: pd.DataFrame, members: Members | None, config: Config) -> pd.DataFrame:
    """Deprivations and score columns together, aligned to ``households.index``."""
    deprived = deprivations(households, members, config)
    return pd.concat([deprived, score(deprived, config.mpi)], axis=1)
