"""``profile()``: FGT, Alkire-Foster, BPS-14 and cause estimates with design-based SEs, as one tidy frame.

The work is split so that files larger than memory stream: a :class:`~peka.estimate.measures.MeasurePlan` turns
each chunk into base variables, :class:`~peka.estimate.sums.PartialSums` sums them per (domain cell, stratum,
PSU), and :func:`estimates_from_sums` turns the added-up sums into estimates, SEs, CIs and reliability flags.
``profile`` is the in-memory case (one chunk), ``profile_chunks`` the streamed one; both give the same numbers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from peka.errors import InputError, UsageError
from peka.estimate.design import Design
from peka.estimate.intervals import (
    BOUNDED,
    CI_DF_OPTIONS,
    CI_METHODS,
    NONNEGATIVE,
    PROPORTIONS,
    CiDf,
    CiMethod,
    intervals,
    quantiles,
)
from peka.estimate.linearize import check_lonely, contributing_units, set_view, singleton_strata, variances_of
from peka.estimate.measures import MeasurePlan, check_line_value, make_plan
from peka.estimate.sums import PartialSums, normalise_domain_sets, sum_partials
from peka.schema.classified import SEGMENT_COLUMNS

log = logging.getLogger(__name__)

COLUMNS: tuple[str, ...] = (
    "domain",
    "measure",
    "indicator",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "rse",
    "flag",
    "n",
    "n_psu",
    "weighted_n",
)


@dataclass(frozen=True)
class ProfileOptions:
    """How SEs become intervals and flags (docs/estimation.md §4).

    ``ci``: ``"logit"`` (default) gives proportions the logit interval of R ``svyciprop(method="logit")`` (never
    outside [0, 1]) and other measures the t interval (clipped to [0, 1] for measures bounded by it); ``"t"`` the
    symmetric Student-t interval (R ``confint(..., df=degf(design))``, Stata); ``"normal"`` the symmetric normal
    interval (R ``confint``). ``ci_df``: the t degrees of freedom, ``"design"`` = #PSU − #strata of the whole
    sample (R ``degf(design)``, Stata), ``"domain"`` = PSUs − strata with households of the domain (R
    ``degf(subset(design, ...))``, which ``svyby(..., svyciprop)`` uses). Flags, first that applies: ``n < min_n`` →
    ``low_n``; fewer than ``min_psu`` PSUs with households behind the estimate → ``few_psu``; an estimate of 0 →
    ``no_rse``; ``rse ≤ rse_reliable`` → ``reliable``, ``≤ rse_caution`` → ``caution``, above → ``unreliable``
    (BPS practice: 25% and 50%). ``suppress`` blanks cells with ``n < min_n`` or an RSE above ``rse_caution``
    (flag ``suppressed``). ``segments`` adds the ``poverty_status`` and ``segment`` columns, when present, as extra
    domain sets.
    """

    confidence: float = 0.95
    ci: CiMethod = "logit"
    ci_df: CiDf = "design"
    min_n: int = 30
    min_psu: int = 10
    rse_reliable: float = 0.25
    rse_caution: float = 0.5
    suppress: bool = False
    segments: bool = True

    def __post_init__(self) -> None:
        if not 0 < self.confidence < 1:
            raise UsageError(f"confidence must be between 0 and 1, not {self.confidence}")
        if self.ci not in CI_METHODS:
            raise UsageError(f"ci must be one of {', '.join(CI_METHODS)}, not {self.ci!r}")
        if self.ci_df not in CI_DF_OPTIONS:
            raise UsageError(f"ci_df must be one of {', '.join(CI_DF_OPTIONS)}, not {self.ci_df!r}")
        if self.min_n < 0 or self.min_psu < 0 or not 0 < self.rse_reliable <= self.rse_caution:
            raise UsageError("min_n and min_psu must be ≥ 0 and 0 < rse_reliable ≤ rse_caution")


@dataclass
class ProfileResult:
    """``estimates``: the tidy frame (columns :data:`COLUMNS`); ``design``: what design the SEs assume."""

    estimates: pd.DataFrame
    design: dict[str, Any] = field(default_factory=dict)


@dataclass
class ProfilePlan:
    """What to estimate, decided once from the columns of a (first) frame: the design, the measures and the domain
    sets. ``partial`` reduces any chunk or partition to :class:`PartialSums`; ``finish`` turns added-up sums into
    the result. This is the API for running the reduction elsewhere (e.g. one Dask task per partition)::

        plan = plan_profile(first_partition, by=["kab_code"])
        parts = [dask.delayed(plan.partial)(part) for part in ddf.to_delayed()]
        result = plan.finish(dask.delayed(sum_partials)(parts).compute())
    """

    design: Design
    measures: MeasurePlan
    domain_sets: tuple[tuple[str, ...], ...]
    options: ProfileOptions

    def partial(self, frame: pd.DataFrame) -> PartialSums:
        """The partial sums of one chunk (one pass over its rows)."""
        return PartialSums.from_frame(frame, self.design, self.measures.blocks(frame), self.domain_sets[1:])

    def finish(self, sums: PartialSums) -> ProfileResult:
        """Estimates, SEs, intervals and flags from the partial sums of all chunks."""
        return estimates_from_sums(sums, self.measures, self.design, self.options)


def plan_profile(
    frame: pd.DataFrame,
    *,
    design: Design | None = None,
    by: Sequence[str | Sequence[str]] = (),
    welfare: str | None = "exp_pc",
    line: float | str | None = "poverty_line",
    extreme: float | str | None = "extreme_line",
    hh_size: str | None = "hh_size",
    mpi_spec: Any = None,
    causes: Iterable[str] | None = None,
    options: ProfileOptions | None = None,
) -> ProfilePlan:
    """Plan a profile from ``frame``'s columns (arguments as :func:`profile`); no estimation yet."""
    options = options or ProfileOptions()
    check_line_value(line)
    check_line_value(extreme)
    measures = make_plan(
        frame, welfare=welfare, line=line, extreme=extreme, hh_size=hh_size, mpi_spec=mpi_spec, causes=causes
    )
    for reason in measures.skipped:
        log.info("profile: skipped %s", reason)
    sets = list(by)
    if options.segments:
        sets += [c for c in SEGMENT_COLUMNS if c in frame.columns]
    return ProfilePlan(
        design if design is not None else Design.from_frame(frame), measures, normalise_domain_sets(sets), options
    )


