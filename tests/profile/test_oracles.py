"""peka's profile estimates against numbers computed outside peka (tests/fixtures/README.md):

* R ``survey`` 4.1 on the synthetic survey, four designs (stratified cluster, SRS, singleton stratum with
  ``adjust`` and with ``certainty``): every measure, estimate and SE, to 8 significant digits;
* ``samplics`` on the same data (a second oracle, checked against R here too);
* published worked examples (Haughton & Khandker 2009 FGT table; Alkire & Foster 2011 AF example; Alkire et al.
  2015 Box 5.5, same M0 from different H and A).

The optional ``r_parity`` test reruns the R script when ``Rscript`` with ``survey`` is installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peka.estimate import Design, profile
from peka.rules import compile_rule

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPECTED = FIXTURES / "expected"
RTOL = 1e-8  # ≥ 8 significant digits
BY = ["desa_code", ("urban_rural", "kec_code")]  # the oracle's domain sets (one variable, and a crossing)

# measures the oracle computes on the household-weight base; all others are person-weighted
HOUSEHOLD_BASE = {"bps14_poor", "cause_share", "cause_ratio", "households", "persons"}


def read_survey(name: str) -> pd.DataFrame:
    text = {c: "str" for c in ("hh_id", "kec_code", "desa_code", "urban_rural", "strata", "psu", "primary_cause",
                                "poverty_status", "segment")}
    frame = pd.read_csv(FIXTURES / name, dtype=text)
    for column in ("poor", "extreme_poor", "mpi_poor", "mpi_vulnerable", "mpi_severe", "miskin_14k",
                   "cause_pendidikan_rendah", "cause_lansia", "cause_disabilitas"):
        frame[column] = frame[column].astype("boolean")
    frame["hh_size"] = frame["hh_size"].astype("Int64")
    frame["bps14_count"] = frame["bps14_count"].astype("Int64")
    for column in [c for c in frame.columns if c.startswith("mpi_d_")]:
        frame[column] = frame[column].astype("Int8")
    return frame


def mpi_spec() -> dict:
    return tomllib.loads((FIXTURES / "synthetic_mpi.toml").read_text(encoding="utf-8"))["mpi"]


def run_profile(frame: pd.DataFrame, design: Design, by=BY) -> pd.DataFrame:
    """peka's tidy estimates for the synthetic survey (classified-style input)."""
    return profile(frame, design=design, by=by, mpi_spec=mpi_spec()).estimates


def read_oracle(label: str) -> pd.DataFrame:
    frame = pd.read_csv(EXPECTED / f"{label}.csv", keep_default_na=False, dtype=str)
    for column in ("estimate", "se", "weighted_n"):
        frame[column] = frame[column].astype(float)
    frame["n"] = frame["n"].astype(int)
    return frame


def domain_key(domain: dict) -> str:
    return ";".join(f"{k}={v}" for k, v in domain.items())


def oracle_key(row: pd.Series) -> tuple[str, str, str]:
    return row["domain"], row["measure"], row["indicator"]


# the same oracle number also checks these peka records (no household lacks MPI data in the synthetic survey, so
# the share of the population with MPI data in a domain equals the domain's population share)
ALSO = {("pop_share", ""): [("pop_share", "mpi")]}


def peka_table(estimates: pd.DataFrame) -> dict[tuple[str, str, str], pd.Series]:
    table = {}
    for _, row in estimates.iterrows():  # test code: a few hundred estimate records
        indicator = row["indicator"]
        indicator = "" if indicator is None or (isinstance(indicator, float) and np.isnan(indicator)) else indicator
        table[(domain_key(dict(row["domain"])), row["measure"], str(indicator))] = row
    return table


