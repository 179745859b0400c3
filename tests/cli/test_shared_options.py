"""Every data command takes the same input options (declared once in peka.cli.options), choices are checked by the
parser (exit 2), and a file that validates with an option reads the same way in classify and profile."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from peka.cli.app import app
from peka.cli.options import INPUT_OPTIONS, ROW_OPTIONS

DATA_COMMANDS = ("validate", "classify", "profile")
ROW_COMMANDS = ("classify", "profile")  # commands that process rows and may skip some
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang"


@pytest.mark.parametrize("command", DATA_COMMANDS)
def test_help_lists_the_shared_input_options(command):
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    expected = INPUT_OPTIONS + (ROW_OPTIONS if command in ROW_COMMANDS else ())
    missing = [option for option in expected if option not in result.stdout]
    assert missing == []


@pytest.mark.parametrize("command", DATA_COMMANDS)
@pytest.mark.parametrize("option,value", [("--lang", "fr"), ("--decimal", ";")])
def test_a_bad_choice_is_a_usage_error(command, option, value):
    result = CliRunner().invoke(app, [command, str(SAMPLE / "households.csv"), option, value])
    assert result.exit_code == 2
    assert option in result.output


@pytest.mark.parametrize("command", ROW_COMMANDS)
def test_on_invalid_is_a_choice(command):
    result = CliRunner().invoke(app, [command, str(SAMPLE / "households.csv"), "--on-invalid", "ignore"])
    assert result.exit_code == 2 and "--on-invalid" in result.output


def test_indonesian_csv_options_work_in_every_command(tmp_path):
    # households_id.csv is ';'-separated with decimal commas: the same explicit options read it in all three
    args = [str(SAMPLE / "households_id.csv"), "--sep", ";", "--decimal", ","]
    runner = CliRunner()
    assert runner.invoke(app, ["-q", "validate", *args]).exit_code == 0
    # no person file: the MPI cannot be computed, accepted with [classify] skip (else exit 3)
    skip = ["--set", 'classify.skip=["mpi"]']
    classify = runner.invoke(app, ["-q", "classify", *args, *skip, "-o", str(tmp_path / "k.csv")])
    assert classify.exit_code == 0, classify.output
    profile = runner.invoke(app, ["-q", "profile", *args, *skip, "--format", "json"])
    assert profile.exit_code == 0, profile.output


def test_validate_speaks_english():
    result = CliRunner().invoke(app, ["validate", str(SAMPLE / "households.csv"), "--lang", "en"],
                                env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "3,000 rows (households)" in result.stdout and "Column summary" in result.stdout
    indonesian = CliRunner().invoke(app, ["validate", str(SAMPLE / "households.csv")], env={"COLUMNS": "160"})
    assert "3.000 baris (rumah tangga)" in indonesian.stdout and "Ringkasan kolom" in indonesian.stdout
