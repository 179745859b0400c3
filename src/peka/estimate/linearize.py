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

from collections.abc import Callable, Sequence
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


def _rows_of(selected: np.ndarray) -> np.ndarray | slice:
    """Row positions as a slice when they are one contiguous run (as ``PartialSums`` keeps each set's rows), so
    taking them is a view rather than a copy of the sums."""
    if len(selected) and selected[-1] - selected[0] + 1 == len(selected):
        return slice(int(selected[0]), int(selected[-1]) + 1)
    return selected


def _distinct_texts(column: pd.Series, rows: np.ndarray | slice) -> tuple[np.ndarray, np.ndarray]:
    """``column[rows]`` as text: per row a code, and the texts the codes point to (a string column is factorised by
    hash, so only its distinct values are converted; any other is taken row by row)."""
    part = column.iloc[rows]
    if isinstance(part.dtype, pd.StringDtype) and not part.hasnans:
        codes, uniques = pd.factorize(part)
        return codes, np.asarray(uniques, dtype=object).astype(str)
    return np.arange(len(part)), part.to_numpy().astype(str)


def _sorted_texts(column: pd.Series, rows: np.ndarray | slice) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(texts, return_inverse=True)`` of ``column[rows]`` as text: sorted labels, each row's position."""
    codes, texts = _distinct_texts(column, rows)
    labels, inverse = np.unique(texts, return_inverse=True)
    return labels, inverse[codes]


def _positions(labels: np.ndarray, column: pd.Series, rows: np.ndarray | slice) -> np.ndarray:
    """Each row's position among the sorted ``labels`` (which hold every text of ``column[rows]``)."""
    codes, texts = _distinct_texts(column, rows)
    return np.searchsorted(labels, texts)[codes]


def set_view(ps: PartialSums, set_id: int) -> SetView:
    """Arrange one domain set's partial sums (and the population's) for :func:`variances`."""
    keys = ps.keys
    set_col = keys["set"].to_numpy()
    pop_rows = _rows_of(np.flatnonzero(set_col == 0))
    rows = _rows_of(np.flatnonzero(set_col == set_id))
    strata_labels, pop_stratum = _sorted_texts(keys["stratum"], pop_rows)
    cells, row_cell = _sorted_texts(keys["cell"], rows)
    n_cells, n_strata, p = len(cells), len(strata_labels), len(ps.variables)
    set_sums, set_counts = ps.sums[rows], ps.counts[rows]
    pop_sums = ps.sums[pop_rows]
    totals = _group_sum(row_cell, n_cells, set_sums)
    counts = _group_sum(row_cell, n_cells, set_counts)
    pop_totals = pop_sums.sum(axis=0)
    row_stratum = pop_stratum if set_id == 0 else _positions(strata_labels, keys["stratum"], rows)
    view = SetView(list(cells), totals, counts, pop_totals, strata_labels, np.zeros(n_strata))
    if ps.rows_are_psus:
        np.add.at(view.n_h, pop_stratum, ps.counts[pop_rows, 0])
        view.cs_sums = np.zeros((n_cells, n_strata, p))
        view.cs_sums[row_cell, row_stratum] = set_sums
        view.cs_cross = np.zeros((n_cells, n_strata, p, p))
        view.cs_cross[row_cell, row_stratum] = ps.cross[rows]  # type: ignore[index]
        view.cs_counts = np.zeros((n_cells, n_strata, ps.counts.shape[1]))
        view.cs_counts[row_cell, row_stratum] = set_counts
        view.pop_strata_sums = np.zeros((n_strata, p))
        view.pop_strata_sums[pop_stratum] = pop_sums
        view.pop_cross = np.zeros((n_strata, p, p))
        view.pop_cross[pop_stratum] = ps.cross[pop_rows]  # type: ignore[index]
    else:
        view.n_h = np.bincount(pop_stratum, minlength=n_strata).astype(np.float64)
        # a PSU is the pair (stratum, PSU label): one integer per pair, looked up among the population's PSUs
        psu_labels, pop_psu = _sorted_texts(keys["psu"], pop_rows)
        row_psu = pop_psu if set_id == 0 else _positions(psu_labels, keys["psu"], rows)
        units = pd.Index(pop_stratum * len(psu_labels) + pop_psu)
        view.row_cell, view.row_stratum = row_cell, row_stratum
        view.row_unit = units.get_indexer(row_stratum * len(psu_labels) + row_psu)
        view.row_sums = set_sums
        view.row_counts = set_counts
        view.unit_stratum = pop_stratum
        view.unit_sums = pop_sums
    return view


