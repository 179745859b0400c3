"""The Dask engine gives the memory engine's results (every classified column byte for byte, every estimate and SE
to 1e-9, the rejects and the validation failure), computed on a ``distributed.LocalCluster`` of two worker
processes (so every chunk, config and result really crosses a process boundary, as on a cluster)."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from test_stream import SAMPLE, assert_same_estimates, broken_sample, rejects_and_failure_as_in_memory

from peka.errors import UsageError
from peka.jobs.classify import run_classify
from peka.jobs.inputs import InputSpec
from peka.jobs.profile import ProfileRequest, run_profile
from peka.present.summary import classify_summary

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler() -> str:
    """One local cluster for the module: 2 single-threaded worker processes (this is a 2-core machine)."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def worker_tasks(address: str) -> int:
    """Tasks the cluster's workers have run so far: proof that the work went there, not to the driver."""
    with distributed.Client(address) as client:
        counts = client.run(lambda dask_worker: len(dask_worker.state.log))
    return sum(counts.values())


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_sample_classify_dask_equals_memory(tmp_path: Path, scheduler: str, suffix: str) -> None:
    spec = InputSpec(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv")
    memory = run_classify(spec, output=tmp_path / f"memory{suffix}")
    before = worker_tasks(scheduler)
    dask = run_classify(spec, output=tmp_path / f"dask{suffix}", engine="dask", scheduler=scheduler, chunk_rows=700)
    assert worker_tasks(scheduler) > before
    if suffix == ".csv":
        assert (tmp_path / "memory.csv").read_bytes() == (tmp_path / "dask.csv").read_bytes()
    else:
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "memory.parquet"),
                                      pd.read_parquet(tmp_path / "dask.parquet"), check_exact=True)
    persons = len(pd.read_csv(SAMPLE / "persons.csv", usecols=[0]))
    assert dask.counts == memory.counts and memory.counts.rows_in == {"household": 3000, "person": persons}
    # the terminal summary from the sums added chunk by chunk; the deciles are the whole file's, not a chunk's
    assert dask.summary_sums is not None and len(dask.table) == len(memory.table)
    for lang in ("id", "en"):
        assert classify_summary(dask, lang) == classify_summary(memory, lang)
    assert memory.table["desil_survei"].nunique() == 10


def test_sample_profile_dask_equals_memory(scheduler: str) -> None:
    spec = InputSpec(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv")
    by = ("kec_name", ("kec_name", "urban_rural"))
    memory = run_profile(ProfileRequest(spec, by=by))
    dask = run_profile(ProfileRequest(spec, by=by, engine="dask", scheduler=scheduler, chunk_rows=450))
    assert_same_estimates(memory.estimates, dask.estimates)
    assert memory.design == dask.design


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> InputSpec:
    """10,000 generated households (Parquet) of which 5 have an undetermined MPI status (seed 13)."""
    from peka.deliver.sample import write_sample
    from peka.sample import generate

    folder = tmp_path_factory.mktemp("generated")
    write_sample(generate(10_000, seed=13), folder, ("parquet",))
    return InputSpec(folder / "households.parquet", persons=folder / "persons.parquet")


def test_generated_profile_by_district(generated: InputSpec, scheduler: str) -> None:
    memory = run_profile(ProfileRequest(generated, by=("kab_code",)))
    dask = run_profile(ProfileRequest(generated, by=("kab_code",), engine="dask", scheduler=scheduler,
                                      chunk_rows=2_000))
    assert_same_estimates(memory.estimates, dask.estimates)


@pytest.mark.parametrize("engine", ["stream", "dask"])
def test_generated_classify_and_its_summary(generated: InputSpec, scheduler: str, tmp_path: Path, engine: str) -> None:
    """The terminal summary notes undetermined MPI statuses: counted in the chunked engines' summary sums."""

    memory = run_classify(generated, output=tmp_path / "memory.parquet")
    assert memory.table["mpi_poor"].isna().sum() == 5
    chunked = run_classify(generated, output=tmp_path / "chunked.parquet", engine=engine, chunk_rows=2_000,
                           scheduler=scheduler if engine == "dask" else None)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "memory.parquet"),
                                  pd.read_parquet(tmp_path / "chunked.parquet"), check_exact=True)
    assert classify_summary(chunked, "en") == classify_summary(memory, "en")


def test_rejects_and_failure_as_in_memory(tmp_path: Path, scheduler: str) -> None:
    spec = broken_sample(tmp_path)
    memory, _ = rejects_and_failure_as_in_memory(spec, tmp_path, "dask", engine="dask", scheduler=scheduler,
                                                 chunk_rows=700)
    assert {"duplicate_id", "orphan_person"} <= set(memory.rejects["check"])


