"""The command lines shown in docs/panduan.md name real commands and options (the guide stays true to the CLI)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer

from peka.cli.app import app

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "panduan.md"
SHELL_OPERATORS = {"&&", "||", "|", ";", ">", ">>", "<"}


def _code_lines() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    blocks = re.findall(r"^```(?:bash|cron)\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.strip() and not line.startswith("#")]


def _peka_invocations(line: str) -> list[list[str]]:
    """The argument lists of every peka call in a shell line: `peka ...`, `.venv/bin/peka ...`, `$PEKA ...`."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    tokens = list(lexer)
    calls: list[list[str]] = []
    for i, token in enumerate(tokens):
        if token in ("peka", "$PEKA") or (token.endswith("/peka") and "=" not in token):
            args: list[str] = []
            for arg in tokens[i + 1 :]:
                if arg in SHELL_OPERATORS:
                    break
                args.append(arg)
            calls.append(args)
    return calls


def _options(command: object) -> dict[str, bool]:
    """Option name → whether it takes a value."""
    found: dict[str, bool] = {"--help": False}
    for param in getattr(command, "params", []):
        if getattr(param, "param_type_name", "") == "option":
            for name in (*param.opts, *param.secondary_opts):
                found[name] = not param.is_flag
    return found


def _check(args: list[str]) -> str:
    """Assert that ``peka *args`` names a command and only its options; return the command path."""
    node = typer.main.get_command(app)
    path = ["peka"]
    options = _options(node)
    i = 0
    while i < len(args):
        arg = args[i]
        subs = getattr(node, "commands", None) or {}
        if arg.startswith("-"):
            name = arg.split("=", 1)[0]
            assert name in options, f"`{' '.join(path)}` has no option {name}"
            i += 2 if options[name] and "=" not in arg else 1
            continue
        if arg in subs:
            node = subs[arg]
            path.append(arg)
            options = _options(node)
        i += 1
    if args == ["--version"]:
        return "peka --version"
    assert len(path) > 1, f"no command in `peka {' '.join(args)}`"
    assert not getattr(node, "commands", None), f"`{' '.join(path)}` is a group, not a command"
    return " ".join(path)


CALLS = [call for line in _code_lines() for call in _peka_invocations(line)]


def test_the_guide_shows_every_main_command():
    shown = {_check(call) for call in CALLS}
    expected = {"peka validate", "peka classify", "peka profile", "peka mapping list", "peka mapping suggest",
                "peka mapping show"}
    assert expected <= shown, f"docs/panduan.md shows no {sorted(expected - shown)}"


@pytest.mark.parametrize("args", CALLS, ids=[" ".join(c)[:60] for c in CALLS])
def test_every_command_line_in_the_guide_uses_real_options(args: list[str]):
    _check(args)


def test_checker_rejects_an_unknown_option():
    with pytest.raises(AssertionError, match="no option --no-such-option"):
        _check(["classify", "households.csv", "--no-such-option"])
