"""The stream engine gives exactly the memory engine's results (classify columns, profile estimates and SEs,
validation findings), with the person file linked chunk by chunk, or bucketed on disk when it is out of order; a
household id in two chunks falls back to memory."""

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


def test_200k_shuffled_parquet_persons_stream_equals_memory(big_survey: Path, tmp_path: Path) -> None:
    """A generated survey of 200,000 households whose person Parquet file is shuffled: bucketed (7 household
    chunks, 28 person chunks) and classified as the memory engine does, every column."""
    import pyarrow.parquet as pq

    persons = pq.read_table(big_survey / "persons.parquet")
    order = np.random.default_rng(2).permutation(persons.num_rows)
    pq.write_table(persons.take(order), tmp_path / "persons.parquet")
    spec = InputSpec(big_survey / "households.parquet", persons=tmp_path / "persons.parquet")
    memory, stream = both_classify(spec, tmp_path, ".parquet", chunk_rows=30_000)
    assert_same_classification(tmp_path, ".parquet")
    assert stream.counts == memory.counts and memory.counts.rows_in["household"] == 200_000
    assert stream.summary_sums is not None


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


def rejects_and_failure_as_in_memory(spec: InputSpec, tmp: Path, name: str, **engine: object):
    """Classify ``spec`` under ``--on-invalid skip`` in memory and on ``engine`` (outputs named ``name``): the same
    rejects (frame and file), output and counts; and under ``fail`` the same error. Returns both runs."""
    memory = run_classify(spec, rows=RowPolicy("skip", rejects=tmp / "memory.rejects.csv"), output=tmp / "memory.csv")
    other = run_classify(spec, rows=RowPolicy("skip", rejects=tmp / f"{name}.rejects.csv"), output=tmp / f"{name}.csv",
                         **engine)
    pd.testing.assert_frame_equal(memory.rejects, other.rejects)
    assert (tmp / "memory.rejects.csv").read_bytes() == (tmp / f"{name}.rejects.csv").read_bytes()
    assert (tmp / "memory.csv").read_bytes() == (tmp / f"{name}.csv").read_bytes()
    assert memory.counts == other.counts
    with pytest.raises(ValidationFailed) as in_memory:
        run_classify(spec)
    with pytest.raises(ValidationFailed) as elsewhere:
        run_classify(spec, **engine)
    assert str(elsewhere.value) == str(in_memory.value)
    return memory, other


@pytest.mark.parametrize("chunk_rows", [700, 1401])  # the repeated id within one chunk; across two (fallback)
def test_duplicates_and_orphans_found_as_in_memory(tmp_path: Path, chunk_rows: int) -> None:
    spec = broken_sample(tmp_path)
    memory, stream = rejects_and_failure_as_in_memory(spec, tmp_path, "stream", engine="stream", chunk_rows=chunk_rows)
    assert {"duplicate_id", "orphan_person"} <= set(memory.rejects["check"])
    # the duplicate is the repeated line (row 1403: "already used in row 1402"), the two orphans are persons
    dup = memory.rejects[memory.rejects["check"] == "duplicate_id"]
    assert dup["_row"].tolist() == [1403] and "1402" in dup["message"].iloc[0]
    assert (memory.rejects["check"] == "orphan_person").sum() == 2
    assert_same_summary(memory, stream)


