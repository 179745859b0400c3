"""Person → household aggregation of rules (``any``, ``all``, ``count``, ``sum``, ``max``, ``min``, ``mean``).

A person-level rule (``age >= 7 and age <= 15 and not in_school``) becomes a household value by aggregating over
the household's *eligible* members. Everything is vectorised with ``np.bincount`` / ``ufunc.at`` on the position of
each person's household; there is no loop over households or persons.

Semantics (also in ``docs/rules.md``):

* Eligible members: those for which ``where`` is true (all members when ``where`` is ``None``). Members whose
  eligibility is missing (``where`` missing, e.g. an unknown age) count as eligible members whose value is missing
  (``unknown_eligibility="missing"``, the default: it may not be assumed away), or are left out
  (``unknown_eligibility="exclude"``).
* A household with no eligible member gets ``empty`` (chosen by the caller: ``False`` for "no child out of school"
  or ``None`` for missing). Persons whose key matches no household are ignored.
* ``any``: true if any eligible value is true; else missing if any is missing; else false (Kleene ``or``).
* ``all``: false if any eligible value is false; else missing if any is missing; else true (Kleene ``and``).
* ``count``: the number of eligible members whose value is true (missing values are not counted) → ``Int64``.
* ``sum`` / ``max`` / ``min`` / ``mean``: over the eligible non-missing values; missing when every eligible value is
  missing → ``float64``. A true/false value counts as 1/0 here (``mean`` is then a share of members).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from peka.errors import InputError, RuleError
from peka.rules.rule import Rule
from peka.schema.checks import hash_positions

log = logging.getLogger(__name__)

How = Literal["any", "all", "count", "sum", "max", "min", "mean"]
AGGREGATIONS: tuple[str, ...] = ("any", "all", "count", "sum", "max", "min", "mean")
_NEEDS_BOOL = frozenset({"any", "all", "count"})

_EMPTY: Mapping[str, object] = {}


@dataclass(frozen=True, eq=False)
class PersonLink:
    """For each person row, the position of its household among the household keys (-1: no such household)."""

    position: np.ndarray
    index: pd.Index  # the index of aggregated results

    @property
    def unmatched(self) -> int:
        return int((self.position < 0).sum())


def link_persons(persons: pd.DataFrame, households_index: pd.Index | pd.Series, *, key: str = "hh_id") -> PersonLink:
    """Match person rows to households by ``key`` once; pass the result as ``link=`` to ``aggregate_persons``."""
    if key not in persons.columns:
        raise InputError(f"the person table has no column {key!r} to link members to households", column=key)
    if isinstance(households_index, pd.Series):
        lookup, out_index = pd.Index(households_index.array), households_index.index
    else:
        lookup = out_index = pd.Index(households_index)
    keys = persons[key]
    if isinstance(keys.dtype, pd.StringDtype) and isinstance(lookup.dtype, pd.StringDtype):
        # one Arrow hash table of the household keys: uniqueness and the join (faster than pandas on text)
        first, found = hash_positions(lookup, keys, skip_nulls=False)
        assert found is not None  # keys were given
        unique = bool((first == np.arange(len(lookup))).all())
        position = found.astype(np.intp)
    else:
        unique = lookup.is_unique
        position = lookup.get_indexer(pd.Index(keys)) if unique else np.empty(0, np.intp)
    if not unique:
        raise InputError(f"household keys in {key!r} are not unique; cannot aggregate members", column=key)
    link = PersonLink(position, out_index)
    if link.unmatched:
        log.debug("%d person rows match no household and are ignored", link.unmatched)
    return link


def aggregate_persons(
    persons: pd.DataFrame,
    households_index: pd.Index | pd.Series,
    *,
    key: str = "hh_id",
    value: Rule,
    where: Rule | None = None,
    how: How,
    empty: object,
    constants: Mapping[str, object] = _EMPTY,
    unknown_eligibility: Literal["missing", "exclude"] = "missing",
    link: PersonLink | None = None,
) -> pd.Series:
    """Aggregate ``value`` over each household's eligible members.

    ``households_index`` holds the household keys: an ``Index`` (the result is indexed by it) or a ``Series`` such
    as ``households["hh_id"]`` (the result takes the Series' index, so it aligns with the household frame).
    ``link`` (from ``link_persons`` on the same two tables) saves matching the keys again when several rules are
    aggregated over the same members.

    >>> from peka.rules import compile_rule
    >>> persons = pd.DataFrame({"hh_id": ["a", "a", "b"], "age": [9, 40, 35], "in_school": [False, False, True]})
    >>> aggregate_persons(persons, pd.Index(["a", "b"]), value=compile_rule("not in_school", key="v"),
    ...                   where=compile_rule("age >= 7 and age <= 15", key="w"), how="any", empty=False).tolist()
    [True, False]
    """
    if how not in AGGREGATIONS:
        raise RuleError(f"unknown aggregation {how!r}; expected one of {', '.join(AGGREGATIONS)}", key=value.key)
    if unknown_eligibility not in ("missing", "exclude"):
        raise ValueError(f"unknown_eligibility must be 'missing' or 'exclude', not {unknown_eligibility!r}")
    if link is None:
        link = link_persons(persons, households_index, key=key)
    elif len(link.position) != len(persons) or len(link.index) != len(households_index):
        raise ValueError("link was built from other person or household tables")
    position, out_index = link.position, link.index
    n_households = len(out_index)
    linked = position >= 0

    result = value.evaluate(persons, constants)
    is_bool = isinstance(result.dtype, pd.BooleanDtype)
    gives = "a number" if pd.api.types.is_float_dtype(result.dtype) else "text"
    if how in _NEEDS_BOOL and not is_bool:
        raise RuleError(f"'{how}' needs a true/false rule, but {value.text!r} gives {gives}", key=value.key)
    if not is_bool and gives == "text":
        raise RuleError(f"'{how}' needs a number or a true/false rule, but {value.text!r} gives text", key=value.key)

    eligible = linked.copy()
    unknown = np.zeros(len(persons), dtype=bool)  # eligibility unknown: value counted as missing
    if where is not None:
        cond = where.evaluate(persons, constants, expect="bool")
        cond_true = cond.to_numpy(dtype=bool, na_value=False)
        cond_missing = cond.isna().to_numpy()
        if unknown_eligibility == "missing":
            eligible &= cond_true | cond_missing
            unknown = cond_missing
        else:
            eligible &= cond_true

    pos = position[eligible]
    n_eligible = np.bincount(pos, minlength=n_households)
    has_members = n_eligible > 0

    if is_bool:
        true = result.to_numpy(dtype=bool, na_value=False) & ~unknown
        n_true = np.bincount(position[eligible & true], minlength=n_households)
        if how == "count":  # needs neither the false nor the missing values (the most common aggregation)
            return _count(n_true, has_members, empty, out_index)
        false = ~result.to_numpy(dtype=bool, na_value=True) & ~unknown
        n_false = np.bincount(position[eligible & false], minlength=n_households)
        n_missing = n_eligible - n_true - n_false
        if how == "any":
            return _boolean(n_true > 0, has_members & (n_true == 0) & (n_missing == 0), has_members, empty, out_index)
        if how == "all":
            return _boolean(has_members & (n_false == 0) & (n_missing == 0), n_false > 0, has_members, empty, out_index)
        numbers = np.where(true, 1.0, np.where(false, 0.0, np.nan))
    else:
        numbers = result.to_numpy(dtype="float64", na_value=np.nan).copy()
        numbers[unknown] = np.nan

    known = eligible & ~np.isnan(numbers)
    kpos, kval = position[known], numbers[known]
    n_known = np.bincount(kpos, minlength=n_households)
    if how in ("sum", "mean"):
        total = np.bincount(kpos, weights=kval, minlength=n_households)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = total if how == "sum" else total / n_known
    else:
        out = np.full(n_households, -np.inf if how == "max" else np.inf)
        (np.maximum if how == "max" else np.minimum).at(out, kpos, kval)
    out = np.where(n_known > 0, out, np.nan)
    return _number(out, has_members, empty, out_index)


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _boolean(true: np.ndarray, false: np.ndarray, has_members: np.ndarray, empty: object, index: pd.Index) -> pd.Series:
    if _is_missing(empty):
        true, false = true & has_members, false & has_members
    elif isinstance(empty, (bool, np.bool_)):
        true = np.where(has_members, true, bool(empty))
        false = np.where(has_members, false, not bool(empty))
    else:
        raise TypeError(f"empty must be True, False or None for a true/false aggregation, not {empty!r}")
    return pd.Series(pd.arrays.BooleanArray(true, ~(true | false)), index=index, copy=False)


def _count(counts: np.ndarray, has_members: np.ndarray, empty: object, index: pd.Index) -> pd.Series:
    out = pd.array(counts, dtype="Int64")
    if _is_missing(empty):
        out[~has_members] = pd.NA
    elif isinstance(empty, (int, np.integer)) and not isinstance(empty, bool):
        out[~has_members] = int(empty)
    else:
        raise TypeError(f"empty must be an integer or None for 'count', not {empty!r}")
    return pd.Series(out, index=index, copy=False)


def _number(values: np.ndarray, has_members: np.ndarray, empty: object, index: pd.Index) -> pd.Series:
    if _is_missing(empty):
        fill = np.nan
    elif isinstance(empty, (int, float, np.integer, np.floating)) and not isinstance(empty, bool):
        fill = float(empty)
    else:
        raise TypeError(f"empty must be a number or None for a numeric aggregation, not {empty!r}")
    return pd.Series(np.where(has_members, values, fill), index=index, dtype="float64")
