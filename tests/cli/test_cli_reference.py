"""docs/cli.md is the real --help of every command (docs/gen_cli_reference.py), and stays so."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import typer

from peka.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGE = DOCS / "cli.md"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_cli_reference", DOCS / "gen_cli_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_page_is_generated_from_the_help():
    assert PAGE.read_text(encoding="utf-8") == _generator().render(), (
        "docs/cli.md is out of date: run python docs/gen_cli_reference.py"
    )


def test_rendering_does_not_depend_on_the_callers_terminal(monkeypatch):
    generator = _generator()
    monkeypatch.setenv("COLUMNS", "100")
    wide = generator.render()
    monkeypatch.setenv("COLUMNS", "45")
    assert generator.render() == wide


def test_every_command_and_sub_command_has_a_section():
    # walked here from the click tree independently of the generator's own walk
    expected = {"peka"}
    root = typer.main.get_command(app)
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        expected.add(f"peka {name}")
        for sub in getattr(command, "commands", {}) or {}:
            expected.add(f"peka {name} {sub}")
    # the commands the reference must at least cover (the brief's list)
    assert {"peka validate", "peka classify", "peka profile", "peka sample", "peka mapping suggest",
            "peka mapping show", "peka mapping list", "peka config show", "peka config init"} <= expected
    headings = set(re.findall(r"^## `(peka[a-z -]*)`$", PAGE.read_text(encoding="utf-8"), flags=re.MULTILINE))
    assert headings == expected


def test_each_section_holds_the_usage_line_of_its_command():
    text = PAGE.read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    assert sections
    for section in sections:
        title = section.splitlines()[0].strip("`")
        body = section.split("```text\n", 1)[1].split("\n```", 1)[0]
        assert body.startswith(f"Usage: {title} [OPTIONS]"), title
        assert "--help" in body
