"""CSV/TSV reading: encoding, delimiter and number-format detection, row numbers, and broken files.

Every expected value is written out by hand from the file text in the test."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from peka.errors import InputError
from peka.io import load_survey

HEADER = "hh_id;hh_size;exp_hh;desa_code;head_name"


def _write(tmp_path, name: str, data: bytes | str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def test_semicolon_and_decimal_comma_are_detected(tmp_path):
    path = _write(
        tmp_path, "rt.csv", f"{HEADER}\n001;4;1.250.000,50;0101;Ani\n002;2;750.000;0102;Budi\n003;1;99,5;0103;Citra\n"
    )
    survey = load_survey(path, mapping="canonical")
    hh = survey.households
    assert hh["exp_hh"].tolist() == [1250000.5, 750000.0, 99.5]
    assert hh["hh_id"].tolist() == ["001", "002", "003"]  # leading zeros kept
    assert hh["desa_code"].tolist() == ["0101", "0102", "0103"]
    assert hh["hh_size"].dtype == "Int64" and hh["hh_size"].tolist() == [4, 2, 1]
    assert hh["_row"].tolist() == [2, 3, 4]
    assert survey.findings == []


def test_decimal_comma_can_be_requested(tmp_path):
    # "1.250" alone is ambiguous (1250 or 1.25): detection leaves it to the dot reading, decimal="," forces it
    path = _write(tmp_path, "rt.csv", "hh_id;hh_size;exp_hh\n1;4;1.250\n2;2;3,5\n")
    survey = load_survey(path, mapping="canonical", decimal=",")
    assert survey.households["exp_hh"].tolist() == [1250.0, 3.5]


def test_dot_number_in_a_decimal_comma_file_is_an_error_not_100_times_more(tmp_path):
    # line 4 holds 2100000.50: with dot thousands the C engine would read 210000050
    path = _write(tmp_path, "rt.csv", "hh_id;hh_size;exp_hh\nh1;2;1.200.000,50\nh2;1;700.000\nh3;3;2100000.50\n")
    survey = load_survey(path, mapping="canonical")
    exp = survey.households["exp_hh"]
    assert exp.iloc[0] == 1200000.5 and exp.iloc[1] == 700000.0 and np.isnan(exp.iloc[2])
    [finding] = survey.findings
    assert (finding.row, finding.column, finding.check, finding.value) == (4, "exp_hh", "type", "2100000.50")


def test_utf8_bom_is_removed_from_the_first_column_name(tmp_path):
    path = _write(tmp_path, "rt.csv", "\ufeffhh_id,hh_size,head_name\n7,3,Cut Meutia Ré\n", encoding="utf-8")
    hh = load_survey(path, mapping="canonical").households
    assert hh["hh_id"].tolist() == ["7"]
    assert hh["head_name"].tolist() == ["Cut Meutia Ré"]


def test_cp1252_is_read_with_a_warning(tmp_path, caplog):
    path = _write(tmp_path, "rt.csv", "hh_id,hh_size,head_name\n1,2,José €\n", encoding="cp1252")
    with caplog.at_level(logging.WARNING, logger="peka"):
        hh = load_survey(path, mapping="canonical").households
    assert hh["head_name"].tolist() == ["José €"]  # 0xE9 = é, 0x80 = € in cp1252
    assert any("cp1252" in r.getMessage() and "line 2" in r.getMessage() for r in caplog.records)


def test_bytes_invalid_in_utf8_and_cp1252_are_an_error_naming_the_line(tmp_path):
    # 0x81 is undefined in cp1252 and a stray continuation byte in UTF-8
    path = _write(tmp_path, "rt.csv", b"hh_id,hh_size\n1,2\n2,\x81\n")
    with pytest.raises(InputError) as info:
        load_survey(path, mapping="canonical")
    assert info.value.row == 3 and "encoding" in str(info.value)


def test_explicit_encoding_is_not_overridden(tmp_path):
    path = _write(tmp_path, "rt.csv", "hh_id,hh_size,head_name\n1,2,ok\n2,3,Jos\xe9\n", encoding="cp1252")
    with pytest.raises(InputError) as info:
        load_survey(path, mapping="canonical", encoding="utf-8")
    assert info.value.row == 3


@pytest.mark.parametrize(("sep", "name"), [("\t", "rt.tsv"), ("|", "rt.txt"), (",", "rt.csv")])
def test_delimiters_are_detected(tmp_path, sep, name):
    path = _write(
        tmp_path, name, sep.join(["hh_id", "hh_size", "kab_code"]) + "\n" + sep.join(["a1", "5", "1172"]) + "\n"
    )
    hh = load_survey(path, mapping="canonical").households
    assert hh[["hh_id", "hh_size", "kab_code"]].astype(object).values.tolist() == [["a1", 5, "1172"]]


def test_wrong_delimiter_names_the_likely_one(tmp_path):
    path = _write(tmp_path, "rt.csv", "hh_id;hh_size\n1;2\n")
    with pytest.raises(InputError, match="--sep") as info:
        load_survey(path, mapping="canonical", sep=",")
    assert info.value.row == 1


def test_row_with_too_many_fields_is_named(tmp_path):
    path = _write(tmp_path, "rt.csv", "hh_id,hh_size\n1,2\n2,3\n3,4,5\n")
    with pytest.raises(InputError, match="3 fields but the header has 2") as info:
        load_survey(path, mapping="canonical")
    assert info.value.row == 4


def test_first_row_with_an_extra_field_is_not_taken_as_an_index(tmp_path):
    # pandas would silently use the first column as the row index and shift every value one column left
    path = _write(tmp_path, "rt.csv", "hh_id,hh_size\n1,2,3\n2,3\n")
    with pytest.raises(InputError, match="more fields than the header") as info:
        load_survey(path, mapping="canonical")
    assert info.value.row == 2


def test_truncated_last_line_is_an_error(tmp_path):
    path = _write(tmp_path, "rt.csv", "hh_id,hh_size,exp_hh\n1,2,100\n2,3,200\n3")
    with pytest.raises(InputError, match="truncated") as info:
        load_survey(path, mapping="canonical")
    assert info.value.row == 4


def test_short_row_in_the_middle_is_named_but_an_empty_last_field_is_fine(tmp_path):
    path = _write(tmp_path, "rt.csv", "hh_id,hh_size,exp_hh\n1,2,\n2,3\n3,4,300\n")
    with pytest.raises(InputError) as info:
        load_survey(path, mapping="canonical")
    assert info.value.row == 3  # line 2 ends with an empty field (3 fields): not an error


def test_empty_and_header_only_files(tmp_path):
    with pytest.raises(InputError, match="empty"):
        load_survey(_write(tmp_path, "empty.csv", b""), mapping="canonical")
    with pytest.raises(InputError, match="no data rows"):
        load_survey(_write(tmp_path, "header.csv", "hh_id,hh_size\n"), mapping="canonical")


def test_blank_lines_are_skipped_and_rows_keep_their_line_numbers(tmp_path):
    path = _write(tmp_path, "rt.csv", "hh_id,hh_size\n1,2\n\n3,4\n")
    survey = load_survey(path, mapping="canonical")
    assert survey.households["_row"].tolist() == [2, 4]
    assert survey.rows_read == {"household": 2}


def test_nik_in_scientific_notation_is_reported_masked(tmp_path):
    path = _write(tmp_path, "rt.csv", 'hh_id,hh_size,head_nik\n1,2,1172010101800001\n2,3,"3,17E+15"\n')
    survey = load_survey(path, mapping="canonical")
    assert survey.households["head_nik"].iloc[0] == "1172010101800001"
    assert survey.households["head_nik"].isna().iloc[1]
    [finding] = survey.findings
    assert (finding.check, finding.row, finding.column, finding.value) == ("id_as_number", 3, "head_nik", "***")


def test_text_in_a_numeric_column_is_a_finding_with_row_and_column(tmp_path):
    path = _write(tmp_path, "rt.csv", "hh_id,hh_size,exp_hh\n1,2,100\n2,3,seratus\n3,1,50.5\n")
    survey = load_survey(path, mapping="canonical")
    assert survey.households["exp_hh"].tolist()[0::2] == [100.0, 50.5]
    [finding] = survey.findings
    assert (finding.row, finding.column, finding.check, finding.severity, finding.value) == (
        3,
        "exp_hh",
        "type",
        "error",
        "***",  # free text where a number was expected is masked: it may be a name (docs/privacy.md)
    )


def test_fast_text_path_reads_the_same_as_the_c_engine(tmp_path, monkeypatch):
    """Big files read id/text columns with pyarrow: the result must equal the one-pass C engine, cell for cell."""
    from peka.io import delimited

    text = (
        "hh_id;hh_size;exp_hh;head_name;desa_code;address;weight\n"
        '0001;4;1.250.000,50;"Cut ""Nyak"" Dien";0101;"Jl. A,\nLorong 2";1,5\n'
        "0002;2;750.000;NA;0102;-;2\n"
        '0003;1;99,5;"";0103; Jl. B ;3\n'
    )
    path = _write(tmp_path, "rt.csv", text, encoding="cp1252")
    slow = load_survey(path, mapping="canonical").households
    monkeypatch.setattr(delimited, "ARROW_TEXT_MIN_BYTES", 0)
    fast = load_survey(path, mapping="canonical").households
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert slow["head_name"].tolist()[0] == 'Cut "Nyak" Dien'
    assert slow["address"].tolist()[0] == "Jl. A,\nLorong 2"
    assert slow["desa_code"].tolist() == ["0101", "0102", "0103"]
    assert slow["exp_hh"].tolist() == [1250000.5, 750000.0, 99.5]


def test_fast_path_falls_back_to_the_c_engine_for_broken_files(tmp_path, monkeypatch):
    from peka.io import delimited

    monkeypatch.setattr(delimited, "ARROW_TEXT_MIN_BYTES", 0)
    blank = _write(tmp_path, "blank.csv", "hh_id,hh_size\n1,2\n\n3,4\n")
    assert load_survey(blank, mapping="canonical").households["_row"].tolist() == [2, 4]
    short = _write(tmp_path, "short.csv", "hh_id,hh_size,exp_hh\n1,2,3\n2,3\n3,4,5\n")
    with pytest.raises(InputError) as info:
        load_survey(short, mapping="canonical")
    assert info.value.row == 3


SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang"


def _both_paths(monkeypatch, read):
    """``read()`` through the one-pass C engine, then through the pyarrow path (which must not fall back)."""
    from peka.io import delimited

    slow = read()
    monkeypatch.setattr(delimited, "ARROW_TEXT_MIN_BYTES", 0)

    def no_fallback(*args, **kwargs):
        raise AssertionError("the pyarrow path fell back to the C engine")

    monkeypatch.setattr(delimited, "_read_all", no_fallback)
    fast = read()
    return slow, fast


@pytest.mark.parametrize(
    ("households", "persons"),
    [("households.csv", "persons.csv"), ("households_id.csv", None)],
    ids=["decimal_point", "decimal_comma"],
)
def test_pyarrow_path_reads_the_bundled_sample_like_the_c_engine(monkeypatch, households, persons):
    """Every column kind (ids, text, numbers, codes, yes/no with missing cells) of 3,000 households and 12,524
    members, in both number formats: the pyarrow path gives the C engine's canonical tables cell for cell."""
    slow, fast = _both_paths(
        monkeypatch, lambda: load_survey(SAMPLE / households, persons=SAMPLE / persons if persons else None)
    )
    assert slow.findings == fast.findings == []
    pd.testing.assert_frame_equal(fast.households, slow.households, check_exact=True)
    if persons:
        pd.testing.assert_frame_equal(fast.persons, slow.persons, check_exact=True)
    assert (
        fast.rows_read == slow.rows_read == ({"household": 3000, "person": 12524} if persons else {"household": 3000})
    )


