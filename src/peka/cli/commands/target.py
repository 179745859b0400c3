"""`peka target`: ranked lists of households per programme and gampong, the village-meeting workbook, a summary,
targeting accuracy (--evaluate) and the village-meeting round-trip (--verified)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peka.cli import options as o
from peka.cli.console import notice, out
from peka.errors import UsageError


@o.data_command(rows=True, csv=True)
def target_command(
    file: o.FileArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the lists (new, empty, or a previous "
                                         "peka target output; written as a whole set).")],
    inputs: o.InputSpec,
    config: o.ConfigSpec,
    lang: o.Lang,
    rows: o.RowPolicy,
    csv_dialect: o.CsvDialect,
    program: Annotated[list[str] | None, typer.Option("--program", "-p", help="Programme code of the catalogue "
                       "(repeatable; default: every programme).")] = None,
    programs_file: Annotated[Path | None, typer.Option("--programs", help="Programme catalogue TOML (default: the "
                             "built-in presets/programs.toml).")] = None,
    quota: Annotated[
        int | None, typer.Option("--quota", help="List at most N households per unit of --quota-by.")
    ] = None,
    quota_by: Annotated[str, typer.Option("--quota-by", help="Column of the quota unit.")] = "desa_code",
    quota_file: Annotated[Path | None, typer.Option("--quota-file", help="CSV with the --quota-by column, quota and "
                          "optionally program.")] = None,
    budget: Annotated[float | None, typer.Option("--budget", help="Rupiah per programme: households in priority "
                      "order while the running cost fits.")] = None,
    evaluate: Annotated[bool, typer.Option("--evaluate", help="Also write evaluation.csv (coverage, exclusion and "
                        "inclusion errors, targeting differential, CGH, with SEs) and concordance.csv.")] = False,
    verified: Annotated[list[Path] | None, typer.Option("--verified", help="Returned lists.csv with hasil_verifikasi "
                        "filled in (repeatable): applied, audited in audit.csv.")] = None,
    pseudonym_key: Annotated[Path | None, typer.Option("--pseudonym-key", help="Key file: household ids in the "
                             "lists become HMAC-SHA256 pseudonyms.")] = None,
    no_names: Annotated[bool, typer.Option("--no-names", help="Leave the head's name and address out of the "
                        "workbook.")] = False,
    reveal_ids: Annotated[bool, typer.Option("--reveal-ids", help="Put NIK and No KK in the lists (warned).")] = False,
    lonely_psu: Annotated[str, typer.Option("--lonely-psu", help="With --evaluate: a stratum with one PSU: fail, "
                          "adjust or certainty.")] = "fail",
    engine: o.EngineOpt = o.Engine.memory,
    scheduler: o.SchedulerOpt = None,
) -> None:
    """Rank eligible households per programme and gampong and write the lists for the village meeting.

    Writes into the folder -o: lists.csv (one row per listed household and programme, with reasons, recommended
    bundle, current receipt, run_id and empty hasil_verifikasi / catatan columns), musyawarah.xlsx (one printable
    sheet per gampong), summary.csv (per gampong and programme, with the gampong priority ranking), programs.csv
    (every rule with its source and status); with --evaluate evaluation.csv and concordance.csv; with --verified
    audit.csv. Household ids that are NIK / No KK (16 digits) are pseudonymised. See docs/targeting.md.

    Example: peka target households.csv --persons persons.csv --program pkh --quota 10 -o daftar

    Example: peka target rt.csv --persons art.csv --budget 500000000 --program rtlh --evaluate -o daftar

    Example: peka target rt.csv --persons art.csv --program pkh --quota 10 --verified kembali/lists.csv -o daftar2
    """
    from peka.jobs.target import TargetSpec, run_target

    if lonely_psu not in ("fail", "adjust", "certainty"):
        raise UsageError("--lonely-psu must be fail, adjust or certainty")
    spec = TargetSpec(
        programs=tuple(program or ()), catalogue=programs_file, quota=quota, quota_by=quota_by,
        quota_file=quota_file, budget=budget, evaluate=evaluate, verified=tuple(verified or ()),
        pseudonym_key=pseudonym_key, names=not no_names, reveal_ids=reveal_ids, lonely_psu=lonely_psu,
    )  # fmt: skip
    run = run_target(
        inputs,
        spec=spec, output=output, config=config, rows=rows, csv_dialect=csv_dialect, engine=engine.value,
        scheduler=scheduler,
    )  # fmt: skip
    for line in run.warnings:
        notice(f"peka: warning: {line}")
    from peka.present.labels import summary_text
    from peka.present.numbers import format_count

    per_program = run.lists.groupby("program", sort=False).size()
    for p in run.programs:
        listed = format_count(int(per_program.get(p.code, 0)), lang.value)
        out.print(summary_text("target_listed", lang.value, program=p.code, n=listed), markup=False, highlight=False)
    if run.audit is not None:
        removed = int((run.audit["after"] == "dikeluarkan").sum())
        promoted = int(run.audit["before"].eq("tidak terdaftar").sum())
        notice(f"peka: applied the returned lists: {removed:,} removed, {promoted:,} promoted (audit.csv)")
    notice(f"peka: wrote the lists of run {run.run_id} to {run.output}")


def register(app: typer.Typer) -> None:
    app.command(name="target")(target_command)
