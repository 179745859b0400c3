"""`peka validate`: read a survey, run the data-quality checks and print the report (rich table or --json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from peka import __version__
from peka.cli.console import out

# how many findings a terminal report lists when --max-findings is not given (JSON lists all)
TERMINAL_FINDINGS = 50
# row numbers listed in one cell of the terminal findings table before "… (+N)"
ROWS_SHOWN = 6

# headings of the terminal report (Bahasa Indonesia); findings' messages stay English (docs/checks.md)
SEVERITY_LABEL = {"error": "galat", "warning": "peringatan", "info": "info"}
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}


def validate_command(
    file: Annotated[Path, typer.Argument(help="Household file (CSV/TSV, XLSX, SAV, DTA, SAS7BDAT, Parquet).")],
    persons: Annotated[Path | None, typer.Option("--persons", help="Person (member) file linked by hh_id.")] = None,
    mapping: Annotated[
        str | None, typer.Option("--mapping", "-m", help="Preset name (canonical, susenas, p3ke) or a mapping TOML.")
    ] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="XLSX sheet of the households.")] = None,
    person_sheet: Annotated[str | None, typer.Option("--person-sheet", help="XLSX sheet of the persons.")] = None,
    sep: Annotated[str | None, typer.Option("--sep", help="CSV delimiter (default: detected).")] = None,
    encoding: Annotated[str | None, typer.Option("--encoding", help="Text encoding (default: detected).")] = None,
    decimal: Annotated[
        str | None, typer.Option("--decimal", help="Decimal mark '.' or ',' (default: detected).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON document on stdout instead of tables.")] = False,
    max_findings: Annotated[
        int | None,
        typer.Option(
            "--max-findings",
            min=0,
            help=f"List at most N findings (default: {TERMINAL_FINDINGS} on a "
            "terminal, all with --json). Counts always cover every finding.",
        ),
    ] = None,
) -> None:
    """Check a survey file and print a data-quality report; exit 3 when it has errors.

    Every finding names the user's row (file line, or case number for SPSS/Stata/SAS/Parquet), the column, the
    value (masked for NIK, names, addresses) and a check code listed in docs/checks.md.

    Example: peka validate data/samples/sabang/households.csv --persons data/samples/sabang/persons.csv

    Example: peka validate rt.sav --persons art.sav --mapping susenas --json > report.json
    """
    from peka.io import load_survey
    from peka.schema.checks import validate
    from peka.schema.report import validation_failed

    survey = load_survey(
        file, persons=persons, mapping=mapping, sheet=sheet, person_sheet=person_sheet, sep=sep, encoding=encoding,
        decimal=decimal,
    )  # fmt: skip
    report = validate(survey)
    if as_json:
        document: dict[str, Any] = {"peka_version": __version__, **report.to_dict(max_findings=max_findings)}
        typer.echo(json.dumps(document, ensure_ascii=False, indent=1))
    else:
        render(report.to_dict(max_findings=TERMINAL_FINDINGS if max_findings is None else max_findings))
    if not report.ok:
        # the report is already printed; the error line on stderr and exit 3 make it usable in scripts and cron
        raise validation_failed(report, hint=False)


def render(doc: dict[str, Any]) -> None:
    """The terminal report: files and row counts, per-column summary, findings, totals."""
    for table, path in doc["files"].items():  # RT = rumah tangga (households), ART = anggota (members)
        rows = doc["rows_in"].get(table, 0)
        who = "rumah tangga" if table == "household" else "anggota"
        out.print(Text.assemble((str(path), "bold"), f": {rows:,} baris ({who})"))
    columns = Table(title="Ringkasan kolom (column summary)", title_justify="left")
    for heading, justify in (("Tabel", "left"), ("Kolom", "left"), ("Jenis", "left"), ("Kosong", "right"),
                             ("% kosong", "right"), ("Galat", "right"), ("Peringatan", "right")):  # fmt: skip
        columns.add_column(heading, justify=justify)  # type: ignore[arg-type]
    for c in doc["columns"]:
        columns.add_row(
            "RT" if c["table"] == "household" else "ART",
            Text(c["column"]),
            c["kind"],
            f"{c['missing']:,}",
            f"{c['missing_share']:.1%}",
            _count(c["errors"], "bold red"),
            _count(c["warnings"], "yellow"),
        )
    out.print(columns)
    findings = doc["findings"]
    if findings:
        table = Table(title="Temuan (findings)", title_justify="left")
        for heading in ("Tingkat", "Tabel", "Baris", "Kolom", "Pemeriksaan", "Nilai", "Pesan"):
            table.add_column(heading, overflow="fold")
        for group in group_findings(findings):
            f = group[0]
            # data cells as Text: a value such as "[tanah]" must not be read as rich markup
            table.add_row(
                Text(SEVERITY_LABEL[f["severity"]], style=SEVERITY_STYLE[f["severity"]]),
                Text("RT" if f["table"] == "household" else "ART"),
                Text(_rows_text([g["row"] for g in group])),
                Text(f["column"] or ""),
                Text(check_label(f["check"])),
                Text("" if f["value"] is None else _short(str(f["value"]))),
                Text(f["message"]),
            )
        out.print(table)
    s = doc["summary"]
    listed = s["findings_listed"]
    more = f" ({listed:,} ditampilkan / listed)" if listed < s["findings"] else ""
    out.print(
        f"[bold]{s['errors']:,}[/bold] galat (errors), {s['warnings']:,} peringatan (warnings), {s['info']:,} info"
        f"{more}"
    )


def check_label(code: str) -> str:
    """The Indonesian name of a check code from the label catalogue (``"duplicate_id"`` → ``"ID ganda"``); the code
    itself, stable and listed in docs/checks.md, is in ``--json``."""
    from peka.labels import label

    return label("check", code, "id")


def group_findings(findings: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Findings that differ only by row (same severity, table, column, check, message and value: e.g. a NIK column
    stored as numbers) as one group, in the order of their first finding, so a terminal table lists each problem
    once with its rows.

    >>> f = {"severity": "error", "table": "household", "column": "x", "check": "type", "message": "m", "value": "a"}
    >>> [[g["row"] for g in group] for group in group_findings([{**f, "row": 2}, {**f, "row": 5}])]
    [[2, 5]]
    """
    groups: dict[tuple[object, ...], list[dict[str, Any]]] = {}
    for f in findings:
        key = (f["severity"], f["table"], f["column"], f["check"], f["message"], f["value"], f["row"] is None)
        groups.setdefault(key, []).append(f)
    return list(groups.values())


def _rows_text(rows: list[int | None], shown: int = ROWS_SHOWN) -> str:
    """``2, 3, 5`` or ``2, 3, 5, 8, 9, 13 … (+7)``; empty for a whole-column finding."""
    numbers = [str(r) for r in rows if r is not None]
    if len(numbers) <= shown:
        return ", ".join(numbers)
    return f"{', '.join(numbers[:shown])} … (+{len(numbers) - shown})"


def _count(n: int, style: str) -> str:
    return f"[{style}]{n:,}[/]" if n else "0"


def _short(text: str, limit: int = 40) -> str:
    """Long cells (a 200 KB field) are cut for the table; --json keeps them whole."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def register(app: typer.Typer) -> None:
    app.command(name="validate")(validate_command)
