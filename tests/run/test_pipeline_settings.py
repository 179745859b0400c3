"""``engine`` and ``csv_dialect`` in a pipeline file: at the top level and per step (the step's own wins), what a CLI
user gets with ``--engine``/``--csv-dialect``; the stream engine writes the same set; unknown values are exit 4
naming the key."""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peka.cli.app import app
from peka.deliver.files import CSV_INDONESIAN
from peka.errors import ConfigError
from peka.jobs import streamed
from peka.jobs.classify import run_classify
from peka.jobs.inputs import InputSpec, load_input, validated
from peka.jobs import pipeline as pipeline_job
from peka.jobs.pipeline import run_pipeline

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "samples" / "sabang"
EXAMPLE = ROOT / "docs" / "examples" / "pipeline.toml"


def pipeline_file(root: Path, top: str = "", classify: str = "", profile: str = "", target: str = "",
                  profile_output: str = "profil.json") -> Path:
    """The example pipeline's steps on the sample, with extra lines at the top and in the steps."""
    for name in ("households.csv", "persons.csv"):
        shutil.copy(SAMPLE / name, root / name)
    text = f"""output = "hasil"
{top}
[input]
households = "households.csv"
persons = "persons.csv"

[[steps]]
step = "validate"

[[steps]]
step = "classify"
{classify}

[[steps]]
step = "profile"
by = ["kec_name"]
output = "{profile_output}"
{profile}

[[steps]]
step = "target"
programs = ["pkh"]
quota = 10
evaluate = true
{target}
"""
    (root / "pipeline.toml").write_text(text, encoding="utf-8")
    return root / "pipeline.toml"


