"""The whole ``peka classify`` job as one library call: load → validate → on-invalid policy → classify → write.

>>> result = run_classify("data/samples/sabang/households.csv",  # doctest: +SKIP
...                       persons="data/samples/sabang/persons.csv", output="klasifikasi.parquet")
>>> result.counts.line()  # doctest: +SKIP
'rows in: 3,000 households, ...; processed: ...; rejected: ...'
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from peka.classify import classify
from peka.config.loader import load_config
from peka.config.models import Config
from peka.errors import UsageError
from peka.schema.rejects import RowCounts

log = logging.getLogger(__name__)

PathLike = str | Path


RECORD_SUFFIX = ".peka.toml"


@dataclass
class ClassifyRun:
    table: pd.DataFrame
    config: Config
    rejects: pd.DataFrame
    counts: RowCounts
    output: Path | None
    rejects_path: Path | None
    record_path: Path | None = None


def record_path_for(output: PathLike) -> Path:
    """Where the configuration record of ``output`` goes: ``hasil.parquet`` → ``hasil.parquet.peka.toml``."""
    output = Path(output)
    return output.with_name(output.name + RECORD_SUFFIX)


def run_classify(
    path: PathLike,
    *,
    persons: PathLike | None = None,
    mapping: str | None = None,
    config: PathLike | Config | None = None,
    overrides: Sequence[str] = (),
    output: PathLike | None = None,
    on_invalid: Literal["fail", "skip"] = "fail",
    rejects: PathLike | None = None,
    sheet: str | None = None,
    person_sheet: str | None = None,
    include_personal: bool = False,
) -> ClassifyRun:
    """Classify a survey file. The configuration is loaded (and checked) before the data is read, so a bad config
    fails fast with exit 4. ``output`` (.csv/.parquet/.xlsx) is written atomically, and beside it
    ``<output>.peka.toml``: the effective configuration, headed by the settings in force that are not confirmed
    (a valid peka.toml that reproduces the run). Without ``output`` nothing is written and the caller shows the
    summary only. With ``on_invalid="skip"`` the skipped rows and their reasons are always written (header only when
    none were skipped), to ``rejects`` or else to ``default_rejects_path``, so a cron job finds the same files every
    run. An XLSX output for more rows than a
    sheet holds is refused (``UsageError``, exit 2) before classifying."""
    from peka.config.show import record_text
    from peka.deliver import files
    from peka.io import load_survey
    from peka.deliver.rejects import write_rejects
    from peka.jobs.paths import default_rejects_path
    from peka.schema.checks import validate
    from peka.schema.rejects import apply_on_invalid

    cfg = config if isinstance(config, Config) else load_config(config, overrides=overrides)
    survey = load_survey(path, persons=persons, mapping=mapping, sheet=sheet, person_sheet=person_sheet)
    report = validate(survey)
    clean, rejected = apply_on_invalid(survey, report, mode=on_invalid)
    counts = RowCounts.of(report, clean, rejected)
    if (
        output is not None
        and Path(output).suffix.lower() == ".xlsx"
        and len(clean.households) + 1 > files.XLSX_MAX_ROWS
    ):
        raise UsageError(
            f"{Path(output).name}: {len(clean.households):,} households do not fit in an XLSX sheet (at most "
            f"{files.XLSX_MAX_ROWS - 1:,} rows): write .csv or .parquet"
        )
    table = classify(clean, cfg, include_personal=include_personal)
    out_path = record = None
    if output is not None:
        out_path = files.write_table(table, output)
        title = (
            f"peka classify {Path(path).name}{f' --persons {Path(persons).name}' if persons else ''} → {out_path.name}"
        )
        record = files.write_text(record_text(cfg, title=title), record_path_for(out_path))
    rejects_path = None
    if on_invalid == "skip":
        rejects_path = write_rejects(rejected, rejects if rejects is not None else default_rejects_path(path, output))
    log.info(counts.line(rejects_path))
    return ClassifyRun(table, cfg, rejected, counts, out_path, rejects_path, record)
