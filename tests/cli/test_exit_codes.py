"""Every broken input of tests/data/bad/ through the real CLI: documented exit code, one line on stderr naming file,
row and column, no traceback, no personal data (the manifest is tests/data/bad/cases.toml, written by make.py)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peka.cli.app import app

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
MANIFEST = tomllib.loads((BAD / "cases.toml").read_text(encoding="utf-8"))
CASES = MANIFEST["case"]
FORBIDDEN: list[str] = MANIFEST["forbidden"]
TRACEBACK = re.compile(r"Traceback|File \".*\", line \d+")


def _check_stderr(stderr: str, case: dict) -> None:
    lines = stderr.splitlines()
    assert len(lines) == 1, f"{case['name']}: stderr is not one line: {stderr[:500]!r}"
    line = lines[0]
    assert line.startswith("peka: error: "), line
    assert len(line) < 1000, f"{case['name']}: the line is {len(line)} characters long"
    for part in case["stderr"]:
        assert part in line, f"{case['name']}: {part!r} not in {line!r}"
    assert not TRACEBACK.search(stderr)
    for secret in FORBIDDEN:
        assert secret not in stderr, f"{case['name']}: personal data on stderr"
    assert not re.search(r"\d{16}", stderr), f"{case['name']}: a 16-digit number (NIK?) on stderr"


def test_the_manifest_has_at_least_25_broken_inputs():
    broken = [c for c in CASES if c["exit"] != 0]
    files = {a for c in broken for a in c["args"] if (BAD / a).is_file()} - {"ok_households.csv", "ok_persons.csv"}
    assert len(broken) >= 25 and len(files) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case_exit_code_and_one_line(case: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD)
    result = CliRunner().invoke(app, ["-q", *case["args"]])
    assert result.exit_code == case["exit"], f"{case['name']}: exit {result.exit_code}, stderr {result.stderr[:500]!r}"
    if case["exit"] == 0:
        assert "peka: error" not in result.stderr
    else:
        _check_stderr(result.stderr, case)
    for secret in FORBIDDEN:  # the report on stdout masks personal values too
        assert secret not in result.stdout, f"{case['name']}: personal data in the report"


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "COLUMNS": "120"}
    return subprocess.run([sys.executable, "-m", "peka", *args], cwd=BAD, capture_output=True, text=True, env=env, check=False,
                          timeout=120)  # fmt: skip


def test_subprocess_error_is_one_line_without_traceback():
    case = next(c for c in CASES if c["name"] == "duplicate_ids")
    proc = _run(["-q", *case["args"]])
    assert proc.returncode == 3
    _check_stderr(proc.stderr, case)


def test_subprocess_without_quiet_ends_with_the_error_line():
    case = next(c for c in CASES if c["name"] == "nik_float_csv")
    proc = _run(case["args"])
    assert proc.returncode == 3
    _check_stderr(proc.stderr.splitlines()[-1], case)  # log lines may come first; the error is the last line
    assert not TRACEBACK.search(proc.stderr)
    for secret in FORBIDDEN:
        assert secret not in proc.stderr


def test_config_errors_exit_4_in_a_subprocess():
    case = next(c for c in CASES if c["name"] == "mapping_syntax_error")
    proc = _run(["-q", *case["args"]])
    assert proc.returncode == 4
    _check_stderr(proc.stderr, case)


def test_committed_files_are_what_make_py_writes(tmp_path: Path):
    spec = importlib.util.spec_from_file_location("make_bad", BAD / "make.py")
    assert spec and spec.loader
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    files = make.build()
    for name, data in files.items():
        if data is None:
            make.write_nik_numeric_xlsx(tmp_path / name)
            data = (tmp_path / name).read_bytes()
        assert (BAD / name).read_bytes() == data, f"{name} differs from make.py's output: run tests/data/bad/make.py"
    assert (BAD / "cases.toml").read_text(encoding="utf-8") == make.manifest()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case_gives_the_same_result_through_the_pyarrow_reader(case: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """Big CSVs (32 MB and up) are read by pyarrow first: forced on these small files, every case must end with the
    same exit code, error line and report as through the C engine."""
    from peka.io import delimited

    monkeypatch.chdir(BAD)
    c_engine = CliRunner().invoke(app, ["-q", *case["args"]])
    monkeypatch.setattr(delimited, "ARROW_TEXT_MIN_BYTES", 0)
    arrow = CliRunner().invoke(app, ["-q", *case["args"]])
    assert (arrow.exit_code, arrow.stderr, arrow.stdout) == (c_engine.exit_code, c_engine.stderr, c_engine.stdout)
