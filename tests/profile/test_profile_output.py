"""Renderings of the tidy profile estimates: JSON document shape, CSV flattening, XLSX formats and formula safety,
terminal formatting. The estimates here are hand-made records (the renderers must show them unchanged); numbers
checked in assertions are derived in the comments."""

from __future__ import annotations

import io
import json
import math

import openpyxl
import pandas as pd
import pytest
from rich.console import Console

from peka.deliver import profile_output as po

NAN = float("nan")


def _record(domain, measure, estimate, se, *, indicator=None, n=100, weighted_n=5000.0, flag="reliable"):
    return {
        "domain": domain, "measure": measure, "indicator": indicator, "estimate": estimate, "se": se,
        "ci_low": estimate - 1.959963984540054 * se, "ci_high": estimate + 1.959963984540054 * se,
        "rse": se / estimate if estimate else NAN, "flag": flag, "n": n, "weighted_n": weighted_n,
    }


@pytest.fixture
def estimates() -> pd.DataFrame:
    rows = [
        _record({}, "P0", 0.259903263796665, 0.0182013062404055, n=2000, weighted_n=391045.531),
        _record({}, "P1", 0.0604407531630927, 0.00524877806903104, n=2000, weighted_n=391045.531),
        _record({}, "households", 95123.4567, 2345.5, n=2000, weighted_n=95123.4567),
        _record({"desa_code": "1172010001", "urban_rural": "perkotaan"}, "P0", 0.31, 0.2, n=12, flag="caution"),
        _record({"desa_code": "=HYPERLINK(\"http://x\")", "urban_rural": "+1"}, "H", 0.5, NAN, n=3,
                flag="low_n"),
        _record({"desa_code": "@SUM(A1)", "urban_rural": "-2"}, "contribution", 0.25, 0.01,
                indicator="lama_sekolah"),
        _record({}, "cause_ratio", 1.75, 0.3, indicator="lansia"),
    ]
    return pd.DataFrame(rows)


DESIGN = {"type": "stratified_cluster", "srs": False, "weight": "weight", "strata": "strata", "psu": "psu",
          "lonely_psu": "fail", "n_strata": 5, "n_psu": 100, "poverty_line": 609160.0,
          "description": "stratified cluster sample"}


def test_json_document_shape_and_nulls(estimates):
    doc = json.loads(po.profile_json(estimates, DESIGN, "0.1.0"))
    assert list(doc) == ["peka_version", "design", "estimates"]
    assert doc["peka_version"] == "0.1.0"
    assert doc["design"]["n_psu"] == 100 and doc["design"]["srs"] is False
    assert len(doc["estimates"]) == len(estimates)
    for record in doc["estimates"]:
        assert list(record) == list(po.RECORD_FIELDS)
        assert isinstance(record["domain"], dict)
        assert record["indicator"] is None or isinstance(record["indicator"], str)
        assert isinstance(record["n"], int)
        for key in ("estimate", "se", "ci_low", "ci_high", "rse", "weighted_n"):
            assert record[key] is None or isinstance(record[key], float)
    whole = doc["estimates"][0]
    assert whole["domain"] == {} and whole["measure"] == "P0" and whole["indicator"] is None
    assert whole["estimate"] == 0.259903263796665  # exact: JSON keeps the full double
    nan_record = doc["estimates"][4]
    assert nan_record["se"] is None and nan_record["ci_low"] is None and nan_record["rse"] is None
    assert doc["estimates"][3]["domain"] == {"desa_code": "1172010001", "urban_rural": "perkotaan"}
    assert doc["estimates"][5]["indicator"] == "lama_sekolah"


def test_json_never_writes_nan_literal(estimates):
    text = po.profile_json(estimates, {"x": NAN}, "0.1.0")
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text)["design"]["x"] is None


def test_records_need_every_field(estimates):
    with pytest.raises(ValueError, match="flag"):
        po.estimate_records(estimates.drop(columns=["flag"]))


def test_csv_flattens_domain_into_columns(estimates):
    text = po.profile_csv(estimates)
    assert text.splitlines()[1].startswith(",,P0,,0.259903263796665,")  # whole population: empty domain cells
    frame = pd.read_csv(io.StringIO(text), dtype={"desa_code": str, "urban_rural": str},
                        keep_default_na=False, na_values=[""])
    assert list(frame.columns) == ["desa_code", "urban_rural", *[f for f in po.RECORD_FIELDS if f != "domain"]]
    assert len(frame) == len(estimates)
    assert pd.isna(frame.loc[0, "desa_code"])
    assert frame.loc[3, "desa_code"] == "1172010001"  # code kept as text with its digits
    assert frame.loc[0, "estimate"] == 0.259903263796665  # full precision round trip
    assert math.isnan(frame.loc[4, "se"])  # NaN → empty cell
    assert frame.loc[5, "indicator"] == "lama_sekolah"


