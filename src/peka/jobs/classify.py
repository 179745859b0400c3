"""``peka classify`` as one library call: read → validate → on-invalid policy → classify → write the table and its
classification record.

>>> result = run_classify(InputSpec("data/samples/sabang/households.csv",  # doctest: +SKIP
...                                 persons="data/samples/sabang/persons.csv"), output="klasifikasi.parquet")
>>> result.counts.line()  # doctest: +SKIP
'rows in: 3,000 households, ...; processed: ...; rejected: ...'
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from peka.classify import classify
from peka.config.models import Config
from peka.config.show import record_text
from peka.deliver import files
from peka.deliver.rejects import write_rejects
from peka.errors import UsageError, printable_name
from peka.jobs.inputs import ConfigSpec, InputSpec, PathLike, RowPolicy, load_input
from peka.jobs.outputs import OutputPlan
from peka.jobs.paths import default_rejects_path
from peka.schema.checks import validate
from peka.schema.classified import PARQUET_RECORD_KEY, RECORD_ATTR, record_path_for
from peka.schema.rejects import RowCounts, apply_on_invalid

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
) -> ClassifyRun:
    """Classify a survey file. Output paths are checked first, then the configuration is loaded (a bad config fails
    fast with exit 4), then the data is read. ``output`` (.csv/.parquet/.xlsx) is written atomically with its
    classification record (the effective configuration, headed by the settings in force that are not confirmed; a
    valid peka.toml that reproduces the run) beside it as ``<output>.peka.toml`` and, in Parquet, inside the file.
    Without ``output`` nothing is written but the rejects (with ``--on-invalid skip``); ``rejects_beside`` names the
    output of a calling job (profile) beside which the default rejects file goes."""
    config = config or ConfigSpec()
    rows = rows or RowPolicy()
    _, rejects_target = plan_outputs(inputs, output, rows, rejects_beside=rejects_beside)
    cfg = config.load()
    survey = load_input(inputs)
    report = validate(survey)
    clean, rejected = apply_on_invalid(survey, report, mode=rows.on_invalid.value)
    counts = RowCounts.of(report, clean, rejected)
    if output is not None and Path(output).suffix.lower() == ".xlsx" and len(clean.households) + 1 > files.XLSX_MAX_ROWS:
        raise UsageError(
            f"{Path(output).name}: {len(clean.households):,} households do not fit in an XLSX sheet (at most "
            f"{files.XLSX_MAX_ROWS - 1:,} rows): write .csv or .parquet"
        )
    table = classify(clean, cfg, include_personal=include_personal)
    # file names go into a TOML comment: shown escaped (a newline or an undecodable byte must not break the record)
    persons_part = f" --persons {printable_name(Path(inputs.persons).name)}" if inputs.persons else ""
    title = f"peka classify {printable_name(Path(inputs.path).name)}{persons_part}"
    out_path = record = None
    if output is not None:
        record_toml = record_text(cfg, title=f"{title} → {printable_name(Path(output).name)}")
        table.attrs[RECORD_ATTR] = record_toml
        out_path = files.write_table(table, output, metadata={PARQUET_RECORD_KEY: record_toml.encode()})
        record = files.write_text(record_toml, record_path_for(out_path))
    rejects_path = write_rejects(rejected, rejects_target) if rejects_target is not None else None
    log.info(counts.line(rejects_path))
    return ClassifyRun(table, cfg, rejected, counts, out_path, rejects_path, record)
