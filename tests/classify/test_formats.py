"""The CSV, XLSX (P3KE headers), SPSS .sav and Stata .dta samples of the same households classify identically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from peka.classify import classify
from peka.config import load_config
from peka.io import load_survey
from peka.schema.checks import validate
from peka.schema.rejects import apply_on_invalid

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang"
SOURCES = {
    "xlsx": {"path": "p3ke_sabang.xlsx"},
    "sav": {"path": "susenas_kor_rt.sav", "persons": "susenas_kor_ind.sav"},
    "dta": {"path": "susenas_kor_rt.dta", "persons": "susenas_kor_ind.dta"},
}


def run(path: str, persons: str | None = None) -> pd.DataFrame:
    survey = load_survey(SAMPLE / path, persons=SAMPLE / persons if persons else None)
    clean, _ = apply_on_invalid(survey, validate(survey), mode="fail")
    return classify(clean, load_config())


@pytest.fixture(scope="module")
def from_csv():
    return run("households.csv", "persons.csv")


@pytest.mark.parametrize("fmt", list(SOURCES))
def test_same_classification(from_csv, fmt):
    other = run(**SOURCES[fmt])
    # _row is the file line in CSV and the case number elsewhere; region names may be spelled differently
    columns = [c for c in from_csv.columns if c != "_row" and not c.endswith("_name")]
    pd.testing.assert_frame_equal(other[columns], from_csv[columns], check_dtype=False)
