"""`peka classify` end to end through the CLI: output file, summary, personal data, on-invalid, exit codes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from peka.cli.app import app
from peka.errors import ExitCode

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang"
HH, PERSONS = str(SAMPLE / "households.csv"), str(SAMPLE / "persons.csv")
runner = CliRunner()


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("classify") / "hasil.csv"
    result = runner.invoke(app, ["classify", HH, "--persons", PERSONS, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return result, out


def test_writes_one_row_per_household_without_personal_data(written):
    _, out = written
    table = pd.read_csv(out, dtype={"hh_id": str})
    raw = pd.read_csv(HH, dtype={"hh_id": str})
    assert table["hh_id"].tolist() == raw["hh_id"].tolist()
    assert not {"head_nik", "head_name", "kk_no", "address"} & set(table.columns)
    assert table["_row"].tolist() == list(range(2, len(raw) + 2))  # CSV line numbers


def test_summary_in_indonesian_with_row_counts(written):
    result, _ = written
    text = result.output
    assert "Ringkasan klasifikasi" in text and "Miskin" in text and "Rentan miskin" in text
    assert "3.000 dibaca = 3.000 diproses + 0 ditolak (rumah tangga)" in text
    assert "satu sumber" in text  # the extreme line is single-source
    assert "BELUM TERKONFIRMASI" in text  # the Indonesia MPI set is peka's own design


def test_summary_counts_match_the_table(written):
    result, out = written
    table = pd.read_csv(out)
    n_poor = int((table["level"] == "miskin").sum())
    line = next(line for line in result.output.splitlines() if line.startswith("│ Miskin ") and "│" in line)
    assert f"{n_poor:,}".replace(",", ".") in line  # Indonesian thousands separator


def test_english_and_unconfirmed_scheme(tmp_path):
    result = runner.invoke(
        app, ["classify", HH, "--persons", PERSONS, "--lang", "en", "--set", "levels.scheme=ppls_0812"]
    )
    assert result.exit_code == 0, result.output
    assert "Very poor" in result.output and "UNCONFIRMED" in result.output
    assert "Extreme poverty line: Rp391,000 (USD 2.15 PPP 2017) [single source]" in result.output


def test_include_personal_and_parquet(tmp_path):
    out = tmp_path / "with_nik.parquet"
    result = runner.invoke(app, ["classify", HH, "--persons", PERSONS, "-o", str(out), "--include-personal"])
    assert result.exit_code == 0
    table = pd.read_parquet(out)
    assert table["head_nik"].str.fullmatch(r"\d{16}").all()


def test_skip_writes_rejects_and_balances(tmp_path):
    raw = pd.read_csv(HH, dtype=str)
    raw.loc[3, "hh_size"] = "0"  # out of range: an error
    bad = tmp_path / "rt.csv"
    raw.to_csv(bad, index=False)
    rejects = tmp_path / "ditolak.csv"
    fail = runner.invoke(app, ["classify", str(bad), "--persons", PERSONS])
    assert fail.exit_code == ExitCode.INPUT_INVALID
    result = runner.invoke(
        app,
        [
            "classify",
            str(bad),
            "--persons",
            PERSONS,
            "--on-invalid",
            "skip",
            "--rejects",
            str(rejects),
            "-o",
            str(tmp_path / "out.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "3.000 dibaca = 2.999 diproses + 1 ditolak (rumah tangga)" in result.output
    assert len(pd.read_csv(tmp_path / "out.csv")) == 2999
    assert 5 in pd.read_csv(rejects)["_row"].tolist()  # data row 4 is file line 5


@pytest.mark.parametrize(
    "args",
    [["--on-invalid", "maybe"], ["--lang", "fr"], ["-o", "x.txt"], ["--rejects", "r.csv"]],
)
def test_usage_errors(args):
    assert runner.invoke(app, ["classify", HH, *args]).exit_code == ExitCode.USAGE


def test_xlsx_output_and_the_sheet_row_limit(tmp_path, monkeypatch):
    from peka.deliver import files

    assert files.XLSX_MAX_ROWS == 1_048_576  # Excel's sheet limit, header row included
    # the sample's 3,000 households + 1 header row: fits a sheet of 3,001 rows, not one of 3,000
    monkeypatch.setattr(files, "XLSX_MAX_ROWS", 3_001)
    out = tmp_path / "hasil.xlsx"
    result = runner.invoke(app, ["classify", HH, "--persons", PERSONS, "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_excel(out, dtype={"hh_id": str}, engine="calamine")
    assert table["hh_id"].tolist() == pd.read_csv(HH, dtype={"hh_id": str})["hh_id"].tolist()
    monkeypatch.setattr(files, "XLSX_MAX_ROWS", 3_000)
    refused = tmp_path / "besar.xlsx"
    result = runner.invoke(app, ["classify", HH, "--persons", PERSONS, "-o", str(refused)])
    assert result.exit_code == ExitCode.USAGE
    assert "3,000 households do not fit in an XLSX sheet" in result.output and not refused.exists()


def test_config_init_then_classify_with_it(tmp_path):
    config = tmp_path / "peka.toml"
    assert runner.invoke(app, ["config", "init", "-o", str(config)]).exit_code == 0
    with_file = tmp_path / "a.parquet"
    result = runner.invoke(app, ["classify", HH, "--persons", PERSONS, "--config", str(config), "-o", str(with_file)])
    assert result.exit_code == 0, result.output
    default = tmp_path / "b.parquet"
    assert runner.invoke(app, ["classify", HH, "--persons", PERSONS, "-o", str(default)]).exit_code == 0
    # the starting file restates the defaults: same table
    pd.testing.assert_frame_equal(pd.read_parquet(with_file), pd.read_parquet(default))


def test_unconfirmed_settings_are_labelled_in_the_summary_and_beside_the_table(written, tmp_path):
    result, out = written
    text = result.output
    # the thresholds the rules read that are not confirmed, and the cause catalogue (a peka design)
    assert "Ambang LAND_M2 = 500 [BELUM TERKONFIRMASI]" in text
    assert "Ambang DEPENDENCY_RATIO_MAX = 1 [BELUM TERKONFIRMASI]" in text
    assert "Katalog penyebab dan penyebab utama (rancangan peka) [BELUM TERKONFIRMASI]" in text
    assert "Ambang ELDERLY_AGE" not in text  # confirmed (UU 13/1998): no mark
    record = out.with_name(out.name + ".peka.toml")
    lines = record.read_text(encoding="utf-8").splitlines()
    assert "#   [unconfirmed] bps14.constants.LAND_M2: LAND_M2 = 500" in "\n".join(lines)
    assert any(line.startswith("#   [single_source] extreme: Rp391,000") for line in lines)
    # the record is a valid peka.toml that reproduces the run
    again = tmp_path / "again.csv"
    rerun = runner.invoke(app, ["classify", HH, "--persons", PERSONS, "--config", str(record), "-o", str(again)])
    assert rerun.exit_code == 0, rerun.output
    assert again.read_bytes() == out.read_bytes()


def test_without_person_table_the_summary_says_why_mpi_is_undetermined():
    # without --persons the MPI cannot be computed: exit 3 unless the loss is accepted with --skip mpi
    result = runner.invoke(app, ["classify", HH, "--skip", "mpi"])
    assert result.exit_code == 0, result.output
    # both Indonesia-MPI education indicators are member-level: without members the whole dimension is missing,
    # so under "reweight" no household has an MPI status
    assert "Status MPI tidak dapat ditentukan untuk 3.000 rumah tangga" in result.output
    assert "berikan tabel anggota (--persons)" in result.output


def test_dash_output_writes_csv_to_stdout_and_the_summary_to_stderr():
    import io

    import pandas as pd
    from typer.testing import CliRunner

    from peka.cli.app import app

    sample = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang"
    result = CliRunner().invoke(
        app, ["classify", str(sample / "households.csv"), "--persons", str(sample / "persons.csv"), "-o", "-"]
    )
    assert result.exit_code == 0, result.stderr
    table = pd.read_csv(io.StringIO(result.stdout), dtype={"hh_id": str})
    source = pd.read_csv(sample / "households.csv", dtype={"hh_id": str})
    assert list(table["hh_id"]) == list(source["hh_id"])  # one row per household, input order
    assert "poverty_status" in table.columns
    assert "3.000" in result.stderr  # the summary (rows in = processed + rejected) went to stderr
