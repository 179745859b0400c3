"""A run killed while writing (SIGKILL: no handler runs) leaves the earlier output byte-identical; the temporary
file it leaves is recognisable and the next run removes it."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from peka.deliver.sample import write_sample
from peka.sample import generate


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def big_survey(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big")
    write_sample(generate(households=150_000, seed=3), folder, ("csv",))
    return folder


def classify(folder: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "peka", "-q", "classify", str(folder / "households.csv"), "--persons",
         str(folder / "persons.csv"), "-o", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def temporaries(folder: Path) -> list[Path]:
    return sorted(folder.glob(".peka-tmp.*"))


def test_sigkill_during_the_write_keeps_the_earlier_output(big_survey, tmp_path):
    out = tmp_path / "k.csv"
    first = classify(big_survey, out)
    assert first.wait(timeout=300) == 0
    before = digest(out)
    second = classify(big_survey, out)
    deadline = time.monotonic() + 300
    while not temporaries(tmp_path) and second.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert second.poll() is None, "the run ended before its temporary file appeared: nothing was killed mid-write"
    os.kill(second.pid, signal.SIGKILL)
    second.wait()
    left = temporaries(tmp_path)
    assert left, "a killed run leaves its temporary file (no handler runs on SIGKILL)"
    assert digest(out) == before
    third = classify(big_survey, out)
    assert third.wait(timeout=300) == 0
    assert temporaries(tmp_path) == []  # the stale temporary of the killed run was removed
    assert digest(out) == before  # same input, same output