def compare(oracle: pd.DataFrame, estimates: pd.DataFrame, *, check_n: bool = True) -> int:
    """Assert every oracle number (on the base peka uses for the measure) is matched to RTOL; return the count."""
    ours = peka_table(estimates)
    checked = 0
    problems = []
    for _, row in oracle.iterrows():
        wanted_base = "households" if row["measure"] in HOUSEHOLD_BASE else "persons"
        if row["base"] != wanted_base:
            continue
        key = oracle_key(row)
        keys = [key] + [(key[0], m, i) for m, i in ALSO.get(key[1:], [])]
        for k in keys:
            if k not in ours:
                problems.append(f"missing {k}")
                continue
            for field in ("estimate", "se"):
                if not np.isclose(float(ours[k][field]), row[field], rtol=RTOL, atol=1e-14):
                    problems.append(f"{k} {field}: peka {float(ours[k][field])!r} vs oracle {row[field]!r}")
        if key not in ours:
            continue
        got = ours[key]
        # n = unweighted households in the domain (checked on the domain-wide measures, where it is unambiguous)
        if check_n and row["measure"] in ("P0", "households") and int(got["n"]) != row["n"]:
            problems.append(f"{key} n: peka {got['n']} vs R {row['n']}")
        checked += 1
    assert not problems, f"{len(problems)} disagreements, first: " + "; ".join(problems[:8])
    return checked


# ---- R survey --------------------------------------------------------------------------------------------------


def test_stratified_cluster_matches_r_survey():
    estimates = run_profile(read_survey("synthetic_households.csv"),
                            Design(weight="weight", strata="strata", psu="psu"))
    assert compare(read_oracle("r_stratified"), estimates) > 500


def test_weighted_srs_matches_r_survey():
    estimates = run_profile(read_survey("synthetic_households.csv"), Design(weight="weight", strata=None, psu=None))
    assert compare(read_oracle("r_srs"), estimates) > 500


@pytest.mark.parametrize("lonely", ["adjust", "certainty"])
def test_singleton_stratum_matches_r_survey(lonely):
    estimates = run_profile(read_survey("synthetic_singleton.csv"),
                            Design(weight="weight", strata="strata", psu="psu", lonely_psu=lonely))
    assert compare(read_oracle(f"r_singleton_{lonely}"), estimates) > 500


def test_singleton_stratum_fails_by_default_naming_it():
    from peka.errors import DesignError

    with pytest.raises(DesignError, match="'05'"):
        run_profile(read_survey("synthetic_singleton.csv"), Design(weight="weight", strata="strata", psu="psu"))


def test_adjust_and_certainty_differ_only_through_the_singleton_stratum():
    # sanity of the oracle itself: the point estimates are the same, adjust adds variance (R: adjust ≥ certainty)
    adjust, certainty = read_oracle("r_singleton_adjust"), read_oracle("r_singleton_certainty")
    assert np.allclose(adjust["estimate"], certainty["estimate"], rtol=1e-13)
    assert (adjust["se"] >= certainty["se"] - 1e-15).all() and (adjust["se"] > certainty["se"]).any()


# ---- samplics: a second oracle ----------------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["stratified", "srs"])
def test_samplics_and_r_agree(label):
    samplics = pd.read_csv(EXPECTED / f"samplics_{label}.csv", keep_default_na=False, dtype={"domain": str})
    r = read_oracle(f"r_{label}")
    both = samplics.merge(r, on=["by", "domain", "measure", "indicator", "base"], suffixes=("", "_r"))
    assert len(both) == len(samplics) == 77
    assert np.allclose(both["estimate"], both["estimate_r"], rtol=1e-12)
    assert np.allclose(both["se"], both["se_r"], rtol=1e-12)


@pytest.mark.parametrize("label", ["stratified", "srs"])
def test_samplics_oracle_matches_peka(label):
    design = (Design(weight="weight", strata="strata", psu="psu") if label == "stratified"
              else Design(weight="weight", strata=None, psu=None))
    estimates = run_profile(read_survey("synthetic_households.csv"), design, by=["desa_code"])
    samplics = pd.read_csv(EXPECTED / f"samplics_{label}.csv", keep_default_na=False, dtype={"domain": str})
    assert compare(samplics, estimates, check_n=False) == 77


# ---- published examples ----------------------------------------------------------------------------------------

PUBLISHED = json.loads((FIXTURES / "published_examples.json").read_text(encoding="utf-8"))


def test_haughton_khandker_fgt_example():
    case = PUBLISHED["haughton_khandker_2009_fgt"]
    frame = pd.DataFrame({"_row": np.arange(2, 6), "exp_pc": case["data"]["exp_pc"]}).astype({"exp_pc": float})
    result = profile(frame, design=Design(weight=None), welfare="exp_pc", line=case["line"], hh_size=None)
    table = peka_table(result.estimates)
    for measure, value in case["expected"].items():
        assert table[("", measure, "")]["estimate"] == pytest.approx(value, rel=1e-12)


