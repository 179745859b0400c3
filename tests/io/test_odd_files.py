"""Odd input files end clearly: a late cp1252 byte, a title above the CSV header, error lines that name the file.

Expected values come from the bytes the tests write (line numbers counted with ``bytes.count``) and from pandas
reading the same file with the encoding and skipped lines given by hand."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest

from peka.errors import ConfigError, InputError
from peka.io import delimited, load_survey, open_source

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang" / "households.csv"
TITLE = b"DATA RUMAH TANGGA MISKIN GAMPONG X 2025"


def _with_late_latin1(data: bytes, after: int) -> tuple[bytes, int]:
    """``data`` with the first ``Rekaan`` past byte ``after`` spelt ``R\\xe9kaan`` (cp1252 é); returns the bytes and
    the file line of that byte."""
    at = data.index(b"Rekaan", after)
    changed = data[:at] + b"R\xe9kaan" + data[at + len(b"Rekaan") :]
    return changed, changed[:at].count(b"\n") + 1


def test_a_cp1252_byte_after_the_sampled_start_is_read_as_cp1252(tmp_path, caplog):
    data, line = _with_late_latin1(SAMPLE.read_bytes(), after=300 * 1024)
    assert data.index(b"\xe9") > delimited.SAMPLE_BYTES  # detection cannot have seen it
    path = tmp_path / "late.csv"
    path.write_bytes(data)
    with caplog.at_level(logging.WARNING, logger="peka"):
        survey = load_survey(path, mapping="canonical")
    expected = pd.read_csv(path, encoding="cp1252", dtype=str, keep_default_na=False)
    hh = survey.households
    assert len(hh) == len(expected) == data.count(b"\n") - 1
    row = hh.loc[hh["_row"] == line]
    assert row["head_name"].tolist() == [expected["head_name"].iloc[line - 2]]
    assert "\xe9" in row["head_name"].iloc[0]
    assert f"invalid UTF-8 on line {line} " in caplog.text and "cp1252" in caplog.text


def test_bytes_invalid_in_cp1252_too_are_an_error_naming_the_line(tmp_path):
    data, line = _with_late_latin1(SAMPLE.read_bytes(), after=300 * 1024)
    path = tmp_path / "bad.csv"
    path.write_bytes(data.replace(b"\xe9", b"\x81"))  # 0x81 is undefined in cp1252
    with pytest.raises(InputError) as err:
        load_survey(path, mapping="canonical")
    assert str(err.value) == f"{path}, row {line}: unreadable text encoding: neither UTF-8 nor cp1252; pass --encoding"


def test_a_big_file_with_a_title_and_a_late_cp1252_byte_goes_through_pyarrow(tmp_path, monkeypatch, caplog):
    """≥ 32 MB: pyarrow reads it (the C engine must not be needed), with the title skipped and cp1252 chosen."""
    sample = SAMPLE.read_bytes()
    header, body = sample.split(b"\n", 1)
    copies = delimited.ARROW_TEXT_MIN_BYTES // len(body) + 2
    data = TITLE + b"\n" + header + b"\n" + body * copies
    data, line = _with_late_latin1(data, after=33 * 1024 * 1024)
    assert len(data) >= delimited.ARROW_TEXT_MIN_BYTES
    path = tmp_path / "big.csv"
    path.write_bytes(data)

    def no_c_engine(*args, **kwargs):
        raise AssertionError("the C engine was used")

    monkeypatch.setattr(delimited, "_read_all", no_c_engine)
    source = open_source(path)
    assert source.dialect is not None and source.dialect.header_line == 2
    with caplog.at_level(logging.WARNING, logger="peka"):
        raw = source.read(usecols=["hh_id", "head_name"], kinds={"hh_id": "id", "head_name": "str"})
    assert raw.details["encoding"] == "cp1252"
    expected = pd.read_csv(path, encoding="cp1252", skiprows=1, dtype=str, keep_default_na=False)
    frame = raw.frame
    assert len(frame) == len(expected) == data.count(b"\n") - 2
    assert frame["_row"].iloc[0] == 3 and frame["_row"].iloc[-1] == data.count(b"\n")
    hit = frame.loc[frame["_row"] == line]
    assert hit["head_name"].tolist() == [expected["head_name"].iloc[line - 3]]
    assert "\xe9" in hit["head_name"].iloc[0]
    assert frame["hh_id"].tolist() == expected["hh_id"].tolist()
    assert f"invalid UTF-8 on line {line} " in caplog.text
    assert "header is on line 2; line 1 above it" in caplog.text and TITLE.decode() not in caplog.text


@pytest.mark.parametrize(
    ("above", "sep"),
    [
        (TITLE + b"\n", b","),  # a bare title
        (TITLE + b"\n\n", b","),  # a title and a blank line
        (TITLE + b",,,,,,\nKecamatan Sukakarya,,,,\n", b","),  # as Excel exports a sheet with a title
        (TITLE + b"\n", b";"),  # the delimiter is detected from the header down, not from the title
    ],
)
def test_a_title_above_the_header_is_skipped_and_rows_keep_their_file_lines(tmp_path, caplog, above, sep):
    original = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    body = original.to_csv(index=False, sep=sep.decode()).encode()
    path = tmp_path / "titled.csv"
    path.write_bytes(above + body)
    n_above = above.count(b"\n")
    with caplog.at_level(logging.WARNING, logger="peka"):
        survey = load_survey(path, mapping="canonical")
    hh = survey.households
    assert hh["hh_id"].tolist() == original["hh_id"].tolist()
    assert hh["exp_hh"].tolist() == pd.to_numeric(original["exp_hh"]).tolist()
    # hh_id of the household on file line 1000, counted from the written bytes
    line_1000 = (above + body).split(b"\n")[999].split(sep)[0].decode()
    assert hh.loc[hh["_row"] == 1000, "hh_id"].tolist() == [line_1000]
    assert hh["_row"].iloc[0] == n_above + 2
    assert f"the header is on line {n_above + 1}" in caplog.text
    assert "DATA RUMAH" not in caplog.text and "Kecamatan" not in caplog.text  # positions, not contents


def test_a_row_error_below_a_title_names_the_file_line(tmp_path):
    path = tmp_path / "titled.csv"
    path.write_bytes(TITLE + b"\n\nhh_id,hh_size,exp_hh\nh1,2,100\nh2,3\n")
    with pytest.raises(InputError) as err:
        load_survey(path, mapping="canonical")
    assert "row 5" in str(err.value) and "the row has 2 fields but the header has 3" in str(err.value)


def test_an_ordinary_file_has_its_header_on_line_1(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_bytes(b"hh_id,hh_size\nh1,2\n")
    dialect = delimited.sniff(path)
    assert dialect.header_line == 1 and dialect.header == ("hh_id", "hh_size")


def test_no_preset_matching_names_the_file(tmp_path):
    path = tmp_path / "other.csv"
    path.write_bytes(b"x,y\n1,2\n")
    with pytest.raises(ConfigError) as err:
        load_survey(path)
    assert str(err.value).startswith(f"{path}: mapping: no mapping preset matches the file's columns")
