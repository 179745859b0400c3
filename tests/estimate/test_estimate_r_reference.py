"""peka's estimates and SEs against R `survey` 4.1 on the same synthetic survey (frozen in r/survey_reference.csv).

The reference numbers were written by r/survey_reference.R (svytotal, svyratio, svymean on subset() domains,
svyby, svycontrast for the cause ratio; lonely PSU "adjust" and "certainty") from r/survey_small.csv, and are
compared here to 1e-9 relative (R printed 15 significant digits). test_r_parity.py re-runs R when available.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from estimate_data import MPI_SPEC, R_DIR

from peka.estimate import Design, ProfileOptions, profile

DESIGNS = {
    "cluster": Design("weight", "stratum", "psu"),
    "srs": Design("weight"),
    "strata_only": Design("weight", "stratum", None),
    "psu_only": Design("weight", None, "psu_u"),
    "lonely_adjust": Design("weight", "stratum", "psu", lonely_psu="adjust"),
    "lonely_certainty": Design("weight", "stratum", "psu", lonely_psu="certainty"),
}


def _reference() -> pd.DataFrame:
    ref = pd.read_csv(R_DIR / "survey_reference.csv", keep_default_na=False, dtype=str)
    ref["estimate"] = ref["estimate"].astype(float)
    ref["se"] = ref["se"].astype(float)
    return ref


def _key(domain: dict, measure: str, indicator: object) -> tuple[str, str, str]:
    dom = ",".join(f"{k}={v}" for k, v in domain.items())
    return (
        measure,
        "" if indicator is None or (isinstance(indicator, float) and math.isnan(indicator)) else str(indicator),
        dom,
    )


def _peka(frame: pd.DataFrame, design_name: str) -> dict[tuple[str, str, str], tuple[float, float]]:
    if design_name.startswith("lonely"):
        frame = frame[~((frame["stratum"] == "S6") & (frame["psu"] != "1"))]
    result = profile(
        frame, design=DESIGNS[design_name], by=["district"], mpi_spec=MPI_SPEC, options=ProfileOptions(min_n=0)
    )
    est = result.estimates
    return {
        _key(d, m, i): (e, s)
        for d, m, i, e, s in zip(est["domain"], est["measure"], est["indicator"], est["estimate"], est["se"])
    }


@pytest.mark.parametrize("design_name", list(DESIGNS))
def test_estimates_and_ses_match_r_survey(small_survey: pd.DataFrame, design_name: str) -> None:
    ref = _reference()
    ref = ref[(ref["design"] == design_name) & ref["case"].isin(["whole", "domain"])]
    assert len(ref) > 30  # the reference really covers this design
    ours = _peka(small_survey, design_name)
    for row in ref.itertuples():
        key = (row.measure, row.indicator, row.domain)
        assert key in ours, f"peka has no {key}"
        est, se = ours[key]
        assert est == pytest.approx(row.estimate, rel=1e-9, abs=1e-12, nan_ok=True), key
        assert se == pytest.approx(row.se, rel=1e-9, abs=1e-12, nan_ok=True), key


@pytest.mark.parametrize("design_name", ["cluster", "srs"])
def test_design_degrees_of_freedom_match_r_degf(small_survey: pd.DataFrame, design_name: str) -> None:
    ref = _reference()
    expected = float(ref[(ref["design"] == design_name) & (ref["case"] == "df")]["estimate"].iloc[0])
    result = profile(small_survey, design=DESIGNS[design_name], mpi_spec=MPI_SPEC)
    assert result.design["df"] == expected