def outputs(folder: Path) -> dict[str, bytes]:
    """Every file of the set but the two that record how it ran (manifest options, timings)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in ("manifest.json", "run.json")}


def step_options(folder: Path) -> list[dict]:
    return [s["options"] for s in json.loads((folder / "manifest.json").read_text())["steps"]]


def test_stream_engine_writes_the_same_set(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(streamed, "CHUNK_ROWS", 700)  # several chunks of the sample
    memory = run_pipeline(pipeline_file(tmp_path))  # the same folder: validate.json names the input's path
    memory_set, memory_options = outputs(memory.output), step_options(memory.output)
    stream = run_pipeline(pipeline_file(tmp_path, top='engine = "stream"'))
    assert memory_set == outputs(stream.output)
    assert memory.manifest["outputs"] == stream.manifest["outputs"]
    engines = [o.get("engine") for o in step_options(stream.output)]
    assert engines == [None, "stream", "stream", "stream"]  # validate has no engine
    assert [o.get("engine") for o in memory_options] == [None, "memory", "memory", "memory"]


def test_a_step_engine_overrides_the_top_level_one(tmp_path: Path) -> None:
    run = run_pipeline(pipeline_file(tmp_path, top='engine = "stream"', classify='engine = "memory"'))
    assert [o.get("engine") for o in step_options(run.output)] == [None, "memory", "stream", "stream"]


def test_csv_dialect_top_level_and_per_step(tmp_path: Path) -> None:
    run = run_pipeline(pipeline_file(tmp_path, top='csv_dialect = "id"', profile='csv_dialect = "standard"',
                                     profile_output="profil.csv"))
    folder = run.output
    # the classified table is what `peka classify --csv-dialect id` writes
    run_classify(InputSpec(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv"), output=tmp_path / "k.csv",
                 csv_dialect=CSV_INDONESIAN)
    assert (folder / "klasifikasi.csv").read_bytes() == (tmp_path / "k.csv").read_bytes()
    lists = (folder / "daftar" / "lists.csv").read_bytes()
    assert lists.startswith(b"\xef\xbb\xbf") and b";" in lists.splitlines()[0]
    evaluation = (folder / "daftar" / "evaluation.csv").read_text(encoding="utf-8-sig")
    assert ";" in evaluation.splitlines()[0] and any("," in line for line in evaluation.splitlines()[1:])
    profile = (folder / "profil.csv").read_bytes()
    assert not profile.startswith(b"\xef\xbb\xbf") and b"," in profile.splitlines()[0]
    options = step_options(folder)
    assert [o.get("csv_dialect") for o in options] == [None, "id", "standard", "id"]


SCHEDULER = 'scheduler = "tcp://127.0.0.1:8786"'


@pytest.mark.parametrize(("top", "classify", "key", "says"), [
    ('engine = "fast"', "", "engine", "memory, stream"),
    ("", 'engine = "turbo"', "steps[1].engine", "memory, stream"),
    ('csv_dialect = "excel"', "", "csv_dialect", "standard, id"),
    ("", 'csv_dialect = "semicolon"', "steps[1].csv_dialect", "standard, id"),
    # a scheduler where no step runs on dask
    (SCHEDULER, "", "scheduler", 'engine = "dask"'),
    ('engine = "dask"', f'engine = "memory"\n{SCHEDULER}', "steps[1].scheduler", 'engine = "dask"'),
])
def test_unknown_or_unusable_values_are_exit_4_naming_the_key(tmp_path: Path, top: str, classify: str, key: str,
                                                              says: str) -> None:
    path = pipeline_file(tmp_path, top=top, classify=classify)
    with pytest.raises(ConfigError) as caught:
        run_pipeline(path)
    assert caught.value.key == key and says in str(caught.value)
    result = CliRunner().invoke(app, ["-q", "run", str(path)])
    assert result.exit_code == 4
    assert key in result.output and says in result.output
    assert not (tmp_path / "hasil").exists()


def test_engine_on_a_step_without_one_is_an_unknown_key(tmp_path: Path) -> None:
    path = pipeline_file(tmp_path)
    text = path.read_text(encoding="utf-8").replace('step = "validate"\n', 'step = "validate"\nengine = "stream"\n')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        run_pipeline(path)
    assert caught.value.key == "steps[0].engine"
    assert "unknown key" in str(caught.value)


def test_the_steps_of_a_run_read_and_check_the_survey_once(tmp_path: Path, monkeypatch) -> None:
    import peka.io
    import peka.schema.checks

    reads, checks = [], []
    load_survey, validate = peka.io.load_survey, peka.schema.checks.validate
    monkeypatch.setattr(peka.io, "load_survey", lambda *a, **kw: reads.append(a[0]) or load_survey(*a, **kw))
    monkeypatch.setattr(peka.schema.checks, "validate", lambda *a, **kw: checks.append(1) or validate(*a, **kw))
    path = pipeline_file(tmp_path)  # validate, classify, profile (reads the classified file), target
    expected = outputs(run_pipeline(path).output)
    assert (len(reads), len(checks)) == (1, 1)
    # each step reading and checking for itself writes the same set (three reads, three checks)
    reads.clear(), checks.clear()
    monkeypatch.setattr(pipeline_job, "reading_once", contextlib.nullcontext)
    assert outputs(run_pipeline(path).output) == expected
    assert (len(reads), len(checks)) == (3, 3)
    # outside a run every call reads and checks the files again
    reads.clear(), checks.clear()
    spec = InputSpec(tmp_path / "households.csv", persons=tmp_path / "persons.csv")
    validated(load_input(spec))
    validated(load_input(spec))
    assert (len(reads), len(checks)) == (2, 2)


def test_a_pipeline_on_a_dask_scheduler_writes_the_memory_set(tmp_path: Path, monkeypatch) -> None:
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(streamed, "CHUNK_ROWS", 700)
    memory_set = outputs(run_pipeline(pipeline_file(tmp_path)).output)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        run = run_pipeline(pipeline_file(tmp_path, top=f'engine = "dask"\nscheduler = "{address}"'))
        with distributed.Client(address) as client:  # the chunks were classified there, not in this process
            tasks = sum(client.run(lambda dask_worker: len(dask_worker.state.log)).values())
    assert tasks > 0
    assert outputs(run.output) == memory_set
    assert [o.get("scheduler") for o in step_options(run.output)] == [None, address, address, address]


def test_the_example_pipeline_names_the_settings() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "engine" in text and "csv_dialect" in text


def report_pipeline(root: Path, top: str = "", report: str = "") -> Path:
    for name in ("households.csv", "persons.csv"):
        shutil.copy(SAMPLE / name, root / name)
    (root / "pipeline.toml").write_text(f"""output = "hasil"
{top}
[input]
households = "households.csv"
persons = "persons.csv"

