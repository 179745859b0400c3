"""The global MPI on the bundled Sabang sample, recomputed with plain pandas/numpy from the raw CSV files (no peka
code), under OPHI's nutrition rule (the preset) and under the former rule (every member under 70 eligible, an
unmeasured one making the indicator missing). Three-valued logic is written out by hand: 1, 0 or NaN."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peka.classify import classify
from peka.config import load_config
from peka.io import load_survey
from peka.schema.checks import validate
from peka.schema.rejects import apply_on_invalid

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang"
NAMES = ["nutrition", "child_mortality", "years_of_schooling", "school_attendance", "cooking_fuel", "sanitation",
         "drinking_water", "electricity", "housing", "assets"]  # fmt: skip
WEIGHTS = np.array([1 / 6] * 4 + [1 / 18] * 6)
DIMENSIONS = np.array([0, 0, 1, 1, 2, 2, 2, 2, 2, 2])
SMALL_ASSETS = ["asset_radio", "asset_tv", "asset_phone", "asset_computer", "asset_fridge", "asset_bicycle",
                "asset_motorcycle"]  # fmt: skip
TRUE_FALSE = {True: 1.0, False: 0.0, "true": 1.0, "false": 0.0, "True": 1.0, "False": 0.0}


def tf(series: pd.Series) -> np.ndarray:
    return series.map(TRUE_FALSE).astype(float).to_numpy()


def k_or(*xs: np.ndarray) -> np.ndarray:
    one = np.any([x == 1 for x in xs], axis=0)
    return np.where(one, 1.0, np.where(np.any([np.isnan(x) for x in xs], axis=0), np.nan, 0.0))


def k_and(*xs: np.ndarray) -> np.ndarray:
    zero = np.any([x == 0 for x in xs], axis=0)
    return np.where(zero, 0.0, np.where(np.any([np.isnan(x) for x in xs], axis=0), np.nan, 1.0))


def compare(x: np.ndarray, op: str, c: float) -> np.ndarray:
    return np.where(np.isnan(x), np.nan, {"<": x < c, ">=": x >= c, "<=": x <= c}[op].astype(float))


class Raw:
    def __init__(self) -> None:
        self.hh = pd.read_csv(SAMPLE / "households.csv", dtype={"hh_id": str})
        self.pp = pd.read_csv(SAMPLE / "persons.csv", dtype={"hh_id": str})

    def over_members(self, eligible: np.ndarray, value: np.ndarray, how: str) -> np.ndarray:
        # a member of unknown eligibility counts as eligible with an unknown value; no eligible member → 0;
        # a household with no member in the person file → NaN
        value = np.where(np.isnan(eligible), np.nan, value)
        d = pd.DataFrame({"hh_id": self.pp["hh_id"], "v": value})[eligible != 0]
        decided = 1.0 if how == "any" else 0.0
        g = d.groupby("hh_id")["v"]
        hit, unknown = g.apply(lambda s: (s == decided).any()), g.apply(lambda s: s.isna().any())
        per_hh = pd.Series(np.where(hit, decided, np.where(unknown, np.nan, 1.0 - decided)), index=hit.index)
        ids = self.hh["hh_id"]
        has_roster = ids.isin(set(self.pp["hh_id"])).to_numpy()
        has_eligible = ids.isin(set(per_hh.index)).to_numpy()
        return np.where(~has_roster, np.nan, np.where(has_eligible, ids.map(per_hh).to_numpy(), 0.0))

    def isin(self, column: str, values: list[str]) -> np.ndarray:
        v = self.hh[column]
        return np.where(v.isna(), np.nan, v.isin(values).astype(float))

    def deprivations(self, ophi: bool) -> np.ndarray:
        hh, pp = self.hh, self.pp
        age = pp["age"].astype(float).to_numpy()
        under = tf(pp["undernourished"])
        under70 = compare(age, "<", 70)
        eligible = k_and(under70, (~np.isnan(under)).astype(float)) if ophi else under70
        nutrition = self.over_members(eligible, under, "any")
        deaths = hh["child_deaths_5y"].astype(float).to_numpy()
        child_mortality = compare(deaths, ">=", 1)
        few_years = compare(pp["educ_years"].astype(float).to_numpy(), "<", 6)
        schooling = self.over_members(compare(age, ">=", 10), few_years, "all")
        attendance = self.over_members(
            k_and(compare(age, ">=", 6), compare(age, "<=", 14)), 1.0 - tf(pp["in_school"]), "any"
        )
        toilet = hh["toilet"]
        small = np.column_stack([tf(hh[c]) for c in SMALL_ASSETS])
        n_small = np.where(np.isnan(small).any(axis=1), np.nan, np.nansum(small, axis=1))
        return np.column_stack([
            nutrition, child_mortality, schooling, attendance,
            self.isin("cooking_fuel", ["kayu_bakar", "arang"]),
            np.where(toilet.isna(), np.nan, (toilet != "sendiri").astype(float)),
            k_or(self.isin("water_source", ["sumur_tak_terlindung", "mata_air_tak_terlindung", "sungai"]),
                 compare(hh["water_minutes"].astype(float).to_numpy(), ">=", 30)),
            self.isin("lighting", ["pelita", "tidak_ada"]),
            k_or(self.isin("floor_material", ["tanah"]), self.isin("roof_material", ["rumbia", "ijuk"]),
                 self.isin("wall_material", ["bambu", "rumbia", "kayu_murah"])),
            k_and(compare(n_small, "<=", 1), 1.0 - tf(hh["asset_car"])),
        ])  # fmt: skip


def reweighted_score(g: np.ndarray) -> np.ndarray:
    # each dimension keeps 1/3, shared by its known indicators in proportion to their weights
    c = np.zeros(len(g))
    undetermined = np.zeros(len(g), dtype=bool)
    for d in range(3):
        cols = DIMENSIONS == d
        known = ~np.isnan(g[:, cols])
        known_w = known @ WEIGHTS[cols]
        deprived_w = np.where(known, g[:, cols], 0.0) @ WEIGHTS[cols]
        undetermined |= known_w <= 0
        with np.errstate(invalid="ignore", divide="ignore"):
            c += np.where(known_w > 0, deprived_w * (1 / 3) / known_w, 0.0)
    return np.where(undetermined, np.nan, c)


@pytest.fixture(scope="module")
def sample():
    survey = load_survey(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv")
    return apply_on_invalid(survey, validate(survey), mode="fail")[0]



@pytest.mark.parametrize("ophi, expected_h", [(True, 5.53), (False, 6.39)])
def test_global_mpi_headcount_recomputed_with_pandas(sample, tmp_path, ophi, expected_h):
    raw = Raw()
    if ophi:
        config = load_config(overrides=["mpi.preset=global"])
    else:
        path = tmp_path / "peka.toml"
        path.write_text(
            '[mpi]\npreset = "global"\n[[mpi.indicators]]\nname = "nutrition"\neligible_if = "age < 70"\n',
            encoding="utf-8",
        )
        config = load_config(path)
    out = classify(sample, config)
    g = raw.deprivations(ophi)
    got = out[[f"mpi_d_{n}" for n in NAMES]].to_numpy(dtype="float64", na_value=np.nan)
    np.testing.assert_array_equal(got, g)
    c = reweighted_score(g)
    np.testing.assert_allclose(out["mpi_score"].to_numpy(dtype="float64", na_value=np.nan), c, atol=1e-12)
    poor = c >= 1 / 3 - 1e-9
    assert out["mpi_poor"].to_numpy(dtype=bool).tolist() == poor.tolist()
    # person-weighted headcount H (weight × hh_size), in percent
    w = raw.hh["weight"].to_numpy() * raw.hh["hh_size"].to_numpy()
    assert round(100 * w[poor].sum() / w.sum(), 2) == expected_h
    # OPHI leaves no household missing in nutrition (an unmeasured member is not eligible); the former rule left
    # most of them missing, and reweighting gave their child-mortality deprivation the whole health weight
    assert np.isnan(g[:, 0]).sum() == (0 if ophi else 2625)
