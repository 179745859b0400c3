"""The columns `classify` writes are exactly, and in the order of, the tables in docs/architecture.md
("Classification output") and docs/methodology.md (§7), with the per-indicator, per-criterion and per-cause
patterns expanded from the configuration."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from classify_helpers import households, survey

from peka.classify import REGION_COLUMNS, classify

DOCS = Path(__file__).resolve().parents[2] / "docs"


def documented(text: str, config) -> list[str]:
    names: list[str] = []
    for cell in re.findall(r"^\| (`[^|]*`) \|", text, flags=re.MULTILINE):
        parts = re.findall(r"`([^`]+)`", cell)
        if parts == ["bps14_c01", "bps14_c14"]:  # "bps14_c01 … bps14_c14"
            names += [f"bps14_{c.code}" for c in config.bps14.active]
        elif parts == ["prov_code", "desa_name", "urban_rural"]:  # "prov_code … desa_name, urban_rural"
            names += list(REGION_COLUMNS)
        elif parts == ["mpi_d_<name>"]:
            names += [f"mpi_d_{i.name}" for i in config.mpi.active]
        elif parts == ["cause_<code>"]:
            names += [f"cause_{c.code}" for c in config.causes.active]
        else:
            names += parts
    return names


def section(path: Path, start: str, end: str) -> str:
    text = path.read_text(encoding="utf-8")
    return text.split(start, 1)[1].split(end, 1)[0]


def classified_columns(config) -> list[str]:
    hh = households({}).assign(desil=1)  # every household column the docs list, desil as given by DTSEN/P3KE
    return list(classify(survey(hh, []), config).columns)


def test_columns_match_architecture_md(config):
    text = section(DOCS / "architecture.md", "### Classification output", "### Estimation")
    # the id/region/design/size/desil prefix is described in prose there: take the table part only
    prefix = ["_row", "hh_id", "prov_code", "kab_code", "urban_rural", "weight", "hh_size", "desil"]
    got = classified_columns(config)
    # kept characteristics are in the output when the input has them
    assert got == [c for c in prefix + documented(text, config) if c not in config.classify.keep or c in got]


@pytest.mark.parametrize("include_personal", [False, True])
def test_columns_match_methodology_md(config, include_personal):
    text = section(DOCS / "methodology.md", "## 7. Output columns", "Headers in Indonesian")
    hh = households({}).assign(desil=1)
    if include_personal:
        hh = hh.assign(kk_no="1", head_nik="1", head_name="x", address="y")
    # the table lists every id, region and design column that may be copied; the output has those of the input
    copied = {
        "kk_no",
        "head_nik",
        "head_name",
        "address",
        *REGION_COLUMNS,
        "weight",
        "strata",
        "psu",
        "hh_size",
        "desil",
    }
    # kept characteristics are copied when the input has them (the group counts are [[derive]] values: always)
    copied |= {c for c in config.classify.keep if not c.startswith("n_")}
    expected = [c for c in documented(text, config) if c not in copied or c in hh.columns]
    got = list(classify(survey(hh, []), config, include_personal=include_personal).columns)
    assert got == expected
