"""``peka classify`` as one library call: read → validate → on-invalid policy → classify → write the table and its
classification record.

>>> result = run_classify(InputSpec("data/samples/sabang/households.csv",  # doctest: +SKIP
...                                 persons="data/samples/sabang/persons.csv"), output="klasifikasi.parquet")
>>> result.counts.line()  # doctest: +SKIP
'rows in: 3,000 households, ...; processed: ...; rejected: ...'
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from peka.classify import classify
from peka.classify.monetary import broad_line_fallbacks, monetary_mode
from peka.config.models import Config
from peka.config.show import record_text
from peka.deliver import files
from peka.deliver.rejects import write_rejects
from peka.engine import check_scheduler, chunk_mapper
from peka.errors import InputError, UsageError, printable_name
from peka.jobs.inputs import ConfigSpec, InputSpec, PathLike, RowPolicy, load_input, validated
from peka.jobs.outputs import OutputPlan
from peka.jobs.paths import default_rejects_path
from peka.schema.classified import MEASURES, PARQUET_RECORD_KEY, RECORD_ATTR, record_path_for
from peka.schema.model import PERSONAL_COLUMNS, Survey
from peka.schema.rejects import RowCounts, apply_on_invalid

if TYPE_CHECKING:
    from peka.present.summary import SummarySums

log = logging.getLogger(__name__)

TABLE_SUFFIXES = (".csv", ".parquet", ".xlsx")


@dataclass
class ClassifyRun:
    table: pd.DataFrame
    config: Config
    rejects: pd.DataFrame
    counts: RowCounts
    output: Path | None
    rejects_path: Path | None
    record_path: Path | None = None
    skipped: tuple[str, ...] = ()  # measures accepted as not computable (--skip, [classify] skip)
    warnings: tuple[str, ...] = ()  # in the summary, the log and the classification record
    # stream engine: the terminal summary's sums (present.summary.SummarySums); ``table`` then has no columns
    summary_sums: SummarySums | None = None


def plan_outputs(inputs: InputSpec, output: PathLike | None, rows: RowPolicy, *, rejects_beside: PathLike | None = None
                 ) -> tuple[OutputPlan, Path | None]:
    """Check every path this run will write against the inputs and each other (before reading anything); returns
    the plan and the rejects path (default: beside ``output``, else in the working folder)."""
    plan = OutputPlan.for_inputs(inputs.files)
    if output is not None:
        if Path(output).suffix.lower() not in TABLE_SUFFIXES:
            raise UsageError(f"cannot write {Path(output).name}: use .csv, .parquet or .xlsx")
        plan.add("-o", output)
        plan.add("the classification record", record_path_for(output))
    rejects = None
    if rows.skip:
        rejects = plan.add("--rejects", rows.rejects if rows.rejects is not None else default_rejects_path(
            inputs.path, output if output is not None else rejects_beside))
    return plan, rejects


def run_classify(
    inputs: InputSpec,
    *,
    config: ConfigSpec | None = None,
    rows: RowPolicy | None = None,
    output: PathLike | None = None,
    include_personal: bool = False,
    rejects_beside: PathLike | None = None,
    skip: Sequence[str] = (),
    keep: Sequence[str] | None = None,
    keep_more: Sequence[str] = (),
    engine: str = "memory",
    chunk_rows: int | None = None,
    csv_dialect: files.CsvDialect = files.CSV_STANDARD,
    scheduler: str | None = None,
) -> ClassifyRun:
    """Classify a survey file. Output paths are checked first, then the configuration is loaded (a bad config fails
    fast with exit 4), then the data is read. ``output`` (.csv/.parquet/.xlsx) is written atomically with its
    classification record (the effective configuration, headed by the settings in force that are not confirmed; a
    valid peka.toml that reproduces the run) beside it as ``<output>.peka.toml`` and, in Parquet, inside the file.
    Without ``output`` nothing is written but the rejects (with ``--on-invalid skip``); ``rejects_beside`` names the
    output of a calling job (profile) beside which the default rejects file goes. ``engine``: ``memory``, ``stream``
    (CSV/Parquet in chunks of ``chunk_rows`` households, same results; ``table`` then holds only the columns of the
    summary), ``dask`` (the stream engine's chunks classified on the Dask scheduler at ``scheduler``, a local
    cluster without one) or ``auto`` (docs/architecture.md, "Engines"). A CSV output and a CSV rejects file are written in
    ``csv_dialect`` (``deliver.files.CsvDialect``)."""
    config = config or ConfigSpec()
    rows = rows or RowPolicy()
    check_scheduler(engine, scheduler)
    _, rejects_target = plan_outputs(inputs, output, rows, rejects_beside=rejects_beside)
    cfg = config.load(inputs=inputs)
    apply_classify_options(cfg, skip=skip, keep=keep, keep_more=keep_more, include_personal=include_personal)
    if engine != "memory" and (output is None or Path(output).suffix.lower() != ".xlsx"):
        from peka.jobs.streamed import resolve_engine, run_classify_stream

        resolved = resolve_engine(engine, inputs)
        if resolved in ("stream", "dask"):
            with chunk_mapper(resolved, scheduler) as mapper:
                streamed = run_classify_stream(inputs, cfg, rows, output=output, include_personal=include_personal,
                                               keep_more=keep_more, rejects_target=rejects_target,
                                               chunk_rows=chunk_rows, csv_dialect=csv_dialect, mapper=mapper)
            if streamed is not None:
                return streamed
    survey = load_input(inputs)
    report = validated(survey)
    clean, rejected = apply_on_invalid(survey, report, mode=rows.on_invalid.value)
    counts = RowCounts.of(report, clean, rejected)
    if output is not None and Path(output).suffix.lower() == ".xlsx" and len(clean.households) + 1 > files.XLSX_MAX_ROWS:
        raise UsageError(
            f"{Path(output).name}: {len(clean.households):,} households do not fit in an XLSX sheet (at most "
            f"{files.XLSX_MAX_ROWS - 1:,} rows): write .csv or .parquet"
        )
    table = classify(clean, cfg, include_personal=include_personal, person_households=report.person_households)
    check_measures(table, clean, cfg, inputs)
    missing_keep = [c for c in keep_more if c not in table.columns]
    if missing_keep:
        raise InputError(
            f"--keep {', '.join(missing_keep)}: not a column of the household table or a [[derive]] value; check the "
            f"name (canonical names: docs/data-model.md) or map the column with --mapping", file=str(inputs.path)
        )
    warnings = line_warnings(clean, table, cfg)
    for warning in warnings:
        log.warning(warning)
    # file names go into a TOML comment: shown escaped (a newline or an undecodable byte must not break the record)
    persons_part = f" --persons {printable_name(Path(inputs.persons).name)}" if inputs.persons else ""
    title = f"peka classify {printable_name(Path(inputs.path).name)}{persons_part}"
    out_path = record = None
    if output is not None:
        record_toml = record_text(cfg, title=f"{title} → {printable_name(Path(output).name)}", warnings=warnings)
        table.attrs[RECORD_ATTR] = record_toml
        out_path = files.write_table(
            table, output, metadata={PARQUET_RECORD_KEY: record_toml.encode()}, csv_dialect=csv_dialect
        )
        record = files.write_text(record_toml, record_path_for(out_path))
    rejects_path = write_rejects(rejected, rejects_target, csv_dialect) if rejects_target is not None else None
    log.info(counts.line(rejects_path))
    return ClassifyRun(
        table, cfg, rejected, counts, out_path, rejects_path, record, tuple(cfg.classify.skip), tuple(warnings)
    )


def apply_classify_options(
    cfg: Config, *, skip: Sequence[str], keep: Sequence[str] | None, keep_more: Sequence[str], include_personal: bool
) -> None:
    """Fold ``--skip``/``--keep``/``--keep-none`` into ``cfg.classify`` (so the record reproduces the run)."""
    unknown = [m for m in skip if m not in MEASURES]
    if unknown:
        raise UsageError(f"--skip {', '.join(unknown)}: use one of {', '.join(MEASURES)}")
    if skip:
        cfg.classify.skip = [m for m in MEASURES if m in {*cfg.classify.skip, *skip}]  # type: ignore[misc]
        cfg.sources[("classify", "skip")] = "--skip"
    if keep is not None or keep_more:
        cfg.classify.keep = list(dict.fromkeys([*(cfg.classify.keep if keep is None else keep), *keep_more]))
        cfg.sources[("classify", "keep")] = "--keep"
    personal = [c for c in cfg.classify.keep if c in PERSONAL_COLUMNS]
    if personal and not include_personal:
        raise UsageError(f"keep {', '.join(personal)}: personal data is only copied with --include-personal")


def _all_missing(table: pd.DataFrame, columns: Sequence[str]) -> bool:
    return bool(columns) and all(table[c].isna().all() for c in columns)


def check_measures(table: pd.DataFrame, survey: Survey, cfg: Config, inputs: InputSpec) -> None:
    """No silent success: a measure no household can get because a table or column is missing is an ``InputError``
    naming what is missing and how to proceed, unless the measure is skipped."""
    if len(table) == 0:
        return
    skip = set(cfg.classify.skip)
    problems: list[str] = []
    households = survey.households
    no_persons = survey.persons is None or len(survey.persons) == 0
    if "money" not in skip and table["poor"].isna().all():
        if monetary_mode(households) == "none":
            problems.append("monetary poverty needs exp_pc or exp_hh (expenditure) or desil (a registry decile): map "
                            "one with --mapping, or --skip money (the status then comes from the MPI alone)")
        else:
            problems.append(f"no poverty line of period {cfg.lines.period} applies to any household: set "
                            "lines.period or add a line ([[lines.entries]]), or --skip money")
    if "mpi" not in skip and table["mpi_poor"].isna().all():
        person_level = [i.name for i in cfg.mpi.active if i.level == "person"]
        if no_persons and person_level:
            problems.append(f"the MPI needs the member table for {', '.join(person_level)}: give --persons FILE, or "
                            "--skip mpi (the status then comes from money alone)")
        else:
            problems.append(_all_missing_text("the MPI", table, [f"mpi_d_{i.name}" for i in cfg.mpi.active], "mpi"))
    if "bps14" not in skip and cfg.bps14.active and table["miskin_14k"].isna().all():
        problems.append(_all_missing_text("BPS-14", table, [f"bps14_{c.code}" for c in cfg.bps14.active], "bps14"))
    causes = [f"cause_{c.code}" for c in cfg.causes.active]
    if "causes" not in skip and _all_missing(table, causes):
        hint = "give --persons FILE, " if no_persons else ""
        problems.append(f"no cause of poverty can be computed for any household: {hint}map the columns the cause "
                        "rules read, or --skip causes")
    if problems:
        raise InputError("; ".join(problems), file=str(inputs.path))


def _all_missing_text(what: str, table: pd.DataFrame, columns: list[str], measure: str) -> str:
    blank = [c for c in columns if table[c].isna().all()]
    return (f"{what} cannot be computed for any household ({len(blank)} of {len(columns)} items missing for every "
            f"household, e.g. {', '.join(blank[:3])}): map the columns their rules read, or --skip {measure}")


def line_warnings(survey: Survey, table: pd.DataFrame, cfg: Config) -> list[str]:
    """A broader poverty line than the data's region, because region codes are missing, is a warning."""
    return fallback_warnings(broad_line_fallbacks(survey.households, table["poverty_line_id"], cfg))


def fallback_warnings(fallbacks: dict[str, int]) -> list[str]:
    """The warning of ``line_warnings`` for ``{line id: households}`` (added up over chunks by the stream engine)."""
    out = []
    for line_id, n in fallbacks.items():
        out.append(f"{n:,} households have no region code (prov_code/kab_code) and got the broader line {line_id}; "
                   "map the region codes (or set them with a mapping) to use the line of their region")
    return out
