"""The on-invalid policy (fail | skip): drop the rows with errors, return them as a rejects frame, count the rows.

``apply_on_invalid(survey, report, mode)`` either raises ``ValidationFailed`` (``fail``) or drops the rows with
errors (``skip``) and returns them as a rejects frame, so that rows in = rows processed + rows rejected. The frame
is written by ``peka.deliver.rejects.write_rejects``; where it goes is decided by ``peka.jobs.paths``.

Example::

    survey = peka.io.load_survey("households.csv", persons="persons.csv")
    report = validate(survey)
    clean, rejects = apply_on_invalid(survey, report, mode="skip")
    print(RowCounts.of(report, clean, rejects).line())
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from peka.errors import ValidationFailed
from peka.schema.checks import index_in, row_numbers
from peka.schema.model import ROW, Survey
from peka.schema.privacy import mask_ids
from peka.schema.report import ValidationReport, frame_to_findings, validation_failed

log = logging.getLogger(__name__)

REJECT_COLUMNS: tuple[str, ...] = ("table", ROW, "hh_id", "check", "column", "value", "message")


def apply_on_invalid(
    survey: Survey, report: ValidationReport, mode: Literal["fail", "skip"] = "fail"
) -> tuple[Survey, pd.DataFrame]:
    """Enforce the ``--on-invalid`` policy.

    ``fail``: raise ``ValidationFailed`` (exit 3) naming the first error and the count when there is any error;
    otherwise return the survey unchanged and an empty rejects frame.
    ``skip``: drop every row with an error and return ``(clean_survey, rejects)``. A household and its members are
    kept or rejected together (a classification depends on all members): a rejected household takes its members
    (reason ``household_rejected``), a member with an error takes its household (reason ``member_rejected``), an
    orphan person is rejected alone. ``rejects`` has one row per reason (``REJECT_COLUMNS``; values, messages
    and ids that are a NIK / No KK masked by ``peka.schema.privacy``). Errors of a whole column or file (no row)
    cannot be skipped: they raise ``ValidationFailed``.
    """
    if mode not in ("fail", "skip"):
        raise ValueError(f"on-invalid mode must be 'fail' or 'skip', not {mode!r}")
    if report.ok:
        return survey, empty_rejects()
    if mode == "fail":
        raise validation_failed(report)
    errors = report.frame[report.frame["severity"] == "error"]
    unskippable = errors[errors["row"].isna()]
    if len(unskippable):
        first = frame_to_findings(unskippable.head(1))[0]
        exc = ValidationFailed(
            f"{first.one_line()} (this error concerns a whole column or file, so --on-invalid skip cannot drop rows "
            "to get past it)",
            report=report,
        )
        exc.file, exc.column = first.file, first.column
        raise exc

    hh = survey.households
    hh_rows = row_numbers(hh)
    persons = survey.persons
    bad_h = np.isin(hh_rows, report.error_rows.get("household", np.empty(0, np.int64)))
    parts = [_reasons(errors, "household", hh, hh_rows, bad_h)]
    if persons is not None and "hh_id" in hh.columns and "hh_id" in persons.columns:
        p_rows = row_numbers(persons)
        bad_p = np.isin(p_rows, report.error_rows.get("person", np.empty(0, np.int64)))
        # a member with an error takes its household with it
        pulled = (index_in(hh["hh_id"], persons.loc[bad_p, "hh_id"].dropna()) >= 0) & ~bad_h
        if pulled.any():
            first_bad = pd.Series(p_rows[bad_p], index=persons.loc[bad_p, "hh_id"].to_numpy())
            first_bad = first_bad[~first_bad.index.duplicated(keep="first")]
            which = first_bad.reindex(hh.loc[pulled, "hh_id"].to_numpy()).to_numpy()
            parts.append(
                _reject_frame(
                    "household",
                    hh_rows[pulled],
                    hh.loc[pulled, "hh_id"],
                    "member_rejected",
                    "hh_id",
                    "a member of this household has errors (person row " + pd.Series(which).astype(str) + ")",
                )
            )
        bad_h = bad_h | pulled
        kept_ids = hh.loc[~bad_h, "hh_id"].dropna()
        # members of a rejected household go with it (unless the id is also held by a kept household)
        follow = ~bad_p & (index_in(persons["hh_id"], kept_ids) < 0)
        parts.append(_reasons(errors, "person", persons, p_rows, bad_p))
        parts.append(
            _reject_frame(
                "person",
                p_rows[follow],
                persons.loc[follow, "hh_id"],
                "household_rejected",
                "hh_id",
                "its household was rejected",
            )
        )
        clean_persons = persons.loc[~(bad_p | follow)]
    elif persons is not None:
        p_rows = row_numbers(persons)
        bad_p = np.isin(p_rows, report.error_rows.get("person", np.empty(0, np.int64)))
        parts.append(_reasons(errors, "person", persons, p_rows, bad_p))
        clean_persons = persons.loc[~bad_p]
    else:
        clean_persons = None
    rejects = (
        pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else empty_rejects()
    )
    rejects = rejects.sort_values(["table", ROW, "check"], kind="stable", ignore_index=True)
    # a household id that is a NIK / No KK is masked (values and messages already are): docs/privacy.md
    rejects["hh_id"] = mask_ids(rejects["hh_id"]).to_numpy()
    clean = replace(survey, households=hh.loc[~bad_h], persons=clean_persons)
    counts = RowCounts.of(report, clean, rejects)
    if not counts.balanced:  # a bug, not a data problem: never lose a row silently
        raise AssertionError(f"row accounting does not balance: {counts}")
    log.debug(counts.line())  # commands report the line themselves (with the rejects path)
    return clean, rejects


def _reasons(errors: pd.DataFrame, table: str, frame: pd.DataFrame, rows: np.ndarray, bad: np.ndarray) -> pd.DataFrame:
    """The error findings of the rejected rows of one table as reject records (with the row's hh_id)."""
    mine = errors[(errors["table"] == table) & errors["row"].notna()]
    if not len(mine) or not bad.any():
        return empty_rejects()
    ids = pd.Series(
        frame["hh_id"].to_numpy() if "hh_id" in frame.columns else np.full(len(frame), None, dtype=object),
        index=rows,
    )
    ids = ids[~ids.index.duplicated(keep="first")]
    found_rows = mine["row"].to_numpy(dtype=np.int64)
    return pd.DataFrame(
        {
            "table": table,
            ROW: found_rows,
            "hh_id": ids.reindex(found_rows).to_numpy(),
            "check": mine["check"].to_numpy(),
            "column": mine["column"].to_numpy(),
            "value": mine["value"].to_numpy(),
            "message": mine["message"].to_numpy(),
        }
    )


def _reject_frame(
    table: str, rows: np.ndarray, hh_id: pd.Series, check: str, column: str, message: str | pd.Series
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "table": table,
            ROW: rows.astype(np.int64),
            "hh_id": hh_id.to_numpy(),
            "check": check,
            "column": column,
            "value": None,
            "message": message.to_numpy() if isinstance(message, pd.Series) else message,
        }
    )


