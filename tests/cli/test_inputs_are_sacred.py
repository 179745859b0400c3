"""No output option can overwrite an input or another output: a clash is a usage error (exit 2) naming both, and
the input is untouched. Folders, devices and dangling links are refused as outputs; a symlink is written through."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peka.cli.app import app

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang"


@pytest.fixture
def survey(tmp_path):
    for name in ("households.csv", "persons.csv"):
        shutil.copy(SAMPLE / name, tmp_path / name)
    return tmp_path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def invoke(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


CASES = [
    # (command args after the input files, which input is named as an output)
    (["classify", "-o", "{households}"], "households"),
    (["classify", "-o", "{persons}"], "persons"),
    (["classify", "-o", "out.csv", "--on-invalid", "skip", "--rejects", "{households}"], "households"),
    (["classify", "-o", "out.csv", "--on-invalid", "skip", "--rejects", "{persons}"], "persons"),
    (["profile", "--format", "csv", "-o", "{households}"], "households"),
    (["profile", "--format", "csv", "-o", "{persons}"], "persons"),
    (["profile", "--format", "csv", "-o", "p.csv", "--on-invalid", "skip", "--rejects", "{persons}"], "persons"),
]


@pytest.mark.parametrize("args,victim", CASES)
def test_an_output_naming_an_input_is_refused(survey, args, victim):
    files = {"households": survey / "households.csv", "persons": survey / "persons.csv"}
    before = {k: digest(v) for k, v in files.items()}
    command, *rest = args
    rest = [a.format(**{k: str(v) for k, v in files.items()}) for a in rest]
    rest = [str(survey / a) if a in ("out.csv", "p.csv") else a for a in rest]
    result = invoke(command, files["households"], "--persons", files["persons"], *rest)
    assert result.exit_code == 2, result.output
    assert "input file" in result.output and files[victim].name in result.output
    assert {k: digest(v) for k, v in files.items()} == before


def test_spellings_of_the_same_file_are_caught(survey, monkeypatch):
    monkeypatch.chdir(survey)
    os.mkdir("sub")
    os.symlink("households.csv", "link.csv")
    before = digest(survey / "households.csv")
    for spelling in ("./households.csv", "sub/../households.csv", "link.csv"):
        result = invoke("classify", "households.csv", "--persons", "persons.csv", "-o", spelling)
        assert result.exit_code == 2, (spelling, result.output)
    assert digest(survey / "households.csv") == before


def test_log_file_naming_an_input_is_refused(survey):
    before = digest(survey / "persons.csv")
    result = invoke("--log-file", survey / "persons.csv", "classify", survey / "households.csv", "--persons",
                    survey / "persons.csv")
    assert result.exit_code == 2 and "--log-file" in result.output
    assert digest(survey / "persons.csv") == before


def test_rejects_and_output_naming_the_same_file_are_refused(survey):
    out = survey / "same.csv"
    result = invoke("classify", survey / "households.csv", "--persons", survey / "persons.csv", "-o", out,
                    "--on-invalid", "skip", "--rejects", out)
    assert result.exit_code == 2 and "--rejects" in result.output and "-o" in result.output
    assert not out.exists()


def test_a_folder_is_not_an_output(survey):
    result = invoke("classify", survey / "households.csv", "--persons", survey / "persons.csv", "-o", survey)
    assert result.exit_code == 2, result.output
    assert "folder" in result.output or ".csv" in result.output


def test_a_device_is_not_an_output(survey):
    result = invoke("profile", survey / "households.csv", "--persons", survey / "persons.csv", "--format", "csv",
                    "-o", "/dev/null")
    assert result.exit_code == 2 and "regular file" in result.output


def test_a_symlink_output_is_written_through(survey):
    target = survey / "real.csv"
    target.write_text("old\n")
    link = survey / "link.csv"
    link.symlink_to(target)
    result = invoke("classify", survey / "households.csv", "--persons", survey / "persons.csv", "-o", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and target.read_text().startswith("_row,hh_id")


def test_mapping_suggest_never_writes_over_its_input(survey):
    before = digest(survey / "households.csv")
    result = invoke("mapping", "suggest", survey / "households.csv", "-o", survey / "households.csv")
    assert result.exit_code == 2 and "input file" in result.output
    assert digest(survey / "households.csv") == before