def shuffled_persons(tmp: Path, persons: Path = SAMPLE / "persons.csv", seed: int = 3) -> Path:
    """The person file in a random order (households no longer grouped, nor in the household file's order)."""
    frame = pd.read_csv(persons, dtype=str, keep_default_na=False)
    out = tmp / "shuffled.csv"
    frame.sample(frac=1.0, random_state=seed).to_csv(out, index=False)
    return out


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where scratch folders go (``TMPDIR``), to see what is left there and with which permissions."""
    import tempfile

    folder = tmp_path / "tmpdir"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_unsorted_persons_put_in_order_on_disk(tmp_path: Path, scratch: Path,
                                               caplog: pytest.LogCaptureFixture) -> None:
    """A shuffled person file is bucketed by household chunk in a private scratch folder and streamed: the output,
    counts and summary are the memory engine's, and the folder is gone afterwards."""
    import stat

    from peka.engine import person_order

    spec = InputSpec(SAMPLE / "households.csv", persons=shuffled_persons(tmp_path))
    seen: list[tuple[int, list[str]]] = []
    build = person_order.PersonBuckets.build

    def watched(stream, folder):  # type: ignore[no-untyped-def]
        buckets = build(stream, folder)
        seen.append((stat.S_IMODE(folder.stat().st_mode), sorted(p.name for p in folder.iterdir())))
        return buckets

    memory = run_classify(spec, output=tmp_path / "memory.csv")
    with caplog.at_level(logging.WARNING), _no_fallback(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(person_order.PersonBuckets, "build", watched)
        stream = run_classify(spec, output=tmp_path / "stream.csv", engine="stream", chunk_rows=700)
    assert any("not in the order of the household file" in r.getMessage() and "on disk" in r.getMessage()
               for r in caplog.records)
    assert (tmp_path / "memory.csv").read_bytes() == (tmp_path / "stream.csv").read_bytes()
    assert stream.summary_sums is not None  # streamed, not read whole
    assert stream.counts == memory.counts
    assert_same_summary(memory, stream)
    # 12,524 persons in chunks of 700 persons, 4 chunks a scratch file: 18 chunks in 5 files, only to this user
    assert seen == [(0o700, [f"persons-{i:05d}.arrow" for i in range(5)])]
    assert list(scratch.iterdir()) == []


def test_a_shuffled_person_file_is_found_before_the_first_chunk(tmp_path: Path) -> None:
    """Members of the first chunk among the persons read past its split: ``Unsorted`` before any chunk is yielded
    (no chunk is classified with part of its members); in file order, every chunk comes."""
    from peka.engine.stream import StreamSurvey, Unsorted

    shuffled = StreamSurvey(SAMPLE / "households.csv", persons=shuffled_persons(tmp_path), chunk_rows=700)
    chunks = shuffled.chunks()
    with pytest.raises(Unsorted) as found:
        next(chunks)
    assert found.value.persons
    in_order = StreamSurvey(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv", chunk_rows=700)
    assert sum(len(chunk.persons) for chunk in in_order.chunks()) == 12_524


def test_bucketed_members_are_each_chunks_persons_in_file_order(tmp_path: Path) -> None:
    """``PersonBuckets.members(c)`` are the rows of the person file whose household is in chunk ``c`` of the
    household file, in the person file's order (pandas on the raw files), and the orphans are with the last chunk."""
    from peka.deliver.scratch import scratch_folder
    from peka.engine.person_order import PersonBuckets
    from peka.engine.stream import StreamSurvey

    persons_path = shuffled_persons(tmp_path, seed=11)
    raw = pd.read_csv(persons_path, dtype=str, keep_default_na=False)
    raw.loc[[5, 6000], "hh_id"] = ["nobody", ""]  # no such household; none at all
    raw.to_csv(persons_path, index=False)
    raw_rows = np.arange(2, len(raw) + 2)  # the file's line numbers
    hh_ids = pd.read_csv(SAMPLE / "households.csv", dtype=str, keep_default_na=False)["hh_id"]
    stream = StreamSurvey(SAMPLE / "households.csv", persons=persons_path, chunk_rows=1000)
    with scratch_folder() as folder:
        buckets = PersonBuckets.build(stream, folder)
        assert buckets.n_chunks == 3 and buckets.rows == len(raw)
        for chunk in range(3):
            members, _, _ = buckets.members(chunk)
            wanted = raw["hh_id"].isin(hh_ids.iloc[chunk * 1000:(chunk + 1) * 1000]).to_numpy(copy=True)
            if chunk == 2:
                wanted[[5, 6000]] = True
            assert members["_row"].tolist() == raw_rows[wanted].tolist()
            assert members["nik"].tolist() == raw.loc[wanted, "nik"].tolist()
            assert members["age"].tolist() == pd.to_numeric(raw.loc[wanted, "age"]).tolist()


def test_unsorted_persons_with_bad_rows_rejected_as_in_memory(tmp_path: Path, scratch: Path) -> None:
    """The broken sample (a repeated household, two orphans) with its person file shuffled and a few person cells
    unreadable: the same rejects as the memory engine (skip), the same error (fail), and no scratch folder left
    after either."""
    spec = broken_sample(tmp_path)
    frame = pd.read_csv(spec.persons, dtype=str, keep_default_na=False)
    frame.loc[[10, 2000, 9000], "age"] = "abc"
    frame.sample(frac=1.0, random_state=5).to_csv(spec.persons, index=False)
    with _no_fallback():
        memory, _ = rejects_and_failure_as_in_memory(spec, tmp_path, "stream", engine="stream", chunk_rows=700)
    assert {"duplicate_id", "orphan_person", "type"} <= set(memory.rejects["check"])
    assert (memory.rejects["check"] == "type").sum() == 3
    assert list(scratch.iterdir()) == []


def test_household_id_in_two_chunks_still_falls_back(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The first household repeated as the last line, with a shuffled person file: the person order is found
    wrong first, the repeated id while bucketing, and the memory engine reports it."""
    lines = (SAMPLE / "households.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "hh.csv").write_text("".join([*lines, lines[1]]), encoding="utf-8")
    spec = InputSpec(tmp_path / "hh.csv", persons=shuffled_persons(tmp_path, seed=5))
    rows = RowPolicy("skip")
    memory = run_classify(spec, rows=rows, output=tmp_path / "memory.csv")
    with caplog.at_level(logging.WARNING):
        run_classify(spec, rows=rows, output=tmp_path / "stream.csv", engine="stream", chunk_rows=700)
    messages = [r.getMessage() for r in caplog.records]
    assert any("not in the order of the household file" in m and "on disk" in m for m in messages)
    assert any("household id repeats in another chunk" in m and "--engine memory" in m for m in messages)
    assert (tmp_path / "memory.csv").read_bytes() == (tmp_path / "stream.csv").read_bytes()
    assert memory.rejects.loc[memory.rejects["check"] == "duplicate_id", "_row"].tolist() == [3002]


def test_a_chunk_without_members_as_in_memory(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The members of the first 700 households removed: the first chunk has none (no "no data rows" error, no
    "no person table" warning for it) and the output is the memory engine's."""
    households = pd.read_csv(SAMPLE / "households.csv", dtype=str, keep_default_na=False)
    persons = pd.read_csv(SAMPLE / "persons.csv", dtype=str, keep_default_na=False)
    persons[~persons["hh_id"].isin(households["hh_id"].iloc[:700])].to_csv(tmp_path / "p.csv", index=False)
    spec = InputSpec(SAMPLE / "households.csv", persons=tmp_path / "p.csv")
    with caplog.at_level(logging.WARNING):
        memory, stream = both_classify(spec, tmp_path, ".csv", chunk_rows=700)
    assert_same_classification(tmp_path, ".csv")
    assert stream.counts == memory.counts and memory.counts.rows_in["person"] < 12_524
    assert not [r.getMessage() for r in caplog.records if "no person table" in r.getMessage()]


def test_empty_person_file_is_an_input_error_as_in_memory(tmp_path: Path) -> None:
    """A person file with a header and no rows: the memory engine's error (a chunk without members is no error)."""
    from peka.errors import InputError

    header = (SAMPLE / "persons.csv").read_text(encoding="utf-8").splitlines(keepends=True)[0]
    (tmp_path / "p.csv").write_text(header, encoding="utf-8")
    spec = InputSpec(SAMPLE / "households.csv", persons=tmp_path / "p.csv")
    with pytest.raises(InputError) as in_memory:
        run_classify(spec)
    with pytest.raises(InputError) as streamed:
        run_classify(spec, engine="stream", chunk_rows=700)
    assert str(streamed.value) == str(in_memory.value) and "no data rows" in str(in_memory.value)


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


def test_unsorted_persons_profile_streams(tmp_path: Path) -> None:
    """The person file's order is found out of order by the second pass (after a households-only first pass): the
    partial sums so far are dropped, the persons bucketed on disk, and the estimates are the memory engine's."""
    spec = InputSpec(SAMPLE / "households.csv", persons=shuffled_persons(tmp_path))
    memory = run_profile(ProfileRequest(spec, by=("kec_name",)))
    with _no_fallback():
        stream = run_profile(ProfileRequest(spec, by=("kec_name",), engine="stream", chunk_rows=700))
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


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_profile_of_a_classified_file_streams_as_in_memory(tmp_path: Path, suffix: str,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    """``peka profile klasifikasi.csv --engine stream``: the classified file read in chunks (7 of 450 rows), every
    estimate and SE the memory engine's whole read gives, the same design and line values."""
    spec = InputSpec(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv")
    run_classify(spec, output=tmp_path / f"k{suffix}")
    classified = InputSpec(tmp_path / f"k{suffix}")
    by = ("kec_name", ("kec_name", "urban_rural"), "desa_name")
    memory = run_profile(ProfileRequest(classified, by=by))
    with caplog.at_level(logging.INFO, logger="peka"):
        stream = run_profile(ProfileRequest(classified, by=by, engine="stream", chunk_rows=450))
    assert any("read in chunks" in r.getMessage() for r in caplog.records)
    assert_same_estimates(memory.estimates, stream.estimates)
    assert memory.design == stream.design


def test_cli_profile_of_a_classified_file_stream_writes_the_memory_files(tmp_path: Path) -> None:
    """The JSON and CSV written by ``peka profile k.csv --engine stream`` are the memory engine's, byte for byte; a
    classified file with no rows is the same one-line error (exit 3) on both."""
    from typer.testing import CliRunner

    from peka.cli.app import app

    run_classify(InputSpec(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv"), output=tmp_path / "k.csv")
    for engine in ("memory", "stream"):
        for suffix in (".json", ".csv"):
            result = CliRunner().invoke(app, ["-q", "profile", str(tmp_path / "k.csv"), "--by", "kec_name",
                                              "--engine", engine, "-o", str(tmp_path / f"{engine}{suffix}")])
            assert result.exit_code == 0, result.output
    for suffix in (".json", ".csv"):
        assert (tmp_path / f"memory{suffix}").read_bytes() == (tmp_path / f"stream{suffix}").read_bytes()
    header = (tmp_path / "k.csv").read_text(encoding="utf-8").splitlines(keepends=True)[0]
    (tmp_path / "empty.csv").write_text(header, encoding="utf-8")
    (tmp_path / "empty.csv.peka.toml").write_bytes((tmp_path / "k.csv.peka.toml").read_bytes())
    errors = []
    for engine in ("memory", "stream"):
        result = CliRunner().invoke(app, ["-q", "profile", str(tmp_path / "empty.csv"), "--engine", engine])
        assert result.exit_code == 3
        errors.append(result.stderr.strip())
    assert errors[0] == errors[1] and "no data rows" in errors[0] and len(errors[0].splitlines()) == 1
