"""`peka profile`: FGT, Alkire-Foster, BPS-14 and cause estimates with design-based SEs, as a table/CSV/JSON/XLSX."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from peka import __version__
from peka.cli.console import out
from peka.errors import UsageError

FORMAT_HELP = "table (terminal), csv, json or xlsx (default: from the -o suffix, else table)."


def profile_command(
    input: Annotated[Path, typer.Argument(help="Survey file, a file written by `peka classify`, or any table "
                                          "with --welfare/--line.")],
    persons: Annotated[Path | None, typer.Option("--persons", help="Person (member) file linked by hh_id.")] = None,
    mapping: Annotated[str | None, typer.Option("--mapping", "-m", help="Mapping preset or TOML file.")] = None,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="peka.toml configuration.")] = None,
    by: Annotated[list[str] | None, typer.Option("--by", help="Domain columns; several joined by ',' (or '*') are "
                                                 "crossed, one domain per combination (as R svyby ~a+b, Stata "
                                                 "over(a b)); repeat --by for separate margins: --by kec_name "
                                                 "--by kec_name,urban_rural.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help=FORMAT_HELP)] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (atomic).")] = None,
    welfare: Annotated[str | None, typer.Option("--welfare", help="Per-capita welfare column (quick use).")] = None,
    line: Annotated[float | None, typer.Option("--line", help="Fixed poverty line, same unit as welfare.")] = None,
    weight: Annotated[str | None, typer.Option("--weight", help="Weight column (default: weight).")] = None,
    strata: Annotated[str | None, typer.Option("--strata", help="Stratum column (default: strata).")] = None,
    psu: Annotated[str | None, typer.Option("--psu", help="PSU column (default: psu).")] = None,
    hh_size: Annotated[str | None, typer.Option("--hh-size", help="Household size column (default: hh_size; "
                                                "without one each row counts as one unit).")] = None,
    mpi: Annotated[Path | None, typer.Option("--mpi", help="MPI spec TOML: [mpi] k and [[mpi.indicators]] with "
                                             "name, dimension, weight, deprived_if.")] = None,
    lonely_psu: Annotated[str, typer.Option("--lonely-psu", help="Singleton strata: fail, adjust (centre at the "
                                            "grand mean) or certainty (no variance).")] = "fail",
    min_n: Annotated[int | None, typer.Option("--min-n", min=0, help="Flag estimates from fewer households "
                                              "(default 30).")] = None,
    suppress: Annotated[bool, typer.Option("--suppress", help="Blank small or unreliable cells.")] = False,
    lang: Annotated[str, typer.Option("--lang", help="Labels: id (Bahasa Indonesia) or en.")] = "id",
    on_invalid: Annotated[str, typer.Option("--on-invalid", help="Rows failing the data checks: fail or skip.")
                          ] = "fail",
    rejects: Annotated[Path | None, typer.Option("--rejects", help="With --on-invalid skip: write skipped rows and "
                                                 "reasons here (default: OUT.rejects.csv beside -o, else "
                                                 "INPUT.rejects.csv in the working folder).")] = None,
) -> None:
    """Estimate poverty measures with standard errors for the population and every domain of --by.

    Example: peka profile data/samples/sabang/households.csv --persons data/samples/sabang/persons.csv --by kec_code

    Example: peka profile klasifikasi.csv --by kec_name --by kec_name,desa_name --format xlsx -o profil.xlsx

    Example: peka profile data.csv --welfare pengeluaran_kapita --line 609160 --weight bobot --format json
    """
    from peka.deliver.profile_output import FORMATS, format_from_suffix, profile_tables, render_profile, write_profile
    from peka.profile_input import ProfileRequest, run_profile

    chosen = fmt or format_from_suffix(output) or "table"
    if chosen not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {chosen!r}")
    if chosen == "table" and output is not None:
        raise UsageError("the terminal table is not written to a file: use --format csv, json or xlsx with -o")
    if chosen == "xlsx" and output is None:
        raise UsageError("--format xlsx needs -o FILE.xlsx")
    if lang not in ("id", "en"):
        raise UsageError(f"--lang must be id or en, not {lang!r}")
    if lonely_psu not in ("fail", "adjust", "certainty"):
        raise UsageError(f"--lonely-psu must be fail, adjust or certainty, not {lonely_psu!r}")
    if on_invalid not in ("fail", "skip"):
        raise UsageError(f"--on-invalid must be fail or skip, not {on_invalid!r}")
    if rejects is not None and on_invalid != "skip":
        raise UsageError("--rejects needs --on-invalid skip")
    domains = parse_by(by)

    request = ProfileRequest(
        input=input, persons=persons, mapping=mapping, config=config, by=domains, welfare=welfare, line=line,
        weight=weight, strata=strata, psu=psu, hh_size=hh_size, mpi=mpi, lonely_psu=lonely_psu, min_n=min_n,
        suppress=suppress, on_invalid=on_invalid, rejects=rejects, output=output,
    )
    result = run_profile(request)
    language: Literal["id", "en"] = "en" if lang == "en" else "id"
    if output is not None:
        write_profile(result.estimates, result.design, __version__, output, chosen, lang=language)
        return
    if chosen == "table":
        for item in profile_tables(result.estimates, result.design, lang=language, width=out.width):
            out.print(item)
        return
    sys.stdout.write(render_profile(result.estimates, result.design, __version__, chosen, lang=language).decode())
    sys.stdout.flush()


def parse_by(entries: list[str] | None) -> tuple[str | tuple[str, ...], ...]:
    """``["a", "b,c"]`` → ``("a", ("b", "c"))``: each ``--by`` is one domain set; columns joined by ``,`` or ``*``
    within it are crossed."""
    sets: list[str | tuple[str, ...]] = []
    for entry in entries or []:
        names = tuple(name.strip() for name in entry.replace("*", ",").split(",") if name.strip())
        if not names:
            raise UsageError(f"--by {entry!r} names no column")
        sets.append(names[0] if len(names) == 1 else names)
    return tuple(sets)


def register(app: typer.Typer) -> None:
    app.command("profile")(profile_command)
