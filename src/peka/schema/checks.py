"""Vectorised data-quality checks on the canonical tables: ``validate(survey) -> ValidationReport``.

``validate(survey)`` runs every check of docs/checks.md on ``Survey.households`` and ``Survey.persons`` and returns
a ``ValidationReport`` (``peka.schema.report``). Each check works on whole columns (numpy/pandas), so 1,000,000
households and 4,000,000 persons validate in a few seconds; Python only loops over columns and checks, never over
rows. What to do with the rows that have errors is ``peka.schema.rejects``.

Example::

    survey = peka.io.load_survey("households.csv", persons="persons.csv")
    report = validate(survey)
    print(report.summary()["errors"])
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from peka.schema.model import COLUMNS, ROW, Column, Survey, columns_for
from peka.schema.privacy import expected_of, mask_texts, shown_values
from peka.schema.report import (
    TABLES,
    ValidationReport,
    column_summary,
    empty_findings,
    findings_to_frame,
    sort_findings,
)

log = logging.getLogger(__name__)

NIK_COLUMNS: tuple[str, ...] = ("head_nik", "kk_no", "nik")  # 16-digit Dukcapil numbers
EXPENDITURE_COLUMNS: tuple[str, ...] = ("exp_hh", "exp_pc")
# a share of missing values above which a column's missing count is a warning, not information
MISSING_WARNING_SHARE = 0.5
# exp_pc is "consistent" with exp_hh / hh_size within 1 % (and at least 1 Rupiah: rounding in the source)
EXP_PC_REL_TOLERANCE = 0.01
EXP_PC_ABS_TOLERANCE = 1.0
# longest cell value quoted in the one-line error message
MESSAGE_VALUE_CHARS = 60
# how many example values a column-level message quotes
EXAMPLES = 3

# "3.17E+15", "3.1712345678901E+015", "3171234567890001.0", "12.00": what Excel or a float column makes of an id
_FLOAT_ID_PATTERN = r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+|\d+\.0+"


def validate(survey: Survey, *, required: Iterable[str] | None = None) -> ValidationReport:
    """Run every data-quality check on a canonical survey.

    ``required`` names the household columns that must be present (default: the ``required`` columns of the
    model, i.e. ``hh_id`` and ``hh_size``); ``hh_id`` and ``person_no`` are always required in a person table.
    The survey is not modified.

    >>> import pandas as pd
    >>> hh = pd.DataFrame({"_row": [2, 3], "hh_id": ["a", "a"], "hh_size": pd.array([2, 0], dtype="Int64")})
    >>> report = validate(Survey(households=hh, sources={"household": "hh.csv"}))
    >>> sorted(f.check for f in report.findings if f.severity == "error")
    ['duplicate_id', 'hh_size_invalid']
    """
    files = {t: str(survey.sources.get(t, f"<{t}s>")) for t in TABLES}
    sink = _Sink(files)
    households = survey.households
    persons = survey.persons
    hh_rows = row_numbers(households)
    required_hh = (
        set(required) if required is not None else {c.name for c in COLUMNS if c.required and c.level == "household"}
    )

    links = _IdLinks.of(households, persons)
    _check_table(sink, "household", households, hh_rows, required_hh, survey.chunk_of_files)
    _check_households(sink, households, hh_rows, links)
    if persons is not None:
        p_rows = row_numbers(persons)
        _check_table(sink, "person", persons, p_rows, {"hh_id", "person_no"}, survey.chunk_of_files)
        _check_persons(sink, households, hh_rows, persons, p_rows, links)
    _check_rows_read(sink, survey)
    _add_user_missing(sink, survey.user_missing)

    reader = _mask_reader_values(findings_to_frame(survey.findings))
    mine = pd.concat(sink.parts, ignore_index=True) if sink.parts else empty_findings()
    mine = _drop_echoes(mine, reader)
    both = pd.concat([reader, mine], ignore_index=True) if len(mine) or len(reader) else empty_findings()
    frame = sort_findings(both)
    # messages quote ids, strata and codes of the data: no NIK spelling may survive in them either
    frame["message"] = mask_texts(frame["message"]).to_numpy()
    rows_in = {"household": len(households)}
    if persons is not None:
        rows_in["person"] = len(persons)
    error_rows = {}
    for table in rows_in:
        rows = frame.loc[(frame["table"] == table) & (frame["severity"] == "error"), "row"].dropna()
        error_rows[table] = np.unique(rows.to_numpy(dtype=np.int64))
    report = ValidationReport(
        frame=frame,
        rows_in=rows_in,
        error_rows=error_rows,
        files={t: files[t] for t in rows_in},
        user_missing=list(survey.user_missing),
    )
    report.columns = column_summary(survey, frame)
    if report.ok and persons is not None:
        report.person_households = links.person
    return report


class _Sink:
    """Collects findings column-wise: one small DataFrame per (check, column)."""

    def __init__(self, files: Mapping[str, str]):
        self.files = files
        self.parts: list[pd.DataFrame] = []

    def rows(
        self,
        table: str,
        rows: np.ndarray,
        column: str | None,
        check: str,
        severity: str,
        message: str | pd.Series,
        values: pd.Series | None = None,
    ) -> None:
        """Findings for many rows at once; ``values`` are the raw cells, masked here (``privacy.shown_values``)."""
        n = len(rows)
        if n == 0:
            return
        shown = None if values is None else shown_values(values, column).to_numpy()
        msg = message.to_numpy() if isinstance(message, pd.Series) else message
        self.parts.append(
            pd.DataFrame(
                {
                    "file": self.files[table],
                    "table": table,
                    "row": pd.array(rows, dtype="Int64"),
                    "column": column,
                    "check": check,
                    "severity": severity,
                    "message": msg,
                    "value": pd.Series(shown, index=range(n), dtype=object) if shown is not None else None,
                }
            )
        )

    def one(
        self, table: str, column: str | None, check: str, severity: str, message: str, *, row: int | None = None
    ) -> None:
        self.parts.append(
            pd.DataFrame(
                {
                    "file": [self.files[table]],
                    "table": [table],
                    "row": pd.array([row], dtype="Int64"),
                    "column": [column],
                    "check": [check],
                    "severity": [severity],
                    "message": [message],
                    "value": [None],
                }
            )
        )


def _check_table(sink: _Sink, table: str, frame: pd.DataFrame, rows: np.ndarray, required: set[str],
                 chunk: bool = False) -> None:
    """Checks that only need one column at a time: presence, missing counts, types, ranges, categories, ids.
    ``chunk``: the frame is a chunk of a file (``Survey.chunk_of_files``), which may hold none of its rows."""
    model = columns_for(table)  # type: ignore[arg-type]
    n = len(frame)
    if n == 0 and not chunk:
        sink.one(table, None, "no_rows", "error", f"the {table} table has no data rows")
    for name in sorted(required):
        if name not in frame.columns:
            sink.one(table, name, "missing_column", "error", f"required column {name!r} is not in the {table} table")
    if table == "household" and n and "exp_pc" not in frame.columns and "exp_hh" not in frame.columns:
        # registry extracts (P3KE/DTSEN) carry no expenditure: the file is valid, but monetary poverty is out of reach
        sink.one(table, "exp_pc", "no_welfare", "warning",
                 "no expenditure column (exp_pc or exp_hh): monetary poverty (level, P0, P1, P2) cannot be computed")
    for col in model.values():
        if col.name not in frame.columns:
            continue
        series = frame[col.name]
        missing = series.isna().to_numpy()
        if col.kind in ("int", "float"):
            numbers, bad_type = _as_float(series)
            sink.rows(
                table,
                rows[bad_type],
                col.name,
                "type",
                "error",
                f"not a number ({col.kind} expected)",
                series[bad_type],
            )
            missing = missing | bad_type
            _check_range(sink, table, col, numbers, rows, series)
        elif col.kind == "category":
            _check_category(sink, table, col, series, rows, missing)
        elif col.kind == "id":
            _check_id(sink, table, col, series, rows, missing)
        elif col.kind == "bool":
            _check_bool(sink, table, col, series, rows, missing)
        _missing_count(sink, table, col, int(missing.sum()), n)


def _missing_count(sink: _Sink, table: str, col: Column, n_missing: int, n: int) -> None:
    if n_missing == 0 or n == 0:
        return
    if col.name in ("hh_id", "person_no") or (table == "household" and col.name in ("hh_size", "weight")):
        return  # reported row by row as errors (missing_id, hh_size_invalid, weight_invalid)
    share = n_missing / n
    design = col.group == "design"
    severity = "warning" if (share >= MISSING_WARNING_SHARE or design) else "info"
    what = "all values are missing" if n_missing == n else f"{n_missing:,} of {n:,} values missing ({share:.1%})"
    sink.one(table, col.name, "missing", severity, what)


def _check_range(sink: _Sink, table: str, col: Column, numbers: np.ndarray, rows: np.ndarray, raw: pd.Series) -> None:
    with np.errstate(invalid="ignore"):
        if col.name in EXPENDITURE_COLUMNS and table == "household":
            neg = numbers < 0
            sink.rows(table, rows[neg], col.name, "negative_expenditure", "error", "expenditure is negative", raw[neg])
            above = numbers > col.max if col.max is not None else np.zeros(len(numbers), bool)
            sink.rows(table, rows[above], col.name, "range", "error", f"above the maximum {_num(col.max)}", raw[above])
            return
        if col.name == "weight" and table == "household":
            return  # weight_invalid covers missing and <= 0
        low = numbers < col.min if col.min is not None else np.zeros(len(numbers), bool)
        if col.name == "hh_size" and table == "household":
            low = np.zeros(len(numbers), bool)  # zero or negative size is hh_size_invalid
        high = numbers > col.max if col.max is not None else np.zeros(len(numbers), bool)
    sink.rows(table, rows[low], col.name, "range", "error", f"below the minimum {_num(col.min)}", raw[low])
    sink.rows(table, rows[high], col.name, "range", "error", f"above the maximum {_num(col.max)}", raw[high])


def _check_category(
    sink: _Sink, table: str, col: Column, series: pd.Series, rows: np.ndarray, missing: np.ndarray
) -> None:
    known = series.isin(col.categories).to_numpy() | missing
    bad = ~known
    if bad.any():
        allowed = ", ".join(col.categories)
        sink.rows(
            table,
            rows[bad],
            col.name,
            "unknown_category",
            "error",
            f"not a known code (allowed: {allowed})",
            series[bad],
        )


def _check_bool(sink: _Sink, table: str, col: Column, series: pd.Series, rows: np.ndarray, missing: np.ndarray) -> None:
    if pd.api.types.is_bool_dtype(series.dtype):
        return
    text = series.astype("str").str.strip().str.lower()
    ok = text.isin(("true", "false", "1", "0", "1.0", "0.0")).to_numpy() | missing
    bad = ~ok
    sink.rows(table, rows[bad], col.name, "type", "error", "not a yes/no value", series[bad])


def _check_id(sink: _Sink, table: str, col: Column, series: pd.Series, rows: np.ndarray, missing: np.ndarray) -> None:
    if pd.api.types.is_numeric_dtype(series.dtype):
        # the column was read as numbers: leading zeros are gone and long ids (NIK) have lost digits
        sink.one(
            table,
            col.name,
            "id_as_number",
            "error",
            f"identifier column {col.name!r} holds numbers ({series.dtype}), not text: read it as text "
            "(leading zeros and digits of long ids are lost)",
        )
        return
    text = series if isinstance(series.dtype, pd.StringDtype) else series.astype("str")
    arrow = pa.array(text, from_pandas=True)
    # most ids are plain digits, which can be neither float-looking nor a bad NIK: test digits with a cheap
    # vectorised kernel and run the regular expression only on the rest (10x faster on 4 million NIKs)
    digits = pc.ascii_is_decimal(arrow).fill_null(False).to_numpy(zero_copy_only=False)
    others = ~digits & ~missing
    as_float = np.zeros(len(series), dtype=bool)
    if others.any():
        as_float[others] = text[others].str.fullmatch(_FLOAT_ID_PATTERN).fillna(False).to_numpy(dtype=bool)
    sink.rows(
        table,
        rows[as_float],
        col.name,
        "id_as_number",
        "error",
        "identifier looks like a number written as a float (e.g. 3.17E+15 or 1234.0): digits may be lost; "
        "store the column as text",
        series[as_float],
    )
    if col.name in NIK_COLUMNS:
        sixteen = digits & (pc.binary_length(arrow).fill_null(0).to_numpy(zero_copy_only=False) == 16)
        bad = ~(sixteen | missing | as_float)
        sink.rows(table, rows[bad], col.name, "nik_format", "warning", "not 16 digits", series[bad])


def _check_households(sink: _Sink, hh: pd.DataFrame, rows: np.ndarray, links: _IdLinks) -> None:
    table = "household"
    if "hh_id" in hh.columns:
        ids = hh["hh_id"]
        missing = ids.isna().to_numpy()
        sink.rows(table, rows[missing], "hh_id", "missing_id", "error", "household id is missing")
        dup = links.repeated_after_first(ids) & ~missing
        if dup.any():
            keep = (~ids.duplicated(keep="first") & ids.notna()).to_numpy()
            first_of = pd.Series(rows[keep], index=ids[keep].to_numpy())
            firsts = first_of.reindex(ids[dup].to_numpy()).to_numpy()
            message = "household id already used in row " + pd.Series(firsts).astype(str)
            sink.rows(table, rows[dup], "hh_id", "duplicate_id", "error", message, ids[dup])
    if "hh_size" in hh.columns:
        size, _ = _as_float(hh["hh_size"])
        with np.errstate(invalid="ignore"):
            bad = np.isnan(size) | (size <= 0)
        sink.rows(
            table,
            rows[bad],
            "hh_size",
            "hh_size_invalid",
            "error",
            "household size is missing, zero or negative",
            hh["hh_size"][bad],
        )
    if "weight" in hh.columns:
        w, not_a_number = _as_float(hh["weight"])
        with np.errstate(invalid="ignore"):
            bad = (np.isnan(w) | (w <= 0)) & ~not_a_number  # text and inf are already type errors
        sink.rows(
            table,
            rows[bad],
            "weight",
            "weight_invalid",
            "error",
            "survey weight is missing, zero or negative",
            hh["weight"][bad],
        )
    _check_design(sink, hh)
    _check_exp_pc(sink, hh, rows)


def _check_design(sink: _Sink, hh: pd.DataFrame) -> None:
    table = "household"
    has_psu, has_strata = "psu" in hh.columns, "strata" in hh.columns
    if has_psu and not has_strata:
        sink.one(
            table,
            "psu",
            "design_psu_without_strata",
            "warning",
            "PSUs are given without strata: `peka profile` will treat the whole sample as one stratum",
        )
    if not (has_psu and has_strata) or len(hh) == 0:
        return
    pairs = hh[["strata", "psu"]].dropna().drop_duplicates()
    per_stratum = pairs.groupby("strata", sort=True, observed=True).size()
    single = per_stratum[per_stratum == 1]
    if len(single):
        shown = shown_values(pd.Series(single.index[:EXAMPLES], dtype=object), "strata")
        examples = ", ".join(repr(str(s)) for s in shown)
        more = f" and {len(single) - EXAMPLES} more" if len(single) > EXAMPLES else ""
        sink.one(
            table,
            "strata",
            "design_single_psu",
            "warning",
            f"{len(single):,} of {len(per_stratum):,} strata have a single PSU ({examples}{more}): "
            "their standard errors cannot be estimated; `peka profile` will need a singleton-strata option",
        )


def _check_exp_pc(sink: _Sink, hh: pd.DataFrame, rows: np.ndarray) -> None:
    if not {"exp_pc", "exp_hh", "hh_size"} <= set(hh.columns):
        return
    pc, _ = _as_float(hh["exp_pc"])
    total, _ = _as_float(hh["exp_hh"])
    size, _ = _as_float(hh["hh_size"])
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.where(size > 0, total / size, np.nan)
        diff = np.abs(pc - expected)
        bad = (diff > EXP_PC_ABS_TOLERANCE) & (diff > EXP_PC_REL_TOLERANCE * np.abs(expected))
    bad &= ~np.isnan(diff)
    if bad.any():
        message = "differs from exp_hh / hh_size = " + pd.Series(np.round(expected[bad], 2)).map("{:,.2f}".format)
        sink.rows("household", rows[bad], "exp_pc", "exp_pc_inconsistent", "warning", message, hh["exp_pc"][bad])


def _check_persons(
    sink: _Sink, hh: pd.DataFrame, hh_rows: np.ndarray, persons: pd.DataFrame, p_rows: np.ndarray, links: _IdLinks
) -> None:
    table = "person"
    if "hh_id" not in persons.columns:
        return  # missing_column already reported
    pid = persons["hh_id"]
    p_missing = pid.isna().to_numpy()
    sink.rows(table, p_rows[p_missing], "hh_id", "missing_id", "error", "household id is missing")
    # position of each person's household in the household table (-1: none): one hash join serves the orphan,
    # duplicate-member and roster checks
    where = links.person_households(pid, hh) if "hh_id" in hh.columns else np.full(len(persons), -1, np.int64)
    if "person_no" in persons.columns:
        number, _ = _as_float(persons["person_no"])
        no_missing = np.isnan(number)
        sink.rows(
            table,
            p_rows[no_missing & persons["person_no"].isna().to_numpy()],
            "person_no",
            "missing_id",
            "error",
            "member number is missing",
        )
        _check_duplicate_persons(sink, persons, p_rows, where, number, ~(p_missing | no_missing))
    if "hh_id" not in hh.columns:
        return
    orphan = (where < 0) & ~p_missing
    sink.rows(
        table,
        p_rows[orphan],
        "hh_id",
        "orphan_person",
        "error",
        "no household with this id in the household table",
        pid[orphan],
    )
    if "hh_size" in hh.columns:
        roster = np.bincount(where[where >= 0], minlength=len(hh)).astype(np.float64)
        declared, _ = _as_float(hh["hh_size"])
        ids = hh["hh_id"]
        # only households with a usable size and a unique id: the others already carry an error
        usable = (~np.isnan(declared)) & (declared > 0) & ~links.repeated(ids) & ids.notna().to_numpy()
        with np.errstate(invalid="ignore"):
            bad = usable & (roster != declared)
        message = (
            "declared household size differs from the "
            + pd.Series(roster[bad].astype(np.int64)).astype(str)
            + " members listed in the person table"
        )
        sink.rows("household", hh_rows[bad], "hh_size", "roster_size", "warning", message, hh["hh_size"][bad])


def _check_duplicate_persons(
    sink: _Sink, persons: pd.DataFrame, p_rows: np.ndarray, where: np.ndarray, number: np.ndarray, keyed: np.ndarray
) -> None:
    """(hh_id, person_no) must be unique. Members of known households are keyed by integers (fast); orphans,
    few by construction, by their text id."""
    linked = keyed & (where >= 0)
    span = int(np.nanmax(np.abs(number[linked]))) + 1 if linked.any() else 1
    key = np.where(linked, where * span + np.abs(np.nan_to_num(number)).astype(np.int64), -1)
    linked_keys = key[linked]
    if (linked_keys[1:] > linked_keys[:-1]).all():
        # a person file in household order (as files usually are): the keys rise, so none repeats; one pass
        # instead of hashing millions of keys
        dup = np.zeros(len(key), dtype=bool)
    else:
        dup = pd.Series(key).duplicated(keep="first").to_numpy() & linked
    loose = keyed & ~linked
    if loose.any():
        pairs = pd.DataFrame({"i": persons["hh_id"][loose].to_numpy(), "n": number[loose]})
        dup[np.flatnonzero(loose)] = pairs.duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    full = pd.DataFrame({"i": persons["hh_id"].to_numpy(), "n": number, "r": p_rows})[keyed]
    first = full.drop_duplicates(["i", "n"], keep="first")
    firsts = full[dup[keyed]].merge(first, on=["i", "n"], how="left", suffixes=("", "_first"))["r_first"].to_numpy()
    message = "member number already used for this household in row " + pd.Series(firsts).astype(str)
    sink.rows("person", p_rows[dup], "person_no", "duplicate_person", "error", message, persons["person_no"][dup])


def _check_rows_read(sink: _Sink, survey: Survey) -> None:
    tables = {"household": survey.households, "person": survey.persons}
    for table, frame in tables.items():
        read = survey.rows_read.get(table)
        if frame is None or read is None or int(read) == len(frame):
            continue
        sink.one(
            table,
            None,
            "rows_lost",
            "warning",
            f"{int(read):,} rows were read from the file but the {table} table holds {len(frame):,}",
        )


def _add_user_missing(sink: _Sink, user_missing: list[dict[str, object]]) -> None:
    """One information finding per user-missing code that was turned into missing (codes the mapping kept as
    values are already warnings from the reader)."""
    for entry in user_missing:
        if entry.get("action", "missing") != "missing":
            continue
        table = str(entry.get("table", "household"))
        if table not in sink.files:
            table = "household"
        column, canonical = entry.get("column"), entry.get("canonical")
        code, label, count = entry.get("code"), entry.get("label"), entry.get("count", 0)
        what = f"{count:,}" if isinstance(count, int) else str(count)
        labelled = f" ({label!s})" if label else ""
        target = f" of {canonical}" if canonical and canonical != column else ""
        sink.one(
            table,
            str(column) if column is not None else None,
            "user_missing",
            "info",
            f"{what} values coded {code!s}{labelled}{target} were treated as missing (user-missing code)",
        )


# ---- helpers -----------------------------------------------------------------------------------------------------


def row_numbers(frame: pd.DataFrame) -> np.ndarray:
    if ROW in frame.columns:
        return frame[ROW].to_numpy(dtype=np.int64)
    log.debug("table without %s: numbering rows from 1", ROW)
    return np.arange(1, len(frame) + 1, dtype=np.int64)


def index_in(values: pd.Series, lookup: pd.Series) -> np.ndarray:
    """For each value, the position of its first occurrence in ``lookup`` (-1 when absent or missing): a hash join
    in pyarrow, several times faster than ``Series.isin`` on Arrow strings with millions of values."""
    left = pa.array(values if isinstance(values.dtype, pd.StringDtype) else values.astype("str"), from_pandas=True)
    right = pa.array(lookup if isinstance(lookup.dtype, pd.StringDtype) else lookup.astype("str"), from_pandas=True)
    if isinstance(right, pa.ChunkedArray):
        right = right.combine_chunks()
    found = pc.index_in(left, value_set=right, skip_nulls=True)
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


@dataclass(frozen=True)
class _IdLinks:
    """Household ids matched once for every check that needs them: the first position of each household id among
    the household ids (``first``) and the position of each person's household (``person``), -1 for a missing or
    unknown id. One pyarrow hash table of the household ids serves both lookups (duplicate ids, orphans, roster
    sizes); building it again per check cost a hash pass over millions of ids each time. ``None``: ids that are not
    text (a frame built by hand), checked by the pandas methods as before."""

    first: np.ndarray | None = None
    person: np.ndarray | None = None

    @classmethod
    def of(cls, hh: pd.DataFrame, persons: pd.DataFrame | None) -> _IdLinks:
        if "hh_id" not in hh.columns or not isinstance(hh["hh_id"].dtype, pd.StringDtype):
            return cls()
        person_ids = persons["hh_id"] if persons is not None and "hh_id" in persons.columns else None
        if person_ids is not None and not isinstance(person_ids.dtype, pd.StringDtype):
            person_ids = None
        first, person = hash_positions(hh["hh_id"], person_ids, skip_nulls=True)
        return cls(first=first, person=person)

    def repeated_after_first(self, ids: pd.Series) -> np.ndarray:
        """``ids.duplicated(keep="first")`` (missing ids: see the caller)."""
        if self.first is None:
            return ids.duplicated(keep="first").to_numpy()
        return (self.first >= 0) & (self.first != np.arange(len(self.first)))

    def repeated(self, ids: pd.Series) -> np.ndarray:
        """``ids.duplicated(keep=False)`` for the present ids (missing ids: see the caller)."""
        if self.first is None:
            return ids.duplicated(keep=False).to_numpy()
        present = self.first >= 0
        counts = np.bincount(self.first[present], minlength=len(self.first))
        return present & (counts[np.where(present, self.first, 0)] > 1)

    def person_households(self, pid: pd.Series, hh: pd.DataFrame) -> np.ndarray:
        return self.person if self.person is not None else index_in(pid, hh["hh_id"])


def hash_positions(
    lookup: pd.Series | pd.Index, keys: pd.Series | None = None, *, skip_nulls: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """For text values: the position in ``lookup`` of the first occurrence of each of its own values, and of each
    of ``keys`` (``None`` when no keys are given); -1 when absent. A missing value finds nothing with ``skip_nulls``,
    else the first missing one (as pandas matches NaN). One Arrow hash table of ``lookup`` answers both: ``lookup``
    is unique exactly when every value finds itself, so one hash pass over millions of ids serves the duplicate
    check and the join (validation's duplicates, orphans and rosters; the person link of the rules)."""
    value_set = _arrow_strings(lookup)
    chunks = list(value_set.chunks)
    if keys is not None:
        chunks = [*_arrow_strings(keys).cast(value_set.type).chunks, *chunks]
    found = pc.index_in(pa.chunked_array(chunks, type=value_set.type), value_set=value_set, skip_nulls=skip_nulls)
    positions = np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
    if keys is None:
        return positions, None
    return positions[len(keys) :], positions[: len(keys)]


def _arrow_strings(values: pd.Series | pd.Index) -> pa.ChunkedArray:
    arrow = pa.array(values.array, from_pandas=True)
    return arrow if isinstance(arrow, pa.ChunkedArray) else pa.chunked_array([arrow])


def _as_float(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Values as float64 (NaN for missing and for bad cells) and a mask of cells that hold something that is not a
    finite number: text, ``inf`` and ``-inf`` (an infinite weight or expenditure would make every weighted figure
    wrong without an error, so it is refused like text)."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan), np.zeros(len(series), bool)
    if pd.api.types.is_numeric_dtype(series.dtype):
        numbers = series.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = np.isinf(numbers)
    else:
        numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = (np.isnan(numbers) & series.notna().to_numpy()) | np.isinf(numbers)
    if bad.any():
        numbers = numbers.copy()
        numbers[bad] = np.nan  # reported once, as a type error, not again by the range checks
    return numbers, bad


def _num(x: float | None) -> str:
    return "" if x is None else (f"{int(x)}" if float(x).is_integer() else f"{x}")



# became missing), the reader's finding says why, and a second error on the same cell would only be noise
_MISSING_ECHOES = ("missing_id", "hh_size_invalid", "weight_invalid")


def _mask_reader_values(reader: pd.DataFrame) -> pd.DataFrame:
    """The readers' findings (peka.mapping) pass through the same masking as the checks' own. A finding
    names the source column; when that is not a canonical name, a value that failed to convert to a category is
    judged as a code and any other as a number (str columns never fail to convert)."""
    if not len(reader) or not reader["value"].notna().any():
        return reader
    reader = reader.copy()
    for (column, check), part in reader.groupby(["column", "check"], sort=False, dropna=False):
        name = None if pd.isna(column) else str(column)
        expected = expected_of(name, "code" if check == "unknown_category" else "number")
        reader.loc[part.index, "value"] = shown_values(part["value"], name, expected=expected).to_numpy()
    return reader


def _drop_echoes(mine: pd.DataFrame, reader: pd.DataFrame) -> pd.DataFrame:
    if not len(reader) or not len(mine):
        return mine
    cells = reader.loc[reader["severity"] == "error", ["table", "row", "column"]].dropna().drop_duplicates()
    if not len(cells):
        return mine
    echo = mine["check"].isin(_MISSING_ECHOES).to_numpy()
    if not echo.any():
        return mine
    keyed = mine.loc[echo, ["table", "row", "column"]].reset_index()
    hit = keyed.merge(cells, on=["table", "row", "column"], how="inner")["index"].to_numpy()
    return mine.drop(index=pd.Index(hit))



__all__ = ["index_in", "row_numbers", "validate"]