[[steps]]
step = "report"
output = "laporan.html"
also = "laporan.xlsx"
by = ["kec_name", "desa_name"]
{report}
""", encoding="utf-8")
    return root / "pipeline.toml"


def cells(path: Path) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_report_step_writes_what_peka_report_writes_on_either_engine(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(streamed, "CHUNK_ROWS", 700)
    from peka.jobs.report import ReportRequest, run_report

    direct = run_report(ReportRequest(InputSpec(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv"),
                                      by=("kec_name", "desa_name"), outputs=(tmp_path / "direct.html",)))
    assert direct.written
    memory = run_pipeline(report_pipeline(tmp_path))
    page = (memory.output / "laporan.html").read_bytes()
    assert page == (tmp_path / "direct.html").read_bytes()
    assert memory.manifest["steps"][0]["outputs"] == ["laporan.html", "laporan.xlsx"]
    assert memory.manifest["steps"][0]["rows_in"] == {"household": 3000, "person": 12524}
    workbook = cells(memory.output / "laporan.xlsx")
    stream = run_pipeline(report_pipeline(tmp_path, top='engine = "stream"'))
    assert (stream.output / "laporan.html").read_bytes() == page
    assert cells(stream.output / "laporan.xlsx") == workbook
    assert step_options(stream.output)[0]["engine"] == "stream"


def test_a_report_after_classify_takes_its_table_instead_of_classifying_again(tmp_path: Path, monkeypatch) -> None:
    from peka.jobs import classify as classify_job
    from peka.jobs.report import ReportRequest, run_report

    direct = run_report(ReportRequest(InputSpec(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv"),
                                      by=("kec_name", "desa_name"), outputs=(tmp_path / "direct.html",)))
    assert direct.written
    reads = []
    monkeypatch.setattr(classify_job, "load_input", lambda spec: reads.append(spec) or load_input(spec))
    path = report_pipeline(tmp_path)
    path.write_text(path.read_text().replace('[[steps]]\nstep = "report"',
                                             '[[steps]]\nstep = "classify"\n\n[[steps]]\nstep = "report"'))
    run = run_pipeline(path)
    assert len(reads) == 1  # the classify step's; the report step read nothing
    assert (run.output / "laporan.html").read_bytes() == (tmp_path / "direct.html").read_bytes()
    steps = {s["step"]: s for s in run.manifest["steps"]}
    assert steps["report"]["rows_in"] == steps["classify"]["rows_in"] == {"household": 3000, "person": 12524}
    # with other columns than a report's own (--keep-none) the report step classifies for itself, as before
    reads.clear()
    path.write_text(path.read_text().replace('step = "classify"', 'step = "classify"\nkeep_none = true'))
    run = run_pipeline(path)
    assert len(reads) == 2
    assert (run.output / "laporan.html").read_bytes() == (tmp_path / "direct.html").read_bytes()


@pytest.mark.parametrize(("report", "key", "message"), [
    ('also = "lagi.html"', "steps[0]", "one .html and one .xlsx"),
    ('csv_dialect = "id"', "steps[0].csv_dialect", "unknown key"),
])
def test_report_step_options_are_checked(tmp_path: Path, report: str, key: str, message: str) -> None:
    path = report_pipeline(tmp_path, report=report)
    text = path.read_text().replace('also = "laporan.xlsx"\n', "") if "also" in report else path.read_text()
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        run_pipeline(path)
    assert caught.value.key == key and message in str(caught.value)
