"""What a row is (--unit), which column multiplies weights (--hh-size), and --mapping in quick use — each checked
against a weighted share computed here with pandas on the raw file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from peka.cli.app import app

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang"
LINE = 676_247.0


def whole(stdout: str, measure: str) -> float:
    return next(e["estimate"] for e in json.loads(stdout)["estimates"] if e["measure"] == measure and e["domain"] == {})


def run(*args):
    result = CliRunner().invoke(app, ["-q", "profile", *map(str, args), "--format", "json"])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def person_file(tmp_path_factory):
    """One row per person (EU-SILC style): the household's equivalised income on every member, a personal weight
    and the household's size as a column that must NOT multiply anything under --unit person."""
    rng = np.random.default_rng(7)
    households = 400
    size = rng.integers(1, 7, households)
    income = rng.lognormal(13.3, 0.5, households)
    rows = pd.DataFrame({"hid": np.repeat(np.arange(households), size), "hh_size": np.repeat(size, size),
                         "eqincome": np.repeat(income, size)})  # fmt: skip
    rows["weight"] = rng.uniform(50, 150, len(rows))
    path = tmp_path_factory.mktemp("units") / "persons.csv"
    rows.to_csv(path, index=False)
    return path, rows


def test_unit_person_gives_the_plain_weighted_share(person_file):
    path, rows = person_file
    line = float(np.quantile(rows["eqincome"], 0.3))
    expected = (rows["weight"] * (rows["eqincome"] < line)).sum() / rows["weight"].sum()
    got = whole(run(path, "--welfare", "eqincome", "--weight", "weight", "--line", line, "--unit", "person"), "P0")
    assert got == pytest.approx(expected, rel=1e-12)
    # the default (household) multiplies by hh_size: a different number, Σ w·m·poor / Σ w·m
    m = rows["hh_size"]
    multiplied = (rows["weight"] * m * (rows["eqincome"] < line)).sum() / (rows["weight"] * m).sum()
    assert whole(run(path, "--welfare", "eqincome", "--weight", "weight", "--line", line), "P0") == pytest.approx(
        multiplied, rel=1e-12)


def test_hh_size_with_unit_person_is_a_usage_error(person_file):
    path, _ = person_file
    result = CliRunner().invoke(app, ["profile", str(path), "--welfare", "eqincome", "--line", "1", "--unit",
                                      "person", "--hh-size", "hh_size"])
    assert result.exit_code == 2 and "--hh-size" in result.output


def test_hh_size_names_the_column_that_weights_persons_in_a_classified_file(tmp_path):
    classified = tmp_path / "k.csv"
    assert CliRunner().invoke(app, ["-q", "classify", str(SAMPLE / "households.csv"), "--persons",
                                    str(SAMPLE / "persons.csv"), "-o", str(classified)]).exit_code == 0
    table = pd.read_csv(classified)
    table["n_tanggungan"] = (table["hh_size"] - 1).clip(lower=0)
    table.to_csv(classified, index=False)  # the record beside it still applies
    poor = table["poor"].astype(str).str.lower().eq("true")
    w, m = table["weight"], table["n_tanggungan"]
    expected = (w * m * poor).sum() / (w * m * table["exp_pc"].notna()).sum()
    assert whole(run(classified, "--hh-size", "n_tanggungan"), "P0") == pytest.approx(expected, rel=1e-12)


def test_mapping_applies_in_quick_use():
    # KAPITA is exp_pc under the susenas mapping; P0 = Σ w·m·(exp_pc < z) / Σ w·m on the canonical sample
    raw = pd.read_csv(SAMPLE / "households.csv")
    w, m = raw["weight"], raw["hh_size"]
    expected = (w * m * (raw["exp_pc"] < LINE)).sum() / (w * m).sum()
    got = whole(run(SAMPLE / "susenas_kor_rt.dta", "--mapping", "susenas", "--line", LINE), "P0")
    assert got == pytest.approx(expected, rel=1e-12)
