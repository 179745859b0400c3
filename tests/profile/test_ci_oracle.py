"""peka's confidence intervals against R ``survey`` on the bundled Kota Sabang sample: P0 by gampong (desa_code).

The sample is classified with peka's default configuration (as ``peka classify`` does); the R script
(tests/fixtures/r/ci_oracle.R) reads the raw households.csv and computes P0 = share of persons with exp_pc below
Rp676,247, which ``test_classify_premise`` checks is the line classify applies. Frozen R numbers:
tests/fixtures/expected/r_ci_sabang.csv; the ``r_parity`` test reruns the script when R is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import peka
from peka.estimate import ProfileOptions, profile

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "samples" / "sabang"
FIXTURES = ROOT / "tests" / "fixtures"
ORACLE = FIXTURES / "expected" / "r_ci_sabang.csv"
LINE = 676_247.0  # the line in ci_oracle.R
RTOL = 1e-8


@pytest.fixture(scope="module")
def classified() -> pd.DataFrame:
    survey = peka.load_survey(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv")
    clean, _ = peka.apply_on_invalid(survey, peka.validate(survey), "skip")
    return peka.classify_survey(clean, peka.load_config())


def read_oracle(path: Path = ORACLE) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"domain": str}, keep_default_na=False)
    return frame.set_index("domain")


def p0_rows(frame: pd.DataFrame, options: ProfileOptions) -> pd.DataFrame:
    est = profile(frame, by=["desa_code"], options=options).estimates
    p0 = est[(est["measure"] == "P0") & est["domain"].map(lambda d: set(d) <= {"desa_code"})].copy()
    p0.index = p0["domain"].map(lambda d: d.get("desa_code", ""))
    return p0


def test_classify_premise(classified: pd.DataFrame) -> None:
    # the R script's P0 rests on these: every household kept, one line, poor = exp_pc < line
    assert len(classified) == len(pd.read_csv(SAMPLE / "households.csv", usecols=["hh_id"]))
    assert (classified["poverty_line"] == LINE).all()
    assert (classified["poor"].astype(bool) == (classified["exp_pc"] < LINE)).all()


@pytest.mark.parametrize(
    ("ci", "ci_df", "low", "high"),
    [
        ("normal", "design", "normal_low", "normal_high"),  # confint(svymean(...))
        ("t", "design", "t_low", "t_high"),  # confint(svymean(...), df = degf(design))
        ("logit", "design", "fit_low", "fit_high"),  # svyciprop(method = "logit", df = degf(design))
        ("logit", "design", "logit_low", "logit_high"),  # the same, as svyciprop returns it (glm epsilon 1e-8)
        ("logit", "domain", "fit_domain_low", "fit_domain_high"),  # svyciprop's default df = degf(subset)
        ("logit", "domain", "logit_domain_low", "logit_domain_high"),
    ],
)
def test_intervals_equal_r(classified: pd.DataFrame, ci: str, ci_df: str, low: str, high: str) -> None:
    oracle = read_oracle()
    ours = p0_rows(classified, ProfileOptions(ci=ci, ci_df=ci_df, segments=False)).loc[oracle.index]
    assert len(oracle) == 19  # the whole sample and 18 gampong
    np.testing.assert_allclose(ours["estimate"], oracle["estimate"], rtol=1e-12)
    np.testing.assert_allclose(ours["se"], oracle["se"], rtol=1e-10)
    np.testing.assert_allclose(ours["ci_low"], oracle[low], rtol=RTOL)
    np.testing.assert_allclose(ours["ci_high"], oracle[high], rtol=RTOL)
    np.testing.assert_array_equal(ours["n_psu"], oracle["n_psu"])


def test_logit_is_tighter_on_the_converged_fit(classified: pd.DataFrame) -> None:
    # peka's closed form is the converged model: to rounding, not only to svyciprop's glm tolerance
    oracle = read_oracle()
    ours = p0_rows(classified, ProfileOptions(segments=False)).loc[oracle.index]  # default: logit, design df
    np.testing.assert_allclose(ours["ci_low"], oracle["fit_low"], rtol=1e-12)
    np.testing.assert_allclose(ours["ci_high"], oracle["fit_high"], rtol=1e-12)


def test_degrees_of_freedom_and_psu_counts(classified: pd.DataFrame) -> None:
    oracle = read_oracle()
    result = profile(classified, by=["desa_code"], options=ProfileOptions(segments=False))
    assert result.design["df"] == oracle.loc["", "df_design"] == 296
    ours = p0_rows(classified, ProfileOptions(segments=False)).loc[oracle.index]
    # every gampong lies in one stratum: its degf(subset) is its PSUs − 1
    assert (oracle["df_domain"].iloc[1:] == ours["n_psu"].iloc[1:] - 1).all()
    # gampong with fewer than 10 PSUs are flagged (n ≥ 30 households in every one of them)
    few = ours["n_psu"] < 10
    assert few.sum() == 4 and (ours.loc[few, "n"] >= 30).all() and (ours.loc[few, "flag"] == "few_psu").all()


def _r_survey_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(["Rscript", "-e", "quit(status = !requireNamespace('survey', quietly = TRUE))"],
                           check=False, capture_output=True, timeout=60)
    return probe.returncode == 0


@pytest.mark.r_parity
@pytest.mark.slow
def test_r_script_reproduces_committed_ci_oracle(tmp_path: Path) -> None:
    if not _r_survey_available():
        pytest.skip("Rscript with the survey package is not installed")
    subprocess.run(["Rscript", str(FIXTURES / "r" / "ci_oracle.R"), str(tmp_path)], check=True,
                   capture_output=True, timeout=600)
    fresh, committed = read_oracle(tmp_path / "r_ci_sabang.csv"), read_oracle()
    assert list(fresh.index) == list(committed.index) and list(fresh.columns) == list(committed.columns)
    np.testing.assert_allclose(fresh.to_numpy(dtype=float), committed.to_numpy(dtype=float), rtol=1e-12)


def test_default_intervals_stay_in_range(classified: pd.DataFrame) -> None:
    normal = profile(classified, by=["desa_code"], options=ProfileOptions(ci="normal")).estimates
    default = profile(classified, by=["desa_code"]).estimates
    assert (normal["ci_low"] < 0).sum() > 0  # symmetric intervals of small domains leave the range
    assert not (default["ci_low"] < 0).any()
    bounded = default["measure"].isin(["P0", "P1", "P2", "H", "M0", "A", "h_censored", "cause_share", "pop_share"])
    assert (default.loc[bounded, "ci_high"].dropna() <= 1).all()
