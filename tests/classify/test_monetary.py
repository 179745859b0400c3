"""Monetary classification at its boundaries. Lines: Aceh 2025-03 GK = Rp676,247 (presets/lines/aceh.toml)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from classify_helpers import households, survey

from peka.classify import classify
from peka.classify.monetary import assign_deciles, classify_monetary, decile_cutpoints
from peka.config import load_config

GK = 676_247.0  # Aceh, March 2025


def monetary(config, *changes):
    return classify_monetary(households(*changes), config)


def test_exactly_at_the_line_is_not_poor(config):
    out = monetary(config, {"exp_pc": GK}, {"exp_pc": GK - 1})
    assert out["poverty_line"].tolist() == [GK, GK]
    assert out["poor"].tolist() == [False, True]  # strict "<" as BPS
    assert out["level"].tolist() == ["rentan_miskin", "miskin"]
    assert out["poverty_line_id"].tolist() == ["2025-03/prov:11", "2025-03/prov:11"]


def test_level_boundaries_are_half_open(config):
    # 1.5 × 676,247 = 1,014,370.5 ; 3.5 × = 2,366,864.5 ; 17 × = 11,496,199 (all exact in binary floating point)
    values = [1_014_370.5, 1_014_370.0, 2_366_864.5, 2_366_864.0, 11_496_199.0, 11_496_198.0]
    out = monetary(config, *({"exp_pc": v} for v in values))
    assert out["level"].tolist() == [
        "menuju_kelas_menengah", "rentan_miskin", "kelas_menengah", "menuju_kelas_menengah", "kelas_atas",
        "kelas_menengah",
    ]  # fmt: skip
    assert out["welfare_ratio"].iloc[0] == pytest.approx(1.5, abs=1e-12)


def test_per_capita_from_household_expenditure(config):
    # 2,704,988 / 4 = 676,247 = GK exactly → not poor; 2,704,984 / 4 = 676,246 → poor
    out = monetary(config, {"exp_pc": None, "exp_hh": 2_704_988.0}, {"exp_pc": None, "exp_hh": 2_704_984.0})
    assert out["exp_pc"].tolist() == [676_247.0, 676_246.0]
    assert out["poor"].tolist() == [False, True]


def test_missing_expenditure_leaves_everything_missing(config):
    out = monetary(config, {"exp_pc": None, "exp_hh": None})
    assert pd.isna(out.loc[0, "level"]) and out["poor"].isna().all() and out["extreme_poor"].isna().all()
    assert np.isnan(out.loc[0, "poverty_gap"]) and np.isnan(out.loc[0, "welfare_ratio"])


def test_poverty_gap_and_extreme_flag(config):
    out = monetary(config, {"exp_pc": 500_000.0}, {"exp_pc": 391_000.0}, {"exp_pc": 390_999.0}, {"exp_pc": 800_000.0})
    # (676,247 − 500,000) / 676,247 = 176,247 / 676,247 = 0.260625...
    assert out.loc[0, "poverty_gap"] == pytest.approx(176_247 / 676_247, rel=1e-12)
    assert out.loc[3, "poverty_gap"] == 0.0
    assert out["extreme_line"].tolist() == [391_000.0] * 4
    assert out["extreme_poor"].tolist() == [False, False, True, False]  # 391,000 is at the line: not extreme


def write(tmp_path, text):
    path = tmp_path / "peka.toml"
    path.write_text(text, encoding="utf-8")
    return path


LINES = """
[lines]
period = "2030-03"
include = []
[[lines.entries]]
period = "2030-03"
value = 100
source = "test"
[[lines.entries]]
period = "2030-03"
urban_rural = "perdesaan"
value = 110
source = "test"
[[lines.entries]]
period = "2030-03"
prov_code = "11"
value = 120
source = "test"
[[lines.entries]]
period = "2030-03"
prov_code = "11"
urban_rural = "perdesaan"
value = 130
source = "test"
[[lines.entries]]
period = "2030-03"
kab_code = "1172"
value = 140
source = "test"
[[lines.entries]]
period = "2030-03"
kab_code = "1172"
urban_rural = "perkotaan"
value = 150
source = "test"
[[lines.entries]]
period = "2029-09"
value = 999
source = "another period: never used"
"""


def test_line_precedence(tmp_path):
    config = load_config(write(tmp_path, LINES))
    hh = households(
        {"prov_code": "11", "kab_code": "1172", "urban_rural": "perkotaan"},  # kab + urban_rural
        {"prov_code": "11", "kab_code": "11.72", "urban_rural": "perdesaan"},  # kab (Kemendagri style code)
        {"prov_code": "11", "kab_code": "1101", "urban_rural": "perdesaan"},  # prov + urban_rural
        {"prov_code": "11", "kab_code": "1101", "urban_rural": None},  # prov
        {"prov_code": "12", "kab_code": "1201", "urban_rural": "perdesaan"},  # national + urban_rural
        {"prov_code": "12", "kab_code": "1201", "urban_rural": "perkotaan"},  # national
    )
    out = classify_monetary(hh, config)
    assert out["poverty_line"].tolist() == [150, 140, 130, 120, 110, 100]
    assert out["poverty_line_id"].tolist() == [
        "2030-03/kab:1172/perkotaan", "2030-03/kab:1172", "2030-03/prov:11/perdesaan", "2030-03/prov:11",
        "2030-03/nasional/perdesaan", "2030-03/nasional",
    ]  # fmt: skip


def test_household_without_applicable_line(tmp_path, caplog):
    # only the Sabang 2019 line exists for period 2019: a household elsewhere gets no line
    config = load_config(overrides=["lines.period=2019"])
    hh = households({"exp_pc": 500_000.0}, {"prov_code": "12", "kab_code": "1201", "exp_pc": 500_000.0})
    with caplog.at_level(logging.WARNING):
        out = classify(survey(hh), config)
    assert out.loc[0, "poverty_line"] == 563_100.0 and out.loc[0, "poverty_line_id"] == "2019/kab:1172"
    assert np.isnan(out.loc[1, "poverty_line"]) and pd.isna(out.loc[1, "level"]) and pd.isna(out.loc[1, "poor"])
    assert "1 households have no applicable poverty line" in caplog.text


def test_ppls_scheme_boundaries():
    config = load_config(overrides=["levels.scheme=ppls_0812"])
    assert config.levels.status == "unconfirmed"
    # 0.8 × 676,247 = 540,997.6 ; 1.2 × = 811,496.4
    values = [540_997.6, 540_997.5, GK, 811_496.4, 811_496.3]
    out = monetary(config, *({"exp_pc": v} for v in values))
    assert out["level"].tolist() == ["miskin", "sangat_miskin", "hampir_miskin", "tidak_miskin", "hampir_miskin"]


def test_weighted_deciles_by_hand():
    # y = 1, 2, 3, 4 with person weights 1, 1, 1, 7 (total 10): F(1) = .1, F(2) = .2, F(3) = .3, F(4) = 1.
    # Cut points q_d = min{y: F(y) ≥ d/10}: 1, 2, 3, 4, 4, 4, 4, 4, 4 → deciles 1, 2, 3, 4
    y = np.array([1.0, 2.0, 3.0, 4.0])
    cuts = decile_cutpoints(y, np.array([1.0, 1.0, 1.0, 7.0]))
    assert cuts.tolist() == [1, 2, 3, 4, 4, 4, 4, 4, 4]
    assert assign_deciles(y, cuts).tolist() == [1, 2, 3, 4]
    # ten equal households: one per decile; ties share a decile; missing stays missing
    assert assign_deciles(np.arange(1.0, 11.0), decile_cutpoints(np.arange(1.0, 11.0), np.ones(10))).tolist() == list(
        range(1, 11)
    )
    tied = np.array([5.0, 5.0, 5.0, 5.0, np.nan])
    assert assign_deciles(tied, decile_cutpoints(tied, np.ones(5))).tolist() == [1, 1, 1, 1, pd.NA]


def test_deciles_use_weight_times_size(config):
    # household 0: 1 person, weight 1; household 1: 9 persons, weight 1 → F(y0) = 0.1: deciles 1 and 10? no:
    # q_1 = y0 (F = .1 ≥ .1), q_2..q_9 = y1 → household 1 has 1 cut point below it → decile 2
    hh = households({"exp_pc": 100.0, "hh_size": 1}, {"exp_pc": 200.0, "hh_size": 9})
    assert classify(survey(hh), config)["desil_survei"].tolist() == [1, 2]


def test_chunks_with_whole_file_cutpoints_match(config):
    rng = np.random.default_rng(3)
    hh = households(
        *({"exp_pc": float(v), "weight": float(w)} for v, w in zip(rng.integers(1, 10**6, 40), rng.uniform(1, 5, 40)))
    )
    whole = classify(survey(hh), config)
    weights = (hh["weight"] * hh["hh_size"].astype(float)).to_numpy()
    cuts = decile_cutpoints(whole["exp_pc"].to_numpy(), weights)
    parts = [
        classify(survey(hh.iloc[:17]), config, decile_cutpoints=cuts),
        classify(survey(hh.iloc[17:]), config, decile_cutpoints=cuts),
    ]
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), whole)
