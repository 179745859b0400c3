"""`peka mapping suggest|show|list`: propose a mapping for an unknown file, print a preset, list the presets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peka.cli.console import notice

mapping_app = typer.Typer(
    name="mapping",
    help="Mappings from source columns and codes to peka's canonical columns: suggest, show, list.",
    no_args_is_help=True,
)


@mapping_app.command("suggest")
def suggest_command(
    file: Annotated[Path, typer.Argument(help="Household file (CSV/TSV, XLSX, SAV, DTA, SAS7BDAT, Parquet).")],
    persons: Annotated[Path | None, typer.Option("--persons", help="Person (member) file.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the TOML here (default: stdout).")
    ] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="XLSX sheet of the households.")] = None,
    person_sheet: Annotated[str | None, typer.Option("--person-sheet", help="XLSX sheet of the persons.")] = None,
    sep: Annotated[str | None, typer.Option("--sep", help="CSV delimiter (default: detected).")] = None,
    encoding: Annotated[str | None, typer.Option("--encoding", help="CSV encoding (default: detected).")] = None,
) -> None:
    """Propose a mapping TOML for a file peka does not know, from its column names and value labels.

    Each column name is matched (difflib, and word by word with abbreviations such as Jml, ART, KRT expanded)
    against canonical names, their labels, the presets' source names and column descriptions; coded columns get a
    `values` table from their SPSS/Stata value labels or distinct texts. Check every line marked `# TODO`, and
    replace every "?" (the file does not load until you do).

    Example: peka mapping suggest rt.sav --persons art.sav -o mapping.toml
    """
    from peka.jobs.mapping import run_suggest

    text, written = run_suggest(file, persons=persons, sheet=sheet, person_sheet=person_sheet, sep=sep,
                                encoding=encoding, output=output)
    if written is None:
        typer.echo(text, nl=False)
    else:
        notice(f"peka: wrote {written}; check the # TODO lines")


@mapping_app.command("show")
def show_command(name: Annotated[str, typer.Argument(help="Preset name: canonical, susenas or p3ke.")]) -> None:
    """Print a built-in mapping preset (TOML), e.g. to copy and adapt it.

    Example: peka mapping show susenas > my_susenas.toml
    """
    from peka.mapping import preset_text

    typer.echo(preset_text(name), nl=False)


@mapping_app.command("list")
def list_command() -> None:
    """List the built-in mapping presets with their descriptions.

    Example: peka mapping list
    """
    from peka.mapping import load_mapping, preset_names

    for name in preset_names():
        typer.echo(f"{name}\t{load_mapping(name).description}")


def register(app: typer.Typer) -> None:
    app.add_typer(mapping_app, name="mapping")
