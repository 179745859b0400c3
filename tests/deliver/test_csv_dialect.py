"""``--csv-dialect id``: every CSV peka writes can be spelled for Excel set to Indonesian (``;``, decimal comma,
UTF-8 with BOM), with full precision and no thousands grouping, so that pandas and peka read back the same numbers
as from the standard file; formula safety still applies."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from peka.cli.app import app
from peka.deliver.files import CSV_INDONESIAN, CSV_STANDARD, csv_bytes, csv_dialect, table_writer, write_table
from peka.deliver.rejects import write_rejects
from peka.errors import UsageError
from peka.jobs.classify import run_classify
from peka.jobs.inputs import InputSpec
from peka.jobs.target import TargetSpec, run_target
from peka.targeting.verify import read_returned

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang"
BOM = b"\xef\xbb\xbf"
ID_READ = {"sep": ";", "decimal": ",", "encoding": "utf-8-sig"}

FRAME = pd.DataFrame({
    "name": ["=1+1", "Cut Nyak", "-x"],
    "amount": [1234.5, 2_100_000.25, 0.1 + 0.2],  # 0.1 + 0.2 needs all 17 digits to read back exactly
    "count": pd.array([1, None, 1_000_000], dtype="Int64"),
})  # fmt: skip


def test_indonesian_bytes_have_the_bom_semicolons_and_decimal_commas(tmp_path):
    data = write_table(FRAME, tmp_path / "x.csv", csv_dialect=CSV_INDONESIAN).read_bytes()
    assert data.startswith(BOM)
    lines = data[len(BOM):].decode("utf-8").splitlines()
    assert lines[0] == "name;amount;count"
    # written out by hand: decimal comma, no thousands separator, the formula-like text prefixed with '
    assert lines[1] == "'=1+1;1234,5;1"
    assert lines[2] == "Cut Nyak;2100000,25;"
    assert lines[3] == "'-x;0,30000000000000004;1000000"


def test_standard_bytes_are_unchanged(tmp_path):
    data = write_table(FRAME, tmp_path / "x.csv").read_bytes()
    assert not data.startswith(BOM)
    assert data.decode("utf-8").splitlines() == [
        "name,amount,count", "'=1+1,1234.5,1", "Cut Nyak,2100000.25,", "'-x,0.30000000000000004,1000000",
    ]  # fmt: skip


def test_pandas_reads_the_same_numbers_from_both(tmp_path):
    standard = pd.read_csv(write_table(FRAME, tmp_path / "s.csv"))
    indonesian = pd.read_csv(write_table(FRAME, tmp_path / "i.csv", csv_dialect=CSV_INDONESIAN), **ID_READ)
    pd.testing.assert_frame_equal(standard, indonesian)
    assert indonesian["amount"].tolist() == [1234.5, 2_100_000.25, 0.1 + 0.2]  # exact, not approximately


def test_chunked_writer_gives_the_same_bytes_with_one_bom(tmp_path):
    whole = write_table(FRAME, tmp_path / "whole.csv", csv_dialect=CSV_INDONESIAN).read_bytes()
    with table_writer(tmp_path / "chunks.csv", csv_dialect=CSV_INDONESIAN) as writer:
        writer.write(FRAME.iloc[:1])
        writer.write(FRAME.iloc[1:])
    chunked = (tmp_path / "chunks.csv").read_bytes()
    assert chunked == whole
    assert chunked.count(BOM) == 1


def test_csv_bytes_and_rejects_follow_the_dialect(tmp_path):
    assert csv_bytes(FRAME, CSV_INDONESIAN) == BOM + (
        "name;amount;count\n'=1+1;1234,5;1\nCut Nyak;2100000,25;\n'-x;0,30000000000000004;1000000\n"
    ).encode("utf-8")
    rejects = write_rejects(FRAME, tmp_path / "r.csv", CSV_INDONESIAN).read_bytes()
    assert rejects.startswith(BOM + b"name;amount;count")


def test_dialect_names():
    assert csv_dialect("standard") is CSV_STANDARD and csv_dialect("id") is CSV_INDONESIAN
    with pytest.raises(UsageError, match="standard, id"):
        csv_dialect("excel")


# ---- through the commands -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def classified(tmp_path_factory):
    folder = tmp_path_factory.mktemp("classified")
    inputs = InputSpec(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv")
    run_classify(inputs, output=folder / "standard.csv")
    run_classify(inputs, output=folder / "id.csv", csv_dialect=CSV_INDONESIAN)
    return folder


def test_classify_output_reads_back_the_same(classified):
    raw = (classified / "id.csv").read_bytes()
    assert raw.startswith(BOM) and raw[len(BOM):].split(b"\n", 1)[0].count(b";") > 50
    standard = pd.read_csv(classified / "standard.csv", low_memory=False)
    indonesian = pd.read_csv(classified / "id.csv", low_memory=False, **ID_READ)
    pd.testing.assert_frame_equal(standard, indonesian)
    assert standard["exp_pc"].dtype == np.float64  # a number column, compared as numbers


def test_stream_engine_writes_the_same_id_file(classified, tmp_path):
    inputs = InputSpec(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv")
    run_classify(inputs, output=tmp_path / "stream.csv", csv_dialect=CSV_INDONESIAN, engine="stream", chunk_rows=700)
    streamed = pd.read_csv(tmp_path / "stream.csv", low_memory=False, **ID_READ)
    pd.testing.assert_frame_equal(streamed, pd.read_csv(classified / "id.csv", low_memory=False, **ID_READ))


def _profile(path: Path, *extra: str) -> bytes:
    result = CliRunner().invoke(app, ["-q", "profile", str(path), "--by", "kec_name", "--format", "csv", *extra])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_peka_profiles_its_own_id_file_as_the_standard_one(classified):
    standard = pd.read_csv(io.BytesIO(_profile(classified / "standard.csv")))
    indonesian = pd.read_csv(io.BytesIO(_profile(classified / "id.csv")))
    assert len(standard) > 100
    pd.testing.assert_frame_equal(standard.drop(columns=["estimate", "se", "ci_low", "ci_high", "rse", "weighted_n"]),
                                  indonesian.drop(columns=["estimate", "se", "ci_low", "ci_high", "rse", "weighted_n"]))
    for column in ("estimate", "se", "ci_low", "ci_high", "rse", "weighted_n"):
        # the two readers (pyarrow for decimal points, a strict text parse for decimal commas) may round the
        # 17th digit differently; the inputs themselves are equal (test_classify_output_reads_back_the_same)
        np.testing.assert_allclose(indonesian[column], standard[column], rtol=1e-12)


def test_profile_csv_in_the_id_dialect(classified):
    standard = pd.read_csv(io.BytesIO(_profile(classified / "standard.csv")))
    data = _profile(classified / "standard.csv", "--csv-dialect", "id")
    assert data.startswith(BOM) and data[len(BOM):].startswith(b"kec_name;")
    pd.testing.assert_frame_equal(pd.read_csv(io.BytesIO(data), **ID_READ), standard)


def test_classify_to_stdout_in_the_id_dialect(classified):
    result = CliRunner().invoke(app, ["-q", "classify", str(SAMPLE / "households.csv"), "--persons",
                                      str(SAMPLE / "persons.csv"), "-o", "-", "--csv-dialect", "id"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == (classified / "id.csv").read_bytes()


def test_target_writes_every_csv_in_the_dialect_and_reads_its_lists_back(tmp_path):
    inputs = InputSpec(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv")
    spec = TargetSpec(programs=("pkh",), quota=3, evaluate=True, lonely_psu="adjust")
    standard = run_target(inputs, spec=spec, output=tmp_path / "standard")
    indonesian = run_target(inputs, spec=spec, output=tmp_path / "id", csv_dialect=CSV_INDONESIAN)
    names = sorted(p.name for p in standard.output.glob("*.csv"))
    assert {"lists.csv", "summary.csv", "programs.csv", "evaluation.csv", "concordance.csv"} <= set(names)
    for name in names:
        raw = (indonesian.output / name).read_bytes()
        assert raw.startswith(BOM), name
        pd.testing.assert_frame_equal(pd.read_csv(standard.output / name), pd.read_csv(indonesian.output / name,
                                                                                       **ID_READ), obj=name)
    # a returned id-dialect list (as Excel set to Indonesian saves it) is read like a standard one
    # (as text: the columns the round-trip reads; numbers keep the decimal mark they were written with)
    used = ["run_id", "program", "hh_id", "hasil_verifikasi", "catatan", "_row"]
    returned = read_returned(indonesian.output / "lists.csv")[used]
    pd.testing.assert_frame_equal(returned, read_returned(standard.output / "lists.csv")[used])


def test_csv_dialect_is_a_choice_of_every_csv_writing_command():
    runner = CliRunner()
    for command in ("classify", "profile", "target"):
        assert "--csv-dialect" in runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"}).stdout
        bad = runner.invoke(app, [command, str(SAMPLE / "households.csv"), "--csv-dialect", "excel", "-o", "x"])
        assert bad.exit_code == 2 and "--csv-dialect" in bad.output