def test_unsorted_persons_bucketed_on_disk(tmp_path: Path, scheduler: str,
                                          caplog: pytest.LogCaptureFixture) -> None:
    persons = pd.read_csv(SAMPLE / "persons.csv", dtype=str, keep_default_na=False)
    persons.sample(frac=1.0, random_state=3).to_csv(tmp_path / "p.csv", index=False)
    spec = InputSpec(SAMPLE / "households.csv", persons=tmp_path / "p.csv")
    run_classify(spec, output=tmp_path / "memory.csv")
    with caplog.at_level(logging.WARNING):
        run_classify(spec, output=tmp_path / "dask.csv", engine="dask", scheduler=scheduler, chunk_rows=700)
    messages = [r.getMessage() for r in caplog.records]
    assert any("not in the order of the household file" in m and "on disk" in m for m in messages)
    assert not any("reading it whole instead" in m for m in messages)
    assert (tmp_path / "memory.csv").read_bytes() == (tmp_path / "dask.csv").read_bytes()


def test_unreachable_scheduler_is_one_line_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from peka.cli.app import app
    from peka.engine import dask

    with socket.socket() as sock:  # a port nobody listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        monkeypatch.setattr(dask, "CONNECT_TIMEOUT", 2.0)
        result = CliRunner().invoke(app, ["-q", "classify", str(SAMPLE / "households.csv"), "--engine", "dask",
                                          "--scheduler", f"tcp://127.0.0.1:{port}", "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert f"--scheduler tcp://127.0.0.1:{port}" in lines[0] and "cannot connect" in lines[0]
    assert not (tmp_path / "x.csv").exists()


def test_missing_dask_and_misplaced_scheduler_are_usage_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = InputSpec(SAMPLE / "households.csv")
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed → ImportError
    with pytest.raises(UsageError, match=r"pip install 'peka\[dask\]'") as missing:
        run_classify(spec, engine="dask")
    assert missing.value.exit_code == 2
    with pytest.raises(UsageError, match="--engine dask"):
        run_profile(ProfileRequest(spec, engine="stream", scheduler="tcp://127.0.0.1:8786"))


def test_dask_is_never_auto_and_reads_only_streamable_files(tmp_path: Path) -> None:
    from peka.engine import AUTO_STREAM_BYTES, choose_engine

    big = tmp_path / "big.csv"
    with big.open("wb") as fh:
        fh.truncate(AUTO_STREAM_BYTES + 1)
    assert choose_engine("auto", [big]) == "stream"
    assert choose_engine("dask", [big]) == "dask"
    with pytest.raises(UsageError, match="--engine dask reads CSV/TSV, Parquet, SPSS and Stata files, not .xlsx"):
        choose_engine("dask", [tmp_path / "x.xlsx"])


def test_import_peka_does_not_import_dask() -> None:
    code = ("import sys, peka, peka.engine.dask, peka.jobs.classify, peka.jobs.profile, peka.cli.app; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_report_dask_equals_memory(tmp_path: Path, scheduler: str) -> None:
    """``peka report --engine dask``: the chunks classified on the cluster, the report's columns gathered back; the
    page byte for byte and the workbook cell for cell as the memory engine's."""
    from test_report_target_stream import workbook_values

    from peka.jobs.report import ReportRequest, run_report

    spec = InputSpec(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv")
    memory = run_report(ReportRequest(spec, outputs=(tmp_path / "memory.html", tmp_path / "memory.xlsx")))
    before = worker_tasks(scheduler)
    dask = run_report(ReportRequest(spec, outputs=(tmp_path / "dask.html", tmp_path / "dask.xlsx"), engine="dask",
                                    scheduler=scheduler, chunk_rows=700))
    assert worker_tasks(scheduler) > before
    assert (tmp_path / "memory.html").read_bytes() == (tmp_path / "dask.html").read_bytes()
    assert workbook_values(tmp_path / "memory.xlsx") == workbook_values(tmp_path / "dask.xlsx")
    assert len(dask.data.table) == len(memory.data.table) == 3000


def test_target_dask_equals_memory(tmp_path: Path, scheduler: str) -> None:
    """``peka target --engine dask``: every file of the lists folder byte for byte as the memory engine's."""
    from peka.jobs.target import TargetSpec, run_target

    spec = InputSpec(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv")
    target = TargetSpec(programs=("pkh", "rtlh"), quota=5, evaluate=True)
    run_target(spec, spec=target, output=tmp_path / "memory")
    before = worker_tasks(scheduler)
    run_target(spec, spec=target, output=tmp_path / "dask", engine="dask", scheduler=scheduler, chunk_rows=700)
    assert worker_tasks(scheduler) > before
    names = sorted(p.name for p in (tmp_path / "memory").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "dask").iterdir()) and "lists.csv" in names
    for name in names:
        assert (tmp_path / "memory" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes(), name
