"""Renderings of the tidy profile estimates: JSON document shape, CSV flattening, XLSX formats and formula safety,
terminal formatting. The estimates here are hand-made records (the renderers must show them unchanged); numbers
checked in assertions are derived in the comments."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from rich.console import Console

from peka.deliver import profile as po
from peka.present import numbers

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
          "lonely_psu": "fail", "n_households": 2000, "n_strata": 5, "n_psu": 100, "poverty_line": 609160.0,
          "line_values": {"poverty_line": {"min": 609160.0, "max": 609160.0}}, "description": "stratified cluster sample"}


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


def test_json_text_is_what_the_standard_encoder_writes(estimates):
    # the estimates list is written column by column; the standard library's indented encoder is the oracle
    extra = pd.DataFrame([
        _record({"desa_code": 'kuta "baro"\\ \u00e9\u4e2d\n', "urban_rural": None}, "P2", 1e-300, 0.0, n=7),
        _record({"desa_code": 12, "urban_rural": 3.5}, "A", -0.0, 1e300, indicator=float("nan"), n=0),
    ])
    frame = pd.concat([estimates, extra], ignore_index=True)
    frame["n_psu"] = range(len(frame))
    for data in (frame, estimates, estimates.iloc[:0]):
        expected = json.dumps(po.profile_document(data, DESIGN, "0.1.0"), ensure_ascii=False, indent=2,
                              allow_nan=False) + "\n"
        assert po.profile_json(data, DESIGN, "0.1.0") == expected


def test_records_own_their_domain(estimates):
    shared = pd.concat([estimates.iloc[[3]]] * 2, ignore_index=True)  # one dict object in two rows
    records = po.estimate_records(shared)
    records[0]["domain"]["desa_code"] = "changed"
    assert records[1]["domain"]["desa_code"] == "1172010001"


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
                      "rse", "flag", "n", "n_psu", "weighted_n"]
    est_col = header.index("estimate") + 1
    assert ws.cell(2, est_col).value == pytest.approx(0.259903263796665, rel=1e-15)
    assert ws.cell(2, est_col).number_format == "0.00%"  # P0: share
    assert ws.cell(3, est_col).number_format == "0.00000"  # P1: index kept as a fraction
    assert ws.cell(2, header.index("n") + 1).number_format == "#,##0"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:M4"
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
    assert numbers.format_rupiah(609160, "id") == "Rp609.160"
    assert numbers.format_rupiah(609160, "en") == "Rp609,160"
    assert numbers.format_number(1234567.891, 2, "id") == "1.234.567,89"
    assert numbers.format_number(1234567.891, 2, "en") == "1,234,567.89"
    # P0 0.259903... → 25.99 %; P1 0.0604407... ×100 = 6.044 (BPS prints P1 as an index, e.g. Aceh 2,620)
    assert po.format_value("P0", 0.259903263796665, "id") == "25,99%"
    assert po.format_value("P1", 0.0604407531630927, "id") == "6,044"
    assert po.format_value("households", 95123.4567, "id") == "95.123"
    assert po.format_value("cause_ratio", 1.75, "en") == "1.750"
    assert po.format_value("P0", None, "id") == "–"
    assert po.format_value("P0", NAN, "id") == "–"


def _render(renderables, width: int = 200) -> str:
    console = Console(record=True, width=width, color_system=None)
    for item in renderables:
        console.print(item)
    return console.export_text()


def test_format_cell_estimate_se_and_mark():
    # P0 0.2599.. → 25.99 (SE 0.0182 → 1.82); P1 ×100 → 6.04 (0.52); a count has no SE; marks by flag
    assert po.format_cell({"measure": "P0", "estimate": 0.259903263796665, "se": 0.0182013062404055,
                           "flag": "reliable"}) == "25,99 (1,82)"
    assert po.format_cell({"measure": "P1", "estimate": 0.0604407531630927, "se": 0.00524877806903104,
                           "flag": "caution"}, "en") == "6.04 (0.52)*"
    assert po.format_cell({"measure": "H", "estimate": 0.5, "se": 0.3, "flag": "unreliable"}) == "50,00 (30,00)**"
    assert po.format_cell({"measure": "A", "estimate": 0.5, "se": None, "flag": "low_n"}) == "50,00 (–)†"
    assert po.format_cell({"measure": "households", "estimate": 95123.4567, "se": 10.0, "flag": "reliable"}) == "95.123"
    assert po.format_cell({"measure": "P0", "estimate": None, "se": None, "flag": "suppressed"}) == "–"


def test_terminal_tables_indonesian_by_default(estimates):
    text = _render(po.profile_tables(estimates, DESIGN, width=200))
    assert "Seluruh populasi" in text and "P0 penduduk miskin (%)" in text and "Estimasi (GB)" in text
    assert "25,99 (1,82)" in text and "6,04 (0,52)" in text  # whole population, ×100 with the SE
    assert "Menurut desa_code × urban_rural" in text  # a crossed domain set: one column per variable
    # a caution estimate carries its mark; domain cells show the 95% CI: 0.31 ± 1.96 × 0.20 = [−0.082, 0.702]
    assert "31,00 [-8,2–70,2]*" in text  # ...
    assert "hati-hati" in text and "n < 30" in text  # ... explained in the legend
    assert "Rp609.160" in text  # the poverty line in Rupiah
    assert "2.000 rumah tangga, 5 strata, 100 PSU" in text
    assert "--format csv, json atau xlsx" in text  # where the full tidy output is


def test_terminal_tables_english(estimates):
    text = _render(po.profile_tables(estimates, DESIGN, lang="en", width=200))
    assert "Whole population" in text and "P0 headcount ratio (%)" in text
    assert "25.99 (1.82)" in text and "use with caution" in text and "Rp609,160" in text
    assert "--format csv, json or xlsx" in text


def test_terminal_states_a_simple_random_sample():
    design = {"type": "srs", "srs": True, "weighted": True, "n_households": 4, "n_strata": 1, "n_psu": 4}
    frame = pd.DataFrame([_record({}, "P0", 0.5, 0.25, n=4)])
    assert "sampel acak sederhana berbobot (SRS)" in _render(po.profile_tables(frame, design))
    assert "weighted simple random sample (SRS)" in _render(po.profile_tables(frame, design, lang="en"))


@pytest.fixture(scope="module")
def synthetic_profile():
    """A real profile of the synthetic survey by kecamatan, with the poverty_status and segment margins."""
    import tomllib

    from peka.estimate import Design, profile

    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    spec = tomllib.loads((fixtures / "synthetic_mpi.toml").read_text(encoding="utf-8"))["mpi"]
    frame = pd.read_csv(fixtures / "synthetic_households.csv",
                        dtype={c: "str" for c in ("kec_code", "desa_code", "strata", "psu", "poverty_status",
                                                  "segment")})
    for column in ("mpi_poor", "miskin_14k", "cause_pendidikan_rendah", "cause_lansia", "cause_disabilitas"):
        frame[column] = frame[column].astype("boolean")
    return profile(frame, design=Design("weight", "strata", "psu"), by=["kec_code"], mpi_spec=spec)


@pytest.mark.parametrize("width", [80, 140])
def test_terminal_fits_the_console_and_hides_constant_columns(synthetic_profile, width):
    text = _render(po.profile_tables(synthetic_profile.estimates, synthetic_profile.design, width=width), width)
    assert max(len(line) for line in text.splitlines()) <= width  # tables and notes alike
    assert "Menurut kec_code" in text and "Menurut poverty_status" in text and "Menurut segment" in text
    # P0 inside a poverty status is 0% or 100% by definition: not a column there, but said so in a note
    status_part = text.split("Menurut poverty_status", 1)[1].split("Menurut segment", 1)[0]
    assert "P1×100" in status_part and "P0 %" not in status_part and "H %" not in status_part
    assert "Tidak ditampilkan menurut poverty_status: P0" in text
    assert "P0 %" in text.split("Menurut poverty_status")[0].split("Menurut kec_code", 1)[1]  # ... by kecamatan: shown
    # the whole population as the first row of every domain table, and the full output pointed to
    assert text.count("Total") >= 3 and "dari" in text


def test_constant_columns_are_hidden_only_in_status_domains():
    # P0 of 100% / 0% with SE 0 in every cell: fixed by definition inside poverty statuses, but in the user's own
    # domains it is data (a kecamatan where everyone is poor) and stays on screen
    rows = [_record({}, "P0", 0.5, 0.1, n=4)]
    for column in ("kec", "poverty_status"):
        rows += [_record({column: "a"}, "P0", 1.0, 0.0, n=2), _record({column: "b"}, "P0", 0.0, 0.0, n=2)]
    text = _render(po.profile_tables(pd.DataFrame(rows), DESIGN))
    assert "P0 %" in text.split("Menurut kec")[1] and "100,00 [100,0–100,0]" in text
    assert "Menurut poverty_status —" not in text  # its only column is hidden: no table ...
    assert "Tidak ditampilkan menurut poverty_status: P0" in text and "menurut kec:" not in text  # ... but a note


def test_terminal_groups_segments_under_their_poverty_status(synthetic_profile):
    text = _render(po.profile_tables(synthetic_profile.estimates, synthetic_profile.design, width=200))
    segment_part = text.split("Menurut segment")[1]
    causes = {s.split("/", 1)[1] for s in synthetic_profile.estimates["domain"].map(lambda d: d.get("segment"))
              if isinstance(s, str) and "/" in s}
    assert causes and all(f"  {cause}" in segment_part for cause in causes)  # the cause, indented ...
    assert "Miskin moneter dan multidimensi" in segment_part  # ... under its status heading
    assert "/" not in segment_part.split("Indikator")[0].split("Penyebab")[0]


def test_terminal_shows_far_fewer_lines_than_records(synthetic_profile):
    text = _render(po.profile_tables(synthetic_profile.estimates, synthetic_profile.design, width=140), 140)
    assert len(synthetic_profile.estimates) > 800 and len(text.splitlines()) < 120


def test_render_rejects_unknown_format(estimates):
    from peka.errors import UsageError

    with pytest.raises(UsageError, match="unknown format"):
        po.render_profile(estimates, DESIGN, "0.1.0", "html")


def test_write_is_atomic_and_leaves_no_temp_file(estimates, tmp_path):
    target = tmp_path / "out" / "profil.json"
    po.write_profile(estimates, DESIGN, "0.1.0", target, "json")
    assert json.loads(target.read_text(encoding="utf-8"))["estimates"][0]["measure"] == "P0"
    assert [p.name for p in target.parent.iterdir()] == ["profil.json"]
