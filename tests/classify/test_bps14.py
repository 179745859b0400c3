"""BPS-14 criteria at their thresholds and the indeterminate verdict."""

from __future__ import annotations

import pandas as pd
import pytest
from classify_helpers import households

from peka.classify.bps14 import classify_bps14
from peka.config import load_config

# the change that makes each criterion met, starting from the NOT_POOR household (none met)
MEETS = {
    "c01": {"floor_area": 20.0},  # 20 m² / 4 persons = 5 < 8
    "c02": {"floor_material": "tanah"},
    "c03": {"wall_material": "bambu"},
    "c04": {"toilet": "tidak_ada"},
    "c05": {"lighting": "pelita"},
    "c06": {"water_source": "sungai"},
    "c07": {"cooking_fuel": "kayu_bakar"},
    "c08": {"meat_milk_per_week": 1},
    "c09": {"new_clothes_per_year": 1},
    "c10": {"meals_per_day": 2},
    "c11": {"can_afford_clinic": False},
    "c12": {"head_occupation": "buruh_tani"},
    "c13": {"head_educ": "sd"},
    "c14": {"savings_value": 0.0},
}
UNANSWERED = {
    "c01": {"floor_area": None}, "c02": {"floor_material": None}, "c03": {"wall_material": None},
    "c04": {"toilet": None}, "c05": {"lighting": None}, "c06": {"water_source": None},
    "c07": {"cooking_fuel": None}, "c08": {"meat_milk_per_week": None}, "c09": {"new_clothes_per_year": None},
    "c10": {"meals_per_day": None}, "c11": {"can_afford_clinic": None},
    "c12": {"head_occupation": None, "head_income": None, "land_area": None}, "c13": {"head_educ": None},
    "c14": {"savings_value": None},
}  # fmt: skip
CODES = list(MEETS)


def combine(met: list[str], missing: list[str] = ()) -> dict[str, object]:
    change: dict[str, object] = {}
    for code in met:
        change.update(MEETS[code])
    for code in missing:
        change.update(UNANSWERED[code])
    return change


@pytest.fixture(scope="module")
def config():
    return load_config()


def test_each_criterion_alone(config):
    out = classify_bps14(households({}, *(MEETS[c] for c in CODES)), config)
    assert out.loc[0, "bps14_count"] == 0 and out.loc[0, "bps14_missing"] == 0
    for i, code in enumerate(CODES, start=1):
        row = out.loc[i, [f"bps14_{c}" for c in CODES]].tolist()
        assert row == [int(c == code) for c in CODES], code


def test_verdict_and_indeterminate(config):
    cases = households(
        combine(CODES[:9]),  # 9 met → poor
        combine(CODES[:8]),  # 8 met, all answered → not poor
        combine(CODES[:8], ["c14"]),  # 8 met + 1 missing: the missing one could make 9 → indeterminate
        combine(CODES[:5], CODES[11:14]),  # 5 met + 3 missing: at most 8 < 9 → not poor
        combine(CODES[:9], CODES[9:14]),  # 9 met + 5 missing → poor whatever the rest
    )
    out = classify_bps14(cases, config)
    assert out["bps14_count"].tolist() == [9, 8, 8, 5, 9]
    assert out["bps14_missing"].tolist() == [0, 0, 1, 3, 5]
    assert out["miskin_14k"].tolist() == [True, False, pd.NA, False, True]
    assert out.loc[2, "bps14_c14"] is pd.NA


@pytest.mark.parametrize(
    ("change", "code", "expected"),
    [
        ({"floor_area": 32.0}, "c01", 0),  # 32 / 4 = 8 m² per person: not below 8
        ({"floor_area": 31.96}, "c01", 1),  # 7.99 m² per person
        ({"meat_milk_per_week": 2}, "c08", 0),
        ({"meals_per_day": 3}, "c10", 0),
        ({"new_clothes_per_year": 0}, "c09", 1),
        ({"head_occupation": "petani", "land_area": 500.0}, "c12", 1),  # farmer with 500 m²
        ({"head_occupation": "petani", "land_area": 501.0}, "c12", 0),
        ({"head_income": 599_999.0}, "c12", 1),
        ({"head_income": 600_000.0}, "c12", 0),
        ({"savings_value": 500_000.0}, "c14", 0),  # "no savings worth ≥ Rp500,000": 500,000 is worth it
        ({"savings_value": 499_999.0}, "c14", 1),
        ({"water_source": "sumur_terlindung"}, "c06", 0),  # documented choice: only unprotected wells
        ({"water_source": "sumur_tak_terlindung"}, "c06", 1),
        ({"toilet": "bersama"}, "c04", 1),
        ({"lighting": "listrik_non_pln"}, "c05", 0),  # electricity, not from PLN
        ({"cooking_fuel": "minyak_tanah"}, "c07", 1),
        ({"head_educ": "smp"}, "c13", 0),
    ],
)
def test_thresholds(config, change, code, expected):
    assert classify_bps14(households(change), config).loc[0, f"bps14_{code}"] == expected


def test_land_constant_can_follow_the_half_hectare_copies():
    config = load_config(overrides=["bps14.constants.LAND_M2=5000"])
    out = classify_bps14(households({"head_occupation": "petani", "land_area": 4000.0}), config)
    assert out.loc[0, "bps14_c12"] == 1


def test_cutoff_is_configurable():
    config = load_config(overrides=["bps14.cutoff=8"])
    assert classify_bps14(households(combine(CODES[:8])), config).loc[0, "miskin_14k"]
