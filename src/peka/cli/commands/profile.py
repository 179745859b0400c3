"""`peka profile`: FGT, Alkire-Foster, BPS-14 and cause estimates with design-based SEs, as a table/CSV/JSON/XLSX."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Literal

import typer

from peka import __version__
from peka.cli import options as o
from peka.cli.console import out
from peka.errors import UsageError

FORMAT_HELP = "table (terminal), csv, json or xlsx (default: from the -o suffix, else table)."


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


class Population(str, Enum):
    persons = "persons"
    households = "households"
    children = "children"
    under5 = "under5"
    elderly = "elderly"
    women = "women"
    disabled = "disabled"


class CiMethod(str, Enum):
    logit = "logit"
    t = "t"
    normal = "normal"


class Unit(str, Enum):
    household = "household"
    person = "person"


class LonelyPsu(str, Enum):
    fail = "fail"
    adjust = "adjust"
    certainty = "certainty"


@o.data_command(rows=True, csv=True)
def profile_command(
    input: Annotated[Path, typer.Argument(help="Survey file, a file written by `peka classify`, or any table "
                                          "with --welfare/--line.")],
    inputs: o.InputSpec,
    config: o.ConfigSpec,
    lang: o.Lang,
    rows: o.RowPolicy,
    csv_dialect: o.CsvDialect,
    by: Annotated[list[str] | None, typer.Option("--by", help="Domain columns; several joined by ',' (or '*') are "
                                                 "crossed, one domain per combination (as R svyby ~a+b, Stata "
                                                 "over(a b)); repeat --by for separate margins: --by kec_name "
                                                 "--by kec_name,urban_rural.")] = None,
    fmt: Annotated[OutputFormat | None, typer.Option("--format", "-f", help=FORMAT_HELP)] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (atomic).")] = None,
    engine: o.EngineOpt = o.Engine.memory,
    scheduler: o.SchedulerOpt = None,
    welfare: Annotated[str | None, typer.Option("--welfare", help="Per-capita welfare column (quick use).")] = None,
    line: Annotated[float | None, typer.Option("--line", help="Fixed poverty line, same unit as welfare.")] = None,
    weight: Annotated[str | None, typer.Option("--weight", help="Weight column (default: weight).")] = None,
    strata: Annotated[str | None, typer.Option("--strata", help="Stratum column (default: strata).")] = None,
    psu: Annotated[str | None, typer.Option("--psu", help="PSU column (default: psu).")] = None,
    hh_size: Annotated[str | None, typer.Option("--hh-size", help="Household size column (default: hh_size; "
                                                "without one each row counts as one unit).")] = None,
    population: Annotated[Population | None, typer.Option("--population", help="Whose rate the person measures "
                                                          "give: persons (default), households, children (< 18), "
                                                          "under5, elderly (60+), women, disabled — weight × the "
                                                          "household's number of them (classify's n_* columns).")
                          ] = None,
    skip: o.SkipOpt = None,
    ci: Annotated[CiMethod, typer.Option("--ci", help="Confidence intervals: logit (default; proportions as R "
                                         "svyciprop logit, never below 0), t (design degrees of freedom) or "
                                         "normal.")] = CiMethod.logit,
    min_psu: Annotated[int | None, typer.Option("--min-psu", min=1, help="Flag estimates resting on fewer PSUs "
                                                "(default 10).")] = None,
    sort: Annotated[str | None, typer.Option("--sort", help="Rank the rows of every --by table by this measure "
                                             "(e.g. P0), highest first, with a note when the leaders' CIs "
                                             "overlap.")] = None,
    unit: Annotated[Unit, typer.Option("--unit", help="What a row is: household (person measures weight each row "
                                       "by its household size) or person (each row is one person with its own "
                                       "weight; nothing is multiplied).")] = Unit.household,
    mpi: Annotated[Path | None, typer.Option("--mpi", help="MPI spec TOML: [mpi] k and [[mpi.indicators]] with "
                                             "name, dimension, weight, deprived_if.")] = None,
    lonely_psu: Annotated[LonelyPsu, typer.Option("--lonely-psu", help="Singleton strata: fail, adjust (centre at "
                                                  "the grand mean) or certainty (no variance).")] = LonelyPsu.fail,
    min_n: Annotated[int | None, typer.Option("--min-n", min=0, help="Flag estimates from fewer households "
                                              "(default 30).")] = None,
    suppress: Annotated[bool, typer.Option("--suppress", help="Blank small or unreliable cells.")] = False,
) -> None:
    """Estimate poverty measures with standard errors for the population and every domain of --by.

    Example: peka profile data/samples/sabang/households.csv --persons data/samples/sabang/persons.csv --by kec_code

    Example: peka profile klasifikasi.csv --by kec_name --by kec_name,desa_name --format xlsx -o profil.xlsx

    Example: peka profile data.csv --welfare pengeluaran_kapita --line 609160 --weight bobot --format json
    """
    from peka.deliver.profile import format_from_suffix, profile_tables, render_profile, write_profile
    from peka.jobs.profile import ProfileRequest, run_profile

    chosen = fmt.value if fmt is not None else (format_from_suffix(output) or "table")
    if chosen == "table" and output is not None:
        raise UsageError("the terminal table is not written to a file: use --format csv, json or xlsx with -o")
    if chosen == "xlsx" and output is None:
        raise UsageError("--format xlsx needs -o FILE.xlsx")
    request = ProfileRequest(
        inputs=inputs,
        config=config, rows=rows, by=parse_by(by),
        welfare=welfare, line=line, weight=weight, strata=strata, psu=psu, hh_size=hh_size, unit=unit.value, mpi=mpi,
        population=population.value if population is not None else None, skip=tuple(m.value for m in skip or ()),
        ci=ci.value, min_psu=min_psu, sort=sort,
        lonely_psu=lonely_psu.value, min_n=min_n, suppress=suppress, output=output, engine=engine.value,
        scheduler=scheduler, csv_dialect=csv_dialect,
    )  # fmt: skip
    run = run_profile(request)
    language: Literal["id", "en"] = lang.value  # type: ignore[assignment]
    if output is not None:
        write_profile(run.estimates, run.design, __version__, output, chosen, lang=language, csv_dialect=csv_dialect)
        return
    if chosen == "table":
        for item in profile_tables(run.estimates, run.design, lang=language, width=out.width, config=run.config,
                                   sort=sort):
            out.print(item)
        return
    rendered = render_profile(run.estimates, run.design, __version__, chosen, lang=language, csv_dialect=csv_dialect)
    sys.stdout.flush()
    sys.stdout.buffer.write(rendered)
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