def test_pyarrow_path_infers_zero_padded_codes_as_numbers_like_the_c_engine(monkeypatch, tmp_path):
    # R105 "01"/"02" are the Susenas codes 1 and 2 for both parsers; URUT stays text with its zeros
    path = _write(tmp_path, "kor.csv", "URUT,R301,R105\n0001,4,01\n0002,2,02\n0003,1,9\n")
    slow, fast = _both_paths(monkeypatch, lambda: load_survey(path, mapping="susenas"))
    for survey in (slow, fast):
        assert survey.households["urban_rural"].tolist()[:2] == ["perkotaan", "perdesaan"]
        assert survey.households["hh_id"].tolist() == ["0001", "0002", "0003"]
        assert [(f.row, f.column, f.check, f.value) for f in survey.findings] == [(4, "R105", "unknown_category", "9")]
    pd.testing.assert_frame_equal(fast.households, slow.households, check_exact=True)


@pytest.mark.parametrize("every", [1, 20])
def test_quoted_line_breaks_in_a_big_file_are_never_split_into_rows(monkeypatch, tmp_path, every):
    """pyarrow reads blocks of 1 MB in parallel: a quoted cell with a line break inside a block is read correctly,
    one across a block boundary must make it give up (the C engine then reads the file), never cut the row in two.
    3 MB, every address (a boundary surely falls inside a quoted cell) or every 20th on two lines."""
    from peka.io import delimited

    lines = ["hh_id,hh_size,address,exp_hh"]
    for i in range(100_000):
        address = f'"Jl. {i},\nLorong {i % 7}"' if i % every == 0 else f"Jl. {i}"
        lines.append(f"{i:06d},{i % 9 + 1},{address},{i * 1000}.5")
    path = _write(tmp_path, "big.csv", "\n".join(lines) + "\n")
    assert path.stat().st_size > 2_500_000
    slow = load_survey(path, mapping="canonical").households
    monkeypatch.setattr(delimited, "ARROW_TEXT_MIN_BYTES", 0)
    fast = load_survey(path, mapping="canonical").households
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert len(fast) == 100_000
    assert fast["address"].iloc[20] == "Jl. 20,\nLorong 6"  # 20 % 7 = 6
    assert fast["exp_hh"].iloc[99_999] == 99_999_000.5


