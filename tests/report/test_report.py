"""`peka report`: one run → a workbook and a page that show the numbers of `peka profile`, in both languages.

Figures are checked against `peka profile --format json` on the same input and against sums computed with pandas on
the classified table (cluster needs, the scaled poverty line, the share of the poor by head's sex)."""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from peka.cli.app import app
from peka.present.report import text

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "samples" / "sabang"
HH, PERSONS = SAMPLE / "households.csv", SAMPLE / "persons.csv"
POOR = ("miskin_ganda", "miskin_moneter", "miskin_multidimensi")
SHEETS = {"id": ["Ringkasan", "Wilayah", "Profil kemiskinan", "Dimensi", "Penyebab & intervensi", "Bantuan",
                 "Sensitivitas", "Metode", "Rumah tangga"],
          "en": ["Summary", "Regions", "Poverty profile", "Dimensions", "Causes & interventions", "Assistance",
               "Sensitivity",
                 "Method", "Households"]}


def invoke(*args: object):
    return CliRunner().invoke(app, ["-q", *map(str, args)])


@pytest.fixture(scope="module")
def classified(tmp_path_factory) -> Path:
    """The sample classified by `peka classify`, with the head's sex, age, education and work status joined back
    from the raw file (the characteristics the Profil section profiles), and its record beside it."""
    folder = tmp_path_factory.mktemp("classified")
    out = folder / "k.csv"
    result = invoke("classify", HH, "--persons", PERSONS, "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype={"hh_id": str})
    raw = pd.read_csv(HH, dtype={"hh_id": str})
    keep = ["hh_id", "head_sex", "head_age", "head_educ", "head_work_status"]
    table.drop(columns=[c for c in keep[1:] if c in table.columns]).merge(raw[keep], on="hh_id").to_csv(out,
                                                                                                     index=False)
    return out


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    paths = {}
    for lang in ("id", "en"):
        xlsx, html = folder / f"laporan_{lang}.xlsx", folder / f"laporan_{lang}.html"
        result = invoke("report", HH, "--persons", PERSONS, "--by", "kec_name", "--by", "desa_name", "--lang", lang,
                        "-o", xlsx, "-o", html)
        assert result.exit_code == 0, result.output
        paths[lang] = (xlsx, html)
    return paths


@pytest.fixture(scope="module")
def profile_json(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("profile") / "p.json"
    result = invoke("profile", HH, "--persons", PERSONS, "--by", "kec_name", "--by", "desa_name", "--format", "json",
                    "-o", out)
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def record(doc: dict, measure: str, domain: dict | None = None, indicator: str | None = None) -> dict:
    found = [r for r in doc["estimates"] if r["measure"] == measure and r["domain"] == (domain or {})
             and r["indicator"] == indicator]
    assert len(found) == 1, (measure, domain, indicator)
    return found[0]


def table_at(ws, title: str) -> pd.DataFrame:
    """The table titled ``title`` of a sheet: header row below the title, rows until the first empty one or the
    table's note (a text in the first cell only)."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == title)
    header = [h for h in rows[start + 1] if h is not None]
    body = []
    for r in rows[start + 2:]:
        if r[0] is None or all(v is None for v in r[1: len(header)]):
            break
        body.append(list(r[: len(header)]))
    return pd.DataFrame(body, columns=header)


def test_both_outputs_with_every_section_in_both_languages(reports):
    for lang, (xlsx, html) in reports.items():
        wb = openpyxl.load_workbook(xlsx)
        assert [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"] == SHEETS[lang]
        page = html.read_text(encoding="utf-8")
        for title in SHEETS[lang]:
            assert f">{title.replace('&', '&amp;')}</h2>" in page


def test_headers_come_from_the_label_catalogue(reports):
    for lang, (xlsx, _) in reports.items():
        ws = openpyxl.load_workbook(xlsx)[SHEETS[lang][1]]
        title = text("table", "region", lang, region={"id": "Desa/gampong", "en": "Village"}[lang])
        table = table_at(ws, title)
        assert text("short", "P0", lang) in table.columns
        assert f"{text('short', 'P0', lang)}: {text('column', 'low', lang)}" in table.columns
    assert text("short", "extreme", "id") != text("short", "extreme", "en")


# the region tables: (table title key, measures with a CI, measures without)
REGION_TABLES = (("region", ("P0", "extreme"), ("P1", "P2")), ("region_mpi", ("H", "bps14_poor"), ("A", "M0")))


def test_every_region_figure_equals_peka_profile_json(reports, profile_json):
    xlsx, _ = reports["id"]
    ws = openpyxl.load_workbook(xlsx)["Wilayah"]
    low, high = text("column", "low", "id"), text("column", "high", "id")
    for column, heading in (("kec_name", "Kecamatan"), ("desa_name", "Desa/gampong")):
        expected_rows = len({r["domain"][column] for r in profile_json["estimates"] if list(r["domain"]) == [column]})
        order = None
        for key, with_ci, without_ci in REGION_TABLES:
            table = table_at(ws, text("table", key, "id", region=heading))
            assert len(table) == expected_rows
            order = table[heading].tolist() if order is None else order
            assert table[heading].tolist() == order  # both tables in the same row order
            for _, row in table.iterrows():
                domain = {column: row[heading]}
                for measure in (*with_ci, *without_ci):
                    expected = record(profile_json, measure, domain)
                    header = text("short", measure, "id")
                    assert isinstance(row[header], float)  # stored as a number
                    assert row[header] == pytest.approx(expected["estimate"], rel=1e-12, abs=1e-15)
                    if measure in with_ci:
                        assert row[f"{header}: {low}"] == pytest.approx(expected["ci_low"], rel=1e-12, abs=1e-15)
                        assert row[f"{header}: {high}"] == pytest.approx(expected["ci_high"], rel=1e-12, abs=1e-15)
                    else:
                        assert f"{header}: {low}" not in table.columns
                households = record(profile_json, "households", domain)
                assert row["n"] == households["n"]
                if key == "region":
                    assert row["PSU"] == households["n_psu"]
                    p0 = table["P0"].tolist()
                    assert p0 == sorted(p0, reverse=True)  # sorted by P0


def test_summary_dimension_and_cause_figures_equal_peka_profile_json(reports, profile_json):
    wb = openpyxl.load_workbook(reports["en"][0])
    rates = table_at(wb["Summary"], text("table", "rates", "en"))
    for measure in ("P0", "extreme", "H", "A", "bps14_poor"):
        row = rates[rates["Measure"] == text("column", measure, "en")].iloc[0]
        assert row["Estimate"] == pytest.approx(record(profile_json, measure)["estimate"], rel=1e-12)
    dims = table_at(wb["Dimensions"], text("table", "dimensions", "en"))
    for name, code in (("Health", "kesehatan"), ("Education", "pendidikan"), ("Economic", "ekonomi")):
        row = dims[dims["Dimension"] == name].iloc[0]
        assert row["Contribution (%)"] == pytest.approx(
            record(profile_json, "contribution", indicator=f"dim:{code}")["estimate"], rel=1e-12)
    # the dimensions' contributions by kecamatan (the first --by)
    from peka.present.labels import column_label

    by_kec = table_at(wb["Dimensions"], text("table", "dimensions_by", "en", region=column_label("kec_name", "en")))
    for kec in ("Sukajaya", "Sukakarya"):
        row = by_kec[by_kec.iloc[:, 0] == kec].iloc[0]
        for name, code in (("Health", "kesehatan"), ("Economic", "ekonomi")):
            assert row[name] == pytest.approx(record(profile_json, "contribution", {"kec_name": kec},
                                                     f"dim:{code}")["estimate"], rel=1e-12)
    causes = table_at(wb["Causes & interventions"], text("table", "causes", "en"))
    shares = causes["% of poor households"].tolist()
    expected = sorted((r["estimate"] for r in profile_json["estimates"] if r["measure"] == "cause_share"
                       and r["domain"] == {}), reverse=True)
    assert shares == pytest.approx(expected, rel=1e-12)


def test_number_formats_frozen_panes_charts_and_print_setup(reports):
    wb = openpyxl.load_workbook(reports["id"][0])
    ws = wb["Wilayah"]
    rows = list(ws.iter_rows())
    header_row = next(i for i, r in enumerate(rows) if r[0].value == "Kecamatan")
    headers = [c.value for c in rows[header_row]]
    p0_cell = rows[header_row + 1][headers.index("P0")]
    assert p0_cell.data_type == "n" and p0_cell.number_format.startswith("0.0%")
    assert rows[header_row + 1][headers.index("Penduduk")].number_format == "#,##0"
    assert ws.freeze_panes == f"A{header_row + 2}"
    assert ws.auto_filter.ref is not None
    assert len(ws._charts) == 4  # P0 with CI and quadrant, for each region level
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the OOXML default: one page wide
    # readable when printed: each region table is at most 12 columns, together no wider than landscape A4 at full
    # scale (10.9 in between the margins, 96 px an inch; Excel draws a column 7 px a character + 5)
    widest = max(sum(1 for c in r if c.value is not None) for r in rows if r[0].value in ("Kecamatan", "Desa/gampong"))
    assert widest <= 12
    pixels = sum(7 * ws.column_dimensions[openpyxl.utils.get_column_letter(c + 1)].width + 5 for c in range(widest))
    assert pixels <= 10.9 * 96
    assert not ws.print_title_rows  # several tables: one table's header repeated above another would mislabel it
    assert "&P" in ws.oddFooter.center.text
    assert len(wb["Dimensi"]._charts) == 1
    # chart-only numbers (the quadrant's reference lines) are in a hidden sheet, not loose cells beside the charts
    data = wb["Data grafik"]
    assert data.sheet_state == "hidden"
    assert not any(c.value == "angka Kota Sabang" for r in ws.iter_rows() for c in r)
    lines = table_at(wb["Ringkasan"], text("table", "lines", "id"))
    assert lines.iloc[0, 1] == 676247  # the 2025-03 line of Kota Sabang (presets/lines/sabang.toml)
    rows = list(wb["Ringkasan"].iter_rows())
    cell = next(r[1] for r in rows if r[0].value == "Garis kemiskinan")
    assert cell.number_format == "#,##0"


def test_chart_data_sheet_holds_the_overall_p0_and_p1(reports, profile_json):
    data = openpyxl.load_workbook(reports["id"][0])["Data grafik"]
    numbers = [(r[0], r[1]) for r in data.iter_rows(values_only=True) if isinstance(r[0], (int, float))]
    p0, p1 = record(profile_json, "P0")["estimate"], record(profile_json, "P1")["estimate"]
    assert numbers[0] == (pytest.approx(p0), 0.0) and numbers[2] == (0.0, pytest.approx(p1))


def test_household_sheet_prints_its_key_columns_with_the_header_repeated(reports):
    ws = openpyxl.load_workbook(reports["id"][0])["Rumah tangga"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "ID rumah tangga (keluarga)")
    assert rows[header][1:3] == ("Kecamatan", "Desa/gampong")
    assert ws.print_title_rows == f"${header + 1}:${header + 1}"
    assert ws.print_area == f"'Rumah tangga'!$A$1:$H${header + 1 + 3000}"  # 8 key columns, every household
    assert ws.page_setup.orientation == "landscape"
    assert "nan" not in {r[7] for r in rows[header + 1:]}  # a household without a cause: an empty cell


def test_html_is_self_contained_small_and_plain_spoken(reports):
    page = reports["id"][1].read_text(encoding="utf-8")
    # nothing is loaded from anywhere: no attribute or CSS reference (the sources of the settings in Metode are
    # quoted as text, and a quoted address loads nothing)
    for reference in ("src=", "href=\"http", "href='http", "url(", "@import", "<link", "<script", "<img", "xmlns"):
        assert reference not in page
    assert reports["id"][1].stat().st_size < 2_000_000
    assert page.count("<svg") == 5
    assert "@media print" in page and 'name="viewport"' in page
    assert "Keuneukai memiliki tingkat kemiskinan tertinggi" in page


def test_html_tables_scroll_in_a_box_and_show_a_ci_as_one_column(reports, profile_json):
    page = reports["id"][1].read_text(encoding="utf-8")
    assert page.count('<div class="table-wrap"><table>') == page.count("<table>") > 0
    assert "overflow-x: auto" in page
    assert "SK 95% bawah" not in page and "SK 95% atas" not in page  # no separate low/high columns
    p0 = record(profile_json, "P0", {"desa_name": "Keuneukai"})
    ci = f"{100 * p0['ci_low']:.1f}–{100 * p0['ci_high']:.1f}".replace(".", ",")
    row = page.split("<td>Keuneukai</td>", 1)[1].split("</tr>", 1)[0]
    assert f">{ci}<" in row
    assert "<th>P0</th>" in page and "<th>Ekstrem</th>" in page  # short headers, explained in the note
    assert html.escape(text("text", "region_legend", "id")) in page


def test_paragraph_says_whether_the_highest_village_ci_lies_above_the_city(reports, profile_json):
    city = record(profile_json, "P0")["estimate"]
    villages = [r for r in profile_json["estimates"] if r["measure"] == "P0" and list(r["domain"]) == ["desa_name"]]
    page = reports["en"][1].read_text(encoding="utf-8")
    for kec in ("Sukajaya", "Sukakarya"):
        raw = pd.read_csv(HH)
        inside = set(raw.loc[raw["kec_name"] == kec, "desa_name"])
        top = max((r for r in villages if r["domain"]["desa_name"] in inside), key=lambda r: r["estimate"])
        sentence = f"Village {top['domain']['desa_name']} has the highest poverty rate"
        assert sentence in page
        after = page.split(sentence, 1)[1][:400]
        assert ("lies above" in after) == (top["ci_low"] > city)


def test_cluster_needs_and_sensitivity_match_pandas_on_the_classified_table(reports, classified):
    table = pd.read_csv(classified)
    poor = table["poverty_status"].isin(POOR)
    wb = openpyxl.load_workbook(reports["id"][0])
    clusters = table_at(wb["Penyebab & intervensi"], text("table", "clusters", "id", region="Desa/gampong"))
    total = clusters[clusters["Desa/gampong"] == "Total"].iloc[0]
    assert total["Ruta miskin (perkiraan)"] == pytest.approx((table["weight"] * poor).sum())
    assert total["Ruta miskin (sampel)"] == poor.sum()
    from peka.config import load_config

    config = load_config()
    cluster1 = [f"cause_{c.code}" for c in config.causes.active if c.cluster == 1]
    needs = poor & table[cluster1].fillna(False).astype(bool).any(axis=1)
    village = table["desa_name"] == "Keuneukai"
    row = clusters[clusters["Desa/gampong"] == "Keuneukai"].iloc[0]
    assert row["Klaster 1"] == pytest.approx((table["weight"] * (needs & village)).sum())
    lines = table_at(wb["Sensitivitas"], text("table", "line_scale", "id"))
    persons = table["weight"] * table["hh_size"]
    for scale in (0.8, 1.2):
        below = table["exp_pc"] < table["poverty_line"] * scale
        row = lines[np.isclose(lines.iloc[:, 0], scale)].iloc[0]
        assert row["P0 (% penduduk miskin)"] == pytest.approx((persons * below).sum() / persons.sum(), rel=1e-12)
    assert lines["P0 (% penduduk miskin)"].is_monotonic_increasing


def test_h_by_cutoff_k_is_the_share_with_score_at_least_k(reports, classified):
    # H at each k from the classified mpi_score (the score does not depend on k): persons with c ≥ k among persons
    # with a known score; the row of the configured k is the H of the mpi_poor column. (The table once showed the
    # configured H on every row: it estimated from mpi_poor whatever the k.)
    table = pd.read_csv(classified)
    persons = table["weight"] * table["hh_size"]
    score = table["mpi_score"]
    known = score.notna()
    ks = table_at(openpyxl.load_workbook(reports["id"][0])["Sensitivitas"], text("table", "k_values", "id"))
    assert len(ks) == 8
    for _, row in ks.iterrows():
        k = row.iloc[0]
        poor = known & (score >= k - 1e-9)
        assert row.iloc[1] == pytest.approx((persons * poor).sum() / (persons * known).sum(), rel=1e-12)
    assert ks.iloc[:, 1].is_monotonic_decreasing and ks.iloc[0, 1] > ks.iloc[-1, 1]
    configured = ks[ks.iloc[:, -1] == "✓"].iloc[0]
    mpi_poor = table["mpi_poor"].astype("boolean").fillna(False).astype(bool)
    assert configured.iloc[1] == pytest.approx((persons * mpi_poor).sum() / (persons * known).sum(), rel=1e-12)


def test_profile_by_head_characteristics_from_a_classified_file(classified, tmp_path):
    out = tmp_path / "r.xlsx"
    result = invoke("report", classified, "--by", "kec_name", "--by", "desa_name", "--lang", "en", "-o", out)
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out)["Poverty profile"]
    sex = table_at(ws, text("table", "characteristic", "en", characteristic="Head's sex"))
    table = pd.read_csv(classified)
    persons = table["weight"] * table["hh_size"]
    poor_persons = persons * table["poor"].astype(bool)
    female = table["head_sex"] == "p"
    row = sex[sex["Head's sex"] == "Female"].iloc[0]
    assert row["% of the poor"] == pytest.approx(poor_persons[female].sum() / poor_persons.sum(), rel=1e-10)
    assert row["% of the population"] == pytest.approx(persons[female].sum() / persons.sum(), rel=1e-10)
    assert row["P0 (% poor)"] == pytest.approx(poor_persons[female].sum() / persons[female].sum(), rel=1e-10)
    assert sex["% of the poor"].sum() == pytest.approx(1.0)
    ages = table_at(ws, text("table", "characteristic", "en", characteristic="Head's age group"))
    assert set(ages["Head's age group"]) <= {"<35", "35-44", "45-54", "55-64", "65+"}


def test_missing_characteristics_are_named(classified, tmp_path):
    # a classified table without the head's characteristics (e.g. made with --keep-none): the page says so
    table = pd.read_csv(classified, dtype=str)
    bare = tmp_path / "bare.csv"
    table.drop(columns=[c for c in table.columns if c.startswith("head_")]).to_csv(bare, index=False)
    (tmp_path / "bare.csv.peka.toml").write_text(Path(f"{classified}.peka.toml").read_text())
    out = tmp_path / "r.html"
    result = invoke("report", bare, "--by", "kec_name", "--lang", "en", "-o", out)
    assert result.exit_code == 0, result.output
    page = html.unescape(out.read_text(encoding="utf-8"))
    assert "Not in the classified table: Head's sex (head_sex)" in page


def test_domain_values_stay_text_in_xlsx_and_escaped_in_html(classified, tmp_path):
    table = pd.read_csv(classified, dtype=str)
    table.loc[table["desa_name"] == "Keuneukai", "desa_name"] = "=1+1"
    table.loc[table["desa_name"] == "Krueng Raya", "desa_name"] = "<b>x</b>"
    hostile = tmp_path / "hostile.csv"
    table.to_csv(hostile, index=False)
    (tmp_path / "hostile.csv.peka.toml").write_text(Path(f"{classified}.peka.toml").read_text())
    xlsx, html = tmp_path / "r.xlsx", tmp_path / "r.html"
    result = invoke("report", hostile, "--by", "kec_name", "--by", "desa_name", "-o", xlsx, "-o", html)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(xlsx)
    cells = [c for row in wb["Wilayah"].iter_rows() for c in row if c.value == "=1+1"]
    assert cells and all(c.data_type == "s" for c in cells)
    assert not any(c.data_type == "f" for row in wb["Wilayah"].iter_rows() for c in row)
    page = html.read_text(encoding="utf-8")
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert "=1+1" in page


def test_outputs_are_checked_before_reading(tmp_path):
    result = invoke("report", HH, "--persons", PERSONS, "-o", PERSONS)
    assert result.exit_code == 2 and "is the input file" in result.output
    result = invoke("report", HH, "--persons", PERSONS, "-o", tmp_path / "x.pdf")
    assert result.exit_code == 2
    result = invoke("report", HH, "--persons", PERSONS)
    assert result.exit_code == 2
    assert not list(tmp_path.iterdir())


# ---- Bantuan (receipt of assistance) and vulnerable groups ------------------------------------------------------


def taylor_ratio(frame: pd.DataFrame, y: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """Σw·y / Σw·x and its Taylor SE (PSUs with replacement within strata), written out here with pandas."""
    w = frame["weight"].to_numpy(float)
    total_x = float(np.sum(w * x))
    ratio = float(np.sum(w * y)) / total_x
    z = pd.DataFrame({"h": frame["strata"], "psu": frame["psu"], "z": w * (y - ratio * x) / total_x})
    psu = z.groupby(["h", "psu"])["z"].sum().reset_index()
    var = 0.0
    for _, part in psu.groupby("h"):
        n_h = len(part)
        if n_h > 1:
            var += n_h / (n_h - 1) * float(np.sum((part["z"] - part["z"].mean()) ** 2))
    return ratio, math.sqrt(var)


@pytest.fixture(scope="module")
def classified_sample(classified) -> pd.DataFrame:
    return pd.read_csv(classified, dtype={"hh_id": str})


def test_bantuan_shares_equal_pandas_on_the_classified_table(reports, classified_sample):
    frame = classified_sample
    poor = frame["poor"].astype(bool).to_numpy(float)
    ws = openpyxl.load_workbook(reports["id"][0])["Bantuan"]
    table = table_at(ws, text("bantuan", "receipt_table", "id")).set_index(text("bantuan", "programme", "id"))
    assert list(table.index) == ["PKH", "BPNT", "PBI-JK", "PIP", "RTLH"]
    cover, nonpoor, leak = (text("bantuan", k, "id") for k in ("coverage", "nonpoor", "leakage"))
    for column, name in (("recv_pkh", "PKH"), ("recv_pbi", "PBI-JK"), ("recv_rtlh", "RTLH")):
        recv = frame[column].astype(bool).to_numpy(float)
        coverage, coverage_se = taylor_ratio(frame, recv * poor, poor)
        leakage, leakage_se = taylor_ratio(frame, recv * (1 - poor), recv)
        w = frame["weight"]
        assert table.loc[name, cover] == pytest.approx(coverage, rel=1e-10)
        assert table.loc[name, f"{cover}: SE"] == pytest.approx(coverage_se, rel=1e-8)
        assert table.loc[name, nonpoor] == pytest.approx((w * recv * (1 - poor)).sum() / (w * (1 - poor)).sum(),
                                                          rel=1e-10)
        assert table.loc[name, leak] == pytest.approx(leakage, rel=1e-10)
        assert table.loc[name, f"{leak}: SE"] == pytest.approx(leakage_se, rel=1e-8)
    by_desil = table_at(ws, text("bantuan", "receipt_desil_table", "id"))
    pkh_1 = by_desil[(by_desil[text("bantuan", "programme", "id")] == "PKH")
                     & (by_desil[text("bantuan", "desil", "id")] == "1")].iloc[0]
    in_1 = frame[frame["desil"] == 1]
    recv, poor_1 = in_1["recv_pkh"].astype(bool), in_1["poor"].astype(bool)
    w = in_1["weight"]
    assert pkh_1[cover] == pytest.approx((w * (recv & poor_1)).sum() / (w * poor_1).sum(), rel=1e-10)
    assert pkh_1[leak] == pytest.approx((w * (recv & ~poor_1)).sum() / (w * recv).sum(), rel=1e-10)


def test_bantuan_says_which_receipt_columns_are_missing(classified, tmp_path):
    frame = pd.read_csv(classified, dtype={"hh_id": str})
    source = tmp_path / "k.csv"
    frame.drop(columns=["recv_pip", "desil"]).to_csv(source, index=False)
    record = Path(str(classified) + ".peka.toml")
    Path(str(source) + ".peka.toml").write_text(record.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "r.xlsx"
    result = invoke("report", source, "--by", "kec_name", "-o", out)
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out)["Bantuan"]
    cells = [r[0] for r in ws.iter_rows(values_only=True) if r[0]]
    assert text("bantuan", "missing", "id", columns="PIP (recv_pip)") in cells
    assert text("bantuan", "no_desil", "id") in cells
    table = table_at(ws, text("bantuan", "receipt_table", "id"))
    assert table[text("bantuan", "programme", "id")].tolist() == ["PKH", "BPNT", "PBI-JK", "RTLH"]


@pytest.mark.parametrize("population", ["children", "elderly", "women", "disabled"])
def test_vulnerable_group_p0_equals_peka_profile_population(reports, population, tmp_path):
    out = tmp_path / "p.json"
    result = invoke("profile", HH, "--persons", PERSONS, "--population", population, "--format", "json", "-o", out)
    assert result.exit_code == 0, result.output
    expected = record(json.loads(out.read_text()), "P0")
    ws = openpyxl.load_workbook(reports["en"][0])["Poverty profile"]
    table = table_at(ws, text("bantuan", "groups_table", "en")).set_index(text("bantuan", "group", "en"))
    row = table.loc[text("bantuan", population, "en")]
    low, high = text("column", "low", "en"), text("column", "high", "en")
    assert row[text("column", "P0", "en")] == pytest.approx(expected["estimate"], rel=1e-12)
    assert row[f"{text('column', 'P0', 'en')}: {low}"] == pytest.approx(expected["ci_low"], rel=1e-12)
    assert row[f"{text('column', 'P0', 'en')}: {high}"] == pytest.approx(expected["ci_high"], rel=1e-12)


def test_ringkasan_compares_p0_with_published_figures_of_the_period(reports, profile_json):
    """Aceh March 2025 P0 12.33 % and national 8.47 % (BPS, domain notes §1.3): z = (P0 − published) / SE."""
    p0 = record(profile_json, "P0")
    ws = openpyxl.load_workbook(reports["en"][0])["Summary"]
    table = table_at(ws, text("bantuan", "published_table", "en")).set_index(text("bantuan", "area", "en"))
    assert list(table.index) == ["Aceh", "Indonesia"]
    for area, published in (("Aceh", 0.1233), ("Indonesia", 0.0847)):
        row = table.loc[area]
        assert row[text("bantuan", "published", "en")] == pytest.approx(published)
        assert row[text("column", "P0", "en")] == pytest.approx(p0["estimate"], rel=1e-12)
        z = (p0["estimate"] - published) / p0["se"]
        assert row["z"] == pytest.approx(z, rel=1e-10)
        assert row[text("bantuan", "significant", "en")] == ("Yes" if abs(z) > 1.96 else "No")
        assert "domain notes §1.3" in row[text("column", "source", "en")]
