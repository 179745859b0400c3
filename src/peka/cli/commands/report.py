"""`peka report`: the analyst's deliverables — an XLSX workbook for the planning team and a self-contained HTML report
for the TKPK and the Musrenbang — from one run of validation, classification and estimation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peka.cli import options as o
from peka.cli.console import notice


@o.data_command(rows=True)
def report_command(
    input: Annotated[Path, typer.Argument(help="Survey file, or a file written by `peka classify`.")],
    inputs: o.InputSpec,
    config: o.ConfigSpec,
    lang: o.Lang,
    rows: o.RowPolicy,
    by: Annotated[list[str] | None, typer.Option("--by", help="Region columns, coarse to fine, one per --by "
                                                 "(default: kec_name and desa_name when present).")] = None,
    output: Annotated[list[Path] | None, typer.Option("--output", "-o", help="FILE.xlsx (workbook) and/or "
                                                      "FILE.html (page); give -o twice for both.")] = None,
    min_n: Annotated[int | None, typer.Option("--min-n", min=0, help="Flag estimates from fewer households "
                                              "(default 30).")] = None,
    boundaries: Annotated[Path | None, typer.Option("--boundaries", help="GeoJSON of the gampong: the page gets a "
                                                    "map of P0 by desa_code.")] = None,
    boundary_key: Annotated[str | None, typer.Option("--boundary-key", help="Feature property holding the region "
                                                     "code (default: desa_code).")] = None,
    engine: o.EngineOpt = o.Engine.memory,
    scheduler: o.SchedulerOpt = None,
) -> None:
    """Write the poverty report: Ringkasan, Wilayah, Profil kemiskinan, Dimensi, Penyebab & intervensi,
    Sensitivitas, Metode, Rumah tangga.

    Example: peka report data/samples/sabang/households.csv --persons data/samples/sabang/persons.csv --by kec_name --by desa_name -o laporan.xlsx -o laporan.html

    Example: peka report klasifikasi.parquet --lang en -o report.html

    Example: peka report klasifikasi.parquet --boundaries gampong.geojson --boundary-key KDDESA -o laporan.html
    """
    from peka.errors import UsageError
    from peka.jobs.report import ReportRequest, run_report

    regions = []
    for entry in by or []:
        if "," in entry or "*" in entry:
            raise UsageError(f"--by {entry!r}: a report takes one region column per --by (coarse to fine)")
        regions.append(entry.strip())
    request = ReportRequest(
        inputs=inputs,
        config=config, rows=rows, by=tuple(regions),
        lang=lang.value, outputs=tuple(output or ()), min_n=min_n,
        boundaries=boundaries, boundary_key=boundary_key, engine=engine.value, scheduler=scheduler,
    )  # fmt: skip
    run = run_report(request)
    for path in run.written:
        notice(f"peka: wrote {path}")


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
