"""The documentation this part owns stays true to the code."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from peka.schema.model import COLUMNS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_data_model", DOCS / "gen_data_model.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_data_model_page_is_generated_from_model_py():
    assert (DOCS / "data-model.md").read_text(encoding="utf-8") == _generator().render(), (
        "docs/data-model.md is out of date: run python docs/gen_data_model.py"
    )


def test_data_model_page_lists_every_column_and_marks_personal_ones():
    text = (DOCS / "data-model.md").read_text(encoding="utf-8")
    for col in COLUMNS:
        row = next(
            line
            for line in text.splitlines()
            if line.startswith(f"| `{col.name}` |") and col.description.replace("|", "\\|") in line
        )
        assert ("| yes |" in row) == (col.personal or col.required)


def test_every_check_code_in_checks_py_is_in_the_catalogue():
    source = (ROOT / "src" / "peka" / "schema" / "checks.py").read_text(encoding="utf-8")
    rejects = (ROOT / "src" / "peka" / "schema" / "rejects.py").read_text(encoding="utf-8")
    # check codes are the string argument after the column in sink.rows(...)/sink.one(...), and the reasons
    # _reject_frame(...) gives in rejects.py
    codes = set(re.findall(r'"([a-z_]+)", "(?:error|warning|info)"', source))
    codes = codes - {"error", "warning", "info"}
    reasons = set(re.findall(r'^\s+"(member_rejected|household_rejected)",$', rejects, flags=re.MULTILINE))
    assert reasons == {"member_rejected", "household_rejected"}, "the reasons no longer match rejects.py"
    codes |= reasons
    catalogue = (DOCS / "checks.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", catalogue, flags=re.MULTILINE))
    assert codes, "no codes found: the pattern no longer matches checks.py"
    assert codes <= documented, f"undocumented check codes: {sorted(codes - documented)}"


def test_exit_code_page_matches_the_enum():
    from peka.errors import ExitCode

    page = (DOCS / "exit-codes.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert re.search(rf"^\| {int(code)} \| `{code.name}` \|", page, flags=re.MULTILINE), code
