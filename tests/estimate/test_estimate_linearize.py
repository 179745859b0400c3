"""Linearised estimators on PartialSums directly: gradients, a difference of ratios against R, lonely PSUs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from estimate_data import R_DIR

from peka.errors import DesignError
from peka.estimate import Design, DifferenceOfRatios, PartialSums, Ratio, RatioOfRatios, Total, profile
from peka.estimate.linearize import check_lonely, set_view, variances


def _variables(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    size = frame["hh_size"].to_numpy(dtype=float)
    y, z, ze = (frame[c].to_numpy(dtype=float) for c in ("exp_pc", "poverty_line", "extreme_line"))
    return {"size": size, "fgt0": size * (y < z), "ext": size * (y < ze)}


def test_difference_of_ratios_matches_r_svycontrast(small_survey: pd.DataFrame) -> None:
    ref = pd.read_csv(R_DIR / "survey_reference.csv", keep_default_na=False, dtype=str)
    row = ref[ref["measure"] == "P0_minus_extreme"].iloc[0]
    ps = PartialSums.from_frame(small_survey, Design("weight", "stratum", "psu"), _variables(small_survey))
    view = set_view(ps, 0)
    index = {name: j for j, name in enumerate(ps.variables)}
    estimate, variance = variances(view, DifferenceOfRatios("fgt0", "size", "ext", "size"), "fail", index)
    assert estimate[0] == pytest.approx(float(row["estimate"]), rel=1e-12)
    assert np.sqrt(variance[0]) == pytest.approx(float(row["se"]), rel=1e-9)


@pytest.mark.parametrize(
    "estimator",
    [
        Ratio("a", "b", scale=0.3),
        RatioOfRatios("a", "b", "c", "d"),
        DifferenceOfRatios("a", "b", "c", "d"),
        Total("a"),
    ],
)
def test_gradients_equal_numerical_derivatives(estimator) -> None:  # type: ignore[no-untyped-def]
    totals = {
        "a": np.array([3.0, 0.5]),
        "b": np.array([7.0, 2.0]),
        "c": np.array([1.5, 4.0]),
        "d": np.array([9.0, 5.0]),
    }
    value, terms, _ = estimator.evaluate(lambda v: totals[v], lambda v: 0.0)
    gradient = {v: np.zeros(2) for v in totals}
    for var, coef in terms:
        gradient[var] += coef
    h = 1e-6
    for var in totals:
        bumped = {k: (t + h if k == var else t) for k, t in totals.items()}
        value_h = estimator.evaluate(lambda v, b=bumped: b[v], lambda v: 0.0)[0]
        np.testing.assert_allclose((value_h - value) / h, gradient[var], rtol=1e-5, atol=1e-8)


def test_share_of_the_whole_population_has_a_population_gradient() -> None:
    # θ = T_a(cell)/T_a(population): ∂θ/∂T_a(cell) = 1/T_pop and ∂θ/∂T_a(pop) = −θ/T_pop
    value, cell_terms, pop_terms = Ratio("a", "a", den_pop=True).evaluate(lambda v: np.array([2.0, 6.0]), lambda v: 8.0)
    np.testing.assert_allclose(value, [0.25, 0.75])
    np.testing.assert_allclose(cell_terms[0][1], [1 / 8, 1 / 8])
    np.testing.assert_allclose(pop_terms[0][1], [-0.25 / 8, -0.75 / 8])


def test_variance_by_hand_for_a_tiny_stratified_sample() -> None:
    # stratum A: PSUs with totals of y 2, 4 (w = 1); stratum B: PSUs 1, 1, 4.
    # V(total) = 2/1·((2−3)² + (4−3)²) + 3/2·((1−2)² + (1−2)² + (4−2)²) = 4 + 9 = 13
    frame = pd.DataFrame({"w": 1.0, "s": list("AABBB"), "p": list("12123"), "y": [2.0, 4.0, 1.0, 1.0, 4.0]})
    ps = PartialSums.from_frame(frame, Design("w", "s", "p"), {"y": frame["y"]})
    estimate, variance = variances(set_view(ps, 0), Total("y"), "fail", {"y": 0})
    assert estimate[0] == 12.0
    assert variance[0] == pytest.approx(13.0, rel=1e-14)


def test_a_domain_keeps_the_zero_psus_of_its_strata() -> None:
    # domain "d" has y only in PSU 1 of stratum A (total 2); PSU 2 counts as 0:
    # V = 2/1·((2−1)² + (0−1)²) = 4 (dropping PSU 2 would give a lonely PSU instead)
    frame = pd.DataFrame({"w": 1.0, "s": list("AA"), "p": list("12"), "y": [2.0, 4.0], "dom": ["d", "e"]})
    ps = PartialSums.from_frame(frame, Design("w", "s", "p"), {"y": frame["y"]}, by=["dom"])
    view = set_view(ps, ps.set_id("dom"))
    estimate, variance = variances(view, Total("y"), "fail", {"y": 0})
    assert view.cells == ['["d"]', '["e"]']
    np.testing.assert_allclose(estimate, [2.0, 4.0])
    np.testing.assert_allclose(variance, [4.0, 16.0])


def test_singleton_stratum_fails_by_default_naming_it(small_survey: pd.DataFrame) -> None:
    lonely = small_survey[~((small_survey["stratum"] == "S6") & (small_survey["psu"] != "1"))]
    with pytest.raises(DesignError, match="stratum 'S6'.*adjust.*certainty") as err:
        profile(lonely, design=Design("weight", "stratum", "psu"))
    assert err.value.exit_code == 3 and err.value.column == "stratum"
    ps = PartialSums.from_frame(lonely, Design("weight", "stratum", "psu"), {"y": np.ones(len(lonely))})
    check_lonely(set_view(ps, 0), "certainty", "stratum")  # no error with an option
