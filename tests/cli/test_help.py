"""Every registered command (and sub-command) has help text with an example (the sqlite-utils habit)."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from peka.cli.app import app


def _commands() -> list[tuple[str, ...]]:
    """Paths of every command in the app, groups included: ("validate",), ("mapping", "suggest"), ..."""
    root = typer.main.get_command(app)
    found: list[tuple[str, ...]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        subs = getattr(command, "commands", None)
        if path:
            found.append(path)
        for name, sub in (subs or {}).items():
            walk(sub, (*path, name))

    walk(root, ())
    return found


COMMANDS = _commands()


def test_validate_is_registered():
    assert ("validate",) in COMMANDS


def _is_group(path: tuple[str, ...]) -> bool:
    return bool(getattr(GROUPS.get(path), "commands", None))


GROUPS = {}


def _index() -> None:
    root = typer.main.get_command(app)
    for path in COMMANDS:
        node = root
        for name in path:
            node = node.commands[name]  # type: ignore[attr-defined]
        GROUPS[path] = node


_index()
LEAVES = [p for p in COMMANDS if not _is_group(p)]


@pytest.mark.parametrize("path", LEAVES, ids=[" ".join(p) for p in LEAVES])
def test_command_help_has_an_example(path: tuple[str, ...]):
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.stderr
    assert "Example" in result.stdout, f"`peka {' '.join(path)} --help` shows no example"
    # the example is a real command line of this command
    assert f"peka {' '.join(path)} " in result.stdout.replace("\n", " ")


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_every_command_and_group_has_help_text(path: tuple[str, ...]):
    command = GROUPS[path]
    assert (command.help or "").strip(), f"`peka {' '.join(path)}` has no help text"


def test_top_level_help_lists_every_command():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for path in COMMANDS:
        if len(path) == 1:
            assert path[0] in result.stdout