def profile(
    classified: pd.DataFrame,
    *,
    design: Design | None = None,
    by: Sequence[str | Sequence[str]] = (),
    welfare: str | None = "exp_pc",
    line: float | str | None = "poverty_line",
    extreme: float | str | None = "extreme_line",
    hh_size: str | None = "hh_size",
    mpi_spec: Any = None,
    causes: Iterable[str] | None = None,
    options: ProfileOptions | None = None,
) -> ProfileResult:
    """Estimates with SEs for the whole population and every domain of ``by`` (and of each segment column).

    ``by`` lists domain sets: a column name, or a tuple of names crossed together (``["kec_name", ("kec_name",
    "urban_rural")]``). ``design=None`` uses the ``weight``/``strata``/``psu`` columns that exist. ``line`` and
    ``extreme`` are a column name or a fixed value in the welfare unit. Default column names that are absent
    switch their measures off (logged); a column named explicitly must exist. ``hh_size=None`` counts every row
    as one person. ``mpi_spec`` gives the indicator weights and k (an :class:`MpiSpec`, a ``[mpi]``-shaped mapping
    or ``peka.config``'s ``MpiConfig``); by default the spec ``classify`` left in ``classified.attrs`` is used when it
    matches the ``mpi_d_*`` columns (a table read from disk: pass the spec of its classification record). ``causes`` lists cause codes (default: every boolean ``cause_*`` column).

    >>> frame = pd.DataFrame({"exp_pc": [1.0, 3.0, 2.0, 5.0], "hh_size": [2, 1, 1, 4], "weight": [1.0] * 4})
    >>> result = profile(frame, line=2.5)
    >>> float(result.estimates.query("measure == 'P0'")["estimate"].iloc[0])  # (2 + 1) poor persons of 8
    0.375
    """
    plan = plan_profile(
        classified,
        design=design,
        by=by,
        welfare=welfare,
        line=line,
        extreme=extreme,
        hh_size=hh_size,
        mpi_spec=mpi_spec,
        causes=causes,
        options=options,
    )
    return plan.finish(plan.partial(classified))