def empty_rejects() -> pd.DataFrame:
    """A rejects frame with no rows and the documented columns."""
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == ROW else object) for c in REJECT_COLUMNS})


@dataclass(frozen=True)
class RowCounts:
    """Rows in, processed and rejected per table; ``balanced`` says rows in = processed + rejected for each."""

    rows_in: dict[str, int]
    processed: dict[str, int]
    rejected: dict[str, int]

    @classmethod
    def of(cls, report: ValidationReport, clean: Survey, rejects: pd.DataFrame) -> RowCounts:
        processed = {"household": len(clean.households)}
        if clean.persons is not None:
            processed["person"] = len(clean.persons)
        rejected = {t: 0 for t in report.rows_in}
        if len(rejects):
            per = rejects.drop_duplicates(["table", ROW]).groupby("table").size()
            rejected.update({str(t): int(n) for t, n in per.items()})
        return cls(dict(report.rows_in), processed, rejected)

    @property
    def balanced(self) -> bool:
        return all(self.rows_in[t] == self.processed.get(t, 0) + self.rejected.get(t, 0) for t in self.rows_in)

    def line(self, rejects_path: str | os.PathLike[str] | None = None) -> str:
        """``rows in: 3,000 households, 11,842 persons; processed: ...; rejected: ... (written to rejects.csv)``."""

        def part(counts: Mapping[str, int]) -> str:
            return ", ".join(f"{counts.get(t, 0):,} {t}s" for t in self.rows_in)

        where = f" (written to {rejects_path})" if rejects_path is not None and any(self.rejected.values()) else ""
        return (
            f"rows in: {part(self.rows_in)}; processed: {part(self.processed)}; rejected: {part(self.rejected)}{where}"
        )


def format_row_counts(
    report: ValidationReport, clean: Survey, rejects: pd.DataFrame, rejects_path: str | os.PathLike[str] | None = None
) -> str:
    """The "rows in / processed / rejected" line every command prints after ``apply_on_invalid``."""
    return RowCounts.of(report, clean, rejects).line(rejects_path)



__all__ = ["REJECT_COLUMNS", "RowCounts", "apply_on_invalid", "empty_rejects", "format_row_counts"]
