"""Alkire-Foster scores and flags at their boundaries, both missing-data policies, and person aggregation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from classify_helpers import households, survey
from hypothesis import given, settings
from hypothesis import strategies as st

from peka.classify import classify
from peka.classify.multidim import score
from peka.config import load_config
from peka.config.models import MpiConfig, MpiIndicator


def spec(weights: dict[str, tuple[str, float]], k: float, missing: str = "reweight") -> MpiConfig:
    indicators = [
        MpiIndicator(name=name, dimension=dim, weight=w, deprived_if="true") for name, (dim, w) in weights.items()
    ]
    # 0.2 and 0.5: the UNDP/OPHI vulnerability and severity cutoffs (domain notes §4.2)
    return MpiConfig(k=k, vulnerable=0.2, severe=0.5, missing=missing, indicators=indicators)


def deprived(rows: list[list[object]], names: list[str]) -> pd.DataFrame:
    return pd.DataFrame({f"mpi_d_{n}": pd.array([r[i] for r in rows], dtype="Int8") for i, n in enumerate(names)})


GLOBAL = load_config(overrides=["mpi.preset=global"]).mpi
GLOBAL_NAMES = [ind.name for ind in GLOBAL.active]
# order: nutrition, child_mortality, years_of_schooling, school_attendance, cooking_fuel, sanitation,
#        drinking_water, electricity, housing, assets


def test_global_score_exactly_at_k_is_poor():
    rows = [
        [0, 0, 1, 1, 0, 0, 0, 0, 0, 0],  # 1/6 + 1/6 = 1/3 = k → poor
        [0, 0, 0, 0, 1, 1, 1, 1, 1, 1],  # 6 × 1/18 = 1/3 in floating point 0.333...26 → still poor (1e-9 slack)
        [0, 0, 0, 1, 1, 1, 1, 1, 1, 0],  # 1/6 + 5/18 = 8/18 = 0.444 → poor, not severe
        [0, 0, 0, 0, 1, 1, 1, 1, 1, 0],  # 5/18 = 0.2778 → vulnerable (0.2 ≤ c < 1/3)
        [1, 1, 1, 0, 0, 0, 0, 0, 0, 0],  # 3/6 = 0.5 → severe
        [0, 0, 0, 0, 1, 1, 1, 0, 0, 0],  # 3/18 = 0.1667 → neither
    ]
    out = score(deprived(rows, GLOBAL_NAMES), GLOBAL)
    assert out["mpi_score"].tolist() == pytest.approx([1 / 3, 1 / 3, 8 / 18, 5 / 18, 0.5, 3 / 18])
    assert out["mpi_poor"].tolist() == [True, True, True, False, True, False]
    assert out["mpi_vulnerable"].tolist() == [False, False, False, True, False, False]
    assert out["mpi_severe"].tolist() == [False, False, False, False, True, False]


def test_vulnerable_starts_exactly_at_0_2():
    mpi = spec({f"i{j}": ("d", 0.2) for j in range(5)}, k=0.4)
    out = score(deprived([[1, 0, 0, 0, 0], [1, 1, 0, 0, 0], [0, 0, 0, 0, 0]], [f"i{j}" for j in range(5)]), mpi)
    assert out["mpi_score"].tolist() == pytest.approx([0.2, 0.4, 0.0])
    assert out["mpi_vulnerable"].tolist() == [True, False, False]  # 0.2 vulnerable; 0.4 = k is poor instead
    assert out["mpi_poor"].tolist() == [False, True, False]


def test_reweight_within_dimension():
    # dimension A: a1, a2 (1/6 each); dimension B: b1, b2 (1/6 each); dimension C: c1 (1/3)
    mpi = spec(
        {"a1": ("A", 1 / 6), "a2": ("A", 1 / 6), "b1": ("B", 1 / 6), "b2": ("B", 1 / 6), "c1": ("C", 1 / 3)}, k=1 / 3
    )
    rows = [
        [1, None, 0, 0, 0],  # a2 missing: a1 takes the whole dimension weight 1/3 → c = 1/3 → poor
        [0, None, 1, 0, 0],  # a1 known 0 takes 1/3; b1 1/6 → c = 1/6 → not poor
        [None, None, 1, 1, 0],  # dimension A wholly missing → indeterminate, never "not deprived"
    ]
    out = score(deprived(rows, ["a1", "a2", "b1", "b2", "c1"]), mpi)
    assert out["mpi_score"].iloc[:2].tolist() == pytest.approx([1 / 3, 1 / 6])
    assert out["mpi_poor"].iloc[:2].tolist() == [True, False]
    assert np.isnan(out["mpi_score"].iloc[2]) and out.loc[2, ["mpi_poor", "mpi_vulnerable", "mpi_severe"]].isna().all()


def test_indeterminate_policy_decides_when_it_can():
    mpi = spec(
        {"a1": ("A", 1 / 6), "a2": ("A", 1 / 6), "b1": ("B", 1 / 6), "b2": ("B", 1 / 6), "c1": ("C", 1 / 3)},
        k=1 / 3,
        missing="indeterminate",
    )
    rows = [
        [1, 1, None, 0, 0],  # known 1/3 already reaches k → poor, score unknown
        [0, 0, None, 0, 0],  # at most 1/6 < 0.2 → not poor, not vulnerable
        [1, 0, None, 0, 0],  # 1/6 known, up to 1/3 → poor unknown; vulnerable unknown
        [0, 0, 1, 0, None],  # 1/6 known, up to 1/2 → unknown
        [1, 0, 1, 0, 0],  # complete: 1/3 → poor
    ]
    out = score(deprived(rows, ["a1", "a2", "b1", "b2", "c1"]), mpi)
    assert out["mpi_score"].isna().tolist() == [True, True, True, True, False]
    assert out["mpi_poor"].tolist() == [True, False, pd.NA, pd.NA, True]
    assert out["mpi_vulnerable"].tolist() == [False, False, pd.NA, pd.NA, False]
    # row 0: known 1/3, up to 1/2 → severe (≥ 0.5) unknown
    assert out["mpi_severe"].tolist() == [pd.NA, False, False, pd.NA, False]


PERSON_GLOBAL = load_config(overrides=["mpi.preset=global"])


def person(hh_id, no, age, in_school=True, educ_years=9, undernourished=False):
    return {
        "hh_id": hh_id,
        "person_no": no,
        "age": age,
        "in_school": in_school,
        "educ_years": educ_years,
        "undernourished": undernourished,
    }


def test_school_attendance_eligibility_and_empty_roster():
    hh = households({"hh_id": "a"}, {"hh_id": "b"}, {"hh_id": "c"}, {"hh_id": "d"}, {"hh_id": "e"})
    members = [
        person("a", 1, 40, in_school=False),
        person("a", 2, 14, in_school=False),  # child 14 out of school → 1
        person("b", 1, 40, in_school=False),
        person("b", 2, 15, in_school=False),  # 15 is past the band → 0
        person("c", 1, 40, in_school=False),  # no school-age child → not deprived (OPHI)
        person("d", 1, 40),
        person("d", 2, 10, in_school=None),  # the only eligible answer is missing → missing
        # e: no member in the person table → missing, not "no eligible member"
    ]
    out = classify(survey(hh, members), PERSON_GLOBAL)
    assert out["mpi_d_school_attendance"].tolist() == [1, 0, 0, pd.NA, pd.NA]
    # years of schooling: all members ≥ 10 have 9 years → 0; without a roster → missing
    assert out["mpi_d_years_of_schooling"].tolist() == [0, 0, 0, 0, pd.NA]


def test_years_of_schooling_all_members():
    hh = households({"hh_id": "a"}, {"hh_id": "b"}, {"hh_id": "c"})
    members = [
        person("a", 1, 40, educ_years=5),
        person("a", 2, 12, educ_years=5),  # nobody ≥10 with 6 years → 1
        person("b", 1, 40, educ_years=5),
        person("b", 2, 20, educ_years=6),  # one member has 6 → 0
        person("c", 1, 40, educ_years=5),
        person("c", 2, 30, educ_years=None),  # unknown member could have 6 → NA
    ]
    out = classify(survey(hh, members), PERSON_GLOBAL)
    assert out["mpi_d_years_of_schooling"].tolist() == [1, 0, pd.NA]


def test_without_person_table_person_indicators_are_missing(config):
    out = classify(survey(households({})), PERSON_GLOBAL)
    for name in ("nutrition", "years_of_schooling", "school_attendance"):
        assert out[f"mpi_d_{name}"].isna().all()
    # the whole education dimension is missing → score indeterminate under "reweight"
    assert out["mpi_score"].isna().all() and out["mpi_poor"].isna().all()


def test_not_poor_household_has_no_indonesia_deprivation(config):
    members = [person("h0", 1, 45), person("h0", 2, 40), person("h0", 3, 12), person("h0", 4, 8)]
    for m in members:
        m.update(educ_level="sma", disability=False, chronic_illness=False)
    out = classify(survey(households({}), members), config)
    deprivations = out.filter(like="mpi_d_").iloc[0]
    assert deprivations.tolist() == [0] * 13
    assert out.loc[0, "mpi_score"] == 0.0 and not out.loc[0, "mpi_poor"]


# ---- properties of the two missing-data policies (hypothesis) ----------------------------------------------------


CELLS = st.sampled_from([0, 1, None])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=10, max_size=10), min_size=1, max_size=20), st.randoms())
def test_indeterminate_verdicts_hold_for_every_completion(rows, rnd):
    # whatever the missing indicators turn out to be, a verdict the "indeterminate" policy gives stays true
    mpi_ind = GLOBAL.model_copy(update={"missing": "indeterminate"})
    out = score(deprived(rows, GLOBAL_NAMES), mpi_ind)
    completed = [[c if c is not None else rnd.choice([0, 1]) for c in row] for row in rows]
    truth = score(deprived(completed, GLOBAL_NAMES), mpi_ind)
    for flag in ("mpi_poor", "mpi_vulnerable", "mpi_severe"):
        decided = out[flag].notna().to_numpy()
        assert (out[flag][decided].to_numpy(dtype=bool) == truth[flag][decided].to_numpy(dtype=bool)).all()
    # complete rows: both policies give the plain weighted sum
    w = np.array([i.weight for i in GLOBAL.active])
    for i, row in enumerate(rows):
        if None not in row:
            expected = float(np.dot(row, w))
            assert out["mpi_score"].iloc[i] == pytest.approx(expected)
            assert score(deprived([row], GLOBAL_NAMES), GLOBAL)["mpi_score"].iloc[0] == pytest.approx(expected)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=10, max_size=10), min_size=1, max_size=20))
def test_reweight_keeps_dimension_weights(rows):
    # a score is missing exactly when a whole dimension is missing, and lies in [0, 1]
    out = score(deprived(rows, GLOBAL_NAMES), GLOBAL)
    dims = [ind.dimension for ind in GLOBAL.active]
    for i, row in enumerate(rows):
        whole_missing = any(all(row[j] is None for j in range(10) if dims[j] == d) for d in set(dims))
        assert np.isnan(out["mpi_score"].iloc[i]) == whole_missing
        if not whole_missing:
            assert 0.0 <= out["mpi_score"].iloc[i] <= 1.0 + 1e-12
            if all(c in (1, None) for c in row):  # every known indicator deprived → every dimension full → 1
                assert out["mpi_score"].iloc[i] == pytest.approx(1.0)


def test_nutrition_eligibility_and_unmeasured_members(tmp_path):
    hh = households({"hh_id": "a"}, {"hh_id": "b"}, {"hh_id": "c"}, {"hh_id": "d"})
    members = [
        person("a", 1, 30, undernourished=True),  # a measured member under 70 undernourished → 1
        person("a", 2, 5, undernourished=None),
        person("b", 1, 30, undernourished=False),  # measured, fine; the unmeasured member is not eligible → 0
        person("b", 2, 40, undernourished=None),
        person("c", 1, 70, undernourished=True),  # 70 is not "under 70": no eligible member → not deprived
        person("d", 1, 30, undernourished=None),  # nobody measured: no eligible member → not deprived (OPHI)
    ]
    # default = OPHI: "any person under 70 for whom there is nutritional information is undernourished"
    out = classify(survey(hh, members), PERSON_GLOBAL)
    assert out["mpi_d_nutrition"].tolist() == [1, 0, 0, 0]

    def with_nutrition(eligible_if: str, no_eligible: str) -> list[object]:
        path = tmp_path / "peka.toml"
        path.write_text(
            f'[mpi]\npreset = "global"\n[[mpi.indicators]]\nname = "nutrition"\n'
            f'eligible_if = "{eligible_if}"\nno_eligible = "{no_eligible}"\n',
            encoding="utf-8",
        )
        return classify(survey(hh, members), load_config(path))["mpi_d_nutrition"].tolist()

    # data without anthropometry (docs/methodology.md §3.3): no measured member → missing, so reweighting applies
    assert with_nutrition("age < 70 and undernourished is not missing", "missing") == [1, 0, pd.NA, pd.NA]
    # the former rule: every member under 70 eligible, an unmeasured one could be undernourished → b, d missing
    assert with_nutrition("age < 70", "not_deprived") == [1, pd.NA, 0, pd.NA]


def test_ophi_nutrition_rule_changes_the_headcount_where_the_former_rule_reweighted(tmp_path):
    # Three households of 2 with no other deprivation than those written here (NOT_POOR base, members with 9 years
    # of schooling, no school-age child). Health weighs 1/3: nutrition 1/6, child mortality 1/6.
    hh = households({"hh_id": "p", "child_deaths_5y": 1}, {"hh_id": "q", "child_deaths_5y": 1}, {"hh_id": "r"})
    members = [
        person("p", 1, 40, undernourished=False),  # measured and fine
        person("p", 2, 30, undernourished=None),  # not measured
        person("q", 1, 40, undernourished=None),  # nobody measured
        person("q", 2, 30, undernourished=None),
        person("r", 1, 40, undernourished=False),
        person("r", 2, 3, undernourished=True),  # a measured child undernourished
    ]
    # OPHI: p nutrition 0 (the 30-year-old is not eligible), q 0 (no eligible member), r 1.
    #   c_p = c_q = 1/6 (child mortality) < 1/3; c_r = 1/6 (nutrition) → nobody MPI-poor, H = 0.
    ophi = classify(survey(hh, members), PERSON_GLOBAL)
    assert ophi["mpi_d_nutrition"].tolist() == [0, 0, 1]
    assert ophi["mpi_score"].tolist() == pytest.approx([1 / 6, 1 / 6, 1 / 6])
    assert ophi["mpi_poor"].tolist() == [False, False, False]
    # former rule: p and q nutrition missing → "reweight" gives child mortality the whole health weight 1/3 →
    #   c = 1/3 = k → poor; r unchanged. H = 2 of 3 households (equal sizes and weights).
    path = tmp_path / "peka.toml"
    path.write_text(
        '[mpi]\npreset = "global"\n[[mpi.indicators]]\nname = "nutrition"\neligible_if = "age < 70"\n',
        encoding="utf-8",
    )
    former = classify(survey(hh, members), load_config(path))
    assert former["mpi_d_nutrition"].tolist() == [pd.NA, pd.NA, 1]
    assert former["mpi_score"].tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 6])
    assert former["mpi_poor"].tolist() == [True, True, False]
