"""The README stays true: its library example runs, and its first command names files that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_library_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    code = re.search(r"```python\n(.*?)```", README, flags=re.S)
    assert code is not None
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {}
    exec(compile(code.group(1), "README.md", "exec"), namespace)  # noqa: S102 - our own README
    estimates = namespace["estimates"]
    p0 = estimates[(estimates["measure"] == "P0") & (estimates["domain"] == {})]  # type: ignore[index]
    assert len(p0) == 1 and 0 < float(p0["estimate"].iloc[0]) < 1


def test_first_command_names_bundled_files() -> None:
    first = README.split("```bash\n", 1)[1].splitlines()[0]
    for path in re.findall(r"data/samples/\S+", first):
        assert (ROOT / path).exists(), path
