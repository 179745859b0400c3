"""Golden test on the bundled Kota Sabang sample: a dozen households classified by hand, plus aggregate counts
recomputed independently with plain numpy/pandas on the raw CSV.

Default configuration: period 2025-03; the Sabang line exists only for 2019, so the Aceh line applies:
GK = Rp676,247. Level bounds: 1.0 GK = 676,247; 1.5 GK = 1,014,370.5; 3.5 GK = 2,366,864.5; 17 GK = 11,496,199.
Extreme line Rp391,000. MPI = Indonesia preset, k = 1/3, missing = reweight; weights: kesehatan and pendidikan
indicators 1/8 each; perumahan_layanan 1/24 each (6); ekonomi 1/12 each (3). Indicator order in ``mpi_d``:
jaminan_kesehatan, biaya_berobat, pendidikan_dewasa, partisipasi_sekolah, luas_lantai, material_rumah, sanitasi,
air_minum, penerangan, bahan_bakar, aset, tabungan, internet.
"""

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
GK = 676_247.0
NA = pd.NA

# raw values the hand computations below rest on (a regenerated sample must fail here, loudly, first)
RAW = {
    "11720000001": {
        "hh_size": 2,
        "exp_pc": 974_050.0,
        "head_work_status": "tidak_bekerja",
        "head_age": 40,
        "savings_value": np.nan,
    },
    "11720000002": {"hh_size": 6, "exp_pc": 1_267_033.33, "toilet": "bersama", "head_educ": "sd"},
    "11720000003": {
        "hh_size": 5,
        "exp_pc": 1_652_520.0,
        "head_income": 2_974_000.0,
        "head_occupation": "buruh_bangunan",
    },
    "11720000006": {"hh_size": 4, "exp_pc": 628_050.0, "water_source": "sungai", "head_income": np.nan},
    "11720000013": {"hh_size": 4, "exp_pc": 469_525.0, "floor_area": 31.0, "water_minutes": 39.0},
    "11720000014": {"hh_size": 5, "exp_pc": 888_540.0, "floor_area": 36.0, "head_income": 3_384_000.0},
    "11720000015": {"hh_size": 5, "exp_pc": 2_458_080.0, "can_afford_clinic": False, "recv_pbi": False},
    "11720000047": {"hh_size": 7, "exp_hh": 3_335_800.0, "floor_area": 42.0, "head_sex": "p"},
    "11720000049": {"hh_size": 7, "exp_hh": 3_436_700.0, "floor_material": "bambu", "head_income": 3_781_000.0},
    "11720000128": {"hh_size": 10, "exp_pc": 289_140.0, "head_age": 62, "wall_material": "kayu_murah"},
    "11720000220": {"hh_size": 8, "exp_pc": 551_437.5, "floor_area": np.nan, "savings_value": np.nan},
    "11720001503": {"hh_size": 2, "exp_pc": 1_658_700.0, "can_afford_clinic": None, "head_age": 60},
}