def test_alkire_foster_worked_example():
    case = PUBLISHED["alkire_foster_2011_example"]
    frame = pd.DataFrame(case["data"]).astype(float)
    frame.insert(0, "_row", np.arange(2, 2 + len(frame)))
    spec = {"k": case["k"], "indicators": [
        {key: ind[key] for key in ("name", "dimension", "weight")} for ind in case["indicators"]]}
    for ind in case["indicators"]:  # the deprivation cutoffs, in the project's rule language
        rule = compile_rule(ind["deprived_if"], key=f"indicators.{ind['name']}.deprived_if")
        frame[f"mpi_d_{ind['name']}"] = rule.evaluate(frame).astype("Int8")
    assert frame.filter(like="mpi_d_").to_numpy().tolist() == case["deprivation_matrix"]
    result = profile(frame, design=Design(weight=None), hh_size=None, mpi_spec=spec)
    table = peka_table(result.estimates)
    expected = case["expected"]
    for measure in ("H", "A", "M0"):
        assert table[("", measure, "")]["estimate"] == pytest.approx(expected[measure], rel=1e-12)
    for measure in ("h_uncensored", "h_censored", "contribution"):
        for name, value in expected[measure].items():
            assert table[("", measure, name)]["estimate"] == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("name", ["X", "X_prime"])
def test_ophi_box_5_5_same_m0_different_composition(name):
    # the printed deprivation scores and poverty verdicts of both matrices; H, A, M0 derived in the fixture's note
    case = PUBLISHED["alkire_et_al_2015_box_5_5"]["cases"][name]
    frame = pd.DataFrame({"_row": np.arange(2, 6), "mpi_score": case["mpi_score"],
                          "mpi_poor": pd.array(case["mpi_poor"], dtype="boolean")})
    result = profile(frame, design=Design(weight=None), hh_size=None, welfare=None)
    table = peka_table(result.estimates)
    for measure, value in case["expected"].items():
        assert table[("", measure, "")]["estimate"] == pytest.approx(value, rel=1e-12)


# ---- live R parity ---------------------------------------------------------------------------------------------


def _r_survey_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(["Rscript", "-e", "quit(status = !requireNamespace('survey', quietly = TRUE))"],
                           check=False, capture_output=True, timeout=60)
    return probe.returncode == 0


@pytest.mark.r_parity
@pytest.mark.slow
def test_r_script_reproduces_committed_oracle(tmp_path):
    if not _r_survey_available():
        pytest.skip("Rscript with the survey package is not installed")
    subprocess.run(["Rscript", str(FIXTURES / "r" / "profile_oracle.R"), str(tmp_path)], check=True,
                   capture_output=True, timeout=600)
    for label in ("r_stratified", "r_srs", "r_singleton_adjust", "r_singleton_certainty"):
        fresh = pd.read_csv(tmp_path / f"{label}.csv", keep_default_na=False, dtype=str)
        committed = pd.read_csv(EXPECTED / f"{label}.csv", keep_default_na=False, dtype=str)
        assert fresh[["by", "domain", "measure", "indicator", "base"]].equals(
            committed[["by", "domain", "measure", "indicator", "base"]])
        for column in ("estimate", "se"):
            assert np.allclose(fresh[column].astype(float), committed[column].astype(float), rtol=1e-12)
        # and peka agrees with the fresh run
        design = {"r_stratified": Design(weight="weight", strata="strata", psu="psu"),
                  "r_srs": Design(weight="weight", strata=None, psu=None),
                  "r_singleton_adjust": Design(weight="weight", strata="strata", psu="psu", lonely_psu="adjust"),
                  "r_singleton_certainty": Design(weight="weight", strata="strata", psu="psu",
                                                  lonely_psu="certainty")}[label]
        data = "synthetic_singleton.csv" if "singleton" in label else "synthetic_households.csv"
        fresh_oracle = fresh.astype({"estimate": float, "se": float, "weighted_n": float, "n": int})
        compare(fresh_oracle, run_profile(read_survey(data), design))