def profile_chunks(
    frames: Iterable[pd.DataFrame],
    *,
    design: Design | None = None,
    by: Sequence[str | Sequence[str]] = (),
    welfare: str | None = "exp_pc",
    line: float | str | None = "poverty_line",
    extreme: float | str | None = "extreme_line",
    hh_size: str | None = "hh_size",
    mpi_spec: Any = None,
    causes: Iterable[str] | None = None,
    options: ProfileOptions | None = None,
) -> ProfileResult:
    """:func:`profile` over chunks of one survey (e.g. ``pd.read_csv(..., chunksize=...)`` after classify): the
    measures are planned from the first chunk, each chunk is reduced to partial sums, and the sums are added, so
    the result equals ``profile(pd.concat(frames))`` up to floating-point rounding. A PSU may span chunks."""
    plan: ProfilePlan | None = None
    total: PartialSums | None = None
    for frame in frames:
        if plan is None:
            plan = plan_profile(
                frame,
                design=design,
                by=by,
                welfare=welfare,
                line=line,
                extreme=extreme,
                hh_size=hh_size,
                mpi_spec=mpi_spec,
                causes=causes,
                options=options,
            )
        part = plan.partial(frame)
        total = part if total is None else sum_partials([total, part])
    if plan is None or total is None:
        raise UsageError("no data: the input has no chunks")
    return plan.finish(total)


def _natural(value: Any) -> tuple[int, Any]:
    if value is None:
        return (2, "")
    if isinstance(value, (bool, int, float)):
        return (0, value)
    return (1, str(value))


def estimates_from_sums(ps: PartialSums, plan: MeasurePlan, design: Design, options: ProfileOptions) -> ProfileResult:
    """The tidy estimates frame and design description from (added-up) partial sums."""
    var_index = {name: j for j, name in enumerate(ps.variables)}
    counter_index = {name: j for j, name in enumerate(ps.counters)}
    pop_view = set_view(ps, 0)
    if not len(pop_view.cells):
        raise InputError("the data has no households to estimate from")
    check_lonely(pop_view, design.lonely_psu, design.strata)
    n_strata = len(pop_view.strata)
    n_psu = int(pop_view.n_h.sum())
    df_design = n_psu - n_strata
    if options.ci != "normal" and options.ci_df == "design" and df_design < 1:
        raise UsageError(f"design degrees of freedom are {df_design}: use normal intervals")

    frames = []
    for set_id, columns in enumerate(ps.domain_sets):
        view = pop_view if set_id == 0 else set_view(ps, set_id)
        domains = [dict(zip(columns, json.loads(key))) for key in view.cells]
        order = sorted(range(len(domains)), key=lambda i: tuple(_natural(v) for v in domains[i].values()))
        rows: dict[str, list[Any]] = {c: [] for c in ("cell", "m", "measure", "indicator")}
        blocks: dict[str, list[np.ndarray]] = {
            c: [] for c in ("estimate", "variance", "n", "n_psu", "n_strata", "weighted_n")
        }
        chosen = [(m, spec) for m, spec in enumerate(plan.measures) if not (spec.where == "domains" and set_id == 0)]
        estimates, variance = variances_of(view, [spec.estimator for _, spec in chosen], design.lonely_psu, var_index)
        blocks["estimate"].append(estimates.ravel())
        blocks["variance"].append(variance.ravel())
        psus_in, strata_in = contributing_units(view)
        for m, spec in chosen:
            counter = counter_index[spec.n]
            blocks["n"].append(view.counts[:, counter])
            blocks["n_psu"].append(psus_in[:, counter])
            blocks["n_strata"].append(strata_in[:, counter])
            blocks["weighted_n"].append(view.totals[:, [var_index[v] for v in spec.weighted_n]].sum(axis=1))
            rows["cell"].append(np.arange(len(domains)))
            rows["m"].append(np.full(len(domains), m))
            rows["measure"].append(np.full(len(domains), spec.measure, dtype=object))
            rows["indicator"].append(np.full(len(domains), spec.indicator, dtype=object))
        rank = np.empty(len(domains), dtype=np.int64)
        rank[order] = np.arange(len(domains))
        part = pd.DataFrame(
            {
                "_rank": rank[np.concatenate(rows["cell"])],
                "_m": np.concatenate(rows["m"]),
                "_cell": np.concatenate(rows["cell"]),
                "measure": pd.Series(np.concatenate(rows["measure"]), dtype=object),
                "indicator": pd.Series(np.concatenate(rows["indicator"]), dtype=object),
                **{k: np.concatenate(v) for k, v in blocks.items()},
            }
        ).sort_values(["_rank", "_m"], kind="stable")
        part.insert(0, "domain", [domains[i] for i in part["_cell"]])
        frames.append(part.drop(columns=["_rank", "_m", "_cell"]))
    table = pd.concat(frames, ignore_index=True)
    table, quantile = _finish(table, df_design, options)

    described = design.describe()
    lonely = singleton_strata(pop_view)
    described.update(
        {
            "n_households": int(pop_view.counts[:, 0].sum()),
            "n_strata": n_strata,
            "n_psu": n_psu,
            "singleton_strata": lonely,
            "df": df_design,
            "ci": {
                "method": options.ci,
                "confidence": options.confidence,
                "df": None if options.ci == "normal" else options.ci_df,
                "quantile": quantile,
                "logit_measures": sorted(PROPORTIONS) if options.ci == "logit" else [],
                "clipped_measures": sorted(BOUNDED | NONNEGATIVE) if options.ci == "logit" else [],
            },
            "reliability": {
                "reliable_rse_max": options.rse_reliable,
                "caution_rse_max": options.rse_caution,
                "min_n": options.min_n,
                "min_psu": options.min_psu,
                "suppress": options.suppress,
            },
            "domains": [list(c) for c in ps.domain_sets],
            "skipped": list(plan.skipped),
            "welfare": plan.welfare,
            "poverty_line": plan.line,
            "extreme_line": plan.extreme,
            "mpi": None
            if plan.mpi_spec is None
            else {
                "k": plan.mpi_spec.k,
                "indicators": [
                    {"name": i.name, "dimension": i.dimension, "weight": i.weight} for i in plan.mpi_spec.indicators
                ],
            },
        }
    )
    return ProfileResult(estimates=table, design=described)


