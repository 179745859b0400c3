"""atomic_directory: a set of files becomes the target folder as a whole, or not at all; stale runs are cleaned."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from peka.deliver.files import atomic_directory, remove_stale_temp_dirs
from peka.errors import UsageError

OWNED = {"a.csv", "b.csv", "c.csv"}


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def siblings(target: Path) -> list[str]:
    return sorted(p.name for p in target.parent.iterdir() if p.name != target.name)


def test_new_folder_appears_complete_and_nothing_is_left_beside_it(tmp_path):
    target = tmp_path / "out"
    with atomic_directory(target, OWNED) as staging:
        assert staging.parent == tmp_path and staging.name.startswith(f".out.peka-tmp-{os.getpid()}-")
        (staging / "a.csv").write_text("new a\n")
        (staging / "b.csv").write_text("new b\n")
        assert not target.exists()  # nothing visible until the block is done
    assert sorted(p.name for p in target.iterdir()) == ["a.csv", "b.csv"]
    assert (target / "a.csv").read_text() == "new a\n"
    assert siblings(target) == []


def test_old_set_is_replaced_whole_and_other_files_are_kept(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    for name in ("a.csv", "b.csv", "c.csv"):
        (target / name).write_text(f"old {name}\n")
    (target / "README.md").write_text("mine\n")
    readme_inode = (target / "README.md").stat().st_ino
    with atomic_directory(target, OWNED) as staging:
        (staging / "a.csv").write_text("new a\n")
        (staging / "b.csv").write_text("new b\n")
        assert (target / "a.csv").read_text() == "old a.csv\n"  # the old set stays whole while the run writes
    # c.csv belonged to the old run and was not written this time: gone, so the folder holds one run's files
    assert sorted(p.name for p in target.iterdir()) == ["README.md", "a.csv", "b.csv"]
    assert (target / "b.csv").read_text() == "new b\n"
    assert (target / "README.md").read_text() == "mine\n"
    assert (target / "README.md").stat().st_ino == readme_inode  # the same file (hard link), not a copy
    assert siblings(target) == []


def test_an_error_in_the_block_leaves_the_target_untouched(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "a.csv").write_text("old a\n")
    with pytest.raises(RuntimeError), atomic_directory(target, OWNED) as staging:
        (staging / "a.csv").write_text("half")
        raise RuntimeError("writer failed")
    assert [p.name for p in target.iterdir()] == ["a.csv"] and (target / "a.csv").read_text() == "old a\n"
    assert siblings(target) == []


def test_refuses_a_file_and_a_folder_holding_other_folders(tmp_path):
    as_file = tmp_path / "file"
    as_file.write_text("x")
    with pytest.raises(UsageError, match="is a file"), atomic_directory(as_file, OWNED):
        pass
    target = tmp_path / "project"
    (target / "src").mkdir(parents=True)
    (target / "a.csv").write_text("old\n")
    refusal = "holds folders peka did not write \\(src\\)"
    with pytest.raises(UsageError, match=refusal), atomic_directory(target, OWNED):
        pass
    assert sorted(p.name for p in target.iterdir()) == ["a.csv", "src"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "project"]


def test_stale_folders_of_dead_runs_are_removed_others_kept(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    gone, alive = dead_pid(), os.getppid()
    stale = tmp_path / f".out.peka-tmp-{gone}-ab12cd34"
    running = tmp_path / f".out.peka-tmp-{alive}-ab12cd34"
    stale_old = tmp_path / f".out.peka-old-{gone}-0f0f0f0f"
    unrelated = [tmp_path / ".out.backup", tmp_path / f".other.peka-tmp-{gone}-ab12cd34"]
    for folder in (stale, running, stale_old, *unrelated):
        folder.mkdir()
        (folder / "x.csv").write_text("x\n")
    removed = remove_stale_temp_dirs(target)
    assert sorted(removed) == sorted([stale, stale_old])
    assert not stale.exists() and not stale_old.exists()
    assert running.exists() and all(folder.exists() for folder in unrelated)


def test_a_run_killed_between_the_renames_gets_its_previous_folder_back(tmp_path):
    target = tmp_path / "out"  # absent: the run was killed after moving it aside, before moving the new one in
    gone = dead_pid()
    old = tmp_path / f".out.peka-old-{gone}-11111111"
    new = tmp_path / f".out.peka-tmp-{gone}-11111111"
    for folder, text in ((old, "previous\n"), (new, "complete new\n")):
        folder.mkdir()
        (folder / "a.csv").write_text(text)
    assert remove_stale_temp_dirs(target) == [new]
    assert (target / "a.csv").read_text() == "previous\n"
    assert siblings(target) == []
