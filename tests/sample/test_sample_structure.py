"""Structural invariants of the generated survey: columns, dtypes, ids, roster, regions, design."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peka.errors import UsageError
from peka.sample import default_shape, generate, sabang_regions
from peka.schema.model import HOUSEHOLD_COLUMNS, PERSON_COLUMNS, ROW

DTYPE_OF_KIND = {"id": "str", "str": "str", "category": "str", "int": "Int64", "float": "float64", "bool": "boolean"}
# years of schooling each level may hold (tidak_tamat_sd: 1-5; sma also holds 13-15 while still at university)
YEARS_OF_LEVEL = {
    "tidak_sekolah": {0},
    "tidak_tamat_sd": {1, 2, 3, 4, 5},
    "sd": {6, 7, 8},
    "smp": {9, 10, 11},
    "sma": {12, 13, 14, 15},
    "diploma": {15},
    "sarjana": {16},
}


def test_every_canonical_column_is_filled_with_its_dtype(sabang):
    for frame, spec in ((sabang.households, HOUSEHOLD_COLUMNS), (sabang.persons, PERSON_COLUMNS)):
        assert list(frame.columns) == [ROW, *spec]
        for name, col in spec.items():
            assert str(frame[name].dtype) == DTYPE_OF_KIND[col.kind], name
            if name != "undernourished":  # measured for under-fives only
                assert frame[name].notna().mean() > 0.9, name
        assert frame[ROW].tolist() == list(range(1, len(frame) + 1))


def test_values_respect_model_categories_and_ranges(sabang):
    for frame, spec in ((sabang.households, HOUSEHOLD_COLUMNS), (sabang.persons, PERSON_COLUMNS)):
        for name, col in spec.items():
            values = frame[name].dropna()
            if col.categories:
                assert set(values) <= set(col.categories), name
            if col.min is not None:
                assert (values.astype("float64") >= col.min).all(), name
            if col.max is not None:
                assert (values.astype("float64") <= col.max).all(), name


def test_ids_and_personal_columns(sabang):
    hh, persons = sabang.households, sabang.persons
    assert hh["hh_id"].is_unique
    assert not persons.duplicated(["hh_id", "person_no"]).any()
    ids = ["hh_id", "kk_no", "head_nik", "prov_code", "kab_code", "kec_code", "desa_code", "strata", "psu"]
    assert hh[ids].notna().all().all()
    assert persons[["hh_id", "person_no", "nik"]].notna().all().all()
    for nik in (persons["nik"], hh["head_nik"], hh["kk_no"]):
        assert nik.str.fullmatch(r"1172\d{12}").all()
    assert persons["nik"].is_unique
    # kecamatan digits 99 (NIK) and 98 (KK) exist in no real Sabang NIK: obviously synthetic
    assert (persons["nik"].str[4:6] == "99").all() and (hh["kk_no"].str[4:6] == "98").all()
    assert hh["address"].str.startswith("Lorong Sampel ").all()


def test_roster_matches_household_size_and_head(sabang):
    hh, persons = sabang.households, sabang.persons
    size = persons.groupby("hh_id").size()
    assert (size.reindex(hh["hh_id"]).to_numpy() == hh["hh_size"].to_numpy()).all()
    assert hh["hh_size"].between(1, 10).all()
    # members numbered 1..hh_size, the head first and only once
    expected_no = persons.groupby("hh_id").cumcount() + 1
    assert (persons["person_no"].to_numpy() == expected_no.to_numpy()).all()
    heads = persons[persons["relation"] == "kepala"]
    assert heads["hh_id"].is_unique and len(heads) == len(hh) and (heads["person_no"] == 1).all()
    joined = hh.merge(heads, on="hh_id")
    assert (joined["head_sex"] == joined["sex"]).all()
    assert (joined["head_age"] == joined["age"]).all()
    assert (joined["head_educ"] == joined["educ_level"]).all()
    assert (joined["head_nik"] == joined["nik"]).all() and (joined["head_name"] == joined["name"]).all()
    assert (joined["works"] == (joined["head_work_status"] != "tidak_bekerja")).all()
    assert ((joined["head_work_status"] == "tidak_bekerja") == (joined["head_occupation"] == "tidak_bekerja")).all()
    spouses = persons[persons["relation"] == "pasangan"].merge(hh[["hh_id", "head_sex"]], on="hh_id")
    assert (spouses["sex"] != spouses["head_sex"]).all()


def test_education_years_agree_with_levels(sabang):
    persons = sabang.persons
    for level, years in YEARS_OF_LEVEL.items():
        got = set(persons.loc[persons["educ_level"] == level, "educ_years"].astype(int))
        assert got and got <= years, level
    young = persons[persons["age"] < 7]
    assert (young["educ_years"] == 0).all() and not young["in_school"].any()


def test_expenditure_per_capita_is_household_over_size(sabang):
    hh = sabang.households
    assert np.allclose(hh["exp_pc"], hh["exp_hh"] / hh["hh_size"].astype(float), atol=0.01)
    assert (hh["exp_hh"] > 0).all()


def test_regions_every_gampong_with_its_kecamatan(sabang):
    hh = sabang.households
    regions = sabang_regions()
    assert len(regions) == 18 and regions["desa_code"].is_unique
    assert set(hh["desa_code"]) == set(regions["desa_code"])
    assert set(hh["kec_code"]) == {"1172010", "1172020"}
    assert set(hh["kab_code"]) == {"1172"} and set(hh["prov_code"]) == {"11"}
    assert (hh["desa_code"].str[:7] == hh["kec_code"]).all()
    pairs = set(zip(hh["kec_code"], hh["kec_name"]))
    assert pairs == {("1172020", "Sukakarya"), ("1172010", "Sukajaya")}
    assert hh.groupby("desa_code")["desa_name"].nunique().eq(1).all()
    assert set(hh["urban_rural"]) == {"perkotaan", "perdesaan"}


def test_design_strata_psus_weights(sabang):
    hh = sabang.households
    # Sabang: strata = kecamatan × urban/rural
    assert hh.groupby("strata")[["kec_code", "urban_rural"]].nunique().eq(1).all().all()
    assert hh["strata"].nunique() == 4
    psus = hh.groupby(["strata", "psu"])
    assert psus.ngroups == 300  # 3,000 households / ~10 per PSU
    assert psus["desa_code"].nunique().eq(1).all()  # a census block lies in one gampong
    assert psus["weight"].nunique().eq(1).all()  # households of one PSU represent as many
    assert hh.groupby("strata")["psu"].nunique().min() >= 2  # no singleton stratum
    # PSU ids restart in every stratum: they are read within their stratum
    assert hh.groupby("strata")["psu"].min().eq("001").all()
    assert (hh["weight"] > 0).all()
    assert hh.groupby("strata")["weight"].mean().nunique() == 4  # weights differ by stratum
    assert hh["weight"].sum() == pytest.approx(3.8 * 3000, rel=0.001)


def test_default_shape_of_a_benchmark_sample():
    shape = default_shape(1_000_000)
    assert (shape.districts, shape.strata, shape.psus) == (30, 60, 2400)
    sabang = default_shape(3000)
    assert (sabang.districts, sabang.strata, sabang.psus) == (1, 4, 300)


def test_explicit_shape_with_synthetic_districts():
    survey = generate(6000, 5, districts=5, strata=10, psus=200)
    hh = survey.households
    assert hh["kab_code"].nunique() == 5 and "1172" in set(hh["kab_code"])
    assert hh["strata"].nunique() == 10
    assert hh.groupby(["strata", "psu"]).ngroups == 200
    assert hh.groupby("strata")[["kab_code", "urban_rural"]].nunique().eq(1).all().all()
    synthetic = hh[hh["kab_code"] != "1172"]
    assert synthetic["kab_name"].str.contains("Sintetis").all()
    assert synthetic["kab_code"].astype(int).between(1119, 1170).all()  # codes no Aceh district uses
    assert synthetic["desa_code"].str[:4].eq(synthetic["kab_code"]).all()


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"households": 0}, "--households"),
        ({"households": 100, "strata": 3}, "--strata"),
        ({"households": 100, "psus": 3}, "--psus"),
        ({"households": 100, "psus": 101}, "--psus"),
        ({"households": 100, "districts": 99}, "--districts"),
    ],
)
def test_impossible_shapes_are_usage_errors(kwargs, fragment):
    with pytest.raises(UsageError, match=fragment):
        default_shape(**kwargs)


def test_deterministic_for_a_seed_and_different_across_seeds():
    a, b, c = generate(500, 3), generate(500, 3), generate(500, 4)
    pd.testing.assert_frame_equal(a.households, b.households)
    pd.testing.assert_frame_equal(a.persons, b.persons)
    assert not a.households["exp_pc"].equals(c.households["exp_pc"])


def test_small_samples_still_have_two_psus_per_stratum():
    hh = generate(8, 1).households
    assert len(hh) == 8 and hh.groupby("strata")["psu"].nunique().min() >= 2


def test_tiny_samples_work():
    for n in (1, 2, 7):
        survey = generate(n, 1)
        assert len(survey.households) == n and len(survey.persons) == survey.households["hh_size"].sum()
