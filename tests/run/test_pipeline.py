"""`peka run PIPELINE.toml`: the example pipeline on the bundled sample writes its set with a true manifest; reruns
are byte-identical; a killed run leaves the previous set; the lock, a bad key and an output holding an input end
with their documented exit codes (docs/batch.md, docs/exit-codes.md)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from peka.deliver.lock import folder_lock
from peka.deliver.sample import write_sample
from peka.sample import generate

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "samples" / "sabang"
EXAMPLE = ROOT / "docs" / "examples" / "pipeline.toml"
# progress lines and the jobs' log lines: one form, ISO 8601 with the UTC offset
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d ")


def peka(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "peka", *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=600)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def example_tree(root: Path) -> Path:
    """The example pipeline unchanged, with the sample's two CSV files at the relative place it names."""
    (root / "docs" / "examples").mkdir(parents=True)
    (root / "data" / "samples" / "sabang").mkdir(parents=True)
    shutil.copy(EXAMPLE, root / "docs" / "examples" / "pipeline.toml")
    for name in ("households.csv", "persons.csv"):
        shutil.copy(SAMPLE / name, root / "data" / "samples" / "sabang" / name)
    return root / "docs" / "examples" / "pipeline.toml"


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    pipeline = example_tree(tmp_path_factory.mktemp("example"))
    first = peka("run", pipeline)
    first_set = snapshot(pipeline.parent / "hasil")
    second = peka("run", pipeline, "--log-format", "json")
    return pipeline, first, first_set, second


def test_the_example_pipeline_writes_its_set_and_a_true_manifest(two_runs):
    pipeline, first, _, _ = two_runs
    assert first.returncode == 0, first.stderr
    out = pipeline.parent / "hasil"
    manifest = json.loads((out / "manifest.json").read_text())
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"manifest.json", "run.json"}
    assert set(manifest["outputs"]) == on_disk
    for name, digest in manifest["outputs"].items():
        assert sha256(out / name) == digest, name
    assert {"validate.json", "klasifikasi.csv", "klasifikasi.csv.peka.toml", "profil.json", "peka.toml",
            "daftar/lists.csv", "daftar/summary.csv"} <= on_disk  # fmt: skip
    data = pipeline.parents[2] / "data" / "samples" / "sabang"
    assert [(i["role"], i["sha256"]) for i in manifest["inputs"]] == [
        ("households", sha256(data / "households.csv")), ("persons", sha256(data / "persons.csv"))]
    assert manifest["config"]["record_sha256"] == sha256(out / "peka.toml")
    # rows per step against pandas on the raw files
    households, persons = len(pd.read_csv(data / "households.csv")), len(pd.read_csv(data / "persons.csv"))
    steps = {s["step"]: s for s in manifest["steps"]}
    assert list(steps) == ["validate", "classify", "profile", "target"]
    for name in ("validate", "classify", "target"):
        assert steps[name]["rows_in"] == {"household": households, "person": persons}
        assert steps[name]["rejected"] == {"household": 0, "person": 0}
    assert steps["profile"]["rows_in"] == {"household": households}
    assert len(pd.read_csv(out / "klasifikasi.csv")) == households
    assert "seconds" not in json.dumps(manifest) and "started" in (out / "run.json").read_text()
    # off a terminal: timestamped lines, the last one naming what was written
    lines = first.stderr.splitlines()
    assert lines and all(TIMESTAMP.match(line) for line in lines), first.stderr
    assert "wrote" in lines[-1] and "manifest.json" in lines[-1] and str(out) in lines[-1]


def test_a_rerun_on_unchanged_inputs_is_byte_identical_but_for_run_json(two_runs):
    pipeline, first, first_set, second = two_runs
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    second_set = snapshot(pipeline.parent / "hasil")
    assert set(first_set) == set(second_set)
    different = [n for n in first_set if n != "run.json" and first_set[n] != second_set[n]]
    assert different == []
    # --log-format json: one JSON object per line, the last one the list of files written
    lines = [json.loads(line) for line in second.stderr.splitlines()]
    events = [e for e in lines if e["event"] != "log"]
    assert [e["event"] for e in events] == ["start"] + ["step", "step_done"] * 4 + ["done"]
    manifest = json.loads(second_set["manifest.json"])
    logged = [e["message"] for e in lines if e["event"] == "log" and e["level"] == "warning"]
    assert len(manifest["warnings"]) == 2 and all(any(w in m for m in logged) for w in manifest["warnings"])
    assert sorted(events[-1]["files"]) == sorted(second_set)


def small_pipeline(tmp_path: Path, output: str = "out", extra: str = "") -> Path:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for name in ("households.csv", "persons.csv"):
        shutil.copy(SAMPLE / name, folder / name)
    path = tmp_path / "pipeline.toml"
    path.write_text(f'output = "{output}"\n{extra}\n[input]\nhouseholds = "in/households.csv"\n'
                    'persons = "in/persons.csv"\n\n[[steps]]\nstep = "validate"\n\n[[steps]]\nstep = "classify"\n')
    return path


def staging_folders(parent: Path) -> list[Path]:
    return sorted(p for p in parent.iterdir() if re.fullmatch(r"\.out\.peka-(tmp|old)-\d+-[0-9a-z]+", p.name))


