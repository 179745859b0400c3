"""`peka config show|init`: print the effective configuration, or write a commented starting peka.toml."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peka.cli.console import notice
from peka.errors import UsageError

config_app = typer.Typer(
    name="config", help="Show the effective configuration or write a starting peka.toml.", no_args_is_help=True
)


@config_app.command("show")
def show_command(
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="peka.toml (default: built-in presets).")
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override a setting, e.g. --set mpi.preset=global.")
    ] = None,
    plain: Annotated[bool, typer.Option("--plain", help="Leave out the comments naming each value's source.")] = False,
) -> None:
    """Print the effective configuration as TOML: built-in presets, then your file, then --set.

    Each value ends with a comment naming its source; unconfirmed and single-source settings are marked. The
    output is a valid peka.toml.

    Example: peka config show --config peka.toml --set levels.scheme=ppls_0812
    """
    from peka.config import load_config
    from peka.config.show import render_config

    typer.echo(render_config(load_config(config, overrides=set_ or []), annotate=not plain), nl=False)


@config_app.command("init")
def init_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the file.")] = Path("peka.toml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starting peka.toml (refuses to overwrite an existing file without --force).

    Example: peka config init -o peka.toml
    """
    from peka.config.show import init_text
    from peka.deliver.files import write_text

    if output.exists() and not force:
        raise UsageError(f"{output} exists; use --force to overwrite it")
    write_text(init_text(), output)
    notice(f"peka: wrote {output}")


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