def test_xlsx_sheets_formats_and_formula_safety(estimates, tmp_path):
    target = po.write_profile(estimates, DESIGN, "0.1.0", tmp_path / "profil.xlsx", "xlsx")
    book = openpyxl.load_workbook(target)
    # groups present in the estimates, in the fixed order, plus the design sheet
    assert book.sheetnames == ["moneter", "multidimensi", "indikator_mpi", "penyebab", "jumlah", "desain"]
    ws = book["moneter"]
    header = [c.value for c in ws[1]]
    assert header == ["desa_code", "urban_rural", "measure", "indicator", "estimate", "se", "ci_low", "ci_high",
                      "rse", "flag", "n", "weighted_n"]
    est_col = header.index("estimate") + 1
    assert ws.cell(2, est_col).value == pytest.approx(0.259903263796665, rel=1e-15)
    assert ws.cell(2, est_col).number_format == "0.00%"  # P0: share
    assert ws.cell(3, est_col).number_format == "0.00000"  # P1: index kept as a fraction
    assert ws.cell(2, header.index("n") + 1).number_format == "#,##0"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:L4"
    counts = book["jumlah"]
    assert counts.cell(2, est_col).number_format == "#,##0"
    # formula injection: text starting with = + - @ stays text
    multi = book["multidimensi"]
    assert multi.cell(2, 1).value == '=HYPERLINK("http://x")' and multi.cell(2, 1).data_type == "s"
    assert multi.cell(2, 2).value == "+1" and multi.cell(2, 2).data_type == "s"
    ind = book["indikator_mpi"]
    assert ind.cell(2, 1).value == "@SUM(A1)" and ind.cell(2, 1).data_type == "s"
    assert ind.cell(2, 2).value == "-2" and ind.cell(2, 2).data_type == "s"
    # a missing SE is an empty cell, not 0
    assert multi.cell(2, header.index("se") + 1).value is None
    design = {row[0].value: row[1] for row in book["desain"].iter_rows(min_row=2)}
    assert design["poverty_line"].value == 609160 and design["poverty_line"].number_format == "#,##0"
    assert design["peka_version"].value == "0.1.0"


def test_xlsx_english_sheet_names(estimates):
    book = openpyxl.load_workbook(io.BytesIO(po.profile_xlsx(estimates, DESIGN, "0.1.0", lang="en")))
    assert book.sheetnames == ["monetary", "multidimensional", "mpi_indicators", "causes", "counts", "design"]


def test_number_formats_by_language():
    assert po.format_rupiah(609160, "id") == "Rp609.160"
    assert po.format_rupiah(609160, "en") == "Rp609,160"
    assert po.format_number(1234567.891, 2, "id") == "1.234.567,89"
    assert po.format_number(1234567.891, 2, "en") == "1,234,567.89"
    # P0 0.259903... → 25.99 %; P1 0.0604407... ×100 = 6.044 (BPS prints P1 as an index, e.g. Aceh 2,620)
    assert po.format_value("P0", 0.259903263796665, "id") == "25,99%"
    assert po.format_value("P1", 0.0604407531630927, "id") == "6,044"
    assert po.format_value("households", 95123.4567, "id") == "95.123"
    assert po.format_value("cause_ratio", 1.75, "en") == "1.750"
    assert po.format_value("P0", None, "id") == "–"
    assert po.format_value("P0", NAN, "id") == "–"


def _render(renderables) -> str:
    console = Console(record=True, width=200, color_system=None)
    for item in renderables:
        console.print(item)
    return console.export_text()


def test_terminal_tables_indonesian_by_default(estimates):
    text = _render(po.profile_tables(estimates, DESIGN))
    assert "Persentase penduduk miskin (P0)" in text
    assert "Indeks kedalaman kemiskinan (P1)" in text
    assert "Seluruh populasi" in text
    assert "25,99%" in text and "6,044" in text
    assert "hati-hati" in text and "n kecil" in text  # flags in Indonesian
    assert "Rp609.160" in text  # the design's poverty line in Rupiah
    assert "Estimasi" in text and "Galat baku" in text


def test_terminal_tables_english(estimates):
    text = _render(po.profile_tables(estimates, DESIGN, lang="en"))
    assert "Headcount ratio (P0)" in text and "Whole population" in text
    assert "25.99%" in text and "use with caution" in text and "Rp609,160" in text


def test_render_rejects_unknown_format(estimates):
    from peka.errors import UsageError

    with pytest.raises(UsageError, match="unknown format"):
        po.render_profile(estimates, DESIGN, "0.1.0", "html")


def test_write_is_atomic_and_leaves_no_temp_file(estimates, tmp_path):
    target = tmp_path / "out" / "profil.json"
    po.write_profile(estimates, DESIGN, "0.1.0", target, "json")
    assert json.loads(target.read_text(encoding="utf-8"))["estimates"][0]["measure"] == "P0"
    assert [p.name for p in target.parent.iterdir()] == ["profil.json"]
