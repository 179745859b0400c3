"""Estimates as smooth functions of weighted totals, and their Taylor-linearised variances.

Every peka estimate θ = f(T_1, …, T_K) is a function of a few weighted totals T_j = Σ w·y_j of one domain cell
(or, for shares of the whole, of the population). Its linearised variable has PSU totals

    z_hi = Σ_j ∂f/∂T_j · t_hij        (t_hij: PSU i of stratum h's total of w·y_j)

and the variance is the with-replacement ultimate-cluster estimator (no finite-population correction)

    V(θ) = Σ_h n_h/(n_h − 1) Σ_i (z_hi − z̄_h)²

over *all* n_h PSUs of stratum h in the sample; PSUs without members of the cell have z = 0 (domain estimation).
A stratum with one PSU contributes 0 under ``certainty`` and z² (the PSU centred at the grand mean of the
linearised variable, which is 0 for ratios) under ``adjust``, as R ``survey`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from peka.errors import DesignError
from peka.estimate.sums import PartialSums, _group_sum

ROUNDING = 1e-13  # relative size of floating-point noise treated as zero variance
Totals = Callable[[str], np.ndarray]  # variable name → totals per cell (C,)
PopTotal = Callable[[str], float]  # variable name → population total
Terms = list[tuple[str, np.ndarray]]  # (variable, gradient coefficient per cell)


class Estimator(Protocol):
    def evaluate(self, cell: Totals, pop: PopTotal) -> tuple[np.ndarray, Terms, Terms]:
        """Estimate per cell, gradient terms on cell totals, gradient terms on population totals."""
        ...  # pragma: no cover


@dataclass(frozen=True)
class Total:
    """T_var: a weighted total (e.g. weighted households)."""

    var: str

    def evaluate(self, cell: Totals, pop: PopTotal) -> tuple[np.ndarray, Terms, Terms]:
        t = cell(self.var)
        return t, [(self.var, np.ones_like(t))], []


@dataclass(frozen=True)
class Ratio:
    """scale · T_num / T_den: a mean, share or rate. ``den_pop`` takes the denominator over the whole population
    (a domain's share of the population, its contribution to an overall total)."""

    num: str
    den: str
    scale: float = 1.0
    den_pop: bool = False

    def evaluate(self, cell: Totals, pop: PopTotal) -> tuple[np.ndarray, Terms, Terms]:
        num = cell(self.num)
        den = np.full_like(num, pop(self.den)) if self.den_pop else cell(self.den)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = self.scale * num / den
            d_num = self.scale / den
            d_den = -ratio / den
        if self.den_pop:
            return ratio, [(self.num, d_num)], [(self.den, d_den)]
        return ratio, [(self.num, d_num), (self.den, d_den)], []


@dataclass(frozen=True)
class RatioOfRatios:
    """(T_a/T_b) / (T_c/T_d): e.g. a cause's share among the poor relative to its share among the non-poor."""

    a: str
    b: str
    c: str
    d: str

    def evaluate(self, cell: Totals, pop: PopTotal) -> tuple[np.ndarray, Terms, Terms]:
        ta, tb, tc, td = (cell(v) for v in (self.a, self.b, self.c, self.d))
        with np.errstate(divide="ignore", invalid="ignore"):
            q = (ta * td) / (tb * tc)
            terms = [
                (self.a, td / (tb * tc)),
                (self.b, -ta * td / (tb * tb * tc)),
                (self.c, -ta * td / (tb * tc * tc)),
                (self.d, ta / (tb * tc)),
            ]
        return q, terms, []


@dataclass(frozen=True)
class DifferenceOfRatios:
    """T_a/T_b − T_c/T_d: e.g. the gap between two rates in the same cell."""

    a: str
    b: str
    c: str
    d: str

    def evaluate(self, cell: Totals, pop: PopTotal) -> tuple[np.ndarray, Terms, Terms]:
        ta, tb, tc, td = (cell(v) for v in (self.a, self.b, self.c, self.d))
        with np.errstate(divide="ignore", invalid="ignore"):
            diff = ta / tb - tc / td
            terms = [(self.a, 1 / tb), (self.b, -ta / (tb * tb)), (self.c, -1 / td), (self.d, tc / (td * td))]
        return diff, terms, []


@dataclass
class SetView:
    """One domain set of a :class:`PartialSums`, arranged for variance computation."""

    cells: list[str]  # cell keys, in PartialSums order
    totals: np.ndarray  # (C, p) weighted totals per cell
    counts: np.ndarray  # (C, q) unweighted counts per cell
    pop_totals: np.ndarray  # (p,)
    strata: np.ndarray  # (H,) labels
    n_h: np.ndarray  # (H,) PSUs per stratum in the whole sample
    # PSU-totals layout
    row_cell: np.ndarray | None = None  # (R,)
    row_stratum: np.ndarray | None = None  # (R,)
    row_unit: np.ndarray | None = None  # (R,) index into the population PSU rows
    row_sums: np.ndarray | None = None  # (R, p)
    row_counts: np.ndarray | None = None  # (R, q) unweighted counts per (cell, stratum, PSU) row
    unit_stratum: np.ndarray | None = None  # (U,)
    unit_sums: np.ndarray | None = None  # (U, p)
    # moments layout (rows are PSUs)
    cs_sums: np.ndarray | None = None  # (C, H, p)
    cs_cross: np.ndarray | None = None  # (C, H, p, p)
    pop_cross: np.ndarray | None = None  # (H, p, p)
    pop_strata_sums: np.ndarray | None = None  # (H, p)
    cs_counts: np.ndarray | None = None  # (C, H, q) unweighted counts per cell and stratum


def set_view(ps: PartialSums, set_id: int) -> SetView:
    """Arrange one domain set's partial sums (and the population's) for :func:`variances`."""
    keys = ps.keys
    set_col = keys["set"].to_numpy()
    pop_rows = np.flatnonzero(set_col == 0)
    rows = np.flatnonzero(set_col == set_id)
    strata_labels, pop_stratum = np.unique(keys["stratum"].to_numpy()[pop_rows].astype(str), return_inverse=True)
    cell_labels = keys["cell"].to_numpy()[rows]
    cells, row_cell = np.unique(cell_labels.astype(str), return_inverse=True)
    n_cells, n_strata, p = len(cells), len(strata_labels), len(ps.variables)
    totals = _group_sum(row_cell, n_cells, ps.sums[rows])
    counts = _group_sum(row_cell, n_cells, ps.counts[rows])
    pop_totals = ps.sums[pop_rows].sum(axis=0)
    row_stratum = np.searchsorted(strata_labels, keys["stratum"].to_numpy()[rows].astype(str))
    view = SetView(list(cells), totals, counts, pop_totals, strata_labels, np.zeros(n_strata))
    if ps.rows_are_psus:
        np.add.at(view.n_h, pop_stratum, ps.counts[pop_rows, 0])
        view.cs_sums = np.zeros((n_cells, n_strata, p))
        view.cs_sums[row_cell, row_stratum] = ps.sums[rows]
        view.cs_cross = np.zeros((n_cells, n_strata, p, p))
        view.cs_cross[row_cell, row_stratum] = ps.cross[rows]  # type: ignore[index]
        view.cs_counts = np.zeros((n_cells, n_strata, ps.counts.shape[1]))
        view.cs_counts[row_cell, row_stratum] = ps.counts[rows]
        view.pop_strata_sums = np.zeros((n_strata, p))
        view.pop_strata_sums[pop_stratum] = ps.sums[pop_rows]
        view.pop_cross = np.zeros((n_strata, p, p))
        view.pop_cross[pop_stratum] = ps.cross[pop_rows]  # type: ignore[index]
    else:
        np.add.at(view.n_h, pop_stratum, 1.0)
        unit_index = pd.MultiIndex.from_arrays(
            [keys["stratum"].to_numpy()[pop_rows].astype(str), keys["psu"].to_numpy()[pop_rows].astype(str)]
        )
        row_units = pd.MultiIndex.from_arrays(
            [keys["stratum"].to_numpy()[rows].astype(str), keys["psu"].to_numpy()[rows].astype(str)]
        )
        view.row_cell, view.row_stratum = row_cell, row_stratum
        view.row_unit = unit_index.get_indexer(row_units)
        view.row_sums = ps.sums[rows]
        view.row_counts = ps.counts[rows]
        view.unit_stratum = pop_stratum
        view.unit_sums = ps.sums[pop_rows]
    return view


def contributing_units(view: SetView, counter: int) -> tuple[np.ndarray, np.ndarray]:
    """Per cell, the PSUs and the strata with at least one household counted by ``counter`` (column of the
    counts): the units an estimate rests on, and R ``degf()`` of the domain's subset is their difference."""
    n_cells, n_strata = len(view.cells), len(view.strata)
    if view.cs_counts is not None:  # moments layout: every counted household is its own PSU
        per_stratum = view.cs_counts[:, :, counter]
        return per_stratum.sum(axis=1), (per_stratum > 0).sum(axis=1).astype(np.float64)
    assert view.row_counts is not None and view.row_cell is not None and view.row_stratum is not None
    present = view.row_counts[:, counter] > 0
    n_psu = np.bincount(view.row_cell[present], minlength=n_cells).astype(np.float64)
    pairs = np.zeros(n_cells * n_strata, dtype=bool)
    pairs[view.row_cell[present] * n_strata + view.row_stratum[present]] = True
    return n_psu, pairs.reshape(n_cells, n_strata).sum(axis=1).astype(np.float64)


def singleton_strata(view: SetView) -> list[str]:
    """Strata with a single PSU in the whole sample."""
    return [str(s) for s in view.strata[view.n_h == 1]]


def check_lonely(view: SetView, lonely_psu: str, stratum_column: str | None) -> None:
    """Raise :class:`DesignError` under ``lonely_psu="fail"`` when a stratum has a single PSU."""
    lonely = singleton_strata(view)
    if lonely and lonely_psu == "fail":
        more = f" (and {len(lonely) - 1} more)" if len(lonely) > 1 else ""
        raise DesignError(
            f"stratum {lonely[0]!r}{more} has only one PSU, so its variance cannot be estimated; "
            "merge strata, or choose how to treat it: --lonely-psu adjust (centre at the grand mean) or "
            "--lonely-psu certainty (no variance from it); in the library Design(lonely_psu=...)",
            column=stratum_column,
        )


def variances(
    view: SetView, estimator: Estimator, lonely_psu: str, var_index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Estimates and their linearised variances for every cell of ``view``."""

    def cell_totals(name: str) -> np.ndarray:
        return view.totals[:, var_index[name]]

    def pop_total(name: str) -> float:
        return float(view.pop_totals[var_index[name]])

    estimate, cell_terms, pop_terms = estimator.evaluate(cell_totals, pop_total)
    n_cells, n_strata = len(view.cells), len(view.strata)
    cj = np.array([var_index[v] for v, _ in cell_terms], dtype=np.int64)
    ca = np.column_stack([c for _, c in cell_terms]) if cell_terms else np.zeros((n_cells, 0))
    pj = np.array([var_index[v] for v, _ in pop_terms], dtype=np.int64)
    pb = np.column_stack([c for _, c in pop_terms]) if pop_terms else np.zeros((n_cells, 0))
    ca = np.nan_to_num(ca, nan=0.0, posinf=0.0, neginf=0.0)  # undefined cells get NaN variance below
    pb = np.nan_to_num(pb, nan=0.0, posinf=0.0, neginf=0.0)

    # ``scale`` is Σz² computed with absolute values: the size of the terms that cancel, for the noise test below
    if view.cs_cross is None:  # PSU totals
        cell_vals = view.row_sums[:, cj]  # type: ignore[index]
        pop_vals = view.unit_sums[:, pj][view.row_unit]  # type: ignore[index]
        a_rows, b_rows = ca[view.row_cell], pb[view.row_cell]  # type: ignore[index]
        zc = np.einsum("rk,rk->r", a_rows, cell_vals)
        zp = np.einsum("rk,rk->r", b_rows, pop_vals)
        zc_abs = np.einsum("rk,rk->r", np.abs(a_rows), np.abs(cell_vals))
        zp_abs = np.einsum("rk,rk->r", np.abs(b_rows), np.abs(pop_vals))
        flat = view.row_cell * n_strata + view.row_stratum  # type: ignore[operator]
        size = n_cells * n_strata
        lin = np.bincount(flat, zc, size).reshape(n_cells, n_strata)
        quad = np.bincount(flat, zc * zc + 2 * zc * zp, size).reshape(n_cells, n_strata)
        scale = np.bincount(flat, zc_abs * zc_abs + 2 * zc_abs * zp_abs, size).reshape(n_cells, n_strata)
        if len(pj):
            assert view.unit_stratum is not None and view.unit_sums is not None
            unit_vals = view.unit_sums[:, pj]
            products = (unit_vals[:, :, None] * unit_vals[:, None, :]).reshape(len(unit_vals), -1)
            s1 = _group_sum(view.unit_stratum, n_strata, unit_vals)
            s2 = _group_sum(view.unit_stratum, n_strata, products).reshape(n_strata, len(pj), len(pj))
            s2_abs = _group_sum(view.unit_stratum, n_strata, np.abs(products)).reshape(n_strata, len(pj), len(pj))
            lin = lin + pb @ s1.T
            quad = quad + np.einsum("cl,hlm,cm->ch", pb, s2, pb)
            scale = scale + np.einsum("cl,hlm,cm->ch", np.abs(pb), s2_abs, np.abs(pb))
    else:  # moments
        s1 = view.cs_sums[:, :, cj]  # type: ignore[index]
        s2 = view.cs_cross[:, :, cj][:, :, :, cj]  # type: ignore[index]
        lin = np.einsum("ck,chk->ch", ca, s1)
        quad = np.einsum("ck,chkl,cl->ch", ca, s2, ca)
        scale = np.einsum("ck,chkl,cl->ch", np.abs(ca), np.abs(s2), np.abs(ca))
        if len(pj):
            cross = view.cs_cross[:, :, cj][:, :, :, pj]  # type: ignore[index]  # Σ t_cell t_popᵀ = cell's own Σ t tᵀ
            ps1 = view.pop_strata_sums[:, pj]  # type: ignore[index]
            ps2 = view.pop_cross[:, pj][:, :, pj]  # type: ignore[index]
            lin = lin + pb @ ps1.T
            quad = quad + 2 * np.einsum("ck,chkl,cl->ch", ca, cross, pb) + np.einsum("cl,hlm,cm->ch", pb, ps2, pb)
            scale = (
                scale
                + 2 * np.einsum("ck,chkl,cl->ch", np.abs(ca), np.abs(cross), np.abs(pb))
                + np.einsum("cl,hlm,cm->ch", np.abs(pb), np.abs(ps2), np.abs(pb))
            )

    n_h = view.n_h[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        centred = np.where(n_h > 1, n_h / (n_h - 1) * (quad - lin * lin / n_h), 0.0)
        # Σz² − (Σz)²/n cancels: a stratum whose z are all equal leaves rounding noise of the order of 1e-16 times
        # the terms summed, whose square root would show as a spurious SE; such strata contribute exactly 0
        noise = ROUNDING * np.where(n_h > 1, n_h / (n_h - 1) * scale, 0.0)
        centred = np.where(np.abs(centred) <= noise, 0.0, centred)
    if lonely_psu == "adjust":
        centred = np.where(n_h == 1, quad, centred)
    variance = np.maximum(centred.sum(axis=1), 0.0)  # rounding can leave −1e-30 for zero-variance cells
    variance = np.where(np.isfinite(estimate), variance, np.nan)
    return estimate, variance
