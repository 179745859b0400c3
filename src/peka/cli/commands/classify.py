"""`peka classify`: classify every household (level, MPI, BPS-14, causes, segment), write the table, print a summary."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from peka.cli.console import err, is_quiet, notice, out
from peka.errors import UsageError


def classify_command(
    file: Annotated[Path, typer.Argument(help="Household file (CSV/TSV, XLSX, SAV, DTA, SAS7BDAT, Parquet).")],
    persons: Annotated[Path | None, typer.Option("--persons", help="Person (member) file linked by hh_id.")] = None,
    mapping: Annotated[
        str | None, typer.Option("--mapping", "-m", help="Preset name (canonical, susenas, p3ke) or a mapping TOML.")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="peka.toml (default: built-in presets).")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a setting, e.g. --set lines.period=2024-03 (repeatable)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the table here (.csv, .parquet or .xlsx; - = CSV on stdout, summary on stderr).")
    ] = None,
    on_invalid: Annotated[
        str, typer.Option("--on-invalid", help="fail: stop at data errors (exit 3); skip: drop those rows.")
    ] = "fail",
    rejects: Annotated[Path | None, typer.Option("--rejects", help="With --on-invalid skip: write skipped rows and reasons here (default: OUT.rejects.csv beside -o, else INPUT.rejects.csv in the working folder).")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="XLSX sheet of the households.")] = None,
    person_sheet: Annotated[str | None, typer.Option("--person-sheet", help="XLSX sheet of the persons.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the summary: id (default) or en.")] = "id",
    include_personal: Annotated[
        bool, typer.Option("--include-personal", help="Copy NIK, No KK, names and addresses into the output.")
    ] = False,
) -> None:
    """Classify every household and print a summary; with -o also write one row per household.

    Output columns (docs/methodology.md): per-capita expenditure, the poverty line used, level, extreme poverty,
    survey decile, MPI deprivations and score, BPS-14 criteria, causes, poverty status and segment. Only ids and
    region columns are copied from the input: NIK and names only with --include-personal. Without -o nothing is
    written; with -o the effective configuration, headed by the settings that are not confirmed, goes beside the
    table as OUT.peka.toml (usable as --config to reproduce the run).

    Example: peka classify data/samples/sabang/households.csv --persons data/samples/sabang/persons.csv -o hasil.parquet

    Example: peka -q classify survey.csv --persons anggota.csv -o - | head

    Example: peka classify rt.sav --persons art.sav --mapping susenas --config peka.toml --on-invalid skip --rejects ditolak.csv
    """
    from peka.classify.run import run_classify
    from peka.classify.summary import summarise
    from peka.labels import format_count, summary_text

    if on_invalid not in ("fail", "skip"):
        raise UsageError(f"--on-invalid must be fail or skip, not {on_invalid!r}")
    if lang not in ("id", "en"):
        raise UsageError(f"--lang must be id or en, not {lang!r}")
    if rejects is not None and on_invalid != "skip":
        raise UsageError("--rejects needs --on-invalid skip")
    to_stdout = output is not None and str(output) == "-"  # `-o -`: the table as CSV on stdout, for pipes
    if output is not None and not to_stdout and output.suffix.lower() not in (".csv", ".parquet", ".xlsx"):
        raise UsageError(f"cannot write {output.name}: use .csv, .parquet or .xlsx (or - for CSV on stdout)")
    result = run_classify(
        file, persons=persons, mapping=mapping, config=config, overrides=set_ or [],
        output=None if to_stdout else output,
        on_invalid=on_invalid, rejects=rejects, sheet=sheet, person_sheet=person_sheet,  # type: ignore[arg-type]
        include_personal=include_personal,
    )  # fmt: skip
    # with `-o -` the data owns stdout and the summary moves to stderr
    screen = err if to_stdout else out
    if to_stdout:
        result.table.to_csv(sys.stdout, index=False)
        sys.stdout.flush()
        if is_quiet():  # --quiet: only errors on stderr, so no summary there
            return
    summary = summarise(result.table, result.config, lang)
    screen.print(f"[bold]{summary_text('title', lang)}[/bold]")
    counts = result.counts
    who = {"household": summary_text("households", lang).lower(), "person": summary_text("persons", lang).lower()}
    for table in counts.rows_in:
        line = summary_text(
            "rows", lang, rows_in=format_count(counts.rows_in[table], lang),
            processed=format_count(counts.processed.get(table, 0), lang),
            rejected=format_count(counts.rejected.get(table, 0), lang),
        )  # fmt: skip
        screen.print(f"{line} ({who.get(table, table)})", markup=False)
    for part in summary.tables:
        rendered = Table(title=part.title, title_justify="left")
        for i, heading in enumerate(part.headers):
            rendered.add_column(heading, justify="right" if i >= len(part.headers) - 2 else "left")
        for row in part.rows:
            rendered.add_row(*row)
        screen.print(rendered)
    for note in summary.notes:
        screen.print(note, markup=False, highlight=False)
    if result.output is not None:
        notice(f"peka: wrote {len(result.table):,} rows to {result.output}")
    if result.record_path is not None:
        notice(f"peka: wrote the configuration used (unconfirmed settings first) to {result.record_path}")
    if result.rejects_path is not None:
        notice(f"peka: wrote rejected rows to {result.rejects_path}")


def register(app: typer.Typer) -> None:
    app.command(name="classify")(classify_command)
