"""The validation report: what ``validate`` found, as a findings frame, ``Finding`` objects, one error line and JSON.

Findings are held as one column-wise frame (one row per finding) and turned into ``Finding`` objects only when
asked for, so a file with a million bad cells does not build a million objects to count them. Every value and
message in the frame has been through ``peka.schema.privacy`` before it gets here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from peka.errors import ValidationFailed
from peka.schema.findings import Finding
from peka.schema.model import Survey, columns_for
from peka.schema.privacy import mask_text

TABLES: tuple[str, ...] = ("household", "person")
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
FINDING_COLUMNS: tuple[str, ...] = ("file", "table", "row", "column", "check", "severity", "message", "value")
# longest cell value quoted in the one-line error message
MESSAGE_VALUE_CHARS = 60


@dataclass
class ValidationReport:
    """What ``validate`` found. ``frame`` holds one row per finding (columns ``FINDING_COLUMNS``, ``row`` as
    ``Int64``), sorted errors first, then by table and the user's row; ``findings`` gives the same as ``Finding``
    objects. ``error_rows`` holds, per table, the sorted unique ``_row`` numbers that carry at least one error."""

    frame: pd.DataFrame
    rows_in: dict[str, int]
    error_rows: dict[str, np.ndarray]
    files: dict[str, str] = field(default_factory=dict)
    user_missing: list[dict[str, object]] = field(default_factory=list)
    columns: list[dict[str, object]] = field(default_factory=list)  # per-column summary, see column_summary()
    _findings: list[Finding] | None = field(default=None, repr=False)
    # for each person row, the position of its household row (-1: none), as the id checks matched them; set only
    # when no error was found (the ids are then present and unique), so that ``classify`` can reuse the match
    # instead of hashing millions of ids again (``classify(..., person_households=)``)
    person_households: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def findings(self) -> list[Finding]:
        if self._findings is None:
            self._findings = frame_to_findings(self.frame)
        return self._findings

    def count(self, severity: str) -> int:
        return int((self.frame["severity"] == severity).sum())

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def warnings(self) -> int:
        return self.count("warning")

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return self.errors == 0

    def first_error(self) -> Finding | None:
        errors = self.frame[self.frame["severity"] == "error"]
        return frame_to_findings(errors.head(1))[0] if len(errors) else None

    def summary(self) -> dict[str, object]:
        """Counts per severity and per check, plus the number of rows with errors per table."""
        by_check = (
            self.frame.groupby(["check", "severity"], sort=True).size().reset_index(name="n")
            if len(self.frame)
            else pd.DataFrame(columns=["check", "severity", "n"])
        )
        return {
            "errors": self.errors,
            "warnings": self.warnings,
            "info": self.count("info"),
            "findings": len(self.frame),
            "rows_with_errors": {t: len(r) for t, r in self.error_rows.items()},
            "by_check": [
                {"check": str(c), "severity": str(s), "count": int(n)}
                for c, s, n in zip(by_check["check"], by_check["severity"], by_check["n"], strict=True)
            ],
        }

    def to_dict(self, *, max_findings: int | None = None) -> dict[str, object]:
        """A JSON-ready document (the body of ``peka validate --json`` without the version)."""
        shown = self.frame if max_findings is None else self.frame.head(max_findings)
        summary = self.summary()
        summary["findings_listed"] = len(shown)
        return {
            "files": dict(self.files),
            "rows_in": dict(self.rows_in),
            "summary": summary,
            "columns": self.columns,
            "findings": [f.to_dict() for f in frame_to_findings(shown)],
            "user_missing": [_jsonable(u) for u in self.user_missing],
        }


def failure_message(report: ValidationReport, *, hint: bool = True) -> str:
    """One line: the first error, and how many more there are, e.g. ``households.csv, row 7, column 'hh_size':
    household size is missing, zero or negative (value '0') (and 3 more errors; run `peka validate` for the full
    report)``. ``hint=False`` leaves out the pointer to ``peka validate`` (for ``peka validate`` itself)."""
    first = report.first_error()
    if first is None:
        return "no errors"
    if first.value is not None and len(first.value) > MESSAGE_VALUE_CHARS:  # one line, not a 200 KB cell
        first = replace(first, value=first.value[: MESSAGE_VALUE_CHARS - 1] + "…")
    more = report.errors - 1
    tail = "run `peka validate` for the full report" if hint else ""
    if more > 0:
        extra = f"and {more} more error{'s' if more != 1 else ''}" + (f"; {tail}" if tail else "")
        return f"{first.one_line()} ({extra})"
    return f"{first.one_line()} ({tail})" if tail else first.one_line()


def validation_failed(report: ValidationReport, *, hint: bool = True) -> ValidationFailed:
    """The ``ValidationFailed`` exception for a report with errors; its location attributes name the first error."""
    exc = ValidationFailed(failure_message(report, hint=hint), report=report)
    first = report.first_error()
    if first is not None:  # set after rendering: the message already names file, row and column
        exc.file, exc.row, exc.column = first.file, first.row, first.column
    return exc


def column_summary(survey: Survey, frame: pd.DataFrame) -> list[dict[str, object]]:
    """Per canonical column present: kind, rows, missing count and share, and error/warning counts."""
    counts = (
        frame.dropna(subset=["column"]).groupby(["table", "column", "severity"]).size()
        if len(frame)
        else pd.Series(dtype="int64")
    )
    out: list[dict[str, object]] = []
    for table, data in (("household", survey.households), ("person", survey.persons)):
        if data is None:
            continue
        n = len(data)
        present = [c for c in columns_for(table).values() if c.name in data.columns]  # type: ignore[arg-type]
        missing = data[[c.name for c in present]].isna().sum() if present else pd.Series(dtype="int64")
        for col in present:
            m = int(missing[col.name])
            out.append(
                {
                    "table": table,
                    "column": col.name,
                    "kind": col.kind,
                    "rows": n,
                    "missing": m,
                    "missing_share": (m / n) if n else 0.0,
                    "errors": int(counts.get((table, col.name, "error"), 0)),
                    "warnings": int(counts.get((table, col.name, "warning"), 0)),
                }
            )
    return out


def empty_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "row" else object) for c in FINDING_COLUMNS})


def findings_to_frame(findings: list[Finding]) -> pd.DataFrame:
    if not findings:
        return empty_findings()
    data = {c: [getattr(f, c) for f in findings] for c in FINDING_COLUMNS}
    frame = pd.DataFrame(data)
    frame["row"] = frame["row"].astype("Int64")
    return frame


_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_TABLE_RANK = {t: i for i, t in enumerate(TABLES)}


def sort_findings(frame: pd.DataFrame) -> pd.DataFrame:
    """Errors first, then warnings, then information; within each, household before person, whole-column findings
    first, then by the user's row; ties keep the order of the checks."""
    if not len(frame):
        return empty_findings()
    frame = frame.astype({"row": "Int64"})
    key = pd.DataFrame(
        {
            "s": frame["severity"].map(_SEVERITY_RANK).fillna(9).to_numpy(),
            "t": frame["table"].map(_TABLE_RANK).fillna(9).to_numpy(),
            "r": frame["row"].fillna(-1).to_numpy(dtype=np.int64),
        }
    )
    order = np.lexsort((key["r"].to_numpy(), key["t"].to_numpy(), key["s"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


# checks that fire because a cell is missing: when the reader already reported that cell (it did not convert and

def frame_to_findings(frame: pd.DataFrame) -> list[Finding]:
    """Finding objects for (a slice of) the findings frame; only call it on what will actually be shown."""
    if not len(frame):
        return []
    cols = {c: frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in FINDING_COLUMNS}
    return [
        Finding(
            file=str(cols["file"][i]),
            table=cols["table"][i],
            row=int(cols["row"][i]) if cols["row"][i] is not None else None,
            column=cols["column"][i],
            check=str(cols["check"][i]),
            severity=cols["severity"][i],
            message=str(cols["message"][i]),
            value=None if cols["value"][i] is None else str(cols["value"][i]),
        )
        for i in range(len(frame))
    ]


def _jsonable(entry: Mapping[str, object]) -> dict[str, object]:
    """A user-missing entry for JSON; codes and labels come from the file's metadata, masked all the same."""
    out: dict[str, object] = {}
    for k, v in entry.items():
        if isinstance(v, np.generic):
            v = v.item()
        v = v if isinstance(v, (int, float, bool)) or v is None else mask_text(str(v))
        out[str(k)] = v
    return out


__all__ = [
    "FINDING_COLUMNS",
    "ValidationReport",
    "column_summary",
    "empty_findings",
    "failure_message",
    "findings_to_frame",
    "frame_to_findings",
    "sort_findings",
    "validation_failed",
]
