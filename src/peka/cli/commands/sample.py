"""`peka sample`: write a synthetic Kota Sabang survey (or a benchmark-sized one) in any supported format."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peka.cli.console import notice


def sample_command(
    households: Annotated[int, typer.Option("--households", "-n", help="Number of households.", min=1)] = 3000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same files.")] = 2026,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Folder to write into (created if needed). The run's files replace the sample files in it as a "
            "whole, only when all are complete; other files in it are kept; a folder holding subfolders is refused.",
        ),
    ] = Path("sample"),
    formats: Annotated[
        str,
        typer.Option(
            "--formats",
            help="Comma-separated: csv (households.csv + persons.csv), csv-id (households_id.csv: ';', decimal "
            "commas), parquet, xlsx (P3KE-style), sav, dta (Susenas-style).",
        ),
    ] = "csv",
    districts: Annotated[
        int | None, typer.Option("--districts", help="Districts (default: 1 = Kota Sabang up to 50,000 households).")
    ] = None,
    strata: Annotated[
        int | None, typer.Option("--strata", help="Strata: 1, 2 or 4 per district (default: 4 for Sabang, else 2).")
    ] = None,
    psus: Annotated[int | None, typer.Option("--psus", help="PSUs (default: ~10 households each for Sabang).")] = None,
) -> None:
    """Write a synthetic household survey with its members: every canonical column filled with plausible values.

    Up to 50,000 households the sample is Kota Sabang (2 kecamatan, 18 gampong, strata kecamatan × urban/rural);
    larger samples add synthetic districts (1,000,000 households: 30 districts, 60 strata, 2,400 PSUs). All
    names, NIK and addresses are synthetic. Over 1,000,000 households the sample is generated and written in pieces
    of at most 1,000,000 (each with its own strata and PSUs over the same districts), so memory holds one piece;
    only csv, csv-id and parquet can be written that way.

    Example: peka sample --households 1000000 --seed 1 --out bench/out --formats csv,parquet
    """
    from peka.deliver.sample import check_formats, check_piecewise, parse_formats, write_sample, write_sample_pieces
    from peka.sample import PIECE_HOUSEHOLDS, default_shape, generate, generate_pieces

    chosen = parse_formats(formats)
    if households > PIECE_HOUSEHOLDS:  # bigger than one piece: generated and appended piece by piece
        check_piecewise(chosen)
        default_shape(min(households, PIECE_HOUSEHOLDS), districts, strata, psus)  # refuse a bad shape up front
        pieces = generate_pieces(households, seed, districts=districts, strata=strata, psus=psus,
                                 piece=PIECE_HOUSEHOLDS)
        written, n_households, n_persons = write_sample_pieces(pieces, out, chosen)
    else:
        survey = generate(households, seed, districts=districts, strata=strata, psus=psus)
        check_formats(survey, chosen)
        written = write_sample(survey, out, chosen)
        n_households = len(survey.households)
        n_persons = len(survey.persons) if survey.persons is not None else 0
    notice(f"peka: wrote {n_households:,} households and {n_persons:,} persons (seed {seed}) to {out}: "
        + ", ".join(p.name for p in written))


def register(app: typer.Typer) -> None:
    app.command("sample")(sample_command)
