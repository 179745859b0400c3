"""Writing the sample: byte-identical files for a seed, the formats' conventions, and the bundled sample."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

import peka.deliver.sample as sample_write
from peka.cli.app import app
from peka.deliver.sample import FORMATS, sample_files, write_sample
from peka.sample import generate

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "data" / "samples" / "sabang"


def test_same_seed_gives_byte_identical_files_in_every_format(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    write_sample(generate(150, 9), first, FORMATS)
    write_sample(generate(150, 9), second, FORMATS)
    names = sample_files(FORMATS)
    assert sorted(p.name for p in first.iterdir()) == sorted(names)
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_bundled_sample_is_what_the_generator_writes(tmp_path):
    """data/samples/sabang is `peka sample --households 3000 --seed 2026` (README there); regenerate and compare."""
    formats = ("csv", "csv-id", "sav", "dta")
    write_sample(generate(3000, 2026), tmp_path, formats)
    for name in sample_files(formats):
        assert (tmp_path / name).read_bytes() == (BUNDLED / name).read_bytes(), name
    assert (BUNDLED / "p3ke_sabang.xlsx").exists() and (BUNDLED / "README.md").exists()


def test_indonesian_number_text():
    values = np.array([1_250_000.5, 4.18, 0.0, 999.0, 1000.0, 1_234_567_890.25, np.nan, -5.5, 1_000_000.0, 0.07])
    got = sample_write._indonesian_numbers(values).to_pylist()
    assert got == ["1.250.000,50", "4,18", "0", "999", "1.000", "1.234.567.890,25", None, "-5,50", "1.000.000", "0,07"]


def test_indonesian_csv_reads_back_with_pandas_locale_options(tmp_path):
    survey = generate(200, 3)
    write_sample(survey, tmp_path, ("csv-id",))
    raw = (tmp_path / "households_id.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as Excel on Windows writes
    back = pd.read_csv(
        tmp_path / "households_id.csv", sep=";", decimal=",", thousands=".", encoding="utf-8-sig", dtype={"hh_id": str}
    )
    for name in ("exp_hh", "exp_pc", "weight", "savings_value", "floor_area"):
        np.testing.assert_array_equal(back[name].to_numpy(dtype=float), survey.households[name].to_numpy(), name)
    assert back["hh_id"].tolist() == survey.households["hh_id"].tolist()


def test_p3ke_workbook_sheets_headers_and_text_nik():
    book = openpyxl.load_workbook(BUNDLED / "p3ke_sabang.xlsx", read_only=True)
    assert book.sheetnames == ["Keluarga", "Individu"]
    keluarga = book["Keluarga"]
    header = [c.value for c in next(keluarga.iter_rows(min_row=1, max_row=1))]
    for name in ("ID Keluarga P3KE", "Desil Kesejahteraan", "Jenis Lantai", "Sumber Air Minum", "NIK"):
        assert name in header
    row = [c for c in next(keluarga.iter_rows(min_row=2, max_row=2))]
    nik = row[header.index("NIK")]
    assert nik.data_type == "s" and len(nik.value) == 16  # NIK stored as text, not a float
    floor = row[header.index("Jenis Lantai")].value
    assert isinstance(floor, str) and floor[0].isupper()  # Indonesian text values, not codes
    individu_header = [c.value for c in next(book["Individu"].iter_rows(min_row=1, max_row=1))]
    assert "Hubungan dengan Kepala Keluarga" in individu_header
    book.close()


def test_sav_declares_user_missing_and_uses_98_for_missing_answers():
    canonical = pd.read_csv(BUNDLED / "households.csv", dtype=str)
    data, meta = pyreadstat.read_sav(BUNDLED / "susenas_kor_rt.sav", user_missing=True)
    for source, canonical_name in sample_write.SAV_USER_MISSING.items():
        assert meta.missing_ranges[source] == [{"lo": 98.0, "hi": 98.0}, {"lo": 99.0, "hi": 99.0}]
        assert meta.variable_value_labels[source][98.0] == "Tidak tahu"
        n_98 = int((data[source] == 98).sum())
        assert n_98 == int(canonical[canonical_name].isna().sum()) and 5 <= n_98 <= 60
    assert meta.variable_value_labels["R105"] == {1.0: "Perkotaan", 2.0: "Perdesaan"}
    assert meta.column_names_to_labels["R301"]  # variable labels written


def test_dta_has_value_labels_and_text_ids():
    data, meta = pyreadstat.read_dta(BUNDLED / "susenas_kor_ind.dta")
    assert meta.variable_value_labels["R403"][1.0] == "Kepala rumah tangga"
    assert data["NIK"].str.fullmatch(r"\d{16}").all()
    assert data["URUT"].iloc[0] == "11720000001"


def test_cli_writes_files(tmp_path):
    result = CliRunner().invoke(
        app, ["sample", "--households", "60", "--seed", "4", "--out", str(tmp_path), "--formats", "csv,parquet"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(sample_files(("csv", "parquet")))
    assert len(pd.read_parquet(tmp_path / "households.parquet")) == 60


def test_cli_refuses_xlsx_beyond_the_sheet_limit(tmp_path, monkeypatch):
    # the real limit (1,048,576 rows) needs ~250,000 households: lower it to show the check on a small sample
    monkeypatch.setattr(sample_write, "XLSX_MAX_ROWS", 100)
    result = CliRunner().invoke(app, ["sample", "-n", "60", "--out", str(tmp_path / "x"), "--formats", "csv,xlsx"])
    assert result.exit_code == 2
    assert "XLSX sheet holds at most" in result.output and "parquet" in result.output
    assert not (tmp_path / "x").exists()  # refused before anything was written


@pytest.mark.parametrize("args", [["--formats", "csv,pdf"], ["--strata", "3"], ["--households", "0"]])
def test_cli_usage_errors_exit_2(tmp_path, args):
    result = CliRunner().invoke(app, ["sample", "--out", str(tmp_path / "y"), *args])
    assert result.exit_code == 2, result.output


def test_cli_out_must_be_a_folder(tmp_path):
    target = tmp_path / "a_file.csv"
    target.write_text("x\n")
    result = CliRunner().invoke(app, ["sample", "-n", "20", "--out", str(target)])
    assert result.exit_code == 2 and "is a file" in result.output
    assert target.read_text() == "x\n"  # untouched
