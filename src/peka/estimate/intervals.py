"""Confidence intervals from estimates and standard errors: normal, Student t, and logit for proportions.

* ``normal``: estimate ∓ z·se (R ``confint`` of a ``svymean``);
* ``t``: estimate ∓ t(df)·se (R ``confint(..., df = degf(design))``, Stata ``svy``);
* ``logit``: for proportions, the t interval of logit(p) mapped back, R ``svyciprop(method = "logit")``:
  ``expit(logit(p) ∓ t(df)·se/(p(1 − p)))``, always inside (0, 1). R fits
  ``svyglm(y ~ 1, family = quasibinomial)``, whose intercept is logit(p) with the sandwich SE se(p)/(p(1 − p))
  (the delta method); the closed form is the same (tests/profile/test_ci_oracle.py: to 1e-12 of the converged fit).
  Measures that are not proportions get the ``t`` interval, clipped to [0, 1] (or at 0) when the measure cannot
  leave it.

``df`` per row is either the whole design's degrees of freedom (#PSU − #strata) or the domain's (PSUs and strata
with households of the domain, what R's ``degf()`` gives for a ``subset()`` design and so ``svyby(..., svyciprop)``
uses by default). A row with df < 1 has no t or logit interval (NaN), as in R.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

CiMethod = Literal["normal", "t", "logit"]
CI_METHODS: tuple[str, ...] = ("normal", "t", "logit")
CiDf = Literal["design", "domain"]
CI_DF_OPTIONS: tuple[str, ...] = ("design", "domain")

# shares of a 0/1 variable (persons or households with a property among a population): logit intervals
PROPORTIONS: frozenset[str] = frozenset(
    {"P0", "extreme", "H", "h_uncensored", "h_censored", "bps14_poor", "cause_share", "pop_share"}
)
# in [0, 1] by construction but not shares of a 0/1 variable: their t interval is clipped to [0, 1] under logit
BOUNDED: frozenset[str] = frozenset({"P1", "P2", "M0", "A", "contribution"})
# never negative, unbounded above: their t interval is clipped at 0 under logit
NONNEGATIVE: frozenset[str] = frozenset({"cause_ratio", "households", "persons"})


def quantiles(method: CiMethod, confidence: float, df: np.ndarray) -> np.ndarray:
    """The two-sided quantile per row: normal, or Student t with ``df`` (NaN where df < 1)."""
    # scipy.special's inverse CDFs are what scipy.stats' norm.ppf and t.ppf compute; importing scipy.stats instead
    # would cost a second of every `peka profile`
    from scipy.special import ndtri, stdtrit

    level = 0.5 + confidence / 2
    if method == "normal":
        return np.full(df.shape, float(ndtri(level)))
    with np.errstate(invalid="ignore"):
        return np.where(df >= 1, stdtrit(np.maximum(df, 1), level), np.nan)


def intervals(
    estimate: np.ndarray, se: np.ndarray, measure: np.ndarray, method: CiMethod, quantile: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds per row; ``measure`` names each row's measure (for ``logit``)."""
    low, high = estimate - quantile * se, estimate + quantile * se
    if method != "logit":
        return low, high
    from scipy import special

    proportion = np.isin(measure, list(PROPORTIONS))
    bounded = np.isin(measure, list(BOUNDED))
    low = np.where(bounded, np.clip(low, 0.0, 1.0), low)
    high = np.where(bounded, np.clip(high, 0.0, 1.0), high)
    low = np.where(np.isin(measure, list(NONNEGATIVE)), np.maximum(low, 0.0), low)
    inside = proportion & (estimate > 0) & (estimate < 1)
    p = np.where(inside, estimate, 0.5)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        half = quantile * se / (p * (1 - p))
        logit_low = special.expit(special.logit(p) - half)
        logit_high = special.expit(special.logit(p) + half)
    # p = 0 or 1 has se = 0 (every household alike): the interval is the point, as R's limit
    edge = proportion & ~inside
    low = np.where(inside, logit_low, np.where(edge, np.where(np.isfinite(quantile * se), estimate, np.nan), low))
    high = np.where(inside, logit_high, np.where(edge, np.where(np.isfinite(quantile * se), estimate, np.nan), high))
    return low, high
