"""Targeting accuracy: estimates equal the weighted cross-tabulation of selection and poverty computed with pandas
from the files; standard errors equal R ``survey`` (svyratio / svycontrast), frozen in
tests/fixtures/expected/r_targeting.csv (run live when Rscript with ``survey`` is installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peka.estimate import Design
from peka.targeting.accuracy import Selection, evaluate
from tests.target.conftest import target

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
R_INPUT = FIXTURES / "expected" / "target_accuracy_input.csv"
R_EXPECTED = FIXTURES / "expected" / "r_targeting.csv"
R_SCRIPT = FIXTURES / "r" / "targeting_oracle.R"
KEYS = ["selection", "target", "domain_level", "domain_code", "measure"]


def _peka_on_frozen_input() -> pd.DataFrame:
    d = pd.read_csv(R_INPUT, dtype={"strata": str, "psu": str, "kec_code": str})
    desil = d["desil"].astype("Float64")
    selections = [
        Selection("desil_le_4", "rule", (desil <= 4).astype("boolean")),
        Selection("miskin_mpi", "rule", d["mpi_poor"].astype("boolean")),
        Selection("recv_pkh", "receipt", d["recv_pkh"].astype("boolean")),
    ]
    out = evaluate(d, selections, Design("weight", "strata", "psu"), by=["kec_code"])
    return out


def _compare(peka: pd.DataFrame, reference: pd.DataFrame) -> None:
    reference = reference.assign(domain_code=reference["domain_code"].fillna("").astype(str))
    merged = reference.merge(peka, on=KEYS, how="left", suffixes=("_r", "_p"), validate="one_to_one")
    assert len(merged) == len(reference) == 108
    assert merged["estimate_p"].notna().all()
    np.testing.assert_allclose(merged["estimate_p"], merged["estimate_r"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(merged["se_p"], merged["se_r"], rtol=0, atol=1e-8)
    assert (merged["n_p"] == merged["n_r"]).all()


def test_standard_errors_equal_frozen_r_survey():
    _compare(_peka_on_frozen_input(), pd.read_csv(R_EXPECTED, dtype={"domain_code": str}))


def _r_with_survey() -> bool:
    rscript = shutil.which("Rscript") or ("/usr/bin/Rscript" if Path("/usr/bin/Rscript").exists() else None)
    if rscript is None:
        return False
    return subprocess.run([rscript, "-e", "library(survey)"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _r_with_survey(), reason="Rscript with library(survey) is not installed")
def test_live_r_survey_gives_the_frozen_numbers(tmp_path):
    out = tmp_path / "r.csv"
    subprocess.run([shutil.which("Rscript") or "/usr/bin/Rscript", str(R_SCRIPT), str(R_INPUT), str(out)],
                   check=True, capture_output=True)
    live = pd.read_csv(out, dtype={"domain_code": str})
    frozen = pd.read_csv(R_EXPECTED, dtype={"domain_code": str})
    pd.testing.assert_frame_equal(live[KEYS + ["n"]], frozen[KEYS + ["n"]])
    np.testing.assert_allclose(live[["estimate", "se"]], frozen[["estimate", "se"]], rtol=0, atol=1e-8)
    _compare(_peka_on_frozen_input(), live)


def test_measures_equal_weighted_crosstab_with_pandas(tmp_path, raw, classified):
    run = target(tmp_path, programs=("pkh",), quota=1, evaluate=True)
    ev = pd.read_csv(run.output / "evaluation.csv", dtype={"domain_code": str}, keep_default_na=False)
    w = pd.to_numeric(raw["weight"])
    desil = pd.to_numeric(raw["desil"], errors="coerce")
    cases = {
        ("desil_le_4", "miskin_moneter"): (desil <= 4, classified["poor"].astype(bool)),
        ("recv_pkh", "miskin_mpi"): (raw["recv_pkh"] == "true", classified["mpi_poor"].astype(bool)),
        ("pkh", "miskin_moneter"): (desil <= 4, classified["poor"].astype(bool)),
        ("daftar_pkh", "miskin_mpi"): (raw["hh_id"].isin(run.lists["hh_id"]), classified["mpi_poor"].astype(bool)),
    }
    for (sel, tgt), (s, t) in cases.items():
        valid = desil.notna() if sel in ("desil_le_4", "pkh") else pd.Series(True, index=raw.index)
        for level, code, inside in [("all", "", pd.Series(True, index=raw.index))] + [
            ("kec_code", k, raw["kec_code"] == k) for k in sorted(raw["kec_code"].unique())
        ] + [("desa_code", "1172020001", raw["desa_code"] == "1172020001")]:
            m = valid & inside
            st = (w * (s & t & m)).sum()
            T = (w * (t & m)).sum()
            S = (w * (s & m)).sum()
            snt = (w * (s & ~t & m)).sum()
            nt = (w * (~t & m)).sum()
            one = (w * m).sum()
            expected = {
                "coverage": st / T, "exclusion_error": 1 - st / T, "inclusion_error_beneficiaries": snt / S,
                "inclusion_error_nontarget": snt / nt, "targeting_differential": st / T - snt / nt,
                "cgh": (st / S) / (T / one),
            }  # fmt: skip
            rows = ev[(ev["selection"] == sel) & (ev["target"] == tgt) & (ev["domain_level"] == level)
                      & (ev["domain_code"] == code)].set_index("measure")
            for measure, value in expected.items():
                got = float(rows.loc[measure, "estimate"])
                assert got == pytest.approx(value, abs=1e-12), (sel, tgt, code, measure)
            assert int(rows.loc["coverage", "n"]) == int(m.sum())
    assert set(ev.loc[ev["selection"] == "pkh", "status"]) == {"unconfirmed"}
    expected_rules = {"desil_le_4", "desil_le_5", "miskin_mpi", "bps14", "miskin_moneter", "pkh", "recv_pkh"}
    assert expected_rules <= set(ev["selection"])


def test_concordance_is_the_weighted_crosstab(tmp_path, raw, classified):
    run = target(tmp_path, programs=("pkh",), quota=1, evaluate=True)
    got = pd.read_csv(run.output / "concordance.csv")
    frame = pd.DataFrame({"desil": pd.to_numeric(raw["desil"], errors="coerce"),
                          "survei": classified["desil_survei"].astype(float), "w": pd.to_numeric(raw["weight"])})
    table = frame.dropna().pivot_table(index="desil", columns="survei", values="w", aggfunc="sum")
    for row in got.itertuples():
        assert row.weighted_households == pytest.approx(table.loc[row.desil, row.desil_survei], rel=1e-12)
    assert got["weighted_households"].sum() == pytest.approx(frame.dropna()["w"].sum(), rel=1e-12)
