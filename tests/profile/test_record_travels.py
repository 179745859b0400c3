"""The classification record travels with the classified table: a custom MPI weighting and a custom cause label
given to `peka classify --config` are used by `peka profile` of the written CSV and Parquet without `--config`."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from peka.cli.app import app

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang"
CUSTOM = """
[[mpi.indicators]]
name = "aset"
weight = "1/24"

[[mpi.indicators]]
name = "tabungan"
weight = "1/8"

[[causes.catalogue]]
code = "kepala_lansia"
label_id = "Kepala keluarga lansia (label uji)"
label_en = "Elderly head (test label)"
"""
# the built-in indonesia preset's weights (presets/mpi/indonesia.toml) with the two custom ones: four dimensions
# of 1/4 each; health and education 2 × 1/8, housing 6 × 1/24, economy aset 1/24 + tabungan 1/8 + internet 1/12
WEIGHTS = {
    "jaminan_kesehatan": Fraction(1, 8), "biaya_berobat": Fraction(1, 8),
    "pendidikan_dewasa": Fraction(1, 8), "partisipasi_sekolah": Fraction(1, 8),
    "luas_lantai": Fraction(1, 24), "material_rumah": Fraction(1, 24), "sanitasi": Fraction(1, 24),
    "air_minum": Fraction(1, 24), "penerangan": Fraction(1, 24), "bahan_bakar": Fraction(1, 24),
    "aset": Fraction(1, 24), "tabungan": Fraction(1, 8), "internet": Fraction(1, 12),
}  # fmt: skip
K = 1 / 3


@pytest.fixture(scope="module")
def classified(tmp_path_factory):
    folder = tmp_path_factory.mktemp("record")
    config = folder / "custom.toml"
    config.write_text(CUSTOM, encoding="utf-8")
    written = {}
    for suffix in ("csv", "parquet"):
        out = folder / f"k.{suffix}"
        result = CliRunner().invoke(app, ["-q", "classify", str(SAMPLE / "households.csv"), "--persons",
                                          str(SAMPLE / "persons.csv"), "--config", str(config), "-o", str(out)])
        assert result.exit_code == 0, result.output
        written[suffix] = out
    return written


def censored_headcounts(table: pd.DataFrame, names) -> tuple[dict[str, float], float]:
    """h_censored_j and M0 computed here with pandas from the classified columns: person weight w·m, the poor
    (``mpi_poor``) among households with a determinate score (``mpi_score`` known), M0 = mean censored score."""
    pw = table["weight"].astype(float) * table["hh_size"].astype(float)
    score = pd.to_numeric(table["mpi_score"], errors="coerce")
    determinate = score.notna()
    poor = table["mpi_poor"].astype(str).str.lower().eq("true") & determinate
    base = (pw * determinate).sum()
    h = {n: (pw * poor * pd.to_numeric(table[f"mpi_d_{n}"], errors="coerce").fillna(0)).sum() / base for n in names}
    m0 = (pw * poor * score.fillna(0)).sum() / base
    return h, m0


def expected_contributions(table: pd.DataFrame) -> dict[str, float]:
    """w_j · h_censored_j / M0 with the custom weights."""
    assert sum(WEIGHTS.values()) == 1
    score = pd.to_numeric(table["mpi_score"], errors="coerce")
    poor = table["mpi_poor"].astype(str).str.lower().eq("true")
    # the file was classified with the custom weights: a household whose answers are all known has Σ w_j d_j
    d = pd.DataFrame({n: pd.to_numeric(table[f"mpi_d_{n}"], errors="coerce") for n in WEIGHTS})
    complete = d.notna().all(axis=1)
    custom = sum(float(w) * d[n] for n, w in WEIGHTS.items())
    assert np.allclose(score[complete], custom[complete]) and complete.sum() > 2000
    assert (poor[complete] == (custom[complete] >= K - 1e-12)).all()
    h, m0 = censored_headcounts(table, WEIGHTS)
    return {n: float(WEIGHTS[n]) * h[n] / m0 for n in WEIGHTS}


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_profile_uses_the_weights_and_labels_the_file_was_classified_with(classified, suffix):
    path = classified[suffix]
    table = pd.read_csv(classified["csv"], dtype=str)
    expected = expected_contributions(table)
    result = CliRunner().invoke(app, ["-q", "profile", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    got = {e["indicator"]: e["estimate"] for e in document["estimates"]
           if e["measure"] == "contribution" and e["domain"] == {} and e["indicator"] in WEIGHTS}
    assert set(got) == set(WEIGHTS)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=1e-10), name
    assert document["design"]["configuration"]["source"] == "record"
    # the custom label shows in the terminal table, and the table says where the configuration came from
    screen = CliRunner().invoke(app, ["profile", str(path)], env={"COLUMNS": "160"})
    assert screen.exit_code == 0, screen.output
    assert "Kepala keluarga lansia (label uji)" in screen.stdout
    assert "catatan klasifikasi" in screen.stdout


def test_config_given_to_profile_overrides_the_record(classified):
    result = CliRunner().invoke(app, ["-q", "profile", str(classified["parquet"]), "--format", "json", "--set",
                                      "mpi.k=0.5"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["design"]["configuration"] == {"source": "config", "file": None, "set": ["mpi.k=0.5"]}
    # the built-in weight of aset (1/12) is back: the record was not used (the scores stay those of the file)
    table = pd.read_csv(classified["csv"], dtype=str)
    h, m0 = censored_headcounts(table, ["aset"])
    got = {e["indicator"]: e["estimate"] for e in document["estimates"]
           if e["measure"] == "contribution" and e["domain"] == {}}
    assert got["aset"] == pytest.approx(h["aset"] / 12 / m0, rel=1e-10)
