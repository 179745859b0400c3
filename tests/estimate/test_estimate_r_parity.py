"""Live check that the frozen R reference numbers still come out of R `survey` (runs only where Rscript exists)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from estimate_data import R_DIR

pytestmark = pytest.mark.r_parity


def _has_r_survey() -> bool:
    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(
        ["Rscript", "-e", "quit(status = !requireNamespace('survey', quietly = TRUE))"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _has_r_survey(), reason="Rscript with the survey package is not installed")
def test_r_script_reproduces_the_frozen_reference(tmp_path: Path) -> None:
    out = tmp_path / "reference.csv"
    subprocess.run(
        ["Rscript", str(R_DIR / "survey_reference.R"), str(R_DIR / "survey_small.csv"), str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    fresh = pd.read_csv(out, keep_default_na=False, dtype=str)
    frozen = pd.read_csv(R_DIR / "survey_reference.csv", keep_default_na=False, dtype=str)
    key = ["case", "design", "measure", "indicator", "domain"]
    assert fresh[key].equals(frozen[key])
    for column in ("estimate", "se"):
        pd.testing.assert_series_equal(fresh[column].astype(float), frozen[column].astype(float), rtol=1e-12)
