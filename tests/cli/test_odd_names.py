"""File names peka did not write: a newline or a byte that is not UTF-8 in the name, and absurd TOML nesting.

Run through ``python -m peka`` in a subprocess, as a shell or cron job runs it: one stderr line, no traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang" / "households.csv"
NEWLINE_NAME = "a\npeka: error: forged"
BYTE_FF_NAME = os.fsdecode(b"rumah\xfftangga.csv")  # Linux gives the undecodable byte as the surrogate \udcff

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="file names with these bytes are a Linux case")


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "COLUMNS": "120", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "peka", *args], cwd=cwd, capture_output=True, text=True, env=env,
                          check=False, timeout=120)  # fmt: skip


def test_a_newline_in_a_file_name_cannot_forge_a_second_error_line(tmp_path):
    (tmp_path / f"{NEWLINE_NAME}.csv").write_bytes(b"hh_id,hh_size\n")  # a header and no data: exit 3
    proc = _run(["validate", f"{NEWLINE_NAME}.csv"], tmp_path)
    assert proc.returncode == 3
    assert proc.stderr.splitlines() == [
        "peka: error: a\\npeka: error: forged.csv, row 2: the file has a header but no data rows"
    ]


def test_a_non_utf8_byte_in_a_file_name_does_not_crash_validate_or_classify(tmp_path):
    shutil.copyfile(SAMPLE, tmp_path / BYTE_FF_NAME)
    validate = _run(["-q", "validate", "--json", BYTE_FF_NAME], tmp_path)
    assert validate.returncode == 0, validate.stderr
    assert validate.stderr == ""
    assert '"household": "rumah\\\\xfftangga.csv"' in validate.stdout  # the JSON report names it escaped
    classify = _run(["-q", "classify", BYTE_FF_NAME, "-o", "out.csv", "--skip", "mpi"], tmp_path)
    assert classify.returncode == 0, classify.stderr
    assert classify.stderr == ""
    assert (
        (tmp_path / "out.csv.peka.toml")
        .read_text(encoding="utf-8")
        .startswith("# peka classify rumah\\xfftangga.csv → out.csv\n")
    )


def test_a_non_utf8_byte_in_a_broken_file_name_is_one_escaped_error_line(tmp_path):
    (tmp_path / BYTE_FF_NAME).write_bytes(b"")
    proc = _run(["validate", BYTE_FF_NAME], tmp_path)
    assert proc.returncode == 3
    assert proc.stderr.splitlines() == ["peka: error: rumah\\xfftangga.csv: the file is empty"]


def test_mapping_suggest_for_an_odd_name_writes_a_mapping_that_loads(tmp_path):
    shutil.copyfile(SAMPLE, tmp_path / f"{NEWLINE_NAME}.csv")
    suggest = _run(["-q", "mapping", "suggest", f"{NEWLINE_NAME}.csv", "-o", "m.toml"], tmp_path)
    assert suggest.returncode == 0, suggest.stderr
    assert (tmp_path / "m.toml").read_text(encoding="utf-8").splitlines()[0] == (
        'name = "a\\\\npeka: error: forged"'  # the TOML text of the escaped name: a backslash, then n
    )
    validate = _run(["-q", "validate", f"{NEWLINE_NAME}.csv", "--mapping", "m.toml"], tmp_path)
    assert validate.returncode == 0, validate.stderr


def _deep_toml(path: Path, depth: int = 10_000) -> Path:
    path.write_text("a = " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    return path


def test_a_config_nested_10000_deep_is_refused_naming_the_file(tmp_path):
    shutil.copyfile(SAMPLE, tmp_path / "households.csv")
    _deep_toml(tmp_path / "deep.toml")
    proc = _run(["classify", "households.csv", "--config", "deep.toml"], tmp_path)
    assert proc.returncode == 4
    assert proc.stderr.splitlines() == [
        "peka: error: deep.toml: nested more than 64 levels deep: not a peka configuration file"
    ]


def test_a_mapping_nested_10000_deep_is_refused_naming_the_file(tmp_path):
    shutil.copyfile(SAMPLE, tmp_path / "households.csv")
    _deep_toml(tmp_path / "deep.toml")
    proc = _run(["classify", "households.csv", "--mapping", "deep.toml"], tmp_path)
    assert proc.returncode == 4
    assert len(proc.stderr.splitlines()) == 1 and "deep.toml" in proc.stderr and "Traceback" not in proc.stderr
