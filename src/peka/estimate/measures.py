"""The measures peka profiles, each written as an estimator over base variables of a classified household frame.

A *plan* is decided once from the columns of the (first) frame and the options: which measure groups apply
(monetary FGT, extreme poverty, Alkire-Foster, BPS-14, causes, counts), which MPI indicators and causes exist.
``plan.variables(frame)`` then turns any frame or chunk into the per-household base variables y (a household
outside a measure's population has y = 0 but keeps its PSU) and unweighted counters, always the same names in the
same order, so that partial sums of chunks add up.

Person-weighted measures use y multiplied by the household size m (household weight × size = person weight);
household-weighted ones (BPS-14 share, cause shares, household counts) use y as is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from peka.errors import ConfigError, InputError, UsageError
from peka.estimate.linearize import Estimator, Ratio, RatioOfRatios, Total
from peka.schema.classified import CAUSE_PREFIX, MPI_ATTR, MPI_PREFIX, POOR_STATUSES, UNKNOWN_STATUS


@dataclass(frozen=True)
class MpiIndicatorSpec:
    name: str
    dimension: str
    weight: float


@dataclass(frozen=True)
class MpiSpec:
    """An Alkire-Foster indicator set: indicators with dimension and weight (summing to 1), and the cutoff k.

    >>> spec = MpiSpec.from_any({"k": 0.5, "indicators": [
    ...     {"name": "a", "dimension": "x", "weight": 0.5}, {"name": "b", "dimension": "y", "weight": 0.5}]})
    >>> spec.dimensions
    ('x', 'y')
    """

    indicators: tuple[MpiIndicatorSpec, ...]
    k: float

    @property
    def dimensions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(ind.dimension for ind in self.indicators))

    @classmethod
    def from_any(cls, spec: Any) -> MpiSpec:
        """From an ``MpiSpec``, a mapping shaped like the ``[mpi]`` TOML table (``k``, ``indicators`` with
        ``name``, ``dimension``, ``weight``; optionally wrapped in ``{"mpi": ...}``), or a config object with
        ``.k`` and ``.indicators`` (``peka.config.models.MpiConfig``; disabled indicators are left out)."""
        if isinstance(spec, MpiSpec):
            return spec
        if isinstance(spec, Mapping) and "mpi" in spec and "k" not in spec:
            spec = spec["mpi"]

        def get(obj: Any, key: str, default: Any = None) -> Any:
            return obj.get(key, default) if isinstance(obj, Mapping) else getattr(obj, key, default)

        try:
            k = float(get(spec, "k"))
            indicators = tuple(
                MpiIndicatorSpec(str(get(ind, "name")), str(get(ind, "dimension")), float(get(ind, "weight")))
                for ind in get(spec, "indicators", []) or []
                if get(ind, "enabled", True)
            )
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"MPI spec needs k and indicators with name, dimension, weight ({exc})", key="mpi"
            ) from None
        if not indicators:
            raise ConfigError("MPI spec has no indicators", key="mpi.indicators")
        total = sum(ind.weight for ind in indicators)
        if abs(total - 1.0) > 1e-9:
            raise ConfigError(f"MPI indicator weights sum to {total:.6g}, not 1", key="mpi.indicators")
        return cls(indicators, k)


@dataclass(frozen=True)
class MeasureSpec:
    """One output measure: its estimator, the counter giving ``n`` and the variables whose total is ``weighted_n``.

    ``where`` is ``"all"`` (whole population and domains) or ``"domains"`` (shares of the whole: not computed for
    the whole population, where they are 1 by definition).
    """

    measure: str
    indicator: str | None
    estimator: Estimator
    n: str
    weighted_n: tuple[str, ...]
    where: str = "all"


@dataclass
class MeasurePlan:
    """Which measures apply and how to compute their base variables from any chunk of the classified frame."""

    welfare: str | None
    line: str | float | None
    extreme: str | float | None
    hh_size: str | None
    mpi_indicators: tuple[str, ...] = ()
    mpi_spec: MpiSpec | None = None
    mpi_score: str | None = None
    mpi_poor: str | None = None
    bps14: str | None = None
    causes: tuple[str, ...] = ()
    status: str | None = None
    measures: list[MeasureSpec] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # measure groups left out, with the reason

    # ---- base variables ----------------------------------------------------------------------------------------

    def columns(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        """The input columns the measures read, as numpy arrays (converted once; missing → NaN or flags)."""
        raw: dict[str, np.ndarray] = {"size": _household_size(frame, self.hh_size)}
        if self.welfare is not None and self.line is not None:
            raw["y"] = _floats(frame, self.welfare)
            raw["z"] = _line(frame, self.line)
            if self.extreme is not None:
                raw["ze"] = _line(frame, self.extreme)
        if self.mpi_score is not None or self.mpi_indicators:
            raw["determinate"], raw["mpi_poor"], raw["score"] = self._mpi_status(frame)
            for name in self.mpi_indicators:
                raw[f"g:{name}"] = _floats(frame, MPI_PREFIX + name)
        if self.bps14 is not None:
            raw["bps14_known"], raw["bps14_met"] = _flags(frame[self.bps14])
        if self.status is not None and self.causes:
            status = frame[self.status]
            raw["poor_hh"] = status.isin(POOR_STATUSES).to_numpy(dtype=bool, na_value=False)
            raw["nonpoor_hh"] = (status.notna() & ~status.isin((*POOR_STATUSES, UNKNOWN_STATUS))).to_numpy(
                dtype=bool, na_value=False
            )
            for code in self.causes:
                raw[f"known:{code}"], raw[f"has:{code}"] = _flags(frame[CAUSE_PREFIX + code])
        return raw

    def compute(self, raw: Mapping[str, np.ndarray]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Per-household base variables (before weighting) and 0/1 counters from :meth:`columns` (or a slice)."""
        size = raw["size"]
        n = len(size)
        var: dict[str, np.ndarray] = {"households": np.ones(n), "persons": size}
        cnt: dict[str, np.ndarray] = {}
        if "y" in raw:
            y, z = raw["y"], raw["z"]
            ok = ~np.isnan(y) & ~np.isnan(z) & (z > 0)
            with np.errstate(invalid="ignore", divide="ignore"):
                below = ok & (y < z)
                gap = np.where(below, (z - y) / np.where(ok, z, 1.0), 0.0)
            var["persons_welfare"] = size * ok
            var["fgt0"] = size * below
            var["fgt1"] = size * gap
            var["fgt2"] = var["fgt1"] * gap
            cnt["n_welfare"] = ok.astype(np.float64)
            if "ze" in raw:
                ze = raw["ze"]
                ok_e = ~np.isnan(y) & ~np.isnan(ze)
                with np.errstate(invalid="ignore"):
                    var["persons_extreme"] = size * ok_e
                    var["extreme_poor"] = size * (ok_e & (y < ze))
                cnt["n_extreme"] = ok_e.astype(np.float64)
        if "determinate" in raw:
            determinate, poor, score = raw["determinate"], raw["mpi_poor"], raw["score"]
            person_poor = size * poor
            var["persons_mpi"] = size * determinate
            var["mpi_poor"] = person_poor
            var["mpi_censored_score"] = person_poor * score
            cnt["n_mpi"] = determinate.astype(np.float64)
            cnt["n_mpi_poor"] = poor.astype(np.float64)
            for name in self.mpi_indicators:
                g = raw[f"g:{name}"]
                observed = ~np.isnan(g)
                g0 = np.where(observed, g, 0.0)
                var[f"uncensored:{name}"] = size * g0
                var[f"observed:{name}"] = size * observed
                var[f"censored:{name}"] = person_poor * g0
                cnt[f"n_observed:{name}"] = observed.astype(np.float64)
            if self.mpi_spec is not None:
                for dim in self.mpi_spec.dimensions:
                    total = np.zeros(n)
                    for ind in self.mpi_spec.indicators:
                        if ind.dimension == dim:
                            total += ind.weight * var[f"censored:{ind.name}"]
                    var[f"censored_dim:{dim}"] = total
        if "bps14_known" in raw:
            var["bps14_known"] = raw["bps14_known"]
            var["bps14_poor"] = raw["bps14_met"]
            cnt["n_bps14"] = raw["bps14_known"]
        if "poor_hh" in raw:
            poor_hh, nonpoor_hh = raw["poor_hh"], raw["nonpoor_hh"]  # booleans: products are "and"
            either = poor_hh | nonpoor_hh  # disjoint
            for code in self.causes:
                known, has = raw[f"known:{code}"], raw[f"has:{code}"]
                var[f"cause_poor:{code}"] = poor_hh * has
                var[f"cause_poor_known:{code}"] = poor_hh * known
                var[f"cause_nonpoor:{code}"] = nonpoor_hh * has
                var[f"cause_nonpoor_known:{code}"] = nonpoor_hh * known
                cnt[f"n_cause_poor:{code}"] = var[f"cause_poor_known:{code}"]
                cnt[f"n_cause_all:{code}"] = either * known
        return var, cnt

    def variables(self, frame: pd.DataFrame) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Per-household base variables (before weighting) and 0/1 counters of ``frame``, vectorised."""
        return self.compute(self.columns(frame))

    def blocks(
        self, frame: pd.DataFrame
    ) -> Callable[[np.ndarray], tuple[dict[str, np.ndarray], dict[str, np.ndarray]]]:
        """A function rows → base variables and counters of those rows (integer positions): the columns are
        converted once, the variables are made block by block (small arrays: no memory spike on a million rows)."""
        raw = self.columns(frame)
        return lambda rows: self.compute({key: values[rows] for key, values in raw.items()})

    def _mpi_status(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Determinate (score known), MPI poor (c ≥ k) and the score c_i (0 if unknown) as float arrays."""
        if self.mpi_score is not None:
            score = _floats(frame, self.mpi_score)
        else:  # no score column: c_i = Σ w_j g_ij from the indicators (missing indicator → indeterminate)
            assert self.mpi_spec is not None
            score = np.zeros(len(frame))
            for ind in self.mpi_spec.indicators:
                score = score + ind.weight * _floats(frame, MPI_PREFIX + ind.name)
        determinate = ~np.isnan(score)
        if self.mpi_poor is not None:
            poor = (_flags(frame[self.mpi_poor])[1] > 0) & determinate
        else:
            assert self.mpi_spec is not None
            poor = determinate & (np.where(determinate, score, 0.0) >= self.mpi_spec.k - 1e-12)
        return determinate.astype(np.float64), poor.astype(np.float64), np.where(determinate, score, 0.0)


