"""`peka validate`: read a survey, run the data-quality checks and print the report (tables or --json)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from peka import __version__
from peka.cli import options as o
from peka.cli.console import print_display

# how many findings a terminal report lists when --max-findings is not given (JSON lists all)
TERMINAL_FINDINGS = 50


@o.data_command(rows=False)
def validate_command(
    file: o.FileArg,
    inputs: o.InputSpec,
    config: o.ConfigSpec,
    lang: o.Lang,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON document on stdout instead of tables.")] = False,
    max_findings: Annotated[
        int | None,
        typer.Option("--max-findings", min=0, help=f"List at most N findings (default: {TERMINAL_FINDINGS} on a "
                     "terminal, all with --json). Counts always cover every finding."),
    ] = None,
) -> None:
    """Check a survey file and print a data-quality report; exit 3 when it has errors.

    Every finding names the user's row (file line, or case number for SPSS/Stata/SAS/Parquet), the column, the
    value (masked for NIK, names, addresses) and a check code listed in docs/checks.md. --config/--set are checked
    too, so that a file that validates is one that classifies under the same configuration.

    Example: peka validate data/samples/sabang/households.csv --persons data/samples/sabang/persons.csv

    Example: peka validate rt.sav --persons art.sav --mapping susenas --json > report.json

    Example: peka validate data.csv --sep ';' --decimal , --encoding cp1252 --lang en
    """
    from peka.jobs.validate import run_validate
    from peka.present.validation import validation_display
    from peka.schema.report import validation_failed

    run = run_validate(
        inputs,
        config=config,
    )
    report = run.report
    if as_json:
        document: dict[str, Any] = {"peka_version": __version__, **report.to_dict(max_findings=max_findings)}
        typer.echo(json.dumps(document, ensure_ascii=False, indent=1))
    else:
        doc = report.to_dict(max_findings=TERMINAL_FINDINGS if max_findings is None else max_findings)
        print_display(validation_display(doc, lang.value))
    if not report.ok:
        # the report is already printed; the error line on stderr and exit 3 make it usable in scripts and cron
        raise validation_failed(report, hint=False)


def register(app: typer.Typer) -> None:
    app.command(name="validate")(validate_command)