def test_a_killed_run_leaves_the_previous_set_and_the_next_run_cleans_up(tmp_path):
    pipeline = small_pipeline(tmp_path)
    assert peka("run", pipeline).returncode == 0
    out = tmp_path / "out"
    before = snapshot(out)
    write_sample(generate(households=150_000, seed=11), tmp_path / "in", ("csv",))  # a big new extract arrives
    run = subprocess.Popen([sys.executable, "-m", "peka", "-q", "run", str(pipeline)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    # kill once the run has written its first output into the temporary folder (mid-run, mid-set)
    while run.poll() is None and time.monotonic() < deadline:
        if any((s / "validate.json").exists() for s in staging_folders(tmp_path)):
            break
        time.sleep(0.01)
    assert run.poll() is None, "the run ended before it was killed"
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    assert staging_folders(tmp_path), "SIGKILL runs no handler: the temporary folder is left behind"
    assert snapshot(out) == before
    for name in ("households.csv", "persons.csv"):  # the extract is taken back: same inputs as the first run
        shutil.copy(SAMPLE / name, tmp_path / "in" / name)
    again = peka("run", pipeline)
    assert again.returncode == 0, again.stderr
    assert staging_folders(tmp_path) == []
    assert [p for p in tmp_path.rglob("*") if ".peka-tmp" in p.name] == []
    after = snapshot(out)
    assert {n: b for n, b in after.items() if n != "run.json"} == {n: b for n, b in before.items() if n != "run.json"}


def test_a_second_run_while_the_lock_is_held_exits_75_and_writes_nothing(tmp_path):
    pipeline = small_pipeline(tmp_path)
    with folder_lock(tmp_path / "out"):  # what a running `peka run` holds
        busy = peka("run", pipeline)
    assert busy.returncode == 75
    assert busy.stderr.count("\n") == 1 and busy.stderr.startswith("peka: error:") and "another peka run" in busy.stderr
    assert not (tmp_path / "out").exists()
    assert peka("run", pipeline).returncode == 0  # released with the holder


@pytest.mark.parametrize(("extra", "steps", "key"), [
    ("outptu = 'x'", "", "outptu"),
    ("", "[[steps]]\nstep = 'profile'\nbi = ['kec_name']\n", "steps[2].bi"),
    ("", "[[steps]]\nstep = 'publish'\n", "steps[2].step"),
    ("", "[[steps]]\nstep = ['validate']\n", "steps[2].step"),  # a list is not a name (was a TypeError)
    ("", "[[steps]]\nstep = {name = 'validate'}\n", "steps[2].step"),
    ("", "[[steps]]\nstep = 'profile'\nci = 'wald'\n", "steps[2].ci"),
    ("", "[[steps]]\nstep = 'classify'\n", "steps[2].output"),  # klasifikasi.csv twice
    ("", "[[steps]]\nstep = 'target'\noutput = '../elsewhere'\n", "steps[2].output"),
])  # fmt: skip
def test_a_bad_pipeline_key_exits_4_naming_key_and_file(tmp_path, extra, steps, key):
    pipeline = small_pipeline(tmp_path, extra=extra)
    pipeline.write_text(pipeline.read_text() + "\n" + steps)
    result = peka("run", pipeline)
    assert result.returncode == 4, result.stderr
    assert str(pipeline) in result.stderr and f"{key}:" in result.stderr
    assert not (tmp_path / "out").exists()


def test_profile_before_classify_exits_4(tmp_path):
    pipeline = tmp_path / "p.toml"
    pipeline.write_text('output = "out"\n[input]\nhouseholds = "h.csv"\n[[steps]]\nstep = "profile"\n')
    result = peka("run", pipeline)
    assert result.returncode == 4 and "steps[0].step" in result.stderr and "classify" in result.stderr


@pytest.mark.parametrize("output", [".", "in", "in/households.csv", "pipeline.toml"])
def test_an_output_folder_that_is_or_holds_an_input_exits_2(tmp_path, output):
    pipeline = small_pipeline(tmp_path, output=output)
    before = snapshot(tmp_path)
    result = peka("run", pipeline)
    assert result.returncode == 2, result.stderr
    assert "holds the input" in result.stderr
    assert snapshot(tmp_path) == before


def test_a_glob_takes_the_newest_match(tmp_path):
    pipeline = small_pipeline(tmp_path, extra='on_invalid = "skip"')  # the members of the other households: orphans
    shutil.copy(SAMPLE / "households.csv", tmp_path / "in" / "rt_2025-09.csv")
    lines = (SAMPLE / "households.csv").read_text().splitlines(keepends=True)
    (tmp_path / "in" / "rt_2025-03.csv").write_text("".join(lines[:101]))  # header and 100 households
    os.utime(tmp_path / "in" / "rt_2025-09.csv", (1_000_000, 1_000_000))  # older on disk, later by name
    pipeline.write_text(pipeline.read_text().replace('"in/households.csv"', '"in/rt_*.csv"'))
    assert peka("run", pipeline).returncode == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["inputs"][0]["file"] == "in/rt_2025-03.csv"
    assert manifest["steps"][0]["rows_in"]["household"] == 100
    pipeline.write_text(pipeline.read_text().replace("[input]\n", '[input]\npick = "last_by_name"\n'))
    assert peka("run", pipeline).returncode == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["inputs"][0]["file"] == "in/rt_2025-09.csv"
    assert manifest["steps"][0]["rows_in"]["household"] == len(pd.read_csv(SAMPLE / "households.csv"))