def _flags(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A (nullable) boolean column as two boolean arrays: known, and true (missing counts as neither). Kept
    boolean (a byte per household, not eight): the partial sums make each block's floats."""
    if isinstance(values.dtype, pd.BooleanDtype):  # the classified contract's type: straight from data and mask
        return ~values.array.isna(), values.array.to_numpy(dtype=bool, na_value=False)
    return values.notna().to_numpy(dtype=bool), values.astype("boolean").to_numpy(dtype=bool, na_value=False)


def _floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = frame[column]
    if values.dtype == np.float64:  # already numbers (NaN for missing): the column's own array, read only here
        return values.to_numpy()
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _line(frame: pd.DataFrame, line: str | float) -> np.ndarray:
    if isinstance(line, str):
        return _floats(frame, line)
    return np.full(len(frame), float(line))


def _household_size(frame: pd.DataFrame, column: str | None) -> np.ndarray:
    if column is None:
        return np.ones(len(frame))
    size = _floats(frame, column)
    bad = np.isnan(size) | (size < 0)
    if bad.any():
        row = int(frame["_row"].to_numpy()[np.flatnonzero(bad)[0]]) if "_row" in frame.columns else None
        raise InputError(
            f"{int(bad.sum())} row(s) have no valid household size; person-weighted estimates need it",
            row=row,
            column=column,
        )
    return size


def _resolve_column(frame: pd.DataFrame, value: str | None, default: str, what: str) -> str | None:
    """The column to use: ``None`` if not asked for; the default silently dropped when absent; a column the user
    named explicitly must exist."""
    if value is None:
        return None
    if value in frame.columns:
        return value
    if value == default:
        return None
    raise InputError(f"{what} column {value!r} is not in the data", column=value)


def default_mpi_spec(frame: pd.DataFrame, indicators: Sequence[str]) -> MpiSpec | None:
    """The indicator weights for the ``mpi_d_*`` columns: the spec ``classify`` left in ``frame.attrs[MPI_ATTR]``
    when its indicators are exactly these columns, else ``None`` (the indicator-weight measures are then skipped).

    The estimator never loads a configuration itself: a table read from disk gets its specification from the
    classification record, which the job layer reads and passes as ``mpi_spec``."""
    if MPI_ATTR not in frame.attrs:
        return None
    spec = MpiSpec.from_any(frame.attrs[MPI_ATTR])
    return spec if sorted(ind.name for ind in spec.indicators) == sorted(indicators) else None


# the default input columns of a plan (make_plan's defaults), and the prefixes of the indicator and cause columns
DEFAULT_COLUMNS: tuple[str, ...] = ("exp_pc", "poverty_line", "extreme_line", "hh_size", "mpi_score", "mpi_poor",
                                    "miskin_14k", "poverty_status")


def measure_columns(columns: Iterable[str]) -> list[str]:
    """The columns of ``columns`` a plan with the default column names may read (a reader can skip the others)."""
    return [c for c in columns if c in DEFAULT_COLUMNS or c.startswith((MPI_PREFIX, CAUSE_PREFIX))]


def make_plan(
    frame: pd.DataFrame,
    *,
    welfare: str | None,
    line: str | float | None,
    extreme: str | float | None,
    hh_size: str | None,
    mpi_spec: Any,
    causes: Iterable[str] | None,
    bps14: str | None = "miskin_14k",
    status: str | None = "poverty_status",
) -> MeasurePlan:
    """Decide which measures apply to a frame with these columns and options (see module docstring)."""
    plan = MeasurePlan(
        welfare=_resolve_column(frame, welfare, "exp_pc", "welfare"),
        line=_resolve_column(frame, line, "poverty_line", "poverty line") if isinstance(line, str) else line,
        extreme=(
            _resolve_column(frame, extreme, "extreme_line", "extreme line") if isinstance(extreme, str) else extreme
        ),
        hh_size=_resolve_column(frame, hh_size, "hh_size", "household size"),
    )
    if plan.welfare is None or plan.line is None:
        plan.skipped.append("FGT (no welfare column or poverty line)")
        plan.extreme = None
    elif plan.extreme is None:
        plan.skipped.append("extreme (no extreme-poverty line)")

    indicators = tuple(c[len(MPI_PREFIX) :] for c in frame.columns if c.startswith(MPI_PREFIX))
    spec = MpiSpec.from_any(mpi_spec) if mpi_spec is not None else default_mpi_spec(frame, indicators)
    if spec is not None:
        missing = [ind.name for ind in spec.indicators if MPI_PREFIX + ind.name not in frame.columns]
        if missing:
            raise InputError(
                f"MPI indicator column {MPI_PREFIX + missing[0]!r} is not in the data", column=MPI_PREFIX + missing[0]
            )
        indicators = tuple(ind.name for ind in spec.indicators)
    plan.mpi_spec = spec
    plan.mpi_indicators = indicators
    plan.mpi_score = "mpi_score" if "mpi_score" in frame.columns else None
    plan.mpi_poor = "mpi_poor" if "mpi_poor" in frame.columns else None
    if plan.mpi_score is None and (spec is None or not indicators):
        plan.mpi_indicators = ()
        plan.skipped.append("MPI (no mpi_score column and no indicator set)")
    elif plan.mpi_poor is None and spec is None:
        plan.mpi_indicators, plan.mpi_score = (), None
        plan.skipped.append("MPI (no mpi_poor column and no cutoff k)")
    elif spec is None:
        plan.skipped.append("MPI contributions (indicator weights unknown: give an MPI spec, --mpi or mpi_spec)")

    plan.bps14 = bps14 if bps14 is not None and bps14 in frame.columns else None
    plan.status = status if status is not None and status in frame.columns else None
    if causes is None:
        codes = tuple(
            c[len(CAUSE_PREFIX) :]
            for c in frame.columns
            if c.startswith(CAUSE_PREFIX) and pd.api.types.is_bool_dtype(frame[c].dtype)
        )
    else:
        codes = tuple(causes)
        for code in codes:
            if CAUSE_PREFIX + code not in frame.columns:
                raise InputError(f"cause column {CAUSE_PREFIX + code!r} is not in the data", column=CAUSE_PREFIX + code)
    plan.causes = codes if plan.status is not None else ()
    if codes and plan.status is None:
        plan.skipped.append("cause shares (no poverty_status column)")
    plan.measures = _measure_specs(plan)
    return plan


def _measure_specs(plan: MeasurePlan) -> list[MeasureSpec]:
    """The ordered list of output measures for a plan (names are the output contract)."""
    specs: list[MeasureSpec] = [
        MeasureSpec("households", None, Total("households"), "_rows", ("households",)),
        MeasureSpec("persons", None, Total("persons"), "_rows", ("persons",)),
        MeasureSpec("pop_share", None, Ratio("persons", "persons", den_pop=True), "_rows", ("persons",), "domains"),
    ]
    if plan.welfare is not None and plan.line is not None:
        for alpha in (0, 1, 2):
            specs.append(
                MeasureSpec(
                    f"P{alpha}", None, Ratio(f"fgt{alpha}", "persons_welfare"), "n_welfare", ("persons_welfare",)
                )
            )
        if plan.extreme is not None:
            specs.append(
                MeasureSpec(
                    "extreme", None, Ratio("extreme_poor", "persons_extreme"), "n_extreme", ("persons_extreme",)
                )
            )
    if plan.mpi_score is not None or plan.mpi_indicators:
        specs += [
            MeasureSpec("H", None, Ratio("mpi_poor", "persons_mpi"), "n_mpi", ("persons_mpi",)),
            MeasureSpec("A", None, Ratio("mpi_censored_score", "mpi_poor"), "n_mpi_poor", ("mpi_poor",)),
            MeasureSpec("M0", None, Ratio("mpi_censored_score", "persons_mpi"), "n_mpi", ("persons_mpi",)),
            MeasureSpec(
                "pop_share",
                "mpi",
                Ratio("persons_mpi", "persons_mpi", den_pop=True),
                "n_mpi",
                ("persons_mpi",),
                "domains",
            ),
            MeasureSpec(
                "contribution",
                "domain",
                Ratio("mpi_censored_score", "mpi_censored_score", den_pop=True),
                "n_mpi",
                ("persons_mpi",),
                "domains",
            ),
        ]
        for name in plan.mpi_indicators:
            specs.append(
                MeasureSpec(
                    "h_uncensored",
                    name,
                    Ratio(f"uncensored:{name}", f"observed:{name}"),
                    f"n_observed:{name}",
                    (f"observed:{name}",),
                )
            )
        for name in plan.mpi_indicators:
            specs.append(
                MeasureSpec("h_censored", name, Ratio(f"censored:{name}", "persons_mpi"), "n_mpi", ("persons_mpi",))
            )
        if plan.mpi_spec is not None:
            for ind in plan.mpi_spec.indicators:
                specs.append(
                    MeasureSpec(
                        "contribution",
                        ind.name,
                        Ratio(f"censored:{ind.name}", "mpi_censored_score", scale=ind.weight),
                        "n_mpi_poor",
                        ("mpi_poor",),
                    )
                )
            for dim in plan.mpi_spec.dimensions:
                specs.append(
                    MeasureSpec(
                        "contribution",
                        f"dim:{dim}",
                        Ratio(f"censored_dim:{dim}", "mpi_censored_score"),
                        "n_mpi_poor",
                        ("mpi_poor",),
                    )
                )
    if plan.bps14 is not None:
        specs.append(MeasureSpec("bps14_poor", None, Ratio("bps14_poor", "bps14_known"), "n_bps14", ("bps14_known",)))
    for code in plan.causes:
        specs.append(
            MeasureSpec(
                "cause_share",
                code,
                Ratio(f"cause_poor:{code}", f"cause_poor_known:{code}"),
                f"n_cause_poor:{code}",
                (f"cause_poor_known:{code}",),
            )
        )
    for code in plan.causes:
        specs.append(
            MeasureSpec(
                "cause_ratio",
                code,
                RatioOfRatios(
                    f"cause_poor:{code}",
                    f"cause_poor_known:{code}",
                    f"cause_nonpoor:{code}",
                    f"cause_nonpoor_known:{code}",
                ),
                f"n_cause_all:{code}",
                (f"cause_poor_known:{code}", f"cause_nonpoor_known:{code}"),
            )
        )
    return specs


def check_line_value(line: object) -> None:
    """A fixed line must be a positive number."""
    if isinstance(line, (int, float)) and not isinstance(line, bool) and not (line > 0):
        raise UsageError(f"the poverty line must be positive, not {line}")
