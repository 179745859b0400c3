"""Plausibility of the synthetic characteristics, with tolerances.

Targets come from domain.md, not from the generator: Aceh GK March 2025 Rp676,247 with P0 12.33% (Sabang 15-17%
in 2014-2020), rentan miskin about a quarter (24.42% nationally, Sep 2024), extreme poverty about Rp391,000/capita/
month and a few % at most; mean household size about 4. Bands are wide enough for sampling noise at 40,000
households (SE of a 14% share ≈ 0.17 points) and narrow enough to fail if the calibration breaks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ACEH_GK_2025_03 = 676_247.0  # domain.md §1.3
EXTREME_LINE = 391_000.0  # domain.md §2.2 (BPS, Jan 2025, [W])


def _poor(hh: pd.DataFrame) -> pd.Series:
    return hh["exp_pc"] < ACEH_GK_2025_03


def test_poverty_shares_in_band(large):
    hh = large.households
    ratio = hh["exp_pc"] / ACEH_GK_2025_03
    assert 0.12 <= (ratio < 1).mean() <= 0.16
    assert 0.21 <= ((ratio >= 1) & (ratio < 1.5)).mean() <= 0.29
    assert 0.005 <= (hh["exp_pc"] < EXTREME_LINE).mean() <= 0.04
    rural, urban = hh["urban_rural"] == "perdesaan", hh["urban_rural"] == "perkotaan"
    assert (ratio[rural] < 1).mean() > (ratio[urban] < 1).mean() + 0.05  # Aceh: rural 14.4% vs urban 8.5%


def test_household_make_up(large):
    hh = large.households
    assert 3.7 <= hh["hh_size"].mean() <= 4.5
    assert 0.08 <= (hh["head_sex"] == "p").mean() <= 0.25
    assert 0.10 <= (hh["head_age"] >= 60).mean() <= 0.30
    assert (hh["hh_size"] == 1).mean() > 0.03 and (hh["hh_size"] >= 8).mean() > 0.02


def test_poorer_households_are_worse_off_on_every_correlate(large):
    hh = large.households
    poor = _poor(hh)

    def gap(condition: pd.Series) -> float:
        """share among the poor minus share among the non-poor"""
        condition = condition.fillna(False).astype(bool)
        return float(condition[poor].mean() - condition[~poor].mean())

    assert gap(hh["floor_material"] == "tanah") > 0.05
    assert gap(hh["toilet"] != "sendiri") > 0.15
    assert gap(hh["cooking_fuel"] == "kayu_bakar") > 0.15
    assert gap(hh["head_educ"].isin(["tidak_sekolah", "tidak_tamat_sd", "sd"])) > 0.15
    assert gap(hh["head_occupation"].isin(["nelayan", "buruh_tani", "buruh_bangunan"])) > 0.05
    assert gap(hh["savings_value"] == 0) > 0.2
    assert gap(hh["recv_pkh"].astype("boolean")) > 0.1
    assert gap(~hh["asset_fridge"].astype(bool)) > 0.2
    assert hh.loc[poor, "desil"].mean() < hh.loc[~poor, "desil"].mean() - 2
    spearman = hh["desil"].astype("float64").corr(hh["exp_pc"], method="spearman")
    assert 0.5 < spearman < 0.95  # a proxy-means rank: strongly related, never identical


def test_programs_follow_desil_with_targeting_errors(large):
    hh = large.households.dropna(subset=["desil"])
    low = hh["desil"] <= 4
    pkh = hh["recv_pkh"].astype(bool)
    assert pkh[low].mean() > 3 * pkh[~low].mean()
    assert (pkh & low).sum() / pkh.sum() > 0.7  # PKH mostly to desil 1-4
    assert (pkh & (hh["desil"] >= 6)).sum() > 0  # inclusion errors
    assert (~pkh & (hh["desil"] == 1)).sum() > 0  # exclusion errors
    bpnt = hh["recv_bpnt"].astype(bool)
    assert bpnt[hh["desil"] <= 5].mean() > 3 * bpnt[hh["desil"] > 5].mean()


def test_persons_school_health_and_work(large):
    hh, persons = large.households, large.persons
    poor_ids = set(hh.loc[_poor(hh), "hh_id"])
    child = persons["age"].between(7, 15)
    out_of_school = ~persons["in_school"].astype(bool)
    in_poor = persons["hh_id"].isin(poor_ids)
    overall = out_of_school[child].mean()
    assert 0.01 < overall < 0.12
    assert out_of_school[child & in_poor].mean() > 2 * out_of_school[child & ~in_poor].mean()
    old = persons["age"] >= 60
    assert persons.loc[old, "disability"].mean() > 2 * persons.loc[~old, "disability"].mean()
    assert persons.loc[old, "chronic_illness"].mean() > persons.loc[~old, "chronic_illness"].mean()
    assert persons.loc[persons["age"] < 5, "undernourished"].notna().all()
    assert persons.loc[persons["age"] >= 5, "undernourished"].isna().all()
    working_age_men = (persons["sex"] == "l") & persons["age"].between(25, 55)
    assert persons.loc[working_age_men, "works"].mean() > 0.7


def test_some_optional_values_are_missing_but_never_ids(sabang):
    hh, persons = sabang.households, sabang.persons
    for name in ("head_income", "floor_area", "savings_value", "desil", "meat_milk_per_week", "water_source"):
        missing = hh[name].isna().mean()
        assert 0 < missing < 0.06, name
    assert 0 < persons["chronic_illness"].isna().mean() < 0.03
    assert not np.any(hh[["hh_id", "hh_size", "weight", "strata", "psu", "exp_pc"]].isna().to_numpy())
