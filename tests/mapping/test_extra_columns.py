"""A survey's own questions (a PEKA-style questionnaire: sells through middlemen, member of a business group, name
of the village facilitator) kept with `[household.extra]`, read by a cause rule, passed through classify, usable in
`peka profile --by`; a personal extra column never leaves unless asked for."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from peka.cli.app import app
from peka.mapping import preset_text

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang"
EXTRA = """
[household.extra]
jual_tengkulak = { from = "Jual ke Tengkulak", kind = "bool", values = { "Ya" = true, "Tidak" = false } }
kelompok_usaha = { from = "Kelompok Usaha", kind = "category", values = { "1" = "tani", "2" = "perempuan", "3" = "tidak_ada" } }
nama_pendamping = { from = "Nama Pendamping", kind = "str", personal = true }
"""
CONFIG = """
[[causes.catalogue]]
code = "tengkulak"
label_id = "Menjual hasil usaha lewat tengkulak"
label_en = "Sells through middlemen"
rule = "jual_tengkulak"
cluster = 3
programs = ["akses pasar"]
priority = 0
note = "test: a questionnaire's own question"
"""
FACILITATOR = "Teungku Fiktif Pendamping"


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    folder = tmp_path_factory.mktemp("extra")
    hh = pd.read_csv(SAMPLE / "households.csv", dtype=str)
    rng = np.random.default_rng(11)
    hh["Jual ke Tengkulak"] = np.where(rng.random(len(hh)) < 0.3, "Ya", "Tidak")
    hh["Kelompok Usaha"] = rng.choice(["1", "2", "3"], len(hh))
    hh["Nama Pendamping"] = FACILITATOR
    hh.to_csv(folder / "rt.csv", index=False)
    mapping = preset_text("canonical").split("\n[person]")
    (folder / "mapping.toml").write_text(mapping[0] + EXTRA + "\n[person]" + mapping[1], encoding="utf-8")
    (folder / "peka.toml").write_text(CONFIG, encoding="utf-8")
    return folder, hh


def run(*args):
    return CliRunner().invoke(app, ["-q", *map(str, args)])


def test_an_extra_column_feeds_a_cause_and_a_domain(survey, tmp_path):
    folder, hh = survey
    out = tmp_path / "k.csv"
    result = run("classify", folder / "rt.csv", "--persons", SAMPLE / "persons.csv", "--mapping",
                 folder / "mapping.toml", "--config", folder / "peka.toml", "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype=str)
    # passed through, recoded as the mapping says
    assert table["jual_tengkulak"].str.lower().eq("true").tolist() == hh["Jual ke Tengkulak"].eq("Ya").tolist()
    codes = {"1": "tani", "2": "perempuan", "3": "tidak_ada"}
    assert table["kelompok_usaha"].tolist() == hh["Kelompok Usaha"].map(codes).tolist()
    # the cause rule reads the extra column: the cause applies exactly where the answer is "Ya"
    assert table["cause_tengkulak"].str.lower().eq("true").tolist() == hh["Jual ke Tengkulak"].eq("Ya").tolist()
    # the personal extra column stays out of the output and every message
    assert "nama_pendamping" not in table.columns
    assert FACILITATOR not in out.read_text() and FACILITATOR not in result.output
    # --by the extra column: P0 per group equals a weighted share computed here
    profile = run("profile", out, "--by", "kelompok_usaha", "--format", "json")
    assert profile.exit_code == 0, profile.output
    records = json.loads(profile.stdout)["estimates"]
    raw = hh.assign(w=hh["weight"].astype(float) * hh["hh_size"].astype(float), y=hh["exp_pc"].astype(float),
                    g=hh["Kelompok Usaha"].map(codes))
    for group, part in raw.groupby("g"):
        expected = (part["w"] * (part["y"] < 676_247)).sum() / part["w"].sum()
        got = next(r["estimate"] for r in records if r["measure"] == "P0" and r["domain"] == {"kelompok_usaha": group})
        assert got == pytest.approx(expected, rel=1e-12)


def test_a_rule_on_an_unknown_extra_is_refused_before_reading(survey, tmp_path):
    folder, _ = survey
    # without the mapping that defines jual_tengkulak, the cause rule names an unknown column: exit 4
    result = run("classify", folder / "rt.csv", "--persons", SAMPLE / "persons.csv", "--config", folder / "peka.toml")
    assert result.exit_code == 4 and "jual_tengkulak" in result.output


def test_the_personal_extra_is_kept_only_when_asked(survey, tmp_path):
    folder, _ = survey
    out = tmp_path / "k.csv"
    result = run("classify", folder / "rt.csv", "--persons", SAMPLE / "persons.csv", "--mapping",
                 folder / "mapping.toml", "--config", folder / "peka.toml", "--include-personal", "-o", out)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out, dtype=str)["nama_pendamping"].eq(FACILITATOR).all()


def test_peka_report_of_the_raw_survey_reads_a_rule_on_an_extra_column(survey, tmp_path):
    # the report classifies the raw files itself: its configuration must know the mapping's extra columns too
    folder, hh = survey
    result = run("report", folder / "rt.csv", "--persons", SAMPLE / "persons.csv", "--mapping", folder / "mapping.toml",
                 "--config", folder / "peka.toml", "-o", tmp_path / "r.html")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Menjual hasil usaha lewat tengkulak" in page and FACILITATOR not in page


def test_a_pipeline_with_the_mapping_and_a_rule_on_its_extra_column(survey, tmp_path):
    folder, hh = survey
    (tmp_path / "pipeline.toml").write_text(f"""output = "hasil"

[input]
households = "{(folder / 'rt.csv').as_posix()}"
persons = "{(SAMPLE / 'persons.csv').as_posix()}"
mapping = "{(folder / 'mapping.toml').as_posix()}"

[config]
file = "{(folder / 'peka.toml').as_posix()}"

[[steps]]
step = "classify"

[[steps]]
step = "report"
""", encoding="utf-8")
    result = run("run", tmp_path / "pipeline.toml")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "hasil" / "klasifikasi.csv", dtype=str)
    assert table["cause_tengkulak"].str.lower().eq("true").tolist() == hh["Jual ke Tengkulak"].eq("Ya").tolist()
    assert "Menjual hasil usaha lewat tengkulak" in (tmp_path / "hasil" / "laporan.html").read_text(encoding="utf-8")
