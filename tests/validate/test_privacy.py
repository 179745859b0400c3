"""The masking rules of peka.schema.privacy, one spelling and one column kind at a time (docs/privacy.md)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from peka.schema.privacy import MASK, MaskingFilter, mask_ids, mask_text, mask_texts, shown_value, shown_values

NIK = "1172010101010001"


@pytest.mark.parametrize(
    "spelling",
    [
        NIK,  # plain
        "1172 0101 0101 0001",  # grouped by spaces
        "1172-0101-0101-0001",  # dashes
        "1172.0101.0101.0001",  # dots
        "1172/0101/0101/0001",  # slashes
        "11 72 01 010101 0001",  # uneven groups
        "1.17201E+15",  # Excel's General format of a 16-digit number
        "1,17201E+15",  # the same with a decimal comma
        "1.1720101010100001e+15",  # str() of a float64
        "3.1712345678901E+015",  # three-digit exponent
        "117201010101000",  # 15 digits
        "11720101010100011",  # 17 digits
        "1172010101010001.0",  # a float column's rendering
    ],
)
def test_every_spelling_of_a_nik_is_masked_alone_and_inside_text(spelling: str):
    assert mask_text(spelling) == MASK
    assert mask_text(f"KK no. {spelling} (lama)") == f"KK no. {MASK} (lama)"


@pytest.mark.parametrize(
    "text",
    ["row 12", "Rp 1.250.000,00", "12 000", "2,5", "1.5e3", "3.17E+15", "1234.0", "2024-03-01", "kab:1172"],
)
def test_numbers_that_are_not_a_nik_stay(text: str):
    assert mask_text(text) == text


def test_personal_columns_are_masked_whatever_they_hold():
    values = pd.Series(["Siti Aminah", "12", None])
    assert shown_values(values, "head_name").tolist() == [MASK, MASK, None]
    assert shown_values(values, "address").tolist() == [MASK, MASK, None]
    assert shown_values(pd.Series(["bukan nik"]), "nik").tolist() == [MASK]


def test_free_text_in_a_number_column_is_masked_but_placeholders_and_typos_stay():
    values = pd.Series(["Iskandar Uji", "Zulkifli", "NA", "tidak tahu", "4O", "12,5", "-"])
    assert shown_values(values, "head_age").tolist() == [MASK, MASK, "NA", "tidak tahu", "4O", "12,5", "-"]


def test_free_text_in_a_code_column_is_masked_but_a_single_code_stays():
    values = pd.Series(["Cut Meutia Sari", "keramikk", "x" * 41, "Tidak"])
    assert shown_values(values, "floor_material").tolist() == [MASK, "keramikk", MASK, "Tidak"]
    assert shown_values(pd.Series(["Dewi Lestari"]), "strata").tolist() == [MASK]  # an id column


def test_text_columns_keep_text_but_not_niks():
    values = pd.Series(["Gampong Ie Meulee", f"desa {NIK}"])
    assert shown_values(values, "desa_name").tolist() == ["Gampong Ie Meulee", f"desa {MASK}"]


def test_float_columns_are_shown_as_numbers():
    values = pd.Series([3.0, 2.5, np.nan, 1.172010101010001e15])
    assert shown_values(values, "exp_hh").tolist() == ["3", "2.5", None, MASK]
    assert shown_value(3.0, "hh_size") == "3"
    assert shown_value("Iskandar Uji", "hh_size") == MASK


def test_an_unknown_column_is_judged_by_what_the_caller_expected():
    assert shown_value("Iskandar Uji", "R407") == "Iskandar Uji"  # text unless told otherwise
    assert shown_value("Iskandar Uji", "R407", expected="number") == MASK


def test_ids_that_are_a_nik_are_masked_other_ids_kept():
    ids = pd.Series(["h1", NIK, "1172 0101 0101 0001", "KK-" + NIK, None, "000123"])
    assert mask_ids(ids).tolist() == ["h1", MASK, MASK, "KK-" + MASK, None, "000123"]


def test_mask_texts_of_many_cells_matches_mask_text_cell_by_cell():
    rng = np.random.default_rng(7)
    cells = [
        " ".join(str(rng.integers(0, 10**k)) for k in rng.integers(1, 9, size=rng.integers(1, 5))) for _ in range(500)
    ]
    assert mask_texts(pd.Series(cells)).tolist() == [mask_text(c) for c in cells]


def test_the_logging_filter_masks_the_formatted_message():
    record = logging.LogRecord("peka.x", logging.INFO, __file__, 1, "household %s rejected", (NIK,), None)
    assert MaskingFilter().filter(record)
    assert record.getMessage() == f"household {MASK} rejected"
