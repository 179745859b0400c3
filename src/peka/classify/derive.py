"""Rule evaluation helpers shared by the classifiers, and the ``[[derive]]`` columns computed before any rule.

Two things here keep missing data honest:

* a canonical column a rule reads but the input lacks is added as an all-missing column of its kind, so the rule's
  result is missing (never false) and the missing-data policy decides;
* a person-level value is missing for a household with no member in the person table (or when there is no person
  table at all): "no eligible member" is only concluded from a roster that exists.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from peka.config.models import Config, Derive
from peka.rules import PersonLink, Rule, aggregate_persons, compile_rule, link_persons
from peka.schema.model import columns_for

log = logging.getLogger(__name__)

_DTYPES = {"bool": "boolean", "int": "Int64", "float": "float64", "category": "str", "str": "str", "id": "str"}


@lru_cache(maxsize=4096)
def rule(text: str, key: str) -> Rule:
    """Compile (once) a rule already checked by ``load_config``."""
    return compile_rule(text, key=key)


def text_from_codes(codes: np.ndarray, uniques: list[str] | np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A ``str`` column from integer codes into ``uniques`` (-1 = missing), built with an Arrow ``take``: building
    it from a million Python strings costs ~30 times more."""
    return pd.array(list(uniques), dtype="str").take(np.asarray(codes, dtype=np.intp), allow_fill=True)


def with_missing_columns(frame: pd.DataFrame, names: Iterable[str], level: str) -> pd.DataFrame:
    """``frame`` plus an all-missing column for every canonical column in ``names`` it lacks."""
    model = columns_for(level)  # type: ignore[arg-type]
    absent = [name for name in names if name in model and name not in frame.columns]
    if not absent:
        return frame
    log.warning("the %s table has no column %s: rules reading it give missing values", level, ", ".join(sorted(absent)))
    extra = pd.DataFrame(
        {
            name: pd.Series(
                pd.NA if _DTYPES[model[name].kind] != "float64" else np.nan,
                index=frame.index,
                dtype=_DTYPES[model[name].kind],
            )
            for name in absent
        },
        index=frame.index,
    )
    return pd.concat([frame, extra], axis=1)


def ensure_columns(frame: pd.DataFrame, texts: Iterable[str | None], config: Config) -> pd.DataFrame:
    """``frame`` with an all-missing column for each canonical household column the rules ``texts`` read but
    ``frame`` lacks (a no-op inside ``classify``, which pads once for all rules)."""
    return with_missing_columns(frame, columns_read(texts, config.all_constants()), "household")


def columns_read(texts: Iterable[str | None], constants: Mapping[str, object]) -> set[str]:
    names: set[str] = set()
    for text in texts:
        if text:
            names |= set(compile_rule(text, key="columns").columns_needed(constants))
    return names


@dataclass
class Members:
    """The person table ready for aggregation: every column a person rule reads (absent ones all-missing), each
    member's household matched once (``link``), and which households have any member at all (``roster``)."""

    frame: pd.DataFrame
    link: PersonLink
    roster: np.ndarray
    households: pd.Series  # the household keys the link was built on

    def aggregate(
        self, value: Rule, *, how: str, empty: object, constants: Mapping[str, object], where: Rule | None = None
    ) -> pd.Series:
        return aggregate_persons(
            self.frame,
            self.households,
            value=value,
            where=where,
            how=how,  # type: ignore[arg-type]
            empty=empty,
            constants=constants,
            link=self.link,
        )


def person_rule_texts(config: Config) -> list[str | None]:
    texts: list[str | None] = []
    for d in config.active_derive:
        if d.level == "person":
            texts += [d.where, d.value]
    for ind in config.mpi.active:
        if ind.level == "person":
            texts += [ind.deprived_if, ind.eligible_if]
    return texts


