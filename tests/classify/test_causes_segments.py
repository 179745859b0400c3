"""Causes, the primary-cause rules, derived member counts, and the monetary × MPI status."""

from __future__ import annotations

import pandas as pd
from classify_helpers import households, survey

from peka.classify import classify
from peka.classify.segments import classify_segments
from peka.config import load_config


def adult(hh_id, no, age=40, **kw):
    return {
        "hh_id": hh_id,
        "person_no": no,
        "age": age,
        "in_school": False,
        "educ_level": "sma",
        "disability": False,
        "chronic_illness": False,
        **kw,
    }


def test_causes_listed_in_catalogue_order_and_primary_by_priority(config):
    # female head (cluster 1, priority 8) and head not working (cluster 2, priority 3)
    hh = households({"head_sex": "p", "head_work_status": "tidak_bekerja"})
    members = [adult("h0", 1), adult("h0", 2)]
    out = classify(survey(hh, members), config)
    assert out.loc[0, "causes"] == "menganggur;kepala_perempuan"
    assert out.loc[0, "primary_cause"] == "menganggur"  # lowest priority number
    by_cluster = load_config(overrides=["causes.primary_rule=cluster_order"])
    assert classify(survey(hh, members), by_cluster).loc[0, "primary_cause"] == "kepala_perempuan"  # cluster 1


def test_no_cause_and_unknown_cause(config):
    hh = households({}, {"head_sex": None})
    out = classify(survey(hh, [adult("h0", 1), adult("h1", 1)]), config)
    assert out.loc[0, "causes"] == "" and pd.isna(out.loc[0, "primary_cause"])
    assert out.loc[1, "cause_kepala_perempuan"] is pd.NA and out.loc[1, "causes"] == ""


def test_dependants_and_member_counts(config):
    hh = households({"hh_id": "a"}, {"hh_id": "b"}, {"hh_id": "c"}, {"hh_id": "d"})
    members = [
        adult("a", 1),
        adult("a", 2, 8, in_school=True),
        adult("a", 3, 5),  # 2 dependants > 1 × 1 adult
        adult("b", 1),
        adult("b", 2),
        adult("b", 3, 8, in_school=True),
        adult("b", 4, 5),  # 2 > 1 × 2? no
        adult("c", 1),
        adult("c", 2, 12, in_school=False),  # a child of 12 out of school
        adult("d", 1),
        adult("d", 2, None),  # unknown age: counts are unknown
    ]
    out = classify(survey(hh, members), config)
    assert out["cause_banyak_tanggungan"].tolist() == [True, False, False, pd.NA]
    assert out["cause_anak_tidak_sekolah"].tolist() == [False, False, True, pd.NA]


def test_disability_or_illness_counts_any_member(config):
    hh = households({"hh_id": "a"}, {"hh_id": "b"})
    members = [adult("a", 1), adult("a", 2, 70, chronic_illness=True), adult("b", 1)]
    out = classify(survey(hh, members), config)
    assert out["cause_disabilitas_sakit"].tolist() == [True, False]
    # a sick member without PBI-JK is a health deprivation in the Indonesia MPI
    assert out["mpi_d_jaminan_kesehatan"].tolist() == [1, 0]


def status_of(poor, mpi_poor, vulnerable, level, cause="x", config=None):
    config = config or load_config()
    monetary = pd.DataFrame({"poor": pd.array(poor, dtype="boolean"), "level": pd.array(level, dtype="str")})
    mpi = pd.DataFrame(
        {"mpi_poor": pd.array(mpi_poor, dtype="boolean"), "mpi_vulnerable": pd.array(vulnerable, dtype="boolean")}
    )
    causes = pd.DataFrame({"primary_cause": pd.array([cause] * len(poor), dtype="str")})
    return classify_segments(monetary, mpi, causes, config)


def test_status_table():
    out = status_of(
        poor=[True, True, False, False, False, False, None, True, False],
        mpi_poor=[True, False, True, False, False, False, False, None, False],
        vulnerable=[False, False, False, False, True, False, False, None, None],
        level=[
            "miskin",
            "miskin",
            "kelas_menengah",
            "rentan_miskin",
            "menuju_kelas_menengah",
            "menuju_kelas_menengah",
            None,
            "miskin",
            "menuju_kelas_menengah",
        ],
    )
    assert out["poverty_status"].tolist() == [
        "miskin_ganda", "miskin_moneter", "miskin_multidimensi", "rentan", "rentan", "tidak_miskin",
        "tidak_diketahui", "tidak_diketahui", "tidak_diketahui",
    ]  # fmt: skip
    assert out["segment"].tolist()[:4] == ["miskin_ganda/x", "miskin_moneter/x", "miskin_multidimensi/x", "rentan"]


def test_segment_without_cause_is_the_status():
    out = status_of([True], [True], [False], ["miskin"], cause=None)
    assert out["segment"].tolist() == ["miskin_ganda"]


def test_ppls_vulnerable_class():
    config = load_config(overrides=["levels.scheme=ppls_0812"])
    out = status_of([False, False], [False, False], [False, False], ["hampir_miskin", "tidak_miskin"], config=config)
    assert out["poverty_status"].tolist() == ["rentan", "tidak_miskin"]


def test_output_leaves_out_personal_columns(config):
    hh = households({"head_nik": "1172010101900001", "head_name": "X", "kk_no": "1172010101900002"})
    assert not {"head_nik", "head_name", "kk_no"} & set(classify(survey(hh), config).columns)
    with_personal = classify(survey(hh), config, include_personal=True)
    assert with_personal.loc[0, "head_nik"] == "1172010101900001"


def test_input_is_not_modified(config):
    hh = households({"exp_pc": None, "exp_hh": 1e6})
    before = hh.copy()
    classify(survey(hh), config)
    pd.testing.assert_frame_equal(hh, before)
