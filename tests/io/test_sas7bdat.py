"""SAS7BDAT: a real file read end to end (tests/io/data/susenas_kor_rt_40.sas7bdat, made by make_sas7bdat.py with
the ReadStat command-line tool from the first 40 households of the bundled Susenas-style sample).

The oracle is the canonical CSV sample (data/samples/sabang/households.csv): the same households written
independently, in another format and with canonical names and codes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from peka.cli.app import app
from peka.errors import InputError
from peka.io import load_survey
from peka.schema.model import HOUSEHOLD_COLUMNS, ROW

HERE = Path(__file__).resolve().parent
SAS = HERE / "data" / "susenas_kor_rt_40.sas7bdat"
CSV = HERE.parents[1] / "data" / "samples" / "sabang" / "households.csv"


@pytest.mark.parametrize("mapping", [None, "susenas"], ids=["detected", "explicit"])
def test_sas7bdat_gives_the_canonical_households_of_the_csv(mapping):
    survey = load_survey(SAS, mapping=mapping)
    reference = load_survey(CSV).households.head(40)
    got = survey.households
    assert got[ROW].tolist() == list(range(1, 41))  # case numbers
    assert survey.findings == [] and survey.user_missing == []
    assert survey.rows_read == {"household": 40}
    columns = list(HOUSEHOLD_COLUMNS)
    pd.testing.assert_frame_equal(
        got[columns].reset_index(drop=True), reference[columns].reset_index(drop=True), check_exact=True
    )
    # ids are text with their zeros: strata "01", PSU "001", as in the CSV
    assert got["strata"].iloc[0] == "01" and got["psu"].iloc[0] == "001"


def test_validate_reads_a_sas7bdat_with_exit_0():
    result = CliRunner().invoke(app, ["-q", "validate", str(SAS), "--json"])
    assert result.exit_code == 0, result.stderr
    assert '"household": 40' in result.stdout


def test_truncated_sas7bdat_is_one_input_error(tmp_path):
    cut = tmp_path / "cut.sas7bdat"
    cut.write_bytes(SAS.read_bytes()[: SAS.stat().st_size // 2])
    with pytest.raises(InputError) as info:
        load_survey(cut, mapping="susenas")
    assert info.value.file == str(cut) and "sas7bdat" in str(info.value)
