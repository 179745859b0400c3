"""`peka classify`: classify every household (level, MPI, BPS-14, causes, segment), write the table, print a summary."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from peka.cli import options as o
from peka.cli.console import err, is_quiet, notice, out, print_display


@o.data_command(rows=True, csv=True)
def classify_command(
    file: o.FileArg,
    inputs: o.InputSpec,
    config: o.ConfigSpec,
    lang: o.Lang,
    rows: o.RowPolicy,
    csv_dialect: o.CsvDialect,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the table here (.csv, .parquet or .xlsx; - = CSV on "
                                  "stdout, summary on stderr).")
    ] = None,
    include_personal: Annotated[
        bool, typer.Option("--include-personal", help="Copy NIK, No KK, names and addresses into the output.")
    ] = False,
    skip: o.SkipOpt = None,
    engine: o.EngineOpt = o.Engine.memory,
    scheduler: o.SchedulerOpt = None,
    keep: Annotated[
        list[str] | None,
        typer.Option("--keep", help="Also copy this household column or [[derive]] value into the output "
                     "(repeatable; default set: [classify] keep)."),
    ] = None,
    keep_none: Annotated[
        bool, typer.Option("--keep-none", help="Copy none of the default characteristics ([classify] keep); "
                           "--keep still adds columns.")
    ] = False,
) -> None:
    """Classify every household and print a summary; with -o also write one row per household.

    Output columns (docs/methodology.md): per-capita expenditure, the poverty line used, level, extreme poverty,
    survey decile, MPI deprivations and score, BPS-14 criteria, causes, poverty status and segment. Only ids and
    region columns and the household characteristics of [classify] keep (head, housing, desil, recv_*, group
    counts n_children, n_under5, n_elderly, n_women, n_disabled) are copied: NIK and names only with
    --include-personal. Without expenditure, a registry desil gives the monetary side (monetary_source says which).
    A measure no household can get (e.g. the MPI without --persons) is exit 3 unless --skip names it. Without -o nothing is
    written; with -o the classification record (the effective configuration, headed by the settings that are not
    confirmed) goes beside the table as OUT.peka.toml and, in Parquet, inside the file: `peka profile OUT` uses it,
    and --config OUT.peka.toml reproduces the run.

    Example: peka classify data/samples/sabang/households.csv --persons data/samples/sabang/persons.csv -o hasil.parquet

    Example: peka -q classify survey.csv --persons anggota.csv -o - | head

    Example: peka classify rt.sav --persons art.sav --mapping susenas --config peka.toml --on-invalid skip --rejects ditolak.csv
    """
    from peka.jobs.classify import run_classify
    from peka.present.summary import classify_summary

    to_stdout = output is not None and str(output) == "-"  # `-o -`: the table as CSV on stdout, for pipes
    result = run_classify(
        inputs,
        config=config, rows=rows,
        output=None if to_stdout else output, include_personal=include_personal,
        skip=[m.value for m in skip or ()], keep=[] if keep_none else None, keep_more=keep or (),
        engine="memory" if to_stdout else engine.value,  # `-o -` prints the whole table
        scheduler=None if to_stdout else scheduler, csv_dialect=csv_dialect,
    )  # fmt: skip
    # with `-o -` the data owns stdout and the summary moves to stderr
    screen = err if to_stdout else out
    if to_stdout:
        from peka.deliver.files import csv_bytes

        sys.stdout.flush()
        sys.stdout.buffer.write(csv_bytes(result.table, csv_dialect))
        sys.stdout.flush()
        if is_quiet():  # --quiet: only errors on stderr, so no summary there
            return
    print_display(classify_summary(result, lang.value), screen)
    if result.output is not None:
        notice(f"peka: wrote {len(result.table):,} rows to {result.output}")
    if result.record_path is not None:
        notice(f"peka: wrote the classification record (unconfirmed settings first) to {result.record_path}")
    if result.rejects_path is not None:
        notice(f"peka: wrote rejected rows to {result.rejects_path}")


def register(app: typer.Typer) -> None:
    app.command(name="classify")(classify_command)