def test_a_column_of_dates_reads_the_same_through_pyarrow(monkeypatch, tmp_path):
    """pyarrow would turn "2024-03-01 10:30" into a timestamp (shown back as 2024-03-01 10:30:00); the C engine keeps
    the text, which the finding quotes as written."""
    from peka.io import delimited

    path = _write(tmp_path, "rt.csv", "hh_id,hh_size,desil\nA1,2,2024-03-01 10:30\nA2,3,2024-03-02T08:00\n")
    slow = load_survey(path, mapping="canonical")
    monkeypatch.setattr(delimited, "ARROW_TEXT_MIN_BYTES", 0)
    fast = load_survey(path, mapping="canonical")
    pd.testing.assert_frame_equal(fast.households, slow.households, check_exact=True)
    expected = [(2, "desil", "type", "2024-03-01 10:30"), (3, "desil", "type", "2024-03-02T08:00")]
    for survey in (slow, fast):
        assert [(f.row, f.column, f.check, f.value) for f in survey.findings] == expected


def test_types_sampled_from_the_start_give_way_to_a_later_cell_that_does_not_fit(tmp_path, monkeypatch):
    """The fast path parses number and true/false columns as the types pyarrow infers on the sampled start; a cell
    further down that does not fit (``1.5`` among integers, ``ya`` among true/false) makes it read the file again
    with inference, so the table is the one the C engine reads, cell for cell."""
    from peka.io import delimited
    from peka.io.readers import open_source

    rows = [f"{i},{i % 7},{'True' if i % 2 else 'False'},{i * 1000}" for i in range(1, 400)]
    rows[350] = "351,1.5,ya,351000"  # past the sample below
    path = _write(tmp_path, "late.csv", "hh_id,hh_size,recv_pkh,exp_hh\n" + "\n".join(rows) + "\n")
    source = open_source(path)
    slow = source.read(kinds={"hh_id": "id"}).frame
    monkeypatch.setattr(delimited, "ARROW_TEXT_MIN_BYTES", 0)
    monkeypatch.setattr(delimited, "SAMPLE_BYTES", 200)
    sampled = delimited._sampled_types(path, source.dialect, "utf-8", ["hh_size", "recv_pkh", "exp_hh"], {})
    assert sampled == {"hh_size": pa.int64(), "recv_pkh": pa.bool_(), "exp_hh": pa.int64()}
    calls = []
    real = delimited._arrow_table
    monkeypatch.setattr(delimited, "_arrow_table", lambda *a, **k: calls.append(a[4]) or real(*a, **k))
    fast = source.read(kinds={"hh_id": "id"}).frame
    assert len(calls) == 3  # the sample, the typed read that fails on line 352, the read with inference
    assert fast["hh_size"].tolist()[350] == 1.5 and fast["recv_pkh"].tolist()[350] == "ya"
    assert fast["hh_size"].tolist()[:3] == [1.0, 2.0, 3.0]
    pd.testing.assert_frame_equal(fast, slow, check_dtype=False, check_exact=True)


