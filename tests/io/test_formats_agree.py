"""The same households read from every bundled sample format give identical canonical tables.

data/samples/sabang holds one synthetic survey (3,000 households, seed 2026) written as canonical CSV, as an
Indonesian-Excel CSV (``;``, decimal commas, BOM), as a P3KE-style workbook, and as Susenas-style .sav and .dta
with numeric codes and value labels (see its README). Reading each with ``peka.io.load_survey`` and its mapping
preset must give the same canonical tables: every column, personal columns included, with the same dtypes. Only
``_row`` differs, by design: file lines for CSV/XLSX (first data row = 2), case numbers for SPSS/Stata (first = 1).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from peka.io import load_survey
from peka.schema.model import HOUSEHOLD_COLUMNS, PERSON_COLUMNS, ROW

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang"

# format → (household file, person file or None for a workbook's second sheet / households only, first _row)
SOURCES = {
    "xlsx": ("p3ke_sabang.xlsx", None, 2),
    "sav": ("susenas_kor_rt.sav", "susenas_kor_ind.sav", 1),
    "dta": ("susenas_kor_rt.dta", "susenas_kor_ind.dta", 1),
    "csv-id": ("households_id.csv", None, 2),
}


def _load(household: str, persons: str | None):
    return load_survey(SAMPLE / household, persons=SAMPLE / persons if persons else None)


@pytest.fixture(scope="module")
def reference():
    return _load("households.csv", "persons.csv")


def _sorted(frame: pd.DataFrame, columns: list[str], keys: list[str]) -> pd.DataFrame:
    return frame[columns].sort_values(keys).reset_index(drop=True)


def test_reference_csv_is_complete_and_clean(reference):
    assert list(reference.households.columns) == [ROW, *HOUSEHOLD_COLUMNS]
    assert list(reference.persons.columns) == [ROW, *PERSON_COLUMNS]
    assert len(reference.households) == 3000 and len(reference.persons) == reference.households["hh_size"].sum()
    assert reference.findings == []
    assert reference.households[ROW].iloc[0] == 2  # header is line 1


@pytest.mark.parametrize("fmt", list(SOURCES))
def test_every_format_gives_the_same_canonical_tables(reference, fmt):
    household_file, person_file, first_row = SOURCES[fmt]
    survey = _load(household_file, person_file)
    assert survey.findings == [], [f.one_line() for f in survey.findings[:5]]
    tables = [("households", list(HOUSEHOLD_COLUMNS), ["hh_id"])]
    if fmt != "csv-id":  # households_id.csv holds households only
        tables.append(("persons", list(PERSON_COLUMNS), ["hh_id", "person_no"]))
    for table, columns, keys in tables:
        got, want = getattr(survey, table), getattr(reference, table)
        assert set(got.columns) == {ROW, *columns}
        assert got[ROW].tolist() == list(range(first_row, first_row + len(got)))
        pd.testing.assert_frame_equal(_sorted(got, columns, keys), _sorted(want, columns, keys), check_exact=True)


def test_sav_user_missing_codes_are_counted_and_become_missing(reference):
    """The .sav codes the missing answers of R1901 (meat/milk days) and R1810A (water source) as 98 "Tidak tahu",
    declared user-missing: each is counted, and the count is the number of empty cells in the CSV."""
    survey = _load("susenas_kor_rt.sav", "susenas_kor_ind.sav")
    counted = {(m["column"], str(m["code"])): m for m in survey.user_missing}
    for source, canonical in (("R1901", "meat_milk_per_week"), ("R1810A", "water_source")):
        entry = counted[(source, "98")]
        assert entry["count"] == int(reference.households[canonical].isna().sum()) > 0
        assert entry["action"] == "missing"
