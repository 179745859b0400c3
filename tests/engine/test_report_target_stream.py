"""``peka report`` and ``peka target`` on the stream engine write exactly what the memory engine writes (the HTML page
byte for byte, every cell of the workbook, every file of the target folder), from several chunks, and keep only the
columns they read once the survey is too large for the report's household sheet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from test_stream import _no_fallback as streamed_really  # no "reading it whole instead": it really streamed
from typer.testing import CliRunner

import peka.jobs.report as report_job
from peka.cli.app import app
from peka.jobs.classify import run_classify
from peka.jobs.inputs import ConfigSpec, InputSpec, OnInvalid, RowPolicy
from peka.jobs.report import ReportRequest, run_report
from peka.jobs.target import TargetSpec, run_target

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang"
SPEC = InputSpec(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv")
CHUNK = 700  # the sample's 3,000 households in 5 chunks, members across chunk boundaries


def workbook_values(path: Path) -> dict[str, list[tuple[object, ...]]]:
    book = load_workbook(path, read_only=True)
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def both_reports(tmp: Path, spec: InputSpec = SPEC, **kwargs):
    runs = {}
    for engine in ("memory", "stream"):
        outputs = (tmp / f"{engine}.xlsx", tmp / f"{engine}.html")
        if engine == "stream":
            with streamed_really():
                runs[engine] = run_report(ReportRequest(spec, outputs=outputs, engine=engine, chunk_rows=CHUNK,
                                                        **kwargs))
        else:
            runs[engine] = run_report(ReportRequest(spec, outputs=outputs, engine=engine, **kwargs))
    return runs


def assert_same_report(tmp: Path) -> None:
    assert (tmp / "memory.html").read_bytes() == (tmp / "stream.html").read_bytes()
    memory, stream = workbook_values(tmp / "memory.xlsx"), workbook_values(tmp / "stream.xlsx")
    assert list(memory) == list(stream)
    for sheet in memory:
        assert memory[sheet] == stream[sheet], sheet


def test_report_stream_equals_memory_with_the_household_sheet(tmp_path: Path) -> None:
    runs = both_reports(tmp_path, by=("kec_name", "desa_name"))
    assert_same_report(tmp_path)
    # the sample fits the household sheet: both tables hold every classified column
    assert list(runs["stream"].data.table.columns) == list(runs["memory"].data.table.columns)
    assert len(runs["memory"].data.table) == 3000


def test_report_stream_keeps_only_the_columns_it_reads_above_the_sheet_limit(tmp_path: Path, monkeypatch) -> None:
    """A survey larger than the household sheet: the report does not show the households, the stream engine keeps
    only REPORT_COLUMNS (+ prefixes, + --by) of each household, and every number of the report is unchanged."""
    monkeypatch.setattr(report_job, "HOUSEHOLD_TABLE_MAX_ROWS", 1000)  # exceeded by the second chunk
    runs = both_reports(tmp_path)
    assert_same_report(tmp_path)
    memory_columns, kept = list(runs["memory"].data.table.columns), list(runs["stream"].data.table.columns)
    dropped = set(memory_columns) - set(kept)
    # what the classified table has and the report does not read is not held for every household
    assert {"causes", "primary_cause", "level", "segment", "floor_material", "hh_id"} <= dropped
    assert all(c in report_job.REPORT_COLUMNS or c.startswith(report_job.REPORT_PREFIXES) for c in kept)
    sheet = workbook_values(tmp_path / "memory.xlsx")["Rumah tangga"]
    assert len(sheet) < 10  # the sheet limit was really exceeded: a note instead of 3,000 rows


def test_report_stream_in_english_with_other_regions(tmp_path: Path) -> None:
    both_reports(tmp_path, by=("kec_name",), lang="en")
    assert_same_report(tmp_path)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("spec", [
    {"quota": 5, "evaluate": True},
    {"programs": ("pkh",), "budget": 2e8},
    {"programs": ("pkh", "bpnt"), "quota": 3, "quota_by": "kec_code", "reveal_ids": True},
], ids=["quota-evaluate", "budget", "quota-by-kecamatan"])
def test_target_stream_equals_memory(tmp_path: Path, spec: dict) -> None:
    memory = run_target(SPEC, spec=TargetSpec(**spec), output=tmp_path / "memory")
    with streamed_really():
        stream = run_target(SPEC, spec=TargetSpec(**spec), output=tmp_path / "stream", engine="stream",
                            chunk_rows=CHUNK)
    assert len(memory.lists) > 0
    assert snapshot(tmp_path / "memory") == snapshot(tmp_path / "stream")
    assert stream.counts == memory.counts and stream.run_id == memory.run_id


def test_target_stream_with_rows_skipped(tmp_path: Path) -> None:
    """Rows failing the checks in two chunks: the same rejects, counts and lists on both engines."""
    households = pd.read_csv(SAMPLE / "households.csv", dtype=str, keep_default_na=False)
    households.loc[[10, 2500], "weight"] = "-1"  # weight_invalid: an error row
    households.to_csv(tmp_path / "rt.csv", index=False)
    spec = InputSpec(tmp_path / "rt.csv", persons=SAMPLE / "persons.csv")
    rows = RowPolicy(OnInvalid.skip)
    memory = run_target(spec, spec=TargetSpec(quota=4), output=tmp_path / "memory", rows=rows)
    with streamed_really():
        stream = run_target(spec, spec=TargetSpec(quota=4), output=tmp_path / "stream", rows=rows, engine="stream",
                            chunk_rows=CHUNK)
    assert memory.counts.rejected["household"] == 2
    assert stream.counts == memory.counts
    assert snapshot(tmp_path / "memory") == snapshot(tmp_path / "stream")
    assert "rejects.csv" in snapshot(tmp_path / "stream")


def test_target_stream_keeps_only_the_columns_it_reads(tmp_path: Path) -> None:
    """The stream engine holds far fewer columns per household than the classified table."""
    from peka.config.programs import load_programs
    from peka.jobs.target import _classify_streamed

    cfg = ConfigSpec().load(inputs=SPEC)
    catalogue = load_programs(None)
    programs = catalogue.select(["pkh"])
    table, _, _ = _classify_streamed(SPEC, cfg, RowPolicy(), catalogue, programs, TargetSpec(programs=("pkh",)),
                                     "stream", CHUNK)
    full = run_classify(SPEC, include_personal=True).table
    assert len(table) == len(full)
    assert set(table.columns) < set(full.columns)
    assert {"causes", "primary_cause", "segment", "floor_material", "bps14_c01"}.isdisjoint(table.columns)
    assert "level" in table.columns  # a rule input of the bundle (rtlh)
    pd.testing.assert_frame_equal(table, full[list(table.columns)], check_exact=True)


@pytest.mark.parametrize("command", ["report", "target"])
def test_cli_engine_stream_on_a_workbook_is_a_usage_error(tmp_path: Path, command: str) -> None:
    out = tmp_path / ("r.html" if command == "report" else "daftar")
    result = CliRunner().invoke(app, ["-q", command, str(SAMPLE / "p3ke_sabang.xlsx"), "--engine", "stream",
                                      "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "--engine stream" in result.output and ".xlsx" in result.output
    assert not out.exists()


def test_cli_report_and_target_engine_stream(tmp_path: Path) -> None:
    files = ["households.csv", "--persons", str(SAMPLE / "persons.csv")]
    args = [str(SAMPLE / files[0]), *files[1:]]
    for engine in ("memory", "stream"):
        result = CliRunner().invoke(app, ["-q", "report", *args, "--engine", engine, "-o", str(tmp_path / f"{engine}.html")])
        assert result.exit_code == 0, result.output
        result = CliRunner().invoke(app, ["-q", "target", *args, "--engine", engine, "--quota", "2", "-o",
                                          str(tmp_path / f"daftar-{engine}")])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "memory.html").read_bytes() == (tmp_path / "stream.html").read_bytes()
    assert snapshot(tmp_path / "daftar-memory") == snapshot(tmp_path / "daftar-stream")


def test_report_and_target_stream_with_a_shuffled_person_file(tmp_path: Path) -> None:
    """A person file in a random order: put in the household file's order on disk, and the report and the lists
    are the memory engine's (which reads the shuffled file whole), byte for byte."""
    persons = pd.read_csv(SAMPLE / "persons.csv", dtype=str, keep_default_na=False)
    persons.sample(frac=1.0, random_state=8).to_csv(tmp_path / "art.csv", index=False)
    spec = InputSpec(SAMPLE / "households.csv", persons=tmp_path / "art.csv")
    both_reports(tmp_path, spec=spec, by=("kec_name",))
    assert_same_report(tmp_path)
    target = TargetSpec(programs=("pkh", "bpnt"), quota=3, quota_by="kec_code", evaluate=True)
    memory = run_target(spec, spec=target, output=tmp_path / "memory")
    with streamed_really():
        stream = run_target(spec, spec=target, output=tmp_path / "stream", engine="stream", chunk_rows=CHUNK)
    assert len(memory.lists) > 0 and stream.counts == memory.counts
    assert snapshot(tmp_path / "memory") == snapshot(tmp_path / "stream")
