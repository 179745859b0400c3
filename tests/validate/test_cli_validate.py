"""`peka validate` end to end: the JSON document equals the library's report, exit codes follow the findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peka import __version__
from peka.cli.app import app
from peka.io import load_survey
from peka.schema.checks import validate

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "data" / "bad"
SABANG = ROOT / "data" / "samples" / "sabang"


def invoke(*args: str):
    return CliRunner().invoke(app, ["-q", "validate", *args])


def test_json_document_of_a_clean_pair_of_files():
    result = invoke(str(BAD / "ok_households.csv"), "--persons", str(BAD / "ok_persons.csv"), "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) >= {"peka_version", "files", "rows_in", "summary", "findings", "user_missing"}
    assert doc["peka_version"] == __version__
    # ok_households.csv has 4 data lines, ok_persons.csv 8 (see tests/data/bad/make.py)
    assert doc["rows_in"] == {"household": 4, "person": 8}
    assert doc["summary"]["errors"] == 0
    # strata 1 = PSUs a, b; strata 2 = PSUs a, b: no single-PSU stratum, no warning at all
    assert doc["summary"]["warnings"] == 0


def test_json_equals_the_library_report_and_errors_exit_3():
    hh, ps = BAD / "ok_households.csv", BAD / "persons_orphan.csv"
    result = invoke(str(hh), "--persons", str(ps), "--json", "--mapping", "canonical")
    assert result.exit_code == 3
    doc = json.loads(result.stdout)  # the report is printed although the exit code says "invalid"
    expected = validate(load_survey(hh, persons=ps, mapping="canonical")).to_dict()
    assert doc["findings"] == expected["findings"]
    assert doc["summary"] == {**expected["summary"], "findings_listed": len(expected["findings"])}
    orphan = [f for f in doc["findings"] if f["check"] == "orphan_person"]
    assert [(f["row"], f["value"]) for f in orphan] == [(10, "h9")]  # the 9th member, on line 10
    assert "persons_orphan.csv, row 10, column 'hh_id'" in result.stderr


def test_max_findings_limits_the_list_not_the_counts():
    args = [str(BAD / "households_numeric_ids.csv"), "--persons", str(BAD / "persons_float_hh_id.csv"),
            "--mapping", "canonical", "--json"]  # fmt: skip
    full = json.loads(invoke(*args).stdout)
    short = json.loads(invoke(*args, "--max-findings", "2").stdout)
    assert len(full["findings"]) > 2 and len(short["findings"]) == 2
    assert short["findings"] == full["findings"][:2]
    assert short["summary"]["errors"] == full["summary"]["errors"]
    assert short["summary"]["findings_listed"] == 2


def test_terminal_report_has_the_column_summary_and_findings():
    result = invoke(str(BAD / "duplicate_ids.csv"), "--mapping", "canonical")
    assert result.exit_code == 3
    assert "Ringkasan kolom" in result.stdout and "Temuan" in result.stdout
    assert "duplicate_id" in result.stdout
    assert "1 galat," in result.stdout
    for secret in ("Teuku Rahmat", "1172014506850002"):
        assert secret not in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["households.csv", "--persons", "persons.csv"],
        ["p3ke_sabang.xlsx"],
        ["susenas_kor_rt.sav", "--persons", "susenas_kor_ind.sav"],
        ["susenas_kor_rt.dta", "--persons", "susenas_kor_ind.dta"],
    ],
    ids=["csv", "xlsx", "sav", "dta"],
)
def test_the_sabang_sample_validates_without_errors_in_every_format(args, monkeypatch):
    monkeypatch.chdir(SABANG)
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["summary"]["errors"] == 0
    assert doc["rows_in"]["household"] == 3000


def test_terminal_report_lists_one_problem_once_with_its_rows():
    # persons_float_hh_id.csv: lines 5-7 all hold hh_id 1172003.0 (household h3's 3 members), lines 8-9 1172004.0
    result = CliRunner().invoke(
        app,
        ["-q", "validate", str(BAD / "households_numeric_ids.csv"), "--persons", str(BAD / "persons_float_hh_id.csv"),
         "--mapping", "canonical"],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 3
    lines = [line for line in result.stdout.splitlines() if "anggota tanpa rumah tangga" in line]  # orphan_person
    assert [line.split("│")[3].strip() for line in lines] == ["2, 3", "4", "5, 6, 7", "8, 9"]
    assert "16 galat," in result.stdout  # 8 members x (id_as_number + orphan_person): every finding counted
