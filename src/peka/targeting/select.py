"""Eligibility, priority order and selection under quotas or a budget.

Every programme's rule is evaluated on the classified table (a missing answer that leaves the rule undecided means
*not eligible*: a list is not padded with households we know nothing about; the count is reported). Eligible
households are ranked per programme and quota unit by the programme's sort keys (missing values last), remaining
ties by :func:`peka.targeting.pseudonym.tie_breaker` of ``hh_id`` — so the order never depends on the input order,
and reruns give the same lists. The hash is computed only for households whose listing or listed rank it decides
(tied with another of their unit, within reach of the quota); beyond every list's reach ties keep the table order in
the ``rank`` of the unlisted.

Selection:

* no quota: every eligible household is listed, ranked per gampong (``desa_code``);
* ``quota``: the first ``quota`` eligible households of every unit (``quota_by``, default ``desa_code``);
* ``quotas`` (a quota file): per unit (and per programme when the file has a ``program`` column) its own number;
  a unit absent from the file gets none;
* ``budget``: one list over the whole area, households taken in priority order while the running cost (unit cost,
  × ``hh_size`` for a per-person cost) stays within the budget; the first household that does not fit ends the
  list (no skipping ahead to cheaper ones: the priority order is kept). The budget applies to each programme.

A quota is met exactly when a unit has at least that many eligible households; otherwise every eligible one is
listed and the shortfall is reported in the summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from peka.config.programs import Program, ProgramsConfig
from peka.errors import ConfigError, InputError
from peka.targeting.pseudonym import tie_breaker

ALL_AREA = "semua"  # the quota unit of a budget: the whole area


@dataclass(frozen=True)
class Quotas:
    """How many households each list may hold: ``per_unit`` (one number for every unit), ``table`` (a quota file
    as a frame: the unit column, ``quota`` and optionally ``program``), or ``budget`` (Rupiah per programme)."""

    by: str = "desa_code"
    per_unit: int | None = None
    table: pd.DataFrame | None = None
    budget: float | None = None

    @property
    def unit_column(self) -> str | None:
        return None if self.budget is not None else self.by


def eligibility(table: pd.DataFrame, programs: Sequence[Program]) -> tuple[pd.DataFrame, dict[str, int]]:
    """One boolean column per programme code (missing → False) and, per programme, how many households the rule
    left undecided."""
    columns, undecided = {}, {}
    for program in programs:
        rule = program.compiled()
        absent = sorted(rule.columns - set(table.columns))
        if absent:
            raise ConfigError(
                f"rule reads column {absent[0]!r}, which the classified table does not have",
                key=f"programs.catalogue.{program.code}.rule",
            )
        value = rule.evaluate(table)
        undecided[program.code] = int(value.isna().sum())
        columns[program.code] = value.fillna(False).astype(bool).to_numpy()
    return pd.DataFrame(columns, index=table.index), undecided


def unit_costs(table: pd.DataFrame, program: Program) -> np.ndarray:
    """Rupiah per household for ``program`` (NaN when the catalogue has no cost)."""
    if program.unit_cost is None:
        return np.full(len(table), np.nan)
    cost = np.full(len(table), float(program.unit_cost.value))
    if program.unit_cost.per == "person":
        cost = cost * pd.to_numeric(table["hh_size"], errors="coerce").to_numpy(dtype=float)
    return cost


def _key_arrays(table: pd.DataFrame, keys: Sequence[tuple[str, bool]]) -> list[np.ndarray]:
    """The sort keys of ``keys`` as ``np.lexsort`` takes them (least significant first): per (column, descending)
    key, its values (missing as 0, negated when descending) then whether missing (so missing sorts last)."""
    sort_keys: list[np.ndarray] = []
    for column, descending in reversed(list(keys)):
        if column not in table.columns:
            raise ConfigError(f"priority column {column!r} is not in the classified table", key="programs.priority")
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
        missing = np.isnan(values)
        values = np.where(missing, 0.0, -values if descending else values)
        sort_keys += [values, missing]
    return sort_keys


def priority_order(table: pd.DataFrame, keys: Sequence[tuple[str, bool]], tie: np.ndarray) -> np.ndarray:
    """Positions of ``table``'s rows in priority order: each (column, descending) key in turn, missing last, then
    ``tie``."""
    return np.lexsort([tie, *_key_arrays(table, keys)])


def _tied_in_reach(sort_keys: list[np.ndarray], rows: np.ndarray, units: np.ndarray,
                   quota: np.ndarray | None) -> np.ndarray:
    """Of ``rows`` (positions of the households ranked for one programme), those whose order depends on the tie
    breaker and whose place can be on a list: they share their unit and every sort key with another ranked
    household, and (with ``quota``, the quota of each household's unit) fewer than the unit's quota rank above
    their group. Every other household's rank among the listed follows from its keys alone."""
    if len(rows) < 2:
        return rows[:0]
    keys = [k[rows] for k in sort_keys]
    order = np.lexsort([*keys, units[rows]])  # by unit, then by the keys
    new_group = np.ones(len(rows), dtype=bool)
    new_unit = np.ones(len(rows), dtype=bool)
    new_unit[1:] = units[rows][order][1:] != units[rows][order][:-1]
    new_group[1:] = new_unit[1:]
    for k in keys:
        ordered = k[order]
        new_group[1:] |= ordered[1:] != ordered[:-1]
    group = np.cumsum(new_group) - 1
    size = np.bincount(group)
    tied = size[group] > 1
    if quota is not None:
        index = np.arange(len(rows))
        unit_start = np.maximum.accumulate(np.where(new_unit, index, 0))
        group_start = np.maximum.accumulate(np.where(new_group, index, 0))
        above = group_start - unit_start  # households of the unit ranked before the group
        q = quota[rows][order]
        tied &= np.isnan(q) | (above < q)
    return rows[order[tied]]


def select(
    table: pd.DataFrame,
    eligible: pd.DataFrame,
    programs: Sequence[Program],
    catalogue: ProgramsConfig,
    quotas: Quotas,
    excluded: Mapping[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """The lists: one row per (programme, eligible household) with ``program``, ``unit``, ``position`` (row
    position in ``table``), ``rank`` (1.. per programme and unit, among the eligible not excluded), ``cost``,
    ``quota`` (the unit's quota, NaN without one) and ``listed``. ``excluded`` maps a programme code to a boolean
    mask of households removed by the village meeting: they are not ranked, so the next ones move up."""
    if quotas.unit_column is not None and quotas.unit_column not in table.columns:
        raise InputError(f"--quota-by {quotas.unit_column}: the data has no such column", column=quotas.unit_column)
    # ties broken by a hash of the id, computed only where it decides who is listed or the rank of a listed
    # household (a SHA-256 per household is Python work): elsewhere it is 0, so ties beyond every list's reach
    # keep the table's order in the ``rank`` of the unlisted
    units_all = (np.full(len(table), ALL_AREA, dtype=object) if quotas.unit_column is None else
                 table[quotas.unit_column].astype("string").fillna("").to_numpy(dtype=object))
    unit_codes = pd.factorize(units_all)[0]
    masks, needs = {}, []
    for program in programs:
        mask = eligible[program.code].to_numpy().copy()
        if excluded and program.code in excluded:
            mask &= ~excluded[program.code]
        masks[program.code] = mask
        if quotas.budget is not None:
            reach = None  # the running cost decides: every tied household may be listed
        else:
            reach = _quota(pd.DataFrame({"unit": units_all}), program, quotas)
        needs.append(_tied_in_reach(_key_arrays(table, catalogue.sort_keys(program)), np.flatnonzero(mask),
                                    unit_codes, reach))
    candidates = np.unique(np.concatenate(needs)) if needs else np.empty(0, np.int64)
    tie = np.zeros(len(table), dtype=np.int64)
    tie[candidates] = tie_breaker(table["hh_id"].iloc[candidates]).to_numpy()
    frames = []
    for program in programs:
        mask = masks[program.code]
        order = priority_order(table, catalogue.sort_keys(program), tie)
        order = order[mask[order]]
        units = units_all[order]
        frame = pd.DataFrame({"program": program.code, "unit": units, "position": order})
        frame["rank"] = frame.groupby("unit", sort=False).cumcount() + 1
        frame["cost"] = unit_costs(table, program)[order]
        frame["quota"] = _quota(frame, program, quotas)
        if quotas.budget is not None:
            if program.unit_cost is None:
                raise ConfigError("--budget needs a unit cost", key=f"programs.catalogue.{program.code}.unit_cost")
            frame["listed"] = np.cumsum(frame["cost"].to_numpy()) <= quotas.budget
        else:
            frame["listed"] = frame["quota"].isna() | (frame["rank"] <= frame["quota"])
        frames.append(frame)
    columns = ["program", "unit", "position", "rank", "cost", "quota", "listed"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def _quota(frame: pd.DataFrame, program: Program, quotas: Quotas) -> np.ndarray:
    if quotas.per_unit is not None:
        return np.full(len(frame), float(quotas.per_unit))
    if quotas.table is None:
        return np.full(len(frame), np.nan)
    q = quotas.table
    if "program" in q.columns:
        q = q[q["program"] == program.code]
    per_unit = dict(zip(q[quotas.by].astype(str), q["quota"].astype(float)))
    return frame["unit"].map(per_unit).fillna(0.0).to_numpy(dtype=float)


def read_quota_table(frame: pd.DataFrame, by: str, programs: Sequence[Program], file: str) -> pd.DataFrame:
    """Check a quota file read as text: the unit column, ``quota`` (whole numbers ≥ 0), optionally ``program``
    (known codes); one row per unit (and programme)."""
    for column in (by, "quota"):
        if column not in frame.columns:
            raise InputError(f"the quota file has no column {column!r}", file=file, column=column)
    values = pd.to_numeric(frame["quota"], errors="coerce")
    bad = values.isna() | (values < 0) | (values != values.round())
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise InputError("quota must be a whole number ≥ 0", file=file, row=row, column="quota")
    keys = [by] + (["program"] if "program" in frame.columns else [])
    if "program" in frame.columns:
        known = {p.code for p in programs}
        unknown = ~frame["program"].isin(known)
        if unknown.any():
            row = int(np.flatnonzero(unknown.to_numpy())[0]) + 2
            raise InputError("unknown programme code", file=file, row=row, column="program")
    dup = frame.duplicated(keys)
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0]) + 2
        raise InputError(f"a second quota for the same {' and '.join(keys)}", file=file, row=row, column=by)
    return frame.assign(quota=values)
