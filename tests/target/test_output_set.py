"""The output folder is written as one set: a failure half-way leaves the previous set whole and no temporary
behind; a killed run's temporary folder is removed by the next run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from peka.deliver import lists


def test_failure_half_way_keeps_the_previous_set(tmp_path, monkeypatch):
    folder = tmp_path / "daftar"
    lists.write_set(folder, {"lists.csv": b"a\n1\n", "summary.csv": b"s\n"})
    real = Path.write_bytes
    calls = []

    def failing(self, data):
        calls.append(self.name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing)
    with pytest.raises(OSError):
        lists.write_set(folder, {"lists.csv": b"b\n2\n", "summary.csv": b"t\n"})
    monkeypatch.undo()
    assert (folder / "lists.csv").read_bytes() == b"a\n1\n" and (folder / "summary.csv").read_bytes() == b"s\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["daftar"]


def test_a_killed_runs_temporary_folder_is_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale = tmp_path / f".daftar.peka-tmp-{pid}-abc123"  # deliver.files.atomic_directory's pattern
    stale.mkdir()
    (stale / "lists.csv").write_bytes(b"x")
    os.utime(stale, (0, 0))
    lists.write_set(tmp_path / "daftar", {"lists.csv": b"a\n"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["daftar"]
