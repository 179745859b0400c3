"""Row heights of the report workbook: a header's wrapped lines, counted as a spreadsheet wraps them."""

from peka.deliver.report.xlsx import _lines


def test_header_lines_wrap_whole_words():
    # width 24 → 23 units, each character 1.1 wide: "H (% miskin" (12.1) | "multidimensi): SK" (18.7) | "95% bawah"
    # — three lines, where dividing 40 characters by 23 said two (LibreOffice then cut the third)
    assert _lines("H (% miskin multidimensi): SK 95% bawah", 24) == 3
    assert _lines("Garis ×", 10) == 1
    assert _lines("", 10) == 1
    assert _lines("a " * 30, 10) == 8  # 30 one-letter words, four to a line of 9 units (1.1 + 3 × 2.2 = 7.7)