def _finish(table: pd.DataFrame, df_design: int, options: ProfileOptions) -> tuple[pd.DataFrame, float | None]:
    """SE, CI, RSE, flags and optional suppression, vectorised over the whole table; also the quantile shared by
    every row (``None`` when it varies by domain)."""
    estimate = table["estimate"].to_numpy(dtype=np.float64)
    se = np.sqrt(table.pop("variance").to_numpy(dtype=np.float64))
    n = table["n"].to_numpy(dtype=np.float64)
    n_psu = table["n_psu"].to_numpy(dtype=np.float64)
    n_strata = table.pop("n_strata").to_numpy(dtype=np.float64)
    df = n_psu - n_strata if options.ci_df == "domain" else np.full(len(table), float(df_design))
    quantile = quantiles(options.ci, options.confidence, df)
    shared = None if options.ci_df == "domain" and options.ci != "normal" else float(
        quantiles(options.ci, options.confidence, np.array([float(df_design)]))[0]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        rse = np.where(estimate != 0, se / np.abs(estimate), np.nan)
    # the RSE class alone decides suppression, whatever flag of fewer PSUs is shown
    rse_class = np.select(
        [~np.isfinite(estimate) | (estimate == 0), rse <= options.rse_reliable, rse <= options.rse_caution],
        ["no_rse", "reliable", "caution"],
        default="unreliable",
    )
    flag = np.where(
        n < options.min_n, "low_n", np.where(n_psu < options.min_psu, "few_psu", rse_class)
    ).astype(object)
    table["se"] = se
    table["ci_low"], table["ci_high"] = intervals(
        estimate, se, table["measure"].to_numpy(dtype=object), options.ci, quantile
    )
    table["rse"] = rse
    table["flag"] = flag
    if options.suppress:
        hide = (n < options.min_n) | (rse_class == "unreliable")
        for column in ("estimate", "se", "ci_low", "ci_high", "rse"):
            table.loc[hide, column] = np.nan
        table.loc[hide, "flag"] = "suppressed"
    table["n"] = table["n"].round().astype(np.int64)
    table["n_psu"] = table["n_psu"].round().astype(np.int64)
    return table[list(COLUMNS)], shared
