"""Every check code in the catalogue of docs/checks.md has an Indonesian and an English name in peka's labels."""

from __future__ import annotations

import re
from pathlib import Path

from dataclasses import fields

from peka.present.labels import catalogue
from peka.schema.findings import Finding

CHECKS_DOC = Path(__file__).resolve().parents[2] / "docs" / "checks.md"


def documented_check_codes() -> set[str]:
    text = CHECKS_DOC.read_text(encoding="utf-8").split("## The JSON report")[0]
    codes = set(re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.M))
    return codes - {f.name for f in fields(Finding)}  # the page also has a table of a finding's fields


def test_every_documented_check_has_both_labels() -> None:
    codes = documented_check_codes()
    assert {"duplicate_id", "orphan_person", "no_welfare"} <= codes  # the parse found the catalogue
    labels = catalogue()["check"]
    missing = sorted(c for c in codes if not (labels.get(c, {}).get("id") and labels.get(c, {}).get("en")))
    assert missing == []
