"""Registry mode (the monetary side from the desil), group counts, kept characteristics, --skip and exit 3 for a
measure no household can get, the broad-line warning, profiles without a design. Expected values come from the raw
sample files with pandas (persons.csv, the P3KE workbook's own columns) and the published line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from peka.cli.app import app

SAMPLE = "data/samples/sabang"
HH, PERSONS, REGISTRY = f"{SAMPLE}/households.csv", f"{SAMPLE}/persons.csv", f"{SAMPLE}/p3ke_registry.xlsx"
ACEH_LINE_2025_03 = 676_247  # BPS Aceh GK March 2025 (domain notes §1.3): the line of the sample (prov 11)

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def classified(tmp_path_factory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("k") / "k.csv"
    result = run("classify", HH, "--persons", PERSONS, "-o", str(out))
    assert result.exit_code == 0, result.output
    return pd.read_csv(out, dtype={"hh_id": str}), out


def test_classify_without_persons_is_an_input_error_naming_the_way_out(tmp_path):
    result = run("classify", HH, "-o", str(tmp_path / "k.csv"))
    assert result.exit_code == 3
    message = " ".join(result.output.split())
    assert "--persons" in message and "--skip mpi" in message
    assert not (tmp_path / "k.csv").exists()
    ok = run("classify", HH, "--skip", "mpi", "-o", str(tmp_path / "k.csv"))
    assert ok.exit_code == 0, ok.output
    table = pd.read_csv(tmp_path / "k.csv")
    # status from money alone: poor households (exp_pc < GK) monetary-poor, nobody unknown
    raw = pd.read_csv(HH)
    assert (table["poverty_status"] == "miskin_moneter").sum() == (raw["exp_pc"] < ACEH_LINE_2025_03).sum()
    assert "tidak_diketahui" not in set(table["poverty_status"])
    assert "--skip" in ok.output and "mpi" in ok.output  # the summary says what was not computed


def test_no_expenditure_and_no_desil_is_exit_3_unless_money_is_skipped(tmp_path):
    raw = pd.read_csv(HH, dtype=str).drop(columns=["exp_hh", "exp_pc", "desil"])
    path = tmp_path / "rt.csv"
    raw.to_csv(path, index=False)
    result = run("classify", str(path), "--persons", PERSONS)
    assert result.exit_code == 3
    assert "--skip money" in " ".join(result.output.split())
    ok = run("classify", str(path), "--persons", PERSONS, "--skip", "money", "-o", str(tmp_path / "k.csv"))
    assert ok.exit_code == 0, ok.output
    table = pd.read_csv(tmp_path / "k.csv")
    assert set(table["monetary_source"]) == {"none"}
    # the MPI alone decides: MPI-poor ⇔ miskin_multidimensi
    assert ((table["poverty_status"] == "miskin_multidimensi") == table["mpi_poor"].astype(bool)).all()


def test_registry_sample_classifies_every_household_from_the_desil(tmp_path):
    out = tmp_path / "reg.csv"
    result = run("classify", REGISTRY, "-o", str(out))
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype={"hh_id": str})
    raw = pd.read_excel(REGISTRY, engine="openpyxl", sheet_name="Keluarga", dtype={"ID Keluarga P3KE": str})
    assert not any(c.startswith("Pengeluaran") for c in raw.columns) and "Bobot" not in raw.columns
    assert len(table) == len(raw) and (raw["Desil Kesejahteraan"] <= 4).mean() > 0.85
    desil = raw.set_index("ID Keluarga P3KE")["Desil Kesejahteraan"].reindex(table["hh_id"]).to_numpy()
    assert set(table["monetary_source"]) == {"desil"}
    assert (table["poor"].astype(bool).to_numpy() == (desil <= 2)).all()  # D1 sangat miskin, D2 miskin
    assert (table["extreme_poor"].astype(bool).to_numpy() == (desil == 1)).all()
    assert "tidak_diketahui" not in set(table["poverty_status"])
    poor_status = table["poverty_status"].isin(["miskin_ganda", "miskin_moneter", "miskin_multidimensi"])
    assert poor_status[table["mpi_poor"].astype(bool)].all()
    expected = np.select([(desil <= 2) & table["mpi_poor"], desil <= 2, table["mpi_poor"],
                          (desil <= 4) | table["mpi_vulnerable"]],
                         ["miskin_ganda", "miskin_moneter", "miskin_multidimensi", "rentan"], "tidak_miskin")
    assert (table["poverty_status"].to_numpy() == expected).all()
    # causes for every poor household: the segment joins the primary cause when one applies
    has_cause = table["primary_cause"].notna() & poor_status
    assert (table.loc[has_cause, "segment"] == table.loc[has_cause, "poverty_status"] + "/"
            + table.loc[has_cause, "primary_cause"]).all()
    assert "desil" in result.output  # the summary names the monetary source


def test_group_counts_match_the_raw_person_file(classified):
    table, _ = classified
    persons = pd.read_csv(PERSONS, dtype={"hh_id": str})
    counts = persons.assign(
        c=persons["age"] < 18, u5=persons["age"] < 5, e=persons["age"] >= 60, w=persons["sex"] == "p",
        d=persons["disability"].astype("boolean").fillna(False),
    ).groupby("hh_id")[["c", "u5", "e", "w", "d"]].sum().reindex(table["hh_id"]).fillna(0)
    for column, raw in zip(("n_children", "n_under5", "n_elderly", "n_women", "n_disabled"), counts.columns):
        assert (table[column].to_numpy() == counts[raw].to_numpy()).all(), column


@pytest.mark.parametrize("option", [("--hh-size", "n_children"), ("--population", "children")])
def test_child_poverty_through_hh_size_n_children(classified, tmp_path, option):
    _, path = classified
    out = tmp_path / "p.csv"
    result = run("profile", str(path), *option, "-o", str(out))
    assert result.exit_code == 0, result.output
    est = pd.read_csv(out)
    p0 = est.loc[(est["measure"] == "P0") & est["poverty_status"].isna() & est["segment"].isna(), "estimate"]
    hh = pd.read_csv(HH, dtype={"hh_id": str})
    persons = pd.read_csv(PERSONS, dtype={"hh_id": str})
    children = (persons["age"] < 18).groupby(persons["hh_id"]).sum().reindex(hh["hh_id"]).fillna(0).to_numpy()
    known = hh["exp_pc"].notna().to_numpy()
    w, poor = hh["weight"].to_numpy()[known], (hh["exp_pc"] < ACEH_LINE_2025_03).to_numpy()[known]
    expected = (w * children[known] * poor).sum() / (w * children[known]).sum()
    assert p0.iloc[0] == pytest.approx(expected, rel=1e-12)


def test_elderly_poverty_through_population(classified, tmp_path):
    _, path = classified
    out = tmp_path / "p.csv"
    result = run("profile", str(path), "--population", "elderly", "-o", str(out))
    assert result.exit_code == 0, result.output
    est = pd.read_csv(out)
    p0 = est.loc[(est["measure"] == "P0") & est["poverty_status"].isna() & est["segment"].isna(), "estimate"]
    hh = pd.read_csv(HH, dtype={"hh_id": str})
    persons = pd.read_csv(PERSONS, dtype={"hh_id": str})
    elderly = (persons["age"] >= 60).groupby(persons["hh_id"]).sum().reindex(hh["hh_id"]).fillna(0).to_numpy()
    known = hh["exp_pc"].notna().to_numpy()
    w, poor = hh["weight"].to_numpy()[known], (hh["exp_pc"] < ACEH_LINE_2025_03).to_numpy()[known]
    expected = (w * elderly[known] * poor).sum() / (w * elderly[known]).sum()
    assert p0.iloc[0] == pytest.approx(expected, rel=1e-12)


def test_kept_characteristics_and_profile_by_head_sex(classified, tmp_path):
    table, path = classified
    raw = pd.read_csv(HH, dtype={"hh_id": str})
    for column in ("head_sex", "head_educ", "floor_material", "recv_pkh", "desil"):
        pd.testing.assert_series_equal(table[column], raw[column], check_dtype=False, check_names=False)
    assert not {"head_nik", "head_name", "kk_no", "address"} & set(table.columns)
    result = run("profile", str(path), "--by", "head_sex", "-o", str(tmp_path / "p.csv"))
    assert result.exit_code == 0, result.output
    est = pd.read_csv(tmp_path / "p.csv", dtype={"head_sex": str})
    p0 = est[(est["measure"] == "P0") & est["head_sex"].notna()].set_index("head_sex")["estimate"]
    for sex in ("l", "p"):
        part = raw[raw["head_sex"] == sex]
        pw = part["weight"] * part["hh_size"]
        assert p0[sex] == pytest.approx((pw * (part["exp_pc"] < ACEH_LINE_2025_03)).sum() / pw.sum(), rel=1e-12)


def test_keep_none_and_keep(tmp_path):
    out = tmp_path / "k.csv"
    result = run("classify", HH, "--persons", PERSONS, "--keep-none", "--keep", "head_income", "-o", str(out))
    assert result.exit_code == 0, result.output
    columns = pd.read_csv(out, nrows=1).columns
    assert "head_income" in columns and "head_sex" not in columns and "n_children" not in columns
    assert run("classify", HH, "--persons", PERSONS, "--keep", "head_nik").exit_code == 2
    assert run("classify", HH, "--persons", PERSONS, "--keep", "no_such_column").exit_code == 3


def test_missing_region_codes_fall_back_to_the_national_line_with_a_warning(tmp_path):
    raw = pd.read_csv(HH, dtype=str).drop(columns=["prov_code", "kab_code"])
    path = tmp_path / "rt.csv"
    raw.to_csv(path, index=False)
    out = tmp_path / "k.csv"
    result = run("classify", str(path), "--persons", PERSONS, "-o", str(out))
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "PERINGATAN" in text and "2025-03/nasional" in text
    assert "WARNING (this run)" in (tmp_path / "k.csv.peka.toml").read_text(encoding="utf-8")


def test_a_registry_profile_has_no_standard_errors(tmp_path):
    out = tmp_path / "reg.csv"
    assert run("classify", REGISTRY, "-o", str(out)).exit_code == 0
    result = run("profile", str(out), "-o", str(tmp_path / "p.csv"))
    assert result.exit_code == 0, result.output
    est = pd.read_csv(tmp_path / "p.csv")
    assert est["se"].isna().all() and est["ci_low"].isna().all()
    mpi_h = est.loc[(est["measure"] == "H") & est["poverty_status"].isna() & est["segment"].isna(), "estimate"].iloc[0]
    table = pd.read_csv(out)
    assert mpi_h == pytest.approx((table["hh_size"] * table["mpi_poor"]).sum() / table["hh_size"].sum(), rel=1e-12)
