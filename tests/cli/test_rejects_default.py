"""`--on-invalid skip` always writes a rejects file (beside -o, else in the working folder), and rows add up."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from peka.cli.app import app

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
runner = CliRunner()


def test_classify_skip_writes_rejects_beside_the_output(tmp_path: Path) -> None:
    out = tmp_path / "hasil.csv"
    result = runner.invoke(
        app, ["-q", "classify", str(BAD / "duplicate_ids.csv"), "--mapping", "canonical", "--on-invalid", "skip",
              "--skip", "mpi", "--skip", "bps14", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rejects = pd.read_csv(tmp_path / "hasil.rejects.csv")
    classified = pd.read_csv(out)
    source = pd.read_csv(BAD / "duplicate_ids.csv")
    # the file has 4 households, one of them (file line 5) repeats the id of line 3
    assert len(source) == 4
    assert rejects[["table", "_row", "check"]].values.tolist() == [["household", 5, "duplicate_id"]]
    assert len(classified) + rejects["_row"].nunique() == len(source)


def test_profile_skip_writes_rejects_in_the_working_folder(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app, ["-q", "profile", str(BAD / "duplicate_ids.csv"), "--mapping", "canonical", "--on-invalid", "skip",
              "--lonely-psu", "adjust", "--format", "json", "--set", 'classify.skip=["mpi", "bps14"]'],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rejects = pd.read_csv(tmp_path / "duplicate_ids.rejects.csv")
    assert rejects["_row"].tolist() == [5]


def test_skip_without_errors_still_writes_a_header_only_rejects_file(tmp_path: Path) -> None:
    out = tmp_path / "ok.csv"
    result = runner.invoke(
        app, ["-q", "classify", str(BAD / "ok_households.csv"), "--persons", str(BAD / "ok_persons.csv"),
              "--mapping", "canonical", "--on-invalid", "skip", "--skip", "mpi", "--skip", "bps14", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rejects = pd.read_csv(tmp_path / "ok.rejects.csv")
    assert len(rejects) == 0 and "check" in rejects.columns


def test_rejects_option_needs_skip(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["classify", str(BAD / "ok_households.csv"), "--rejects", str(tmp_path / "r.csv")]
    )
    assert result.exit_code == 2