def test_coded_text_columns_are_read_as_dictionaries_sampled_from_the_start(tmp_path, monkeypatch):
    """A coded column (category kind) whose sampled start is text is parsed as a dictionary without inference,
    also when it has more distinct codes than inference dictionary-encodes (60 here, over pyarrow's 50): the
    values are the C engine's, cell for cell, and missing cells stay missing."""
    from peka.io import delimited
    from peka.io.readers import open_source

    rows = [f"{i},k{i % 60},{'' if i % 11 == 0 else 'ya' if i % 2 else 'tidak'}" for i in range(1, 800)]
    path = _write(tmp_path, "codes.csv", "hh_id,toilet,lighting\n" + "\n".join(rows) + "\n")
    kinds = {"hh_id": "id", "toilet": "category", "lighting": "category"}
    source = open_source(path)
    slow = source.read(kinds=kinds).frame
    monkeypatch.setattr(delimited, "ARROW_TEXT_MIN_BYTES", 0)
    monkeypatch.setattr(delimited, "SAMPLE_BYTES", 300)
    sampled = delimited._sampled_types(path, source.dialect, "utf-8", ["toilet", "lighting"], {}, {"toilet", "lighting"})
    assert sampled == {"toilet": delimited._CODED_TEXT, "lighting": delimited._CODED_TEXT}
    fast = source.read(kinds=kinds).frame
    assert isinstance(fast["toilet"].dtype, pd.CategoricalDtype) and fast["toilet"].nunique() == 60
    assert fast["lighting"].isna().sum() == len([i for i in range(1, 800) if i % 11 == 0])
    for name in ("toilet", "lighting"):
        assert fast[name].astype(object).where(fast[name].notna(), None).tolist() == slow[name].astype(
            object
        ).where(slow[name].notna(), None).tolist()
