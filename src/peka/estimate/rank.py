"""Ranking domains by one measure, and whether the leaders can be told apart by their confidence intervals.

Used by ``peka profile --sort``. Two intervals that do not overlap mean the two domains differ (at about the
intervals' level or better); overlapping intervals do *not* prove that they are equal (the test is conservative),
so an overlap is reported as "cannot be ranked apart by these intervals", never as "equal".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from peka.errors import UsageError


@dataclass(frozen=True)
class Ranking:
    """``table``: the domains of one domain set for one measure, best first (``rank`` 1, 2, …; rows without an
    estimate, e.g. suppressed, last with ``rank`` 0), with the estimate columns plus ``overlaps_next`` (its
    interval overlaps the next domain's) and ``overlaps_leader`` (it overlaps the first domain's; the leader itself
    is ``True``). ``top``: how many leading domains were compared; ``top_overlap``: whether any two of them overlap
    (``False``: the top domains are in a clear order); ``leaders``: the number of domains whose interval overlaps
    the leader's, the leader included (1: the leader stands apart)."""

    measure: str
    indicator: str | None
    by: tuple[str, ...]
    descending: bool
    table: pd.DataFrame
    top: int
    top_overlap: bool
    leaders: int


def _overlap(low_a: np.ndarray, high_a: np.ndarray, low_b: np.ndarray, high_b: np.ndarray) -> np.ndarray:
    return (low_a <= high_b) & (low_b <= high_a)


def rank_domains(
    estimates: pd.DataFrame,
    measure: str,
    *,
    indicator: str | None = None,
    by: Sequence[str] | None = None,
    descending: bool = True,
    top: int = 3,
) -> Ranking:
    """Sort the domains of one domain set by ``measure`` (highest first unless ``descending=False``).

    ``estimates`` is ``profile(...).estimates``; ``by`` picks the domain set (its columns, in the order given to
    ``profile``); it may be left out when the estimates hold a single domain set besides the whole population.
    Ties keep the estimates' order.

    >>> est = pd.DataFrame({"domain": [{}, {"kec": "a"}, {"kec": "b"}, {"kec": "c"}], "measure": "P0",
    ...     "indicator": None, "estimate": [0.2, 0.1, 0.3, 0.25], "ci_low": [0.18, 0.05, 0.26, 0.2],
    ...     "ci_high": [0.22, 0.15, 0.34, 0.3], "flag": "reliable"})
    >>> r = rank_domains(est, "P0", top=2)
    >>> list(r.table["kec"]), r.top_overlap, r.leaders
    (['b', 'c', 'a'], True, 2)
    """
    if top < 1:
        raise UsageError(f"top must be at least 1, not {top}")
    rows = estimates[(estimates["measure"] == measure) & estimates["indicator"].map(lambda v: v == indicator)]
    keys = rows["domain"].map(lambda d: tuple(d))
    sets = [k for k in dict.fromkeys(keys) if k]
    if by is None:
        if len(sets) != 1:
            found = ", ".join("+".join(k) for k in sets) or "none"
            raise UsageError(f"give the domain set to rank (by=...): the estimates have {found}")
        wanted = sets[0]
    else:
        wanted = tuple(by)
        if wanted not in sets:
            raise UsageError(f"no {measure} estimates for the domain set {'+'.join(wanted) or '(none)'}")
    part = rows[keys == wanted]
    table = pd.DataFrame({column: part["domain"].map(lambda d, c=column: d[c]).to_numpy() for column in wanted})
    for column in [c for c in part.columns if c not in ("domain", "measure", "indicator")]:
        table[column] = part[column].to_numpy()
    estimate = table["estimate"].to_numpy(dtype=np.float64)
    known = np.isfinite(estimate)
    key = np.where(known, -estimate if descending else estimate, np.inf)
    order = np.argsort(key, kind="stable")
    table = table.iloc[order].reset_index(drop=True)
    known = known[order]
    table.insert(0, "rank", np.where(known, np.cumsum(known), 0).astype(np.int64))

    low = table["ci_low"].to_numpy(dtype=np.float64)
    high = table["ci_high"].to_numpy(dtype=np.float64)
    ranked = int(known.sum())
    with np.errstate(invalid="ignore"):
        following = np.zeros(len(table), dtype=bool)
        if ranked > 1:
            following[: ranked - 1] = _overlap(low[: ranked - 1], high[: ranked - 1], low[1:ranked], high[1:ranked])
        with_leader = np.zeros(len(table), dtype=bool)
        if ranked:
            with_leader[:ranked] = _overlap(low[:ranked], high[:ranked], low[0], high[0])
    table["overlaps_next"] = following
    table["overlaps_leader"] = with_leader
    n_top = min(top, ranked)
    top_low, top_high = low[:n_top], high[:n_top]
    pairs = _overlap(top_low[:, None], top_high[:, None], top_low[None, :], top_high[None, :])
    top_overlap = bool((pairs & ~np.eye(n_top, dtype=bool)).any())
    return Ranking(measure, indicator, wanted, descending, table, n_top, top_overlap, int(with_leader.sum()))
