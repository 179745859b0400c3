"""SPSS, Stata, XLSX and Parquet reading: value labels, user-missing codes, NIK stored as numbers, broken files."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import xlsxwriter

from peka.errors import ConfigError, InputError
from peka.io import load_survey

MAPPING = """
name = "test"
[household]
hh_id = "URUT"
hh_size = "R301"
urban_rural = { from = "R105", values = { "1" = "perkotaan", "2" = "perdesaan" }%s }
"""


def _sav(tmp_path, r105):
    frame = pd.DataFrame({"URUT": ["001", "002", "003", "004"], "R301": [4.0, 2.0, 3.0, 1.0], "R105": r105})
    path = tmp_path / "kor.sav"
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={"R105": {1: "Perkotaan", 2: "Perdesaan", 98: "Tidak tahu"}},
        missing_ranges={"R105": [98]},
    )
    return path


def test_sav_user_missing_code_listed_in_the_mapping_is_counted_and_missing(tmp_path):
    path = _sav(tmp_path, [1.0, 98.0, 2.0, 98.0])
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING % ', missing = ["98"]')
    survey = load_survey(path, mapping=mapping)
    hh = survey.households
    assert hh["urban_rural"].tolist()[0::2] == ["perkotaan", "perdesaan"]
    assert hh["urban_rural"].isna().tolist() == [False, True, False, True]
    assert survey.user_missing == [
        {"table": "household", "column": "R105", "canonical": "urban_rural", "code": "98", "label": "Tidak tahu",
         "count": 2, "action": "missing"}
    ]  # fmt: skip
    assert survey.findings == []
    assert hh["_row"].tolist() == [1, 2, 3, 4]  # case numbers
    assert hh["hh_id"].tolist() == ["001", "002", "003", "004"]


def test_sav_user_missing_code_not_in_the_mapping_is_counted_kept_and_reported(tmp_path):
    path = _sav(tmp_path, [1.0, 98.0, 2.0, 2.0])
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING % "")
    survey = load_survey(path, mapping=mapping)
    [count] = survey.user_missing
    assert (count["code"], count["count"], count["action"]) == ("98", 1, "kept")
    checks = sorted((f.check, f.row, f.severity) for f in survey.findings)
    # the code is not silently missing: a warning for the column, and an error for the cell (98 is no category)
    assert checks == [("unknown_category", 2, "error"), ("user_missing", None, "warning")]


def test_dta_value_labels_are_kept_and_usable_in_values(tmp_path):
    frame = pd.DataFrame({"urut": ["1", "2", "3"], "r301": [2, 5, 1], "r105": [2, 1, 2]})
    path = tmp_path / "kor.dta"
    pyreadstat.write_dta(frame, str(path), variable_value_labels={"r105": {1: "Perkotaan", 2: "Perdesaan"}})
    mapping = tmp_path / "m.toml"
    # recode on the *labels* (not the codes); source names matched case-blind (URUT ~ urut)
    mapping.write_text(
        'name = "t"\n[household]\nhh_id = "URUT"\nhh_size = "R301"\n'
        'urban_rural = { from = "R105", values = { "Perkotaan" = "perkotaan", "Perdesaan" = "perdesaan" } }\n'
    )
    survey = load_survey(path, mapping=mapping)
    assert survey.households["urban_rural"].tolist() == ["perdesaan", "perkotaan", "perdesaan"]
    assert survey.value_labels == {"household": {"r105": {1: "Perkotaan", 2: "Perdesaan"}}}


def test_susenas_preset_is_detected_from_a_dta_header(tmp_path):
    frame = pd.DataFrame({"URUT": ["01"], "R101": [11], "R102": [1172], "R105": [1], "R301": [3], "KAPITA": [650000.0]})
    path = tmp_path / "blok43.dta"
    pyreadstat.write_dta(frame, str(path))
    hh = load_survey(path).households
    assert hh[["hh_id", "prov_code", "kab_code", "urban_rural"]].values.tolist() == [["01", "11", "1172", "perkotaan"]]
    assert hh["exp_pc"].tolist() == [650000.0]


def test_a_header_matching_no_preset_is_a_config_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("alpha,beta,gamma\n1,2,3\n")
    with pytest.raises(ConfigError, match="no mapping preset matches") as info:
        load_survey(path)
    assert info.value.exit_code == 4


def _workbook(path, rows, sheet="Keluarga", person_rows=None):
    book = xlsxwriter.Workbook(str(path))
    sheet_ = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        sheet_.write_row(r, 0, row)
    if person_rows:
        persons = book.add_worksheet("Individu")
        for r, row in enumerate(person_rows):
            persons.write_row(r, 0, row)
    book.close()


def test_xlsx_nik_stored_as_a_number_is_reported_never_converted(tmp_path):
    path = tmp_path / "p3ke.xlsx"
    header = ["ID Keluarga P3KE", "Jumlah Anggota Keluarga", "NIK", "Jenis Lantai", "Kode Kemendagri"]
    _workbook(path, [
        header,
        ["P001", 3, "1172010101800001", "Tanah", "1172010001"],
        ["P002", 2, 1172010101800002, "KERAMIK", "1172010002"],  # a number: Excel keeps 15 digits
        ["P003", 4, "3,17E+15", "Semen/Bata Merah", "0101"],
    ])  # fmt: skip
    survey = load_survey(path)  # p3ke detected from the headers
    hh = survey.households
    assert hh["head_nik"].tolist()[0] == "1172010101800001"
    assert hh["head_nik"].isna().tolist() == [False, True, True]
    assert hh["floor_material"].tolist() == ["tanah", "keramik", "semen"]  # text values matched case-blind
    assert hh["desa_code"].tolist() == ["1172010001", "1172010002", "0101"]
    found = sorted((f.check, f.row, f.column, f.value) for f in survey.findings)
    assert found == [("id_as_number", 3, "NIK", "***"), ("id_as_number", 4, "NIK", "***")]
    assert survey.sources["household"].endswith("p3ke.xlsx (sheet Keluarga)")


def test_xlsx_person_sheet_is_read_with_the_households(tmp_path):
    path = tmp_path / "p3ke.xlsx"
    _workbook(
        path,
        [["ID Keluarga P3KE", "Jumlah Anggota Keluarga"], ["P001", 2]],
        person_rows=[["ID Keluarga P3KE", "No Urut Anggota", "Jenis Kelamin", "Hubungan dengan Kepala Keluarga"],
                     ["P001", 1, "Perempuan", "Kepala Keluarga"], ["P001", 2, "Laki-laki", "Anak"]],
    )  # fmt: skip
    survey = load_survey(path, mapping="p3ke")
    assert survey.persons[["person_no", "sex", "relation"]].astype(object).values.tolist() == [
        [1, "p", "kepala"], [2, "l", "anak"]
    ]  # fmt: skip
    assert survey.persons["_row"].tolist() == [2, 3]


def test_xlsx_sheet_by_name_or_position_and_unknown_sheet(tmp_path):
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Catatan").write_row(0, 0, ["catatan"])
    data = book.add_worksheet("Data")
    data.write_row(0, 0, ["hh_id", "hh_size"])
    data.write_row(1, 0, ["a", 2])
    book.close()
    assert load_survey(path, mapping="canonical", sheet="data").households["hh_size"].tolist() == [2]
    assert load_survey(path, mapping="canonical", sheet=1).households["hh_id"].tolist() == ["a"]
    with pytest.raises(InputError, match="Catatan, Data"):
        load_survey(path, mapping="canonical", sheet="Rumah Tangga")


def test_xlsx_header_twice_is_an_error_not_a_silent_rename(tmp_path):
    # pandas alone would call the second column "Jumlah Anggota Keluarga.1" and the mapping would read the first
    path = tmp_path / "p3ke.xlsx"
    _workbook(path, [["ID Keluarga P3KE", "Jumlah Anggota Keluarga", "Jumlah Anggota Keluarga"], ["P001", 3, 4]])
    with pytest.raises(InputError, match="'Jumlah Anggota Keluarga' appears twice in the header") as info:
        load_survey(path, mapping="p3ke")
    assert info.value.row == 1


def test_xlsx_leading_blank_rows_are_skipped_and_rows_keep_sheet_numbers(tmp_path):
    path = tmp_path / "p3ke.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Keluarga")
    sheet.write_row(2, 0, ["ID Keluarga P3KE", "Jumlah Anggota Keluarga", "Keterangan"])  # header on sheet row 3
    sheet.write_row(3, 0, ["P001", 3])
    sheet.write_row(5, 0, ["P002", "tiga"])  # sheet row 6, after a blank row 5
    sheet.write(6, 2, "catatan")  # row 7: a note in an unmapped column only
    book.close()
    survey = load_survey(path, mapping="p3ke")
    hh = survey.households
    assert hh["_row"].tolist() == [4, 6, 7]
    assert hh["hh_id"].tolist()[:2] == ["P001", "P002"] and hh["hh_size"].tolist()[0] == 3
    assert [(f.row, f.column, f.check, f.value) for f in survey.findings] == [
        (6, "Jumlah Anggota Keluarga", "type", "***")  # free text in a number column is masked (docs/privacy.md)
    ]


def test_xlsx_title_rows_above_the_table_are_skipped(tmp_path, caplog, monkeypatch):
    path = tmp_path / "p3ke.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Keluarga")
    sheet.write(0, 0, "DATA P3KE KOTA SABANG 2025")  # a title in one cell, then a blank row
    sheet.write(1, 0, "Sumber: SEPAKAT")
    sheet.write_row(3, 0, ["ID Keluarga P3KE", "Jumlah Anggota Keluarga", "Desil Kesejahteraan"])  # sheet row 4
    sheet.write_row(4, 0, ["P001", 3, 1])
    sheet.write_row(5, 0, ["P002", 2])  # desil left empty: still a data row
    book.close()
    monkeypatch.setattr(logging.getLogger("peka"), "propagate", True)  # the CLI's setup_logging may have cut it
    with caplog.at_level("INFO", logger="peka.io.excel"):
        survey = load_survey(path, mapping="p3ke")
    hh = survey.households
    assert hh["_row"].tolist() == [5, 6]
    assert hh["hh_id"].tolist() == ["P001", "P002"] and hh["hh_size"].tolist() == [3, 2]
    assert "header is on row 4" in caplog.text


def test_encrypted_xlsx_is_an_input_error(tmp_path):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 1024)  # OLE2 container, as Excel encrypts
    with pytest.raises(InputError, match="password"):
        load_survey(path, mapping="p3ke")


def test_corrupt_and_truncated_sav_are_input_errors(tmp_path):
    good = _sav(tmp_path, [1.0, 2.0, 1.0, 2.0])
    data = good.read_bytes()
    for name, content in (("garbage.sav", b"$FL2" + b"\x07" * 300), ("cut.sav", data[: len(data) // 2])):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(InputError) as info:
            load_survey(path, mapping="susenas")
        assert name in str(info.value)


def test_parquet_rows_are_numbered_from_one(tmp_path):
    path = tmp_path / "rt.parquet"
    pd.DataFrame({"hh_id": ["x", "y"], "hh_size": [1, 2], "weight": [10.5, np.nan]}).to_parquet(path)
    hh = load_survey(path, mapping="canonical").households
    assert hh["_row"].tolist() == [1, 2]
    assert hh["weight"].tolist()[0] == 10.5 and np.isnan(hh["weight"].tolist()[1])


def test_zsav_is_read_like_sav(tmp_path):
    frame = pd.DataFrame({"URUT": ["9"], "R301": [2.0], "R105": [2.0]})
    path = tmp_path / "kor.zsav"
    pyreadstat.write_sav(
        frame, str(path), compress=True, variable_value_labels={"R105": {1: "Perkotaan", 2: "Perdesaan"}}
    )
    hh = load_survey(path, mapping="susenas").households
    assert hh[["hh_id", "hh_size", "urban_rural"]].astype(object).values.tolist() == [["9", 2, "perdesaan"]]


def test_keep_unmapped_keeps_source_columns(tmp_path):
    path = tmp_path / "rt.csv"
    path.write_text("hh_id,hh_size,Catatan\n1,2,rumah kosong\n")
    assert "Catatan" not in load_survey(path, mapping="canonical").households
    kept = load_survey(path, mapping="canonical", keep_unmapped=True).households
    assert kept["Catatan"].tolist() == ["rumah kosong"]