def contributing_units(view: SetView) -> tuple[np.ndarray, np.ndarray]:
    """Per cell and counter (column of the counts), ``(C, q)``: the PSUs and the strata with at least one household
    counted: the units an estimate rests on, and R ``degf()`` of the domain's subset is their difference."""
    n_cells, n_strata = len(view.cells), len(view.strata)
    if view.cs_counts is not None:  # moments layout: every counted household is its own PSU
        return view.cs_counts.sum(axis=1), (view.cs_counts > 0).sum(axis=1).astype(np.float64)
    assert view.row_counts is not None and view.row_cell is not None and view.row_stratum is not None
    present = (view.row_counts > 0).astype(np.float64)
    n_psu = _group_sum(view.row_cell, n_cells, present)
    per_stratum = _group_sum(view.row_cell * n_strata + view.row_stratum, n_cells * n_strata, present)
    strata = (per_stratum.reshape(n_cells, n_strata, -1) > 0).sum(axis=1).astype(np.float64)
    return n_psu, strata


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


BATCH_ELEMENTS = 250_000  # floats per array of one batch of estimators (2 MB): the passes stay in the CPU caches


def variances(
    view: SetView, estimator: Estimator, lonely_psu: str, var_index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Estimates and their linearised variances for every cell of ``view``."""
    estimates, variance = variances_of(view, [estimator], lonely_psu, var_index)
    return estimates[0], variance[0]


def variances_of(
    view: SetView, estimators: Sequence[Estimator], lonely_psu: str, var_index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Estimates and linearised variances of several estimators at once, each ``(len(estimators), cells)``.

    Estimators with the same number of gradient terms share one pass over the PSU rows (batches of at most
    :data:`BATCH_ELEMENTS` floats per array), so a profile's ~90 measures cost a few array passes, not ~90."""

    def cell_totals(name: str) -> np.ndarray:
        return view.totals[:, var_index[name]]

    def pop_total(name: str) -> float:
        return float(view.pop_totals[var_index[name]])

    n_cells = len(view.cells)
    evaluated = [estimator.evaluate(cell_totals, pop_total) for estimator in estimators]
    estimate = np.empty((len(estimators), n_cells))
    variance = np.empty((len(estimators), n_cells))
    by_shape: dict[tuple[int, int], list[int]] = {}
    for m, (value, cell_terms, pop_terms) in enumerate(evaluated):
        estimate[m] = value
        by_shape.setdefault((len(cell_terms), len(pop_terms)), []).append(m)
    rows = len(view.row_sums) if view.row_sums is not None else n_cells * len(view.strata)
    by_variable = None if view.row_sums is None else np.ascontiguousarray(view.row_sums.T)
    for (n_cell_terms, n_pop_terms), members in by_shape.items():
        per_estimator = rows * max(n_cell_terms, n_pop_terms, 1) ** (1 if view.cs_cross is None else 2)
        step = max(1, BATCH_ELEMENTS // per_estimator)
        for start in range(0, len(members), step):
            batch = members[start : start + step]
            cj, ca = _gradient(evaluated, batch, 1, n_cells, n_cell_terms, var_index)
            pj, pb = _gradient(evaluated, batch, 2, n_cells, n_pop_terms, var_index)
            lin, quad, scale = _linear_sums(view, cj, ca, pj, pb, by_variable)
            variance[batch] = _stratum_variance(view, lin, quad, scale, lonely_psu)
    variance = np.where(np.isfinite(estimate), variance, np.nan)
    return estimate, variance


def _gradient(
    evaluated: list[tuple[np.ndarray, Terms, Terms]],
    batch: list[int],
    part: int,
    n_cells: int,
    n_terms: int,
    var_index: dict[str, int],
) -> tuple[np.ndarray, np.ndarray]:
    """The variable indices ``(M, K)`` and coefficients ``(M, C, K)`` of the cell (``part`` 1) or population
    (``part`` 2) gradient terms of a batch of evaluated estimators with ``K`` terms each."""
    index = np.array([[var_index[v] for v, _ in evaluated[m][part]] for m in batch], dtype=np.int64)
    coefficients = np.zeros((len(batch), n_cells, n_terms))
    for b, m in enumerate(batch):
        for k, (_, coefficient) in enumerate(evaluated[m][part]):
            coefficients[b, :, k] = coefficient
    # undefined cells (a zero denominator) get NaN variance from their estimate
    coefficients = np.nan_to_num(coefficients, nan=0.0, posinf=0.0, neginf=0.0)
    return index.reshape(len(batch), n_terms), coefficients


def _dot_terms(coefficients: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Σ_k coefficient·value and Σ_k |coefficient|·|value| over the terms axis of two ``(M, K, R)`` arrays (in
    place: these are the largest arrays of a profile's variance step)."""
    n_batch, n_terms, n_rows = coefficients.shape
    total, magnitude = np.zeros((n_batch, n_rows)), np.zeros((n_batch, n_rows))
    product, size = np.empty((n_batch, n_rows)), np.empty((n_batch, n_rows))
    for k in range(n_terms):
        total += np.multiply(coefficients[:, k], values[:, k], out=product)
        np.abs(coefficients[:, k], out=product)
        product *= np.abs(values[:, k], out=size)
        magnitude += product
    return total, magnitude


def _linear_sums(
    view: SetView, cj: np.ndarray, ca: np.ndarray, pj: np.ndarray, pb: np.ndarray, by_variable: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (estimator, cell, stratum): Σz, Σz² and ``scale`` (Σz² computed with absolute values: the size of the
    terms that cancel, for the noise test of :func:`_stratum_variance`) of the linearised variable z.
    ``by_variable``: the PSU-totals rows' sums transposed, ``(p, R)``, so a variable's values are contiguous."""
    n_batch, n_cells, n_strata = len(cj), len(view.cells), len(view.strata)
    has_pop = pj.shape[1] > 0
    if view.cs_cross is None:  # PSU totals: z per (cell, stratum, PSU) row, summed per (cell, stratum)
        assert by_variable is not None and view.row_cell is not None and view.row_stratum is not None
        cell_vals = by_variable[cj]  # (M, K, R)
        a_rows = np.ascontiguousarray(np.moveaxis(ca, 1, 2))[:, :, view.row_cell]  # (M, K, R)
        zc, zc_abs = _dot_terms(a_rows, cell_vals)
        if has_pop:
            assert view.unit_sums is not None and view.row_unit is not None
            pop_vals = np.ascontiguousarray(view.unit_sums[:, pj].transpose(1, 2, 0))[:, :, view.row_unit]
            b_rows = np.ascontiguousarray(np.moveaxis(pb, 1, 2))[:, :, view.row_cell]
            zp, zp_abs = _dot_terms(b_rows, pop_vals)
            square, square_abs = zc * zc + 2 * zc * zp, zc_abs * zc_abs + 2 * zc_abs * zp_abs
        else:
            square, square_abs = zc * zc, zc_abs * zc_abs
        size = n_cells * n_strata
        flat = (view.row_cell * n_strata + view.row_stratum)[None, :] + (np.arange(n_batch) * size)[:, None]
        flat = flat.ravel()
        shape = (n_batch, n_cells, n_strata)
        lin = np.bincount(flat, zc.ravel(), n_batch * size).reshape(shape)
        quad = np.bincount(flat, square.ravel(), n_batch * size).reshape(shape)
        scale = np.bincount(flat, square_abs.ravel(), n_batch * size).reshape(shape)
        if has_pop:
            assert view.unit_stratum is not None and view.unit_sums is not None
            unit_vals = view.unit_sums[:, pj]  # (U, M, L)
            products = unit_vals[:, :, :, None] * unit_vals[:, :, None, :]  # (U, M, L, L)
            unit_stratum = view.unit_stratum

            def by_stratum(values: np.ndarray) -> np.ndarray:  # (U, ...) summed per stratum: (H, ...)
                flat = _group_sum(unit_stratum, n_strata, values.reshape(len(values), -1))
                return flat.reshape(n_strata, *values.shape[1:])

            s1, s2, s2_abs = by_stratum(unit_vals), by_stratum(products), by_stratum(np.abs(products))
            lin = lin + np.einsum("mcl,hml->mch", pb, s1)
            quad = quad + np.einsum("mcl,hmlk,mck->mch", pb, s2, pb)
            scale = scale + np.einsum("mcl,hmlk,mck->mch", np.abs(pb), s2_abs, np.abs(pb))
        return lin, quad, scale
    # moments: every row is its own PSU; Σt and Σttᵀ per (cell, stratum)
    assert view.cs_sums is not None and view.pop_strata_sums is not None and view.pop_cross is not None
    s1 = view.cs_sums[:, :, cj]  # (C, H, M, K)
    s2 = view.cs_cross[:, :, cj[:, :, None], cj[:, None, :]]  # (C, H, M, K, K)
    lin = np.einsum("mck,chmk->mch", ca, s1)
    quad = np.einsum("mck,chmkl,mcl->mch", ca, s2, ca)
    scale = np.einsum("mck,chmkl,mcl->mch", np.abs(ca), np.abs(s2), np.abs(ca))
    if has_pop:
        cross = view.cs_cross[:, :, cj[:, :, None], pj[:, None, :]]  # Σ t_cell t_popᵀ = the cell's own Σ t tᵀ
        ps1 = view.pop_strata_sums[:, pj]  # (H, M, L)
        ps2 = view.pop_cross[:, pj[:, :, None], pj[:, None, :]]  # (H, M, L, L)
        lin = lin + np.einsum("mcl,hml->mch", pb, ps1)
        quad = (
            quad
            + 2 * np.einsum("mck,chmkl,mcl->mch", ca, cross, pb)
            + np.einsum("mcl,hmlk,mck->mch", pb, ps2, pb)
        )
        scale = (
            scale
            + 2 * np.einsum("mck,chmkl,mcl->mch", np.abs(ca), np.abs(cross), np.abs(pb))
            + np.einsum("mcl,hmlk,mck->mch", np.abs(pb), np.abs(ps2), np.abs(pb))
        )
    return lin, quad, scale


def _stratum_variance(
    view: SetView, lin: np.ndarray, quad: np.ndarray, scale: np.ndarray, lonely_psu: str
) -> np.ndarray:
    """V = Σ_h n_h/(n_h − 1) (Σz² − (Σz)²/n_h) per (estimator, cell), from the sums of :func:`_linear_sums`."""
    n_h = view.n_h
    with np.errstate(divide="ignore", invalid="ignore"):
        centred = np.where(n_h > 1, n_h / (n_h - 1) * (quad - lin * lin / n_h), 0.0)
        # Σz² − (Σz)²/n cancels: a stratum whose z are all equal leaves rounding noise of the order of 1e-16 times
        # the terms summed, whose square root would show as a spurious SE; such strata contribute exactly 0
        noise = ROUNDING * np.where(n_h > 1, n_h / (n_h - 1) * scale, 0.0)
        centred = np.where(np.abs(centred) <= noise, 0.0, centred)
    if lonely_psu == "adjust":
        centred = np.where(n_h == 1, quad, centred)
    return np.maximum(centred.sum(axis=-1), 0.0)  # rounding can leave −1e-30 for zero-variance cells
