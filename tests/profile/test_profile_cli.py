"""`peka profile` through the CLI: every format, quick use checked against numbers computed here with numpy,
a classified file checked against the R oracle, exit codes for a singleton stratum and bad MPI specs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from peka.cli.app import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SYNTHETIC = FIXTURES / "synthetic_households.csv"
MPI = FIXTURES / "synthetic_mpi.toml"


def run(*args: str):
    return CliRunner().invoke(app, ["-q", "profile", *map(str, args)])


def records(stdout: str) -> list[dict]:
    return json.loads(stdout)["estimates"]


def pick(recs: list[dict], measure: str, domain: dict | None = None, indicator: str | None = None) -> dict:
    found = [r for r in recs if r["measure"] == measure and r["domain"] == (domain or {})
             and r["indicator"] == indicator]
    assert len(found) == 1, (measure, domain, indicator, len(found))
    return found[0]


# ---- quick use on a plain file ---------------------------------------------------------------------------------

Z = 100.0
PLAIN = pd.DataFrame({
    "pengeluaran": [40.0, 95.0, 100.0, 130.0, 60.0, 250.0, 99.0, 180.0, 75.0, 120.0],
    "bobot": [10.0, 12.0, 8.0, 15.0, 9.0, 11.0, 14.0, 7.0, 13.0, 10.0],
    "art": [4, 3, 5, 2, 6, 1, 3, 2, 5, 4],
    "kec": ["01", "01", "01", "01", "01", "02", "02", "02", "02", "02"],
})


@pytest.fixture
def plain_csv(tmp_path: Path) -> Path:
    path = tmp_path / "data.csv"
    PLAIN.to_csv(path, index=False)
    return path


def srs_ratio(y: np.ndarray, w: np.ndarray, in_domain: np.ndarray) -> tuple[float, float]:
    """Weighted mean of y over the domain and its with-replacement SRS linearised SE (R ids=~1):
    z_i = w_i 1[d] (y_i − R) / Σ_d w, var = n/(n−1) Σ (z_i − z̄)²  (n = all rows: the domain keeps the sample)."""
    wd = w * in_domain
    r = (wd * y).sum() / wd.sum()
    z = wd * (y - r) / wd.sum()
    n = len(y)
    return r, float(np.sqrt(n / (n - 1) * ((z - z.mean()) ** 2).sum()))


def test_quick_use_matches_numpy(plain_csv):
    result = run(plain_csv, "--welfare", "pengeluaran", "--line", Z, "--weight", "bobot", "--hh-size", "art",
                 "--by", "kec", "--format", "json")
    assert result.exit_code == 0, result.stderr
    recs = records(result.stdout)
    y, w, s = PLAIN["pengeluaran"].to_numpy(), PLAIN["bobot"].to_numpy(), PLAIN["art"].to_numpy()
    poor = y < Z  # strict: 100.0 is not poor
    gap = np.where(poor, (Z - y) / Z, 0.0)
    person_w = w * s
    for code in (None, "01", "02"):
        in_domain = np.ones(len(y), bool) if code is None else (PLAIN["kec"] == code).to_numpy()
        domain = {} if code is None else {"kec": code}  # code kept as text with its leading zero
        for measure, values in (("P0", poor.astype(float)), ("P1", gap), ("P2", gap**2)):
            est, se = srs_ratio(values, person_w, in_domain)
            rec = pick(recs, measure, domain)
            assert rec["estimate"] == pytest.approx(est, rel=1e-12)
            assert rec["se"] == pytest.approx(se, rel=1e-10)
            assert rec["n"] == int(in_domain.sum())
            assert rec["weighted_n"] == pytest.approx(person_w[in_domain].sum(), rel=1e-12)
    # the whole population by hand: poor persons (weight × size) 10·4 + 12·3 + 9·6 + 14·3 + 13·5 = 237 of
    # 40 + 36 + 40 + 30 + 54 + 11 + 42 + 14 + 65 + 40 = 372 persons
    assert pick(recs, "P0")["estimate"] == pytest.approx(237 / 372, rel=1e-12)
    design = json.loads(result.stdout)["design"]
    assert design["srs"] is True and design["weight"] == "bobot"
    assert design["poverty_line"] == Z and design["line_values"] == {"poverty_line": {"min": Z, "max": Z}}


def test_quick_use_table_states_srs_and_the_line(plain_csv):
    result = run(plain_csv, "--welfare", "pengeluaran", "--line", Z, "--weight", "bobot", "--hh-size", "art", "--by", "kec")
    assert result.exit_code == 0, result.stderr
    assert "sampel acak sederhana berbobot (SRS)" in result.stdout and "Garis kemiskinan: Rp100" in result.stdout
    # P0 = 237/372 = 63.71% (see above), shown with its SE; kec 01/02 as rows of one table
    assert "63,71 (" in result.stdout and "Menurut kec" in result.stdout


def test_quick_use_without_household_size_counts_rows(plain_csv):
    result = run(plain_csv, "--welfare", "pengeluaran", "--line", Z, "--format", "json")
    assert result.exit_code == 0, result.stderr
    p0 = pick(records(result.stdout), "P0")
    # unweighted, one unit per row: 5 of 10 rows below 100 (40, 95, 60, 99, 75)
    assert p0["estimate"] == pytest.approx(0.5, rel=1e-12)
    assert p0["weighted_n"] == pytest.approx(10.0)


def test_quick_use_with_mpi_spec_on_the_files_own_columns(tmp_path):
    # the Alkire-Foster (2011) worked example: H = 1/2, A = 3/4, M0 = 3/8 (tests/fixtures/published_examples.json)
    case = json.loads((FIXTURES / "published_examples.json").read_text(encoding="utf-8"))["alkire_foster_2011_example"]
    data = pd.DataFrame(case["data"]).assign(welfare=[1.0, 1.0, 1.0, 1.0])
    data.to_csv(tmp_path / "af.csv", index=False)
    spec = ["[mpi]", f"k = {case['k']}", ""]
    for ind in case["indicators"]:
        spec += ["[[mpi.indicators]]", f'name = "{ind["name"]}"', f'dimension = "{ind["dimension"]}"',
                 f"weight = {ind['weight']}", f'deprived_if = "{ind["deprived_if"]}"', ""]
    (tmp_path / "af.toml").write_text("\n".join(spec), encoding="utf-8")
    result = run(tmp_path / "af.csv", "--welfare", "welfare", "--line", 2, "--mpi", tmp_path / "af.toml",
                 "--format", "json")
    assert result.exit_code == 0, result.stderr
    recs = records(result.stdout)
    assert pick(recs, "H")["estimate"] == pytest.approx(0.5)
    assert pick(recs, "A")["estimate"] == pytest.approx(0.75)
    assert pick(recs, "M0")["estimate"] == pytest.approx(0.375)
    assert pick(recs, "h_censored", indicator="d2")["estimate"] == pytest.approx(0.5)
    assert pick(recs, "contribution", indicator="d2")["estimate"] == pytest.approx(1 / 3)


# ---- formats ---------------------------------------------------------------------------------------------------


def test_json_shape_on_a_classified_file_matches_r():
    result = run(SYNTHETIC, "--mpi", MPI, "--by", "desa_code", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert list(doc) == ["peka_version", "design", "estimates"]
    keys = ["domain", "measure", "indicator", "estimate", "se", "ci_low", "ci_high", "rse", "flag", "n", "n_psu",
            "weighted_n"]
    assert all(list(r) == keys for r in doc["estimates"])
    assert all(r["estimate"] is None or 0 <= r["estimate"] <= 1 for r in doc["estimates"]
               if r["measure"] not in ("households", "persons", "cause_ratio"))
    # R survey (tests/fixtures/expected/r_stratified.csv): P0 0.259903263796665, se 0.0182013062404055
    p0 = pick(doc["estimates"], "P0")
    assert p0["estimate"] == pytest.approx(0.259903263796665, rel=1e-9)
    assert p0["se"] == pytest.approx(0.0182013062404055, rel=1e-9)
    assert pick(doc["estimates"], "contribution", indicator="lama_sekolah")["estimate"] is not None
    domains = {tuple(r["domain"].items()) for r in doc["estimates"] if "desa_code" in r["domain"]}
    assert len(domains) == 10


def test_csv_to_stdout_flattens_domains():
    result = run(SYNTHETIC, "--by", "kec_code*urban_rural", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout), dtype={"kec_code": str})
    assert list(frame.columns[:2]) == ["kec_code", "urban_rural"]
    assert set(frame["kec_code"].dropna()) == {"1172010", "1172020"}
    whole = frame[frame["kec_code"].isna() & (frame["measure"] == "P0")]
    assert whole["estimate"].iloc[0] == pytest.approx(0.259903263796665, rel=1e-9)


def test_xlsx_output_file(tmp_path):
    target = tmp_path / "profil.xlsx"
    result = run(SYNTHETIC, "--mpi", MPI, "--by", "kec_code", "-o", target)
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[:3] == ["moneter", "multidimensi", "indikator_mpi"] and book.sheetnames[-1] == "desain"
    ws = book["moneter"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref is not None
    header = [c.value for c in ws[1]]
    # --by first, then the segment margins profile adds from a classified file
    assert header[:4] == ["kec_code", "poverty_status", "segment", "measure"]
    p0_row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 4).value == "P0")
    assert ws.cell(p0_row, header.index("estimate") + 1).number_format == "0.00%"
    assert ws.cell(p0_row, header.index("estimate") + 1).value == pytest.approx(0.259903263796665, rel=1e-9)


def test_table_in_indonesian_and_english():
    result = run(SYNTHETIC, "--by", "kec_code")
    assert result.exit_code == 0, result.stderr
    assert "P0 penduduk miskin (%)" in result.stdout and "25,99 (" in result.stdout
    assert "Menurut kec_code" in result.stdout
    result = run(SYNTHETIC, "--by", "kec_code", "--lang", "en")
    assert "P0 headcount ratio (%)" in result.stdout and "25.99 (" in result.stdout and "By kec_code" in result.stdout


def test_json_to_file_is_the_same_document(tmp_path):
    target = tmp_path / "p.json"
    assert run(SYNTHETIC, "-o", target).exit_code == 0
    stdout = run(SYNTHETIC, "--format", "json").stdout
    assert json.loads(target.read_text(encoding="utf-8")) == json.loads(stdout)


# ---- exit codes ------------------------------------------------------------------------------------------------


def test_singleton_stratum_exits_3_naming_it():
    result = run(FIXTURES / "synthetic_singleton.csv", "--format", "json")
    assert result.exit_code == 3
    assert result.stderr.startswith("peka: error: ") and "'05'" in result.stderr
    assert "synthetic_singleton.csv" in result.stderr and "--lonely-psu adjust" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_singleton_stratum_certainty_matches_r():
    result = run(FIXTURES / "synthetic_singleton.csv", "--lonely-psu", "certainty", "--format", "json")
    assert result.exit_code == 0, result.stderr
    oracle = pd.read_csv(FIXTURES / "expected" / "r_singleton_certainty.csv", keep_default_na=False)
    r_p0 = oracle[(oracle["domain"] == "") & (oracle["measure"] == "P0")].iloc[0]
    p0 = pick(records(result.stdout), "P0")
    assert p0["estimate"] == pytest.approx(r_p0["estimate"], rel=1e-9)
    assert p0["se"] == pytest.approx(r_p0["se"], rel=1e-9)


def _spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "expected"), [
    ('[mpi]\nk = 0.5\n[[mpi.indicators]]\nname = "a"\ndimension = "x"\nweight = 0.6\ndeprived_if = "y1 < 13"\n',
     "sum to 1"),
    (('[mpi]\nk = 0.5\n[[mpi.indicators]]\nname = "a"\ndimension = "x"\nweight = 1.0\n'
      'deprived_if = "__import__(\'os\')"\n'), "mpi.indicators[0].deprived_if"),
    ('[mpi]\nk = 0.5\n[[mpi.indicators]]\nname = "a"\ndimension = "x"\nweight = 1.0\ndeprived_if = "nope < 1"\n',
     "nope"),
    ('[mpi]\nk = 0.5\nbogus = 1\n', "bogus"),
    ('[mpi\n', "TOML"),
    ('[other]\nk = 1\n', "[mpi]"),
])
def test_bad_mpi_spec_exits_4(tmp_path, plain_csv, text, expected):
    result = run(plain_csv, "--welfare", "pengeluaran", "--line", Z, "--mpi", _spec(tmp_path, text))
    assert result.exit_code == 4, (result.exit_code, result.stderr)
    assert expected in result.stderr and "spec.toml" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_usage_errors_exit_2(plain_csv):
    assert run(plain_csv, "--welfare", "pengeluaran", "--line", Z, "--format", "xlsx").exit_code == 2
    assert run(plain_csv, "--welfare", "pengeluaran", "--line", Z, "--lang", "fr").exit_code == 2
    assert run(plain_csv, "--welfare", "pengeluaran", "--line", Z, "--format", "html").exit_code == 2
    assert run(plain_csv, "--welfare", "pengeluaran", "--line", Z, "--lonely-psu", "x").exit_code == 2


def test_missing_named_column_exits_3(plain_csv):
    result = run(plain_csv, "--welfare", "pengeluaran", "--line", Z, "--by", "desa")
    assert result.exit_code == 3 and "'desa'" in result.stderr


# ---- a raw survey: read, validate, classify, profile -----------------------------------------------------------

SABANG = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang"


@pytest.mark.slow
def test_raw_survey_is_classified_then_profiled():
    from peka.classify import classify
    from peka.config import load_config
    from peka.io import load_survey

    result = run(SABANG / "households.csv", "--persons", SABANG / "persons.csv", "--by", "kec_code",
                 "--format", "json")
    assert result.exit_code == 0, result.stderr
    recs = records(result.stdout)
    measures = {r["measure"] for r in recs}
    assert {"P0", "P1", "P2", "H", "A", "M0", "bps14_poor", "cause_share", "contribution"} <= measures
    # P0 recomputed with numpy from the classification: Σ w·size·1[exp_pc < line] / Σ w·size
    hh = classify(load_survey(SABANG / "households.csv", persons=SABANG / "persons.csv"), load_config())
    pw = hh["weight"].to_numpy(float) * hh["hh_size"].to_numpy(float)
    poor = hh["exp_pc"].to_numpy(float) < hh["poverty_line"].to_numpy(float)
    assert pick(recs, "P0")["estimate"] == pytest.approx((pw * poor).sum() / pw.sum(), rel=1e-12)
    for code in sorted(hh["kec_code"].unique()):
        in_kec = (hh["kec_code"] == code).to_numpy()
        expected = (pw * poor * in_kec).sum() / (pw * in_kec).sum()
        assert pick(recs, "P0", {"kec_code": code})["estimate"] == pytest.approx(expected, rel=1e-12)


def test_min_n_and_suppress(plain_csv):
    base = ["--welfare", "pengeluaran", "--line", Z, "--weight", "bobot", "--by", "kec", "--format", "json"]
    flagged = records(run(plain_csv, *base, "--min-n", 6).stdout)
    # 10 rows overall, 5 in each kec: the domains fall under n = 6, the whole population does not
    assert pick(flagged, "P0", {"kec": "01"})["flag"] == "low_n"
    assert pick(flagged, "P0")["flag"] != "low_n"
    suppressed = records(run(plain_csv, *base, "--min-n", 6, "--suppress").stdout)
    cell = pick(suppressed, "P0", {"kec": "01"})
    assert cell["flag"] == "suppressed" and cell["estimate"] is None and cell["se"] is None
    assert pick(suppressed, "P0")["estimate"] == pick(flagged, "P0")["estimate"]


def test_by_comma_crosses_and_repeated_by_gives_margins():
    crossed = run(SYNTHETIC, "--by", "kec_code,urban_rural", "--format", "json")
    assert crossed.exit_code == 0, crossed.stderr
    doc = json.loads(crossed.stdout)
    assert ["kec_code", "urban_rural"] in doc["design"]["domains"]
    assert any(set(r["domain"]) == {"kec_code", "urban_rural"} for r in doc["estimates"])
    margins = run(SYNTHETIC, "--by", "kec_code", "--by", "urban_rural", "--format", "json")
    assert margins.exit_code == 0, margins.stderr
    sets = json.loads(margins.stdout)["design"]["domains"]
    assert ["kec_code"] in sets and ["urban_rural"] in sets and ["kec_code", "urban_rural"] not in sets