def prepare_members(households: pd.DataFrame, persons: pd.DataFrame | None, config: Config, *,
                    person_households: np.ndarray | None = None) -> Members | None:
    """``Members`` for ``households``, or ``None`` without a person table (person values are then missing).
    ``person_households``: the household row of each person row as validation matched them (see ``classify``)."""
    if persons is None or "hh_id" not in households:
        return None
    frame = with_missing_columns(persons, columns_read(person_rule_texts(config), config.all_constants()), "person")
    if person_households is not None:
        if len(person_households) != len(persons) or (len(person_households) and person_households.max() >= len(households)):
            raise ValueError("person_households was matched on other person or household tables")
        link = PersonLink(np.asarray(person_households, dtype=np.intp), households.index)
    else:
        link = link_persons(frame, households["hh_id"])
    linked = link.position[link.position >= 0]
    roster = np.bincount(linked, minlength=len(households)) > 0
    return Members(frame, link, roster, households["hh_id"])


def blank_where(values: pd.Series, mask: np.ndarray) -> pd.Series:
    """``values`` with missing where ``mask`` holds (keeps the nullable dtype)."""
    if not mask.any():
        return values
    out = values.copy()
    out[mask] = pd.NA if str(out.dtype) in ("boolean", "Int64", "Int8") else np.nan
    return out


def compute_derived(households: pd.DataFrame, members: Members | None, config: Config) -> pd.DataFrame:
    """``households`` with every enabled ``[[derive]]`` column added, in order (a later one may read an earlier)."""
    constants = config.all_constants()
    frame = households
    for i, d in enumerate(config.derive):
        if not d.enabled:
            continue
        key = f"derive[{i}]"
        if d.level == "person":
            values = _person_derive(d, key, households, members, constants)
        elif d.of is not None:
            values = _count_conditions(d, key, frame, constants)
        else:
            assert d.value is not None
            values = rule(d.value, f"{key}.value").evaluate(frame, constants)
        frame = frame.assign(**{d.name: values})
    return frame


def _person_derive(
    d: Derive, key: str, households: pd.DataFrame, members: Members | None, constants: Mapping[str, object]
) -> pd.Series:
    how = d.aggregate or "count"
    dtype = {"count": "Int64", "any": "boolean", "all": "boolean"}.get(how, "float64")
    if members is None:
        return pd.Series(pd.NA if dtype != "float64" else np.nan, index=households.index, dtype=dtype)
    if how == "count":
        # count the members for which `where and value` holds; a member for whom it is unknown makes the count
        # unknown (a count that ignored them would read as "none" and hide a deprivation)
        both = " and ".join(f"({t})" for t in (d.where, d.value) if t) or "true"
        counted = rule(both, f"{key}.where")
        unknown = rule(f"({both}) is missing", f"{key}.where")
        empty = int(d.empty) if d.empty is not None else 0
        n_true = members.aggregate(counted, how="count", empty=empty, constants=constants)
        blank = ~members.roster
        if unknown.evaluate(members.frame, constants).any():  # most files: no unknown member, no second pass
            n_unknown = members.aggregate(unknown, how="count", empty=0, constants=constants)
            blank = blank | (n_unknown > 0).to_numpy(dtype=bool, na_value=True)
        return blank_where(n_true, blank)
    assert d.value is not None
    value = rule(d.value, f"{key}.value")
    where = rule(d.where, f"{key}.where") if d.where else None
    result = members.aggregate(value, where=where, how=how, empty=d.empty, constants=constants)
    return blank_where(result, ~members.roster)


def _count_conditions(d: Derive, key: str, frame: pd.DataFrame, constants: Mapping[str, object]) -> pd.Series:
    """How many of the conditions in ``of`` hold; missing when any of them is unanswered."""
    assert d.of is not None
    count = np.zeros(len(frame), dtype="int64")
    unknown = np.zeros(len(frame), dtype=bool)
    for j, text in enumerate(d.of):
        result = rule(text, f"{key}.of[{j}]").evaluate(frame, constants)
        count += result.fillna(False).to_numpy(dtype=bool)
        unknown |= result.isna().to_numpy()
    return pd.Series(pd.arrays.IntegerArray(count, unknown), index=frame.index)
