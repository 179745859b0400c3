"""The stream engine gives exactly the memory engine's results (classify columns, profile estimates and SEs,
validation findings), with the person file linked chunk by chunk; an unsorted file falls back to memory."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peka.errors import ValidationFailed
from peka.jobs.classify import run_classify
from peka.jobs.inputs import InputSpec, RowPolicy
from peka.jobs.profile import ProfileRequest, run_profile

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang"


def both_classify(spec: InputSpec, tmp: Path, suffix: str, chunk_rows: int, **kwargs):
    memory = run_classify(spec, output=tmp / f"memory{suffix}", **kwargs)
    with _no_fallback():
        stream = run_classify(spec, output=tmp / f"stream{suffix}", engine="stream", chunk_rows=chunk_rows, **kwargs)
    return memory, stream


class _no_fallback:
    """The stream engine really streamed: no 'reading it whole instead' warning (results would be equal anyway)."""

    def __enter__(self) -> None:
        self.records: list[logging.LogRecord] = []
        self.handler = logging.Handler(logging.WARNING)
        self.handler.emit = self.records.append  # type: ignore[method-assign]
        logging.getLogger("peka").addHandler(self.handler)

    def __exit__(self, *exc: object) -> None:
        logging.getLogger("peka").removeHandler(self.handler)
        assert not any("reading it whole instead" in r.getMessage() for r in self.records)


def assert_same_classification(tmp: Path, suffix: str) -> None:
    if suffix == ".csv":
        assert (tmp / "memory.csv").read_bytes() == (tmp / "stream.csv").read_bytes()
    else:
        memory, stream = pd.read_parquet(tmp / "memory.parquet"), pd.read_parquet(tmp / "stream.parquet")
        pd.testing.assert_frame_equal(memory, stream, check_exact=True)
        import pyarrow.parquet as pq

        def record(name: str) -> str:
            text = pq.read_schema(tmp / name).metadata[b"peka.record"].decode()
            return text.replace(name, "OUT")

        assert record("memory.parquet") == record("stream.parquet")


def assert_same_summary(memory, stream) -> None:
    """The terminal summary of ``peka classify``: from the memory engine's table, and from the sums the stream engine
    added up chunk by chunk (it keeps no column per household)."""
    from peka.present.summary import classify_summary

    if stream.summary_sums is not None:  # else the stream engine fell back to memory (a file out of order)
        assert len(stream.table.columns) == 0
    assert len(stream.table) == len(memory.table)
    for lang in ("id", "en"):
        assert classify_summary(stream, lang) == classify_summary(memory, lang)


def assert_same_estimates(memory: pd.DataFrame, stream: pd.DataFrame) -> None:
    assert len(memory) == len(stream) > 0
    for column in ("domain", "measure", "indicator", "flag", "n", "n_psu"):
        assert memory[column].astype(str).tolist() == stream[column].astype(str).tolist(), column
    for column in ("estimate", "se", "ci_low", "ci_high", "rse", "weighted_n"):
        np.testing.assert_allclose(stream[column].to_numpy(float), memory[column].to_numpy(float), rtol=1e-9,
                                   atol=0, equal_nan=True, err_msg=column)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_sample_classify_stream_equals_memory(tmp_path: Path, suffix: str) -> None:
    spec = InputSpec(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv")
    memory, stream = both_classify(spec, tmp_path, suffix, chunk_rows=700)  # 5 chunks, members across boundaries
    assert_same_classification(tmp_path, suffix)
    assert stream.counts == memory.counts
    assert memory.table["desil_survei"].nunique() == 10  # the deciles came from the whole file, not a chunk
    assert_same_summary(memory, stream)


def test_sample_profile_stream_equals_memory() -> None:
    spec = InputSpec(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv")
    by = ("kec_name", ("kec_name", "urban_rural"))
    memory = run_profile(ProfileRequest(spec, by=by))
    with _no_fallback():
        stream = run_profile(ProfileRequest(spec, by=by, engine="stream", chunk_rows=450))
    assert_same_estimates(memory.estimates, stream.estimates)
    assert memory.design == stream.design


@pytest.fixture(scope="module")
def big_survey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from peka.deliver.sample import write_sample
    from peka.sample import generate

    folder = tmp_path_factory.mktemp("big")
    write_sample(generate(200_000, seed=7), folder, ("csv", "parquet"))
    return folder


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_200k_survey_stream_equals_memory(big_survey: Path, tmp_path: Path, fmt: str) -> None:
    spec = InputSpec(big_survey / f"households.{fmt}", persons=big_survey / f"persons.{fmt}")
    suffix = ".csv" if fmt == "csv" else ".parquet"
    memory, stream = both_classify(spec, tmp_path, suffix, chunk_rows=30_000)
    assert_same_classification(tmp_path, suffix)
    assert stream.counts == memory.counts and memory.counts.rows_in["household"] == 200_000
    assert_same_summary(memory, stream)
    if fmt == "parquet":
        request = {"by": ("kab_code",)}
        memory_p = run_profile(ProfileRequest(spec, **request))
        with _no_fallback():
            stream_p = run_profile(ProfileRequest(spec, engine="stream", chunk_rows=30_000, **request))
        assert_same_estimates(memory_p.estimates, stream_p.estimates)


def broken_sample(tmp: Path) -> InputSpec:
    """The sample with a repeated household (adjacent: the file is sorted) and two orphan persons, one inside the
    id range, one after the last household."""
    hh = (SAMPLE / "households.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    persons = (SAMPLE / "persons.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    hh.insert(1402, hh[1401])  # line 1403 repeats household 1401 (its id is at a chunk boundary for 700 rows)
    first = persons[1].split(",", 1)[1]
    inside = next(i for i, line in enumerate(persons) if line.startswith('"11720001500"'))
    persons.insert(inside, '"11720001499x"' + "," + first)  # sorts between 1499 and 1500, no such household
    persons.append('"99999999999"' + "," + first)
    (tmp / "hh.csv").write_text("".join(hh), encoding="utf-8")
    (tmp / "p.csv").write_text("".join(persons), encoding="utf-8")
    return InputSpec(tmp / "hh.csv", persons=tmp / "p.csv")


@pytest.mark.parametrize("chunk_rows", [700, 1401])  # the repeated id within one chunk; across two (fallback)
def test_duplicates_and_orphans_found_as_in_memory(tmp_path: Path, chunk_rows: int) -> None:
    spec = broken_sample(tmp_path)
    rows = RowPolicy("skip", rejects=tmp_path / "memory.rejects.csv")
    memory = run_classify(spec, rows=rows, output=tmp_path / "memory.csv")
    stream = run_classify(spec, rows=RowPolicy("skip", rejects=tmp_path / "stream.rejects.csv"),
                          output=tmp_path / "stream.csv", engine="stream", chunk_rows=chunk_rows)
    checks = set(memory.rejects["check"])
    assert {"duplicate_id", "orphan_person"} <= checks
    # the duplicate is the repeated line (row 1403: "already used in row 1402"), the two orphans are persons
    dup = memory.rejects[memory.rejects["check"] == "duplicate_id"]
    assert dup["_row"].tolist() == [1403] and "1402" in dup["message"].iloc[0]
    assert (memory.rejects["check"] == "orphan_person").sum() == 2
    pd.testing.assert_frame_equal(memory.rejects, stream.rejects)
    assert (tmp_path / "memory.rejects.csv").read_bytes() == (tmp_path / "stream.rejects.csv").read_bytes()
    assert (tmp_path / "memory.csv").read_bytes() == (tmp_path / "stream.csv").read_bytes()
    assert memory.counts == stream.counts
    assert_same_summary(memory, stream)

    with pytest.raises(ValidationFailed) as in_memory:
        run_classify(spec)
    with pytest.raises(ValidationFailed) as streamed:
        run_classify(spec, engine="stream", chunk_rows=chunk_rows)
    assert str(streamed.value) == str(in_memory.value)


def test_unsorted_persons_fall_back_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    persons = pd.read_csv(SAMPLE / "persons.csv", dtype=str, keep_default_na=False)
    persons.sample(frac=1.0, random_state=3).to_csv(tmp_path / "p.csv", index=False)
    spec = InputSpec(SAMPLE / "households.csv", persons=tmp_path / "p.csv")
    memory = run_classify(spec, output=tmp_path / "memory.csv")
    with caplog.at_level(logging.WARNING):
        stream = run_classify(spec, output=tmp_path / "stream.csv", engine="stream", chunk_rows=700)
    assert any("not in the order of the household file" in r.getMessage() and "--engine memory" in r.getMessage()
               for r in caplog.records)
    assert (tmp_path / "memory.csv").read_bytes() == (tmp_path / "stream.csv").read_bytes()
    assert len(stream.table) == len(memory.table) == 3000


def test_auto_engine_threshold(tmp_path: Path) -> None:
    from peka.engine import AUTO_STREAM_BYTES, choose_engine

    small = SAMPLE / "households.csv"
    assert choose_engine("auto", [small]) == "memory"
    big = tmp_path / "big.csv"
    with big.open("wb") as fh:  # sparse: the size is what counts
        fh.truncate(AUTO_STREAM_BYTES + 1)
    assert choose_engine("auto", [big]) == "stream"
    assert choose_engine("auto", [tmp_path / "x.sav"]) == "memory"  # small (absent): read whole
    assert choose_engine("auto", [tmp_path / "x.sas7bdat"]) == "memory"


def test_person_errors_found_by_the_second_pass_as_in_memory(tmp_path: Path) -> None:
    """--on-invalid fail reads the household file alone in the first pass: errors only the person file shows (two
    orphans) are raised by the second pass with the memory engine's message, and no output file is left."""
    spec = broken_sample(tmp_path)
    hh = (tmp_path / "hh.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    del hh[1402]  # no repeated household: the households alone are clean
    (tmp_path / "hh.csv").write_text("".join(hh), encoding="utf-8")
    with pytest.raises(ValidationFailed) as in_memory:
        run_classify(spec, output=tmp_path / "memory.csv")
    with pytest.raises(ValidationFailed) as streamed:
        run_classify(spec, output=tmp_path / "stream.csv", engine="stream", chunk_rows=700)
    assert "no household with this id" in str(in_memory.value) and "1 more error" in str(in_memory.value)
    assert str(streamed.value) == str(in_memory.value)
    assert not (tmp_path / "stream.csv").exists() and not (tmp_path / "memory.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hh.csv", "p.csv"]


def test_unsorted_persons_fall_back_in_profile(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The person file's order is checked by the second pass (after a households-only first pass): the profile's
    partial sums are dropped and the memory engine gives the estimates."""
    persons = pd.read_csv(SAMPLE / "persons.csv", dtype=str, keep_default_na=False)
    persons.sample(frac=1.0, random_state=3).to_csv(tmp_path / "p.csv", index=False)
    spec = InputSpec(SAMPLE / "households.csv", persons=tmp_path / "p.csv")
    memory = run_profile(ProfileRequest(spec, by=("kec_name",)))
    with caplog.at_level(logging.WARNING):
        stream = run_profile(ProfileRequest(spec, by=("kec_name",), engine="stream", chunk_rows=700))
    assert any("reading it whole instead" in r.getMessage() for r in caplog.records)
    assert_same_estimates(memory.estimates, stream.estimates)


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_spss_stata_stream_equals_memory(tmp_path: Path, fmt: str) -> None:
    """SPSS and Stata files read a slice of cases at a time (value labels, user-missing codes, numeric ids) map to
    the values of a whole read: the sample's Susenas-style files, and a generated survey across many chunks."""
    from peka.deliver.sample import write_sample
    from peka.sample import generate

    spec = InputSpec(SAMPLE / f"susenas_kor_rt.{fmt}", persons=SAMPLE / f"susenas_kor_ind.{fmt}")
    memory, stream = both_classify(spec, tmp_path, ".csv", chunk_rows=700)
    assert_same_classification(tmp_path, ".csv")
    assert stream.counts == memory.counts and memory.counts.rows_in["household"] == 3000

    folder = tmp_path / "gen"
    written = write_sample(generate(12_000, seed=11), folder, (fmt,))
    hh = next(p for p in written if p.suffix == f".{fmt}" and "_rt" in p.name)
    persons = next(p for p in written if p.suffix == f".{fmt}" and "_ind" in p.name)
    spec = InputSpec(hh, persons=persons)
    memory, stream = both_classify(spec, tmp_path, ".parquet", chunk_rows=2_500)
    assert_same_classification(tmp_path, ".parquet")
    assert stream.counts == memory.counts and memory.counts.rows_in["household"] == 12_000


def test_households_only_stream_equals_memory(tmp_path: Path) -> None:
    """No person file (``--skip mpi``): the MPI flags are missing for every household, which the summary notes."""
    spec = InputSpec(SAMPLE / "households.csv")
    memory, stream = both_classify(spec, tmp_path, ".csv", chunk_rows=400, skip=["mpi"])
    assert stream.summary_sums is not None
    assert_same_classification(tmp_path, ".csv")
    assert memory.table["mpi_poor"].isna().any()
    assert_same_summary(memory, stream)


def test_id_hash_set_finds_exactly_the_ids_added() -> None:
    """The cross-chunk duplicate check's hash set (runs merged in place) against a Python set of the same values:
    chunks of uneven sizes, so runs of every length merge, and queries that are in it and that are not."""
    from peka.engine.stream import _HashSet

    rng = np.random.default_rng(5)
    seen, added, total = _HashSet(), set(), 0
    for size in rng.integers(1, 3_000, size=40):
        chunk = rng.integers(0, 1 << 20, size=size, dtype=np.int64).astype(np.uint64)
        queries = rng.integers(0, 1 << 20, size=50, dtype=np.int64).astype(np.uint64)
        for value in queries[:5]:  # single values: present or not, as the Python set says
            assert seen.contains_any(np.array([value])) == (int(value) in added)
        assert seen.contains_any(queries) == bool(added & set(queries.tolist()))
        seen.add(chunk)
        added |= set(chunk.tolist())
        total += len(chunk)
        assert all(len(a) >= len(b) for a, b in zip(seen.runs, seen.runs[1:], strict=False))
        assert all(bool((np.diff(run.astype(np.float64)) >= 0).all()) for run in seen.runs)
    assert set(np.concatenate(seen.runs).tolist()) == added
    assert sum(len(run) for run in seen.runs) == total  # every hash kept, repeats too
