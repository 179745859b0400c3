"""profile(): worked examples computed by hand, options, flags, intervals, domains and the design description."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from estimate_data import MPI_SPEC

from peka.errors import ConfigError, InputError, UsageError
from peka.estimate import Design, MpiSpec, ProfileOptions, profile


def _get(est: pd.DataFrame, measure: str, indicator: str | None = None, domain: dict | None = None) -> pd.Series:
    rows = est[
        (est["measure"] == measure)
        & est["indicator"].map(lambda v: v == indicator)
        & est["domain"].map(lambda d: d == (domain or {}))
    ]
    assert len(rows) == 1, (measure, indicator, domain)
    return rows.iloc[0]


def _haughton_khandker() -> pd.DataFrame:
    # Haughton & Khandker (2009), Handbook on Poverty and Inequality, ch. 4: expenditures 100, 110, 150, 160, z = 125
    return pd.DataFrame({"exp_pc": [100.0, 110.0, 150.0, 160.0], "hh_size": [1, 1, 1, 1], "weight": 1.0})


def test_fgt_textbook_example_with_srs_standard_error() -> None:
    result = profile(_haughton_khandker(), line=125.0, options=ProfileOptions(ci="normal", min_n=0, min_psu=0))
    est = result.estimates
    # P0 = 2/4; P1 = (25/125 + 15/125)/4 = 0.08; P2 = (0.2² + 0.12²)/4 = 0.0136
    assert _get(est, "P0")["estimate"] == pytest.approx(0.5, rel=1e-15)
    assert _get(est, "P1")["estimate"] == pytest.approx(0.08, rel=1e-14)
    assert _get(est, "P2")["estimate"] == pytest.approx(0.0136, rel=1e-14)
    # SRS with replacement, n = 4: linearised z_i = (y_i − 0.5)/4 = ±0.125; V = 4/3 · 4 · 0.125² = 1/12
    p0 = _get(est, "P0")
    assert p0["se"] == pytest.approx(math.sqrt(1 / 12), rel=1e-14)
    assert p0["ci_low"] == pytest.approx(0.5 - 1.959963984540054 * math.sqrt(1 / 12), rel=1e-14)
    assert p0["rse"] == pytest.approx(math.sqrt(1 / 12) / 0.5, rel=1e-14)
    assert p0["flag"] == "unreliable" and p0["n"] == 4 and p0["weighted_n"] == 4.0
    assert result.design["type"] == "srs" and result.design["srs"] is True
    assert "simple random sample" in result.design["description"]
    assert result.design["n_psu"] == 4 and result.design["df"] == 3


def test_t_intervals_use_the_design_degrees_of_freedom() -> None:
    est = profile(_haughton_khandker(), line=125.0, options=ProfileOptions(ci="t")).estimates
    p0 = _get(est, "P0")
    # t(0.975, df = 4 PSUs − 1 stratum = 3) = 3.182446305284263 (statistical tables)
    assert p0["ci_high"] == pytest.approx(0.5 + 3.182446305284263 * math.sqrt(1 / 12), rel=1e-12)
    assert p0["ci_low"] < 0  # the symmetric interval leaves [0, 1]: why logit is the default


def test_logit_interval_of_a_proportion_stays_inside_0_1() -> None:
    result = profile(_haughton_khandker(), line=125.0, options=ProfileOptions(min_n=0, min_psu=0))
    p0, p1 = _get(result.estimates, "P0"), _get(result.estimates, "P1")
    # logit(0.5) = 0; se of logit(p) = se(p)/(p(1 − p)) = 4·√(1/12); t(0.975, 3) = 3.182446305284263
    half = 3.182446305284263 * 4 * math.sqrt(1 / 12)
    assert p0["ci_low"] == pytest.approx(1 / (1 + math.exp(half)), rel=1e-12)
    assert p0["ci_high"] == pytest.approx(1 / (1 + math.exp(-half)), rel=1e-12)
    assert 0 < p0["ci_low"] < 0.5 < p0["ci_high"] < 1
    # P1 is not a share of persons: t interval, clipped at 0 (0.08 − 3.18·se < 0)
    assert p1["ci_low"] == 0.0 and p1["ci_high"] == pytest.approx(0.08 + 3.182446305284263 * p1["se"], rel=1e-12)
    assert result.design["ci"]["method"] == "logit" and result.design["ci"]["df"] == "design"
    assert result.design["ci"]["quantile"] == pytest.approx(3.182446305284263, rel=1e-12)


def test_person_weighting_uses_household_size_and_none_counts_rows() -> None:
    frame = _haughton_khandker().assign(hh_size=[4, 1, 1, 2])
    persons = profile(frame, line=125.0).estimates
    assert _get(persons, "P0")["estimate"] == pytest.approx(5 / 8)  # (4 + 1) poor persons of 8
    assert _get(persons, "persons")["estimate"] == 8.0
    rows = profile(frame, line=125.0, hh_size=None).estimates
    assert _get(rows, "P0")["estimate"] == pytest.approx(0.5)


def _af_example() -> pd.DataFrame:
    # 4 persons × 4 indicators, equal weights 1/4, k = 1/2 (a textbook-style Alkire-Foster example, by hand):
    # deprivations p1 0000, p2 1010, p3 1111, p4 0001 → c = 0, 0.5, 1, 0.25; poor: p2, p3
    g = np.array([[0, 0, 0, 0], [1, 0, 1, 0], [1, 1, 1, 1], [0, 0, 0, 1]])
    frame = pd.DataFrame({"weight": 1.0, "hh_size": 1}, index=range(4))
    for j, name in enumerate("abcd"):
        frame[f"mpi_d_{name}"] = pd.array(g[:, j], dtype="Int8")
    return frame


AF_SPEC = {
    "k": 0.5,
    "indicators": [{"name": n, "dimension": d, "weight": 0.25} for n, d in zip("abcd", ["x", "x", "y", "y"])],
}


def test_alkire_foster_example_by_hand() -> None:
    est = profile(_af_example(), mpi_spec=AF_SPEC).estimates
    assert _get(est, "H")["estimate"] == pytest.approx(0.5)
    assert _get(est, "A")["estimate"] == pytest.approx(0.75)  # (0.5 + 1)/2
    assert _get(est, "M0")["estimate"] == pytest.approx(0.375)  # 1.5/4
    expected_unc = {"a": 0.5, "b": 0.25, "c": 0.5, "d": 0.5}
    expected_cens = {"a": 0.5, "b": 0.25, "c": 0.5, "d": 0.25}  # p4's deprivation in d is censored
    for name in "abcd":
        assert _get(est, "h_uncensored", name)["estimate"] == pytest.approx(expected_unc[name])
        assert _get(est, "h_censored", name)["estimate"] == pytest.approx(expected_cens[name])
        # contribution = w_j h_j / M0 = 0.25 · h_j / 0.375
        assert _get(est, "contribution", name)["estimate"] == pytest.approx(0.25 * expected_cens[name] / 0.375)
    assert _get(est, "contribution", "dim:x")["estimate"] == pytest.approx(0.5)
    assert _get(est, "contribution", "dim:y")["estimate"] == pytest.approx(0.5)
    assert _get(est, "A")["n"] == 2 and _get(est, "H")["n"] == 4


def test_mpi_spec_is_validated() -> None:
    bad = {"k": 0.5, "indicators": [{"name": "a", "dimension": "x", "weight": 0.5}]}
    with pytest.raises(ConfigError, match="sum to 0.5"):
        MpiSpec.from_any(bad)
    with pytest.raises(InputError, match="mpi_d_zz"):
        profile(_af_example(), mpi_spec={"k": 0.5, "indicators": [{"name": "zz", "dimension": "x", "weight": 1}]})


def test_flags_and_suppression() -> None:
    frame = _haughton_khandker()
    est = profile(frame, line=90.0, options=ProfileOptions(min_n=0, min_psu=0)).estimates
    assert _get(est, "P0")["estimate"] == 0 and _get(est, "P0")["flag"] == "no_rse"
    est = profile(frame, line=125.0).estimates  # n = 4 < 30
    assert _get(est, "P0")["flag"] == "low_n"
    opts = ProfileOptions(min_n=0, min_psu=0, rse_reliable=0.6, rse_caution=0.7)
    est = profile(frame, line=125.0, options=opts).estimates
    assert _get(est, "P0")["flag"] == "reliable"  # rse 0.577
    opts = ProfileOptions(min_n=0, min_psu=0, rse_reliable=0.5, rse_caution=0.6)
    est = profile(frame, line=125.0, options=opts).estimates
    assert _get(est, "P0")["flag"] == "caution"
    est = profile(frame, line=125.0, options=ProfileOptions(suppress=True)).estimates
    p0 = _get(est, "P0")
    assert p0["flag"] == "suppressed" and math.isnan(p0["estimate"]) and math.isnan(p0["se"])
    assert p0["n"] == 4  # counts stay visible
    with pytest.raises(UsageError):
        ProfileOptions(ci="satterthwaite")  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        ProfileOptions(ci_df="whole")  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        ProfileOptions(min_psu=-1)


def _two_psu_domain() -> pd.DataFrame:
    # 12 PSUs of 3 households in one stratum; domain "a" lives in PSUs 0 and 1 only (6 households, 2 poor)
    psu = np.repeat(np.arange(12), 3)
    exp_pc = np.where(np.arange(36) % 3 == 0, 50.0, 200.0)
    return pd.DataFrame(
        {"exp_pc": exp_pc, "hh_size": 1, "weight": 1.0, "psu": psu.astype(str), "dom": np.where(psu < 2, "a", "b")}
    )


def test_few_psu_flag_counts_the_psus_behind_the_estimate() -> None:
    frame = _two_psu_domain()
    est = profile(frame, line=100.0, by=["dom"], options=ProfileOptions(min_n=0, segments=False)).estimates
    a, b, whole = _get(est, "P0", domain={"dom": "a"}), _get(est, "P0", domain={"dom": "b"}), _get(est, "P0")
    assert (a["n_psu"], b["n_psu"], whole["n_psu"]) == (2, 10, 12)
    assert a["flag"] == "few_psu" and b["flag"] != "few_psu" and whole["flag"] != "few_psu"
    est = profile(frame, line=100.0, by=["dom"], options=ProfileOptions(min_n=0, min_psu=2, segments=False)).estimates
    assert _get(est, "P0", domain={"dom": "a"})["flag"] != "few_psu"  # 2 PSUs is not fewer than 2
    # low_n comes first
    est = profile(frame, line=100.0, by=["dom"], options=ProfileOptions(min_n=7, segments=False)).estimates
    assert _get(est, "P0", domain={"dom": "a"})["flag"] == "low_n"


def test_suppression_follows_n_and_rse_not_the_psu_flag() -> None:
    frame = _two_psu_domain()
    # every PSU has 1 poor of 3: P0 = 1/3 in each PSU, se = 0 → rse 0, reliable by RSE: few_psu stays visible
    est = profile(frame, line=100.0, by=["dom"], options=ProfileOptions(min_n=0, suppress=True, segments=False))
    a = _get(est.estimates, "P0", domain={"dom": "a"})
    assert a["flag"] == "few_psu" and a["estimate"] == pytest.approx(1 / 3)
    # P1 of domain a: gap 0.5 for one household of three in each PSU; make PSU 1 non-poor → RSE > 50% → suppressed
    frame.loc[frame["psu"] == "1", "exp_pc"] = 200.0
    est = profile(frame, line=100.0, by=["dom"], options=ProfileOptions(min_n=0, suppress=True, segments=False))
    a = _get(est.estimates, "P0", domain={"dom": "a"})
    assert a["flag"] == "suppressed" and math.isnan(a["ci_low"])


def test_domain_degrees_of_freedom() -> None:
    frame = _two_psu_domain().assign(exp_pc=lambda f: np.where(np.arange(36) % 9 == 0, 50.0, 200.0))
    opts = {"min_n": 0, "segments": False, "ci": "t"}
    whole_df = profile(frame, line=100.0, by=["dom"], options=ProfileOptions(**opts)).estimates
    domain_df = profile(frame, line=100.0, by=["dom"], options=ProfileOptions(ci_df="domain", **opts))
    a1, a2 = _get(whole_df, "P0", domain={"dom": "a"}), _get(domain_df.estimates, "P0", domain={"dom": "a"})
    # t(0.975, 11) = 2.2009851600916388 (12 PSUs − 1 stratum); t(0.975, 1) = 12.706204736174694 (2 PSUs − 1; R qt)
    assert a1["ci_high"] == pytest.approx(a1["estimate"] + 2.2009851600916388 * a1["se"], rel=1e-12)
    assert a2["ci_high"] == pytest.approx(a2["estimate"] + 12.706204736174694 * a2["se"], rel=1e-12)
    assert domain_df.design["ci"]["quantile"] is None and domain_df.design["ci"]["df"] == "domain"


def test_missing_welfare_equals_domain_estimation_without_dropping_rows(small_survey: pd.DataFrame) -> None:
    design = Design("weight", "stratum", "psu")
    drop = np.zeros(len(small_survey), dtype=bool)
    drop[::7] = True  # every 7th household has no expenditure
    with_missing = small_survey.assign(exp_pc=np.where(drop, np.nan, small_survey["exp_pc"]))
    as_domain = small_survey.assign(has_welfare=np.where(drop, "no", "yes"))
    est_missing = profile(with_missing, design=design, options=ProfileOptions(segments=False)).estimates
    est_domain = profile(as_domain, design=design, by=["has_welfare"], options=ProfileOptions(segments=False)).estimates
    for measure in ("P0", "P1", "P2", "extreme"):
        a = _get(est_missing, measure)
        b = _get(est_domain, measure, domain={"has_welfare": "yes"})
        assert a["estimate"] == pytest.approx(b["estimate"], rel=1e-13)
        assert a["se"] == pytest.approx(b["se"], rel=1e-12)
        assert a["n"] == b["n"] == int((~drop).sum())
    # households and persons still count every row
    assert _get(est_missing, "households")["n"] == len(small_survey)


def test_segments_are_added_as_domain_sets(small_survey: pd.DataFrame) -> None:
    frame = small_survey.assign(segment=small_survey["poverty_status"] + "/x")
    result = profile(
        frame, design=Design("weight", "stratum", "psu"), by=["district", ("district", "cause_x")], mpi_spec=MPI_SPEC
    )
    assert result.design["domains"] == [[], ["district"], ["district", "cause_x"], ["poverty_status"], ["segment"]]
    sets = {tuple(d) for d in result.estimates["domain"]}
    assert ("district", "cause_x") in sets and ("segment",) in sets
    assert {"district": "d1", "cause_x": True} in result.estimates["domain"].tolist()
    off = profile(frame, design=Design("weight", "stratum", "psu"), options=ProfileOptions(segments=False))
    assert off.design["domains"] == [[]]


def test_absent_default_columns_switch_measures_off_but_named_ones_must_exist() -> None:
    frame = pd.DataFrame({"weight": [1.0, 2.0], "hh_size": [1, 2]})
    result = profile(frame)
    assert set(result.estimates["measure"]) == {"households", "persons"}
    assert any("FGT" in s for s in result.design["skipped"])
    with pytest.raises(InputError, match="'konsumsi'"):
        profile(frame, welfare="konsumsi")
    with pytest.raises(UsageError):
        profile(frame.assign(exp_pc=1.0), line=-5.0)


def test_design_description(small_survey: pd.DataFrame) -> None:
    d = profile(small_survey, design=Design("weight", "stratum", "psu", lonely_psu="adjust")).design
    assert d["type"] == "stratified_cluster" and d["srs"] is False
    assert (d["weight"], d["strata"], d["psu"], d["lonely_psu"]) == ("weight", "stratum", "psu", "adjust")
    assert (d["n_households"], d["n_strata"], d["n_psu"], d["df"]) == (296, 6, 26, 20)
    assert d["singleton_strata"] == [] and d["ci"]["method"] == "logit"
    unweighted = profile(small_survey.drop(columns=["weight"]), design=Design(weight=None)).design
    assert "unweighted" in unweighted["description"]


def test_output_columns_and_types(small_survey: pd.DataFrame) -> None:
    est = profile(small_survey, design=Design("weight", "stratum", "psu"), by=["district"], mpi_spec=MPI_SPEC).estimates
    assert list(est.columns) == [
        "domain",
        "measure",
        "indicator",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "rse",
        "flag",
        "n",
        "n_psu",
        "weighted_n",
    ]
    assert est["domain"].iloc[0] == {} and est["indicator"].iloc[0] is None
    assert est["n"].dtype == np.int64
    fractions = est[est["measure"].isin(["P0", "P1", "P2", "H", "M0", "A", "h_censored", "pop_share"])]
    defined = fractions["estimate"].dropna()  # A is undefined (0/0) in a domain without MPI-poor persons
    assert defined.between(0, 1).all() and len(defined) > 100
    assert set(est["flag"]) <= {"reliable", "caution", "unreliable", "low_n", "few_psu", "no_rse"}
    assert est["n_psu"].dtype == np.int64 and (est["n_psu"] <= 26).all()


def test_no_households_is_an_input_error() -> None:
    empty = _haughton_khandker().iloc[:0]
    with pytest.raises(InputError, match="no households"):
        profile(empty, line=125.0)
