"""`peka sample --out DIR` never leaves DIR holding files of two runs: a killed run changes nothing in it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peka.cli.app import app
from peka.deliver.sample import sample_files, write_sample
from peka.sample import generate

SMALL = ["sample", "--households", "300", "--seed", "5", "--formats", "csv,parquet"]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def peka_temps(folder: Path) -> list[Path]:
    return sorted(folder.parent.glob(f".{folder.name}.peka-*"))


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_killed_run_leaves_the_previous_files_and_the_next_run_cleans_up(tmp_path):
    out = tmp_path / "survey"
    first = CliRunner().invoke(app, [*SMALL, "--out", str(out)])
    assert first.exit_code == 0, first.output
    (out / "README.md").write_text("notes of the user\n")
    before = snapshot(out)
    assert sorted(before) == sorted([*sample_files(("csv", "parquet")), "README.md"])

    # a big run into the same folder, killed while it writes its files
    big = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "peka",
            "sample",
            "--households",
            "200000",
            "--seed",
            "1",
            "--out",
            str(out),
            "--formats",
            "csv,parquet",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 180
    staging: list[Path] = []
    while time.monotonic() < deadline and big.poll() is None:
        staging = list(tmp_path.glob(f".survey.peka-tmp-{big.pid}-*"))
        if staging and any(staging[0].iterdir()):  # a file is being written inside it
            break
        time.sleep(0.005)
    assert big.poll() is None, "the big run ended before it could be killed mid-write"
    big.send_signal(signal.SIGKILL)
    big.wait()
    assert big.returncode == -signal.SIGKILL

    assert snapshot(out) == before  # not one byte of the previous run changed, nothing added
    assert peka_temps(out) == staging  # the killed run's temporary folder is left behind ...

    rerun = CliRunner().invoke(app, [*SMALL, "--out", str(out)])
    assert rerun.exit_code == 0, rerun.output
    assert peka_temps(out) == []  # ... and the next run removes it
    assert snapshot(out) == before  # same seed: byte-identical files, the user's README kept


def test_rerun_with_fewer_formats_leaves_only_this_runs_files(tmp_path):
    survey = generate(120, 8)
    write_sample(survey, tmp_path / "s", ("csv", "parquet", "dta"))
    (tmp_path / "s" / "README.md").write_text("kept\n")
    written = write_sample(survey, tmp_path / "s", ("parquet",))
    assert written == [tmp_path / "s" / "households.parquet", tmp_path / "s" / "persons.parquet"]
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == ["README.md", "households.parquet", "persons.parquet"]
    assert (tmp_path / "s" / "README.md").read_text() == "kept\n"
    assert peka_temps(tmp_path / "s") == []


def test_cli_refuses_a_folder_holding_other_folders(tmp_path):
    (tmp_path / "project" / "src").mkdir(parents=True)
    result = CliRunner().invoke(app, [*SMALL, "--out", str(tmp_path / "project")])
    assert result.exit_code == 2
    assert "holds folders peka did not write (src)" in result.output
    assert [p.name for p in (tmp_path / "project").iterdir()] == ["src"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]
