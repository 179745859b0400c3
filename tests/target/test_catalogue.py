"""The programme catalogue: every rule and every unit cost carries a source and a status in the preset file, the
programmes of the brief are there with their cluster, and a bad catalogue fails before any data is read."""

from __future__ import annotations

import tomllib

import pytest

from peka.config import preset_text
from peka.config.programs import load_programs
from peka.errors import ConfigError

STATUSES = {"confirmed", "single_source", "unconfirmed"}


def test_every_rule_and_number_has_source_and_status_in_the_file():
    raw = tomllib.loads(preset_text("programs.toml"))["programs"]
    assert raw["status"] in STATUSES and raw["source"].strip()
    for entry in raw["catalogue"]:
        assert entry["source"].strip() and entry["status"] in STATUSES, entry["code"]
        cost = entry["unit_cost"]
        assert cost["value"] >= 0 and cost["source"].strip() and cost["status"] in STATUSES, entry["code"]


def test_catalogue_programmes_and_clusters():
    # domain notes §5.1: klaster 1 family social assistance, 2 empowerment, 3 micro enterprise, 4 other
    clusters = {p.code: p.cluster for p in load_programs().catalogue}
    assert clusters == {"pkh": 1, "bpnt": 1, "pbi_jk": 1, "pip": 1, "rtlh": 4, "umi_kur": 3, "prakerja_blk": 2,
                        "sanitasi_air": 4, "peka_usaha": 3}
    programs = {p.code: p for p in load_programs().catalogue}
    assert programs["peka_usaha"].components == ["prakerja_blk", "umi_kur"]
    # news-only desil cuts are unconfirmed (domain notes §2.4); BSPS Rp20m per unit is confirmed (§5.3)
    assert programs["pkh"].status == "unconfirmed" and programs["bpnt"].status == "unconfirmed"
    assert programs["rtlh"].unit_cost.value == 20_000_000 and programs["rtlh"].unit_cost.status == "confirmed"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[programs]\nsurprise = 1\n', "programs.surprise"),
        ('[[programs.catalogue]]\ncode = "x"\nlabel_id = "x"\nlabel_en = "x"\ncluster = 5\nrule = "poor"\n',
         "programs.catalogue.0.cluster"),
        ('[[programs.catalogue]]\ncode = "x"\nlabel_id = "x"\nlabel_en = "x"\ncluster = 1\nrule = "poor and"\n',
         "programs.catalogue.x.rule"),
    ],
)
def test_bad_catalogue_is_a_config_error_naming_the_key(tmp_path, text, key):
    path = tmp_path / "programs.toml"
    path.write_text(text if text.startswith("[programs]") else "[programs]\n" + text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_programs(path)
    assert key in str(info.value) and int(info.value.exit_code) == 4


def test_targeting_page_lists_every_programme_with_its_status():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "targeting.md").read_text(encoding="utf-8")
    for program in load_programs().catalogue:
        row = next((line for line in page.splitlines() if line.startswith(f"| `{program.code}` |")), None)
        assert row is not None, program.code
        assert f"`{program.rule}`" in row and f"| {program.status} |" in row, program.code