EXPECTED = {
    # exp_pc 974,050: 676,247 ≤ y < 1,014,370.5 → rentan_miskin. MPI: tabungan missing (savings blank); ekonomi
    # keeps 1/4 on its 2 known indicators: internet deprived → 1/12 × (1/4)/(2/12) = 1/8 → c = 0.125 (< 0.2).
    # Not poor on either, level rentan_miskin → rentan. BPS: only c12 (income 0 < 600,000) met, c14 missing → 1 + 1
    # < 9 → False. Causes: head not working at 40 (menganggur), no credit, no internet.
    "11720000001": {
        "level": "rentan_miskin",
        "poor": False,
        "extreme_poor": False,
        "mpi_score": 0.125,
        "mpi_poor": False,
        "mpi_vulnerable": False,
        "mpi_d": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NA, 1],
        "bps14_count": 1,
        "bps14_missing": 1,
        "miskin_14k": False,
        "causes": "menganggur;tanpa_akses_modal;tanpa_internet_pasar",
        "primary_cause": "menganggur",
        "poverty_status": "rentan",
        "segment": "rentan",
    },
    # 1,267,033.33 ≥ 1.5 GK → menuju_kelas_menengah. Shared toilet: sanitasi 1/24; tabungan missing, the other
    # ekonomi indicators 0 → c = 1/24 = 0.041667. BPS: c04 (shared toilet), c09 (1 set of clothes), c13 (SD) = 3,
    # c14 missing. Dependants 14 and 13 (2) vs 4 aged 15-64: not many.
    "11720000002": {
        "level": "menuju_kelas_menengah",
        "poor": False,
        "extreme_poor": False,
        "mpi_score": 1 / 24,
        "mpi_poor": False,
        "mpi_vulnerable": False,
        "mpi_d": [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, NA, 0],
        "bps14_count": 3,
        "bps14_missing": 1,
        "miskin_14k": False,
        "causes": "pendidikan_rendah;layanan_dasar_kurang",
        "primary_cause": "pendidikan_rendah",
        "poverty_status": "tidak_miskin",
        "segment": "tidak_miskin",
    },
    # No deprivation (car, savings 2.3m, internet) → c = 0. BPS: c12 construction labourer only. Causes: casual
    # worker earning 2,974,000 < 5 × 676,247 = 3,381,235 (informal low-paid); dependants 0, 8, 0 = 3 > 2 adults.
    "11720000003": {
        "level": "menuju_kelas_menengah",
        "poor": False,
        "extreme_poor": False,
        "mpi_score": 0.0,
        "mpi_poor": False,
        "mpi_vulnerable": False,
        "mpi_d": [0] * 13,
        "bps14_count": 1,
        "bps14_missing": 0,
        "miskin_14k": False,
        "causes": "kerja_informal_upah_rendah;banyak_tanggungan",
        "primary_cause": "kerja_informal_upah_rendah",
        "poverty_status": "tidak_miskin",
        "segment": "tidak_miskin",
    },
    # 628,050 < GK → miskin. MPI: no toilet + river water = 2/24, savings 0 + no internet = 2/12 → c = 0.25:
    # vulnerable, not MPI-poor → miskin_moneter. Health: a baby's chronic_illness is blank → any_sick unknown, but
    # PBI-JK covers the household → jaminan_kesehatan = unknown and false = 0. BPS: c04 c06 c08 c09 c10 c13 c14 = 7,
    # c12 missing (civil servant with blank income) → at most 8 < 9 → False.
    "11720000006": {
        "level": "miskin",
        "poor": True,
        "extreme_poor": False,
        "mpi_score": 0.25,
        "mpi_poor": False,
        "mpi_vulnerable": True,
        "mpi_d": [0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1],
        "bps14_count": 7,
        "bps14_missing": 1,
        "miskin_14k": False,
        "causes": "pendidikan_rendah;rawan_pangan;layanan_dasar_kurang;tanpa_internet_pasar",
        "primary_cause": "pendidikan_rendah",
        "poverty_status": "miskin_moneter",
        "segment": "miskin_moneter/pendidikan_rendah",
    },
    # 469,525 < GK, ≥ 391,000 → miskin, not extreme. MPI: cannot afford clinic 1/8; 31 m² / 4 = 7.75 < 8, no
    # toilet, spring 39 min away (≥ 30), firewood = 4/24; savings 0 = 1/12 → c = .125 + .1667 + .0833 = 0.375 ≥ 1/3.
    # BPS: c01 c04 c07 c08 c09 c10 c11 c12 c14 = 9 → poor. Casual worker earning 1,302,000 < 4 × GK = 2,704,988.
    "11720000013": {
        "level": "miskin",
        "poor": True,
        "extreme_poor": False,
        "mpi_score": 0.375,
        "mpi_poor": True,
        "mpi_vulnerable": False,
        "mpi_d": [0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0],
        "bps14_count": 9,
        "bps14_missing": 0,
        "miskin_14k": True,
        "causes": "kerja_informal_upah_rendah;tanpa_akses_modal;rawan_pangan;rumah_tidak_layak;layanan_dasar_kurang",
        "primary_cause": "kerja_informal_upah_rendah",
        "poverty_status": "miskin_ganda",
        "segment": "miskin_ganda/kerja_informal_upah_rendah",
    },
    # 888,540 → rentan_miskin, not poor. MPI: clinic 1/8 + child of 13 out of school 1/8 + 36/5 = 7.2 m² 1/24 +
    # savings + internet 2/12 → c = 0.458333 → miskin_multidimensi. Farm labourer earning 3,384,000 ≥ 5 × GK =
    # 3,381,235 → not low-paid. Dependants 4, 13, 12 = 3 > 2 adults.
    "11720000014": {
        "level": "rentan_miskin",
        "poor": False,
        "extreme_poor": False,
        "mpi_score": 11 / 24,
        "mpi_poor": True,
        "mpi_vulnerable": False,
        "mpi_d": [0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1],
        "bps14_count": 7,
        "bps14_missing": 0,
        "miskin_14k": False,
        "causes": "anak_tidak_sekolah;banyak_tanggungan;tanpa_akses_modal;rawan_pangan;"
        "rumah_tidak_layak;tanpa_internet_pasar",
        "primary_cause": "anak_tidak_sekolah",
        "poverty_status": "miskin_multidimensi",
        "segment": "miskin_multidimensi/anak_tidak_sekolah",
    },
    # 2,458,080 ≥ 3.5 GK → kelas_menengah. MPI: jaminan unknown (a member's illness blank, no PBI); biaya 1 takes
    # the whole kesehatan weight 1/4 (reweight); savings 0 → 1/12 → c = 1/4 + 1/12 = 1/3 = k exactly → MPI poor.
    "11720000015": {
        "level": "kelas_menengah",
        "poor": False,
        "extreme_poor": False,
        "mpi_score": 1 / 3,
        "mpi_poor": True,
        "mpi_vulnerable": False,
        "mpi_d": [NA, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0],
        "bps14_count": 3,
        "bps14_missing": 0,
        "miskin_14k": False,
        "causes": "tanpa_akses_modal;biaya_kesehatan",
        "primary_cause": "tanpa_akses_modal",
        "poverty_status": "miskin_multidimensi",
        "segment": "miskin_multidimensi/tanpa_akses_modal",
    },
    # exp_pc = 3,335,800 / 7 = 476,542.86 → miskin. MPI: clinic 1/8; 42/7 = 6 m², earth floor, no toilet, river =
    # 4/24; one small asset (bicycle), savings 0 = 2/12 → c = 0.458333. BPS: all but c05, c07 = 12.
    "11720000047": {
        "level": "miskin",
        "poor": True,
        "extreme_poor": False,
        "mpi_score": 11 / 24,
        "mpi_poor": True,
        "mpi_vulnerable": False,
        "mpi_d": [0, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0],
        "bps14_count": 12,
        "bps14_missing": 0,
        "miskin_14k": True,
        "causes": "kerja_informal_upah_rendah;pendidikan_rendah;banyak_tanggungan;kepala_perempuan;"
        "tanpa_aset;rawan_pangan;rumah_tidak_layak;layanan_dasar_kurang;biaya_kesehatan",
        "primary_cause": "kerja_informal_upah_rendah",
        "poverty_status": "miskin_ganda",
        "segment": "miskin_ganda/kerja_informal_upah_rendah",
    },
    # 3,436,700 / 7 = 490,957.14 → miskin. MPI: clinic 1/8, children 15 and 13 out of school 1/8, bamboo floor, no
    # toilet, unprotected well, firewood 4/24, fridge only, no savings, no internet 3/12 → c = 2/3 ≥ 0.5: severe.
    # Two members with a chronic illness → disabilitas_sakit, the first cause by priority.
    "11720000049": {
        "level": "miskin",
        "poor": True,
        "extreme_poor": False,
        "mpi_score": 2 / 3,
        "mpi_poor": True,
        "mpi_vulnerable": False,
        "mpi_severe": True,
        "mpi_d": [0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1],
        "bps14_count": 12,
        "bps14_missing": 0,
        "miskin_14k": True,
        "causes": "disabilitas_sakit;kerja_informal_upah_rendah;anak_tidak_sekolah;pendidikan_rendah;"
        "banyak_tanggungan;kepala_perempuan;tanpa_akses_modal;tanpa_aset;rawan_pangan;"
        "rumah_tidak_layak;layanan_dasar_kurang;tanpa_internet_pasar",
        "primary_cause": "disabilitas_sakit",
        "poverty_status": "miskin_ganda",
        "segment": "miskin_ganda/disabilitas_sakit",
    },
    # 289,140 < 391,000 → extreme poor; gap (676,247 − 289,140) / 676,247 = 0.57243. MPI: clinic 1/8; cheap-wood
    # walls, public toilet, unprotected spring 3/24; savings, internet 2/12 → c = 0.416667. Head aged 62 ≥ 60.
    "11720000128": {
        "level": "miskin",
        "poor": True,
        "extreme_poor": True,
        "mpi_score": 5 / 12,
        "mpi_poor": True,
        "mpi_vulnerable": False,
        "mpi_d": [0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1],
        "bps14_count": 10,
        "bps14_missing": 0,
        "miskin_14k": True,
        "poverty_gap": 387_107 / 676_247,
        "causes": "kepala_lansia;kerja_informal_upah_rendah;pendidikan_rendah;kepala_perempuan;"
        "tanpa_akses_modal;rawan_pangan;rumah_tidak_layak;layanan_dasar_kurang;"
        "tanpa_internet_pasar",
        "primary_cause": "kepala_lansia",
        "poverty_status": "miskin_ganda",
        "segment": "miskin_ganda/kepala_lansia",
    },
    # 551,437.5 → miskin. MPI: floor area and savings blank. Child of 14 out of school 1/8; perumahan: 4 of 5 known
    # deprived (earth floor, public toilet, river, firewood) → 4/24 × (1/4)/(5/24) = 0.2; ekonomi: internet 1 of 2
    # known → 1/12 × (1/4)/(2/12) = 0.125 → c = 0.125 + 0.2 + 0.125 = 0.45. BPS: 8 met (c02 c03 c04 c06 c07 c08
    # c09 c12) + 2 missing (c01, c14): 8 < 9 ≤ 10 → indeterminate.
    "11720000220": {
        "level": "miskin",
        "poor": True,
        "extreme_poor": False,
        "mpi_score": 0.45,
        "mpi_poor": True,
        "mpi_vulnerable": False,
        "mpi_d": [0, 0, 0, 1, NA, 1, 1, 1, 0, 1, 0, NA, 1],
        "bps14_count": 8,
        "bps14_missing": 2,
        "miskin_14k": NA,
        "causes": "disabilitas_sakit;menganggur;anak_tidak_sekolah;tanpa_akses_modal;rawan_pangan;"
        "rumah_tidak_layak;layanan_dasar_kurang;tanpa_internet_pasar",
        "primary_cause": "disabilitas_sakit",
        "poverty_status": "miskin_ganda",
        "segment": "miskin_ganda/disabilitas_sakit",
    },
    # 1,658,700 → menuju_kelas_menengah. A member with a disability, no PBI → jaminan 1; clinic blank → jaminan
    # takes the kesehatan weight: c = 1/4 → vulnerable → rentan (the level alone would say tidak_miskin).
    "11720001503": {
        "level": "menuju_kelas_menengah",
        "poor": False,
        "extreme_poor": False,
        "mpi_score": 0.25,
        "mpi_poor": False,
        "mpi_vulnerable": True,
        "mpi_d": [1, NA, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        "bps14_count": 3,
        "bps14_missing": 1,
        "miskin_14k": False,
        "causes": "disabilitas_sakit;kepala_lansia;pendidikan_rendah;tanpa_akses_modal",
        "primary_cause": "disabilitas_sakit",
        "poverty_status": "rentan",
        "segment": "rentan",
    },
}


