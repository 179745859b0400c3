"""Scratch folders: private (0700), removed on every way out, and a warning when they would sit in memory."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from peka.deliver import scratch

MOUNTS = """\
/dev/vda1 / ext4 rw,relatime 0 0
tmpfs /tmp tmpfs rw,nosuid,nodev 0 0
/dev/vdb1 /tmp/big\\040disk xfs rw 0 0
proc /proc proc rw 0 0
"""


@pytest.mark.parametrize(("path", "kind"), [
    ("/home/analis/data", "ext4"),
    ("/tmp/peka-scratch-x", "tmpfs"),
    ("/tmp", "tmpfs"),
    ("/tmp/big disk/peka-scratch-x", "xfs"),  # the longest mount point holding it; \\040 is a space
    ("/tmpx/y", "ext4"),  # /tmp is not a prefix of /tmpx
])
def test_filesystem_type_is_the_longest_mount_point_holding_the_path(path: str, kind: str) -> None:
    assert scratch.filesystem_type(Path(path), MOUNTS) == kind


def test_scratch_folder_is_private_and_removed_even_on_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scratch.tempfile, "tempdir", str(tmp_path))
    with pytest.raises(RuntimeError), scratch.scratch_folder() as folder:
        (folder / "persons-00000.arrow").write_bytes(b"x")
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and folder.name.startswith("peka-scratch-")
        raise RuntimeError("the job failed")
    assert list(tmp_path.iterdir()) == []


def test_a_scratch_folder_in_memory_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(scratch.tempfile, "tempdir", str(tmp_path))
    for kind, warned in (("tmpfs", True), ("ext4", False)):
        monkeypatch.setattr(scratch, "filesystem_type", lambda path, mounts=None, kind=kind: kind)
        caplog.clear()
        with caplog.at_level(logging.WARNING), scratch.scratch_folder():
            pass
        said = [r.getMessage() for r in caplog.records]
        assert bool(said) == warned
        assert not warned or ("TMPDIR" in said[0] and "tmpfs" in said[0])