@pytest.fixture(scope="module")
def sample():
    if not (SAMPLE / "households.csv").exists():
        pytest.fail(f"the bundled sample is missing: {SAMPLE}")
    survey = load_survey(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv")
    clean, _ = apply_on_invalid(survey, validate(survey), mode="fail")
    return clean


@pytest.fixture(scope="module")
def classified(sample):
    return classify(sample, load_config()).set_index("hh_id", drop=False)


def test_raw_values_of_the_chosen_households(sample):
    hh = sample.households.set_index("hh_id")
    for hh_id, values in RAW.items():
        for column, value in values.items():
            got = hh.loc[hh_id, column]
            if value is None or (isinstance(value, float) and np.isnan(value)):
                assert pd.isna(got), (hh_id, column)
            else:
                assert got == pytest.approx(value) if isinstance(value, float) else got == value, (hh_id, column)


@pytest.mark.parametrize("hh_id", list(EXPECTED))
def test_hand_classified_household(classified, hh_id):
    row = classified.loc[hh_id]
    expected = dict(EXPECTED[hh_id])
    mpi_d = expected.pop("mpi_d")
    assert row.filter(like="mpi_d_").tolist() == mpi_d
    for column, value in expected.items():
        if value is NA:
            assert row[column] is NA, column
        elif isinstance(value, float):
            assert row[column] == pytest.approx(value, abs=1e-9), column
        else:
            assert row[column] == value, column
    assert row["poverty_line"] == GK and row["poverty_line_id"] == "2025-03/prov:11"


def test_indeterminate_policy_gives_tidak_diketahui(sample):
    # 11720001503 under missing = "indeterminate": jaminan 1/8 known, biaya (1/8) unknown → c between 0.125 and
    # 0.25: certainly < 1/3 (not MPI-poor) but vulnerable (≥ 0.2) only if biaya is a deprivation → status unknown.
    out = classify(sample, load_config(overrides=["mpi.missing=indeterminate"])).set_index("hh_id")
    row = out.loc["11720001503"]
    assert row["mpi_poor"] is np.False_ or row["mpi_poor"] is False
    assert row["mpi_vulnerable"] is NA and np.isnan(row["mpi_score"])
    assert row["poverty_status"] == "tidak_diketahui" and row["segment"] == "tidak_diketahui"


def test_every_level_status_and_cause_is_covered(classified):
    chosen = classified.loc[list(EXPECTED)]
    config = load_config()
    levels = {c.code for c in config.levels.classes} - {"kelas_atas"}  # the sample has no household ≥ 17 GK
    assert set(chosen["level"]) == levels
    assert set(chosen["poverty_status"]) | {"tidak_diketahui"} == {
        "miskin_ganda",
        "miskin_moneter",
        "miskin_multidimensi",
        "rentan",
        "tidak_miskin",
        "tidak_diketahui",
    }
    applied = set(";".join(chosen["causes"]).split(";"))
    assert applied == {c.code for c in config.causes.active}


def test_aggregates_recomputed_with_numpy(classified):
    raw = pd.read_csv(SAMPLE / "households.csv", dtype={"hh_id": str})
    persons = pd.read_csv(SAMPLE / "persons.csv", dtype={"hh_id": str})
    y = raw["exp_pc"].to_numpy(float)
    y = np.where(np.isnan(y), raw["exp_hh"].to_numpy(float) / raw["hh_size"].to_numpy(float), y)
    out = classified.reset_index(drop=True)
    assert (out["hh_id"].to_numpy() == raw["hh_id"].to_numpy()).all()  # input order kept

    # levels by thresholds on y / GK
    bounds = np.array([1.0, 1.5, 3.5, 17.0]) * GK
    names = np.array(["miskin", "rentan_miskin", "menuju_kelas_menengah", "kelas_menengah", "kelas_atas"])
    level = names[np.searchsorted(bounds, y, side="right")]
    assert (out["level"].to_numpy(dtype=object) == level).all()
    assert int(out["poor"].sum()) == int((y < GK).sum())
    assert int(out["extreme_poor"].sum()) == int((y < 391_000).sum())
    w = raw["weight"].to_numpy(float) * raw["hh_size"].to_numpy(float)
    share_poor = w[y < GK].sum() / w.sum()
    assert np.nansum(w * out["poor"].to_numpy(dtype=float, na_value=np.nan)) / w.sum() == pytest.approx(share_poor)

    # BPS-14 with numpy: met / unknown per criterion
    def isin(col, values):
        v = raw[col]
        return np.where(v.isna(), np.nan, v.isin(values).astype(float))

    def lt(col, x, le=False):
        v = raw[col].to_numpy(float)
        return np.where(np.isnan(v), np.nan, (v <= x if le else v < x).astype(float))

    afford = raw["can_afford_clinic"].map({True: 0.0, False: 1.0, "True": 0.0, "False": 1.0}).to_numpy(float)
    occ = raw["head_occupation"]
    c12_known_yes = (
        occ.isin(["buruh_tani", "nelayan", "buruh_bangunan", "buruh_perkebunan"]).to_numpy()
        | ((occ == "petani").to_numpy() & (raw["land_area"].to_numpy(float) <= 500))
        | (raw["head_income"].to_numpy(float) < 600_000)
    )
    c12_unknown = ~c12_known_yes & (
        occ.isna().to_numpy()
        | raw["head_income"].isna().to_numpy()
        | ((occ == "petani").to_numpy() & raw["land_area"].isna().to_numpy())
    )
    c12 = np.where(c12_known_yes, 1.0, np.where(c12_unknown, np.nan, 0.0))
    floor_pp = raw["floor_area"].to_numpy(float) / raw["hh_size"].to_numpy(float)
    criteria = np.column_stack([
        np.where(np.isnan(floor_pp), np.nan, (floor_pp < 8).astype(float)),
        isin("floor_material", ["tanah", "bambu", "kayu_murah"]),
        isin("wall_material", ["bambu", "rumbia", "kayu_murah", "tembok_tanpa_plester"]),
        isin("toilet", ["bersama", "umum", "tidak_ada"]),
        isin("lighting", ["pelita", "tidak_ada"]),
        isin("water_source", ["sumur_tak_terlindung", "mata_air_tak_terlindung", "sungai", "air_hujan"]),
        isin("cooking_fuel", ["kayu_bakar", "arang", "minyak_tanah"]),
        lt("meat_milk_per_week", 1, le=True), lt("new_clothes_per_year", 1, le=True), lt("meals_per_day", 2, le=True),
        afford, c12, isin("head_educ", ["tidak_sekolah", "tidak_tamat_sd", "sd"]),
        lt("savings_value", 500_000),
    ])  # fmt: skip
    met = np.nansum(criteria, axis=1)
    unknown = np.isnan(criteria).sum(axis=1)
    assert (out["bps14_count"].to_numpy() == met).all() and (out["bps14_missing"].to_numpy() == unknown).all()
    assert int(out["miskin_14k"].eq(True).sum()) == int((met >= 9).sum())
    assert int(out["miskin_14k"].isna().sum()) == int(((met < 9) & (met + unknown >= 9)).sum())

    # school participation from the raw person file with a pandas groupby
    kids = persons[(persons["age"] >= 7) & (persons["age"] <= 18)]
    out_of_school = kids.assign(out=~kids["in_school"].astype(bool)).groupby("hh_id")["out"].any()
    expected = raw["hh_id"].map(out_of_school).fillna(False).astype(int).to_numpy()
    assert (out["mpi_d_partisipasi_sekolah"].to_numpy(dtype=float) == expected).all()
    # sanitation: toilet not own
    toilet = raw["toilet"]
    assert int(out["mpi_d_sanitasi"].sum()) == int((toilet.notna() & (toilet != "sendiri")).sum())


def test_chunks_give_the_same_table(sample, classified):
    # row-local: classifying three slices of households (each with its own members) equals the whole run, given the
    # whole file's decile cut points
    from peka.classify import decile_cutpoints, person_weights
    from peka.schema.model import Survey

    whole = classified.reset_index(drop=True)
    cuts = decile_cutpoints(whole["exp_pc"].to_numpy(), person_weights(sample.households))
    parts = []
    for chunk in np.array_split(np.arange(len(sample.households)), 3):
        hh = sample.households.iloc[chunk]
        members = sample.persons[sample.persons["hh_id"].isin(set(hh["hh_id"]))]
        parts.append(classify(Survey(households=hh, persons=members), load_config(), decile_cutpoints=cuts))
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), whole)
