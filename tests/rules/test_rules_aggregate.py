"""Person → household aggregation on a tiny hand-made frame; every expected value is worked out in the comments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peka.errors import InputError, RuleError
from peka.rules import aggregate_persons, compile_rule, link_persons

NA = pd.NA
nan = float("nan")

# Eligibility: school age. value rules: 'flag' (true/false with a missing) and 'x' (a number with missings).
#
#  person hh  age  flag  x      eligible (7 <= age <= 15)
#  p1     h1  8    T     1      yes
#  p2     h1  12   F     3      yes
#  p3     h1  40   T     100    no
#  p4     h2  9    F     NaN    yes
#  p5     h2  10   NA    5      yes
#  p10    h2  NA   T     4      unknown (age missing)
#  p6     h3  11   NA    NaN    yes
#  p7     h3  30   T     7      no
#  p8     h4  50   T     2      no  → h4 has no eligible member
#  p9     h6  9    T     1      h6 is not a household in the table: ignored
#  p11    h7  NA   T     6      unknown → h7's only member has unknown eligibility
#  (h5 has no members at all)
PERSONS = pd.DataFrame(
    {
        "hh_id": pd.Series(["h1", "h1", "h1", "h2", "h2", "h2", "h3", "h3", "h4", "h6", "h7"], dtype="str"),
        "age": pd.array([8, 12, 40, 9, 10, None, 11, 30, 50, 9, None], dtype="Int64"),
        "flag": pd.array([True, False, True, False, None, True, None, True, True, True, True], dtype="boolean"),
        "x": [1.0, 3.0, 100.0, nan, 5.0, 4.0, nan, 7.0, 2.0, 1.0, 6.0],
    }
)
# Households in a non-sorted order with their own index: the result must follow it.
HOUSEHOLDS = pd.DataFrame({"hh_id": ["h5", "h1", "h2", "h3", "h4", "h7"]},
                          index=[100, 101, 102, 103, 104, 105])  # fmt: skip
SCHOOL_AGE = compile_rule("7 <= age <= 15", key="test.where")
FLAG = compile_rule("flag", key="test.value")
X = compile_rule("x", key="test.value")


def agg(value, how, empty, where=SCHOOL_AGE, **kw):  # type: ignore[no-untyped-def]
    return aggregate_persons(PERSONS, HOUSEHOLDS["hh_id"], value=value, where=where, how=how, empty=empty, **kw)


def values(series: pd.Series) -> list[object]:
    return [None if (v is NA or (isinstance(v, float) and np.isnan(v))) else v for v in series.tolist()]


#                                            h5     h1     h2     h3     h4     h7
def test_any_kleene() -> None:
    # h1: p1 T → T. h2: p4 F, p5 NA, p10 unknown (NA) → no T, some NA → NA. h3: p6 NA → NA.
    # h4, h5: nobody eligible → empty. h7: p11 unknown eligibility → eligible with a missing value → NA.
    result = agg(FLAG, "any", False)
    assert result.dtype == "boolean" and result.index.tolist() == [100, 101, 102, 103, 104, 105]
    assert values(result) == [False, True, None, None, False, None]


def test_all_kleene() -> None:
    # h1: p2 F → F. h2: p4 F → F (the missing ones cannot change that). h3: only NA → NA. h7: NA.
    assert values(agg(FLAG, "all", True)) == [True, False, False, None, True, None]
    assert values(agg(FLAG, "all", None)) == [None, False, False, None, None, None]


def test_count_counts_true_only() -> None:
    # h1: p1 → 1. h2: none true (p10 is true but its eligibility is unknown, so its value counts as missing) → 0.
    # h3: 0. h7: 0 (its only value is missing). h4, h5: empty.
    result = agg(FLAG, "count", 0)
    assert str(result.dtype) == "Int64"
    assert values(result) == [0, 1, 0, 0, 0, 0]
    assert values(agg(FLAG, "count", None)) == [None, 1, 0, 0, None, 0]


def test_sum_max_min_mean_skip_missing() -> None:
    # h1: x of p1, p2 = 1, 3. h2: p4 NaN skipped, p5 5, p10 unknown → missing → {5}. h3: {NaN} → all missing → NaN.
    # h7: its only value is missing → NaN. h4/h5: empty (NaN here).
    assert values(agg(X, "sum", None)) == [None, 4.0, 5.0, None, None, None]
    assert values(agg(X, "max", None)) == [None, 3.0, 5.0, None, None, None]
    assert values(agg(X, "min", None)) == [None, 1.0, 5.0, None, None, None]
    assert values(agg(X, "mean", None)) == [None, 2.0, 5.0, None, None, None]
    assert values(agg(X, "sum", 0.0)) == [0.0, 4.0, 5.0, None, 0.0, None]
    assert agg(X, "sum", None).dtype == np.float64


def test_mean_of_a_condition_is_a_share() -> None:
    # h1: T, F → 0.5. h2: F, NA, unknown → {0} → 0.0. h3: NA → NaN.
    assert values(agg(FLAG, "mean", None)) == [None, 0.5, 0.0, None, None, None]
    assert values(agg(FLAG, "sum", None)) == [None, 1.0, 0.0, None, None, None]


def test_unknown_eligibility_excluded() -> None:
    # p10 and p11 dropped: h2 = p4 F, p5 NA → any NA, all F; h7 has no eligible member → empty.
    assert values(agg(FLAG, "any", False, unknown_eligibility="exclude")) == [False, True, None, None, False, False]
    assert values(agg(X, "sum", None, unknown_eligibility="exclude")) == [None, 4.0, 5.0, None, None, None]
    assert values(agg(X, "sum", -1.0, unknown_eligibility="exclude")) == [-1.0, 4.0, 5.0, None, -1.0, -1.0]


def test_without_where_every_member_counts() -> None:
    # any: h1 T (p1), h2 T (p10), h3 T (p7), h4 T (p8), h5 empty, h7 T (p11).
    assert values(agg(FLAG, "any", False, where=None)) == [False, True, True, True, True, True]
    # count true: h1 p1,p3 = 2; h2 p10 = 1; h3 p7 = 1; h4 p8 = 1; h7 p11 = 1.
    assert values(agg(FLAG, "count", 0, where=None)) == [0, 2, 1, 1, 1, 1]
    # max x: h1 100, h2 5, h3 7, h4 2, h7 6.
    assert values(agg(X, "max", None, where=None)) == [None, 100.0, 5.0, 7.0, 2.0, 6.0]


def test_compound_person_rule_with_constants() -> None:
    # children 7..15 with flag false: h1 p2 → T; h2 p4 → T; h3 p6 NA → NA.
    value = compile_rule("not flag and age <= MAX_AGE", key="v")
    result = aggregate_persons(PERSONS, pd.Index(["h1", "h2", "h3"]), value=value, where=SCHOOL_AGE, how="any",
                               empty=False, constants={"MAX_AGE": 15})  # fmt: skip
    assert result.index.tolist() == ["h1", "h2", "h3"]
    assert values(result) == [True, True, None]


def test_other_key_column() -> None:
    persons = pd.DataFrame({"family": ["a", "a", "b"], "x": [1.0, 2.0, 3.0]})
    result = aggregate_persons(persons, pd.Index(["b", "a"]), key="family", value=X, where=None, how="sum", empty=None)
    assert values(result) == [3.0, 3.0]


def test_errors() -> None:
    with pytest.raises(RuleError, match=r"^test.value: unknown aggregation 'avg'"):
        agg(X, "avg", None)
    with pytest.raises(RuleError, match=r"^test.value: 'any' needs a true/false rule, but 'x' gives a number$"):
        agg(X, "any", False)
    with pytest.raises(RuleError, match=r"^test.where: expected a true/false condition"):
        agg(FLAG, "any", False, where=compile_rule("age", key="test.where"))
    with pytest.raises(RuleError, match=r"needs a number or a true/false rule, but 'hh_id' gives text"):
        agg(compile_rule("hh_id", key="v"), "max", None)
    with pytest.raises(InputError, match=r"no column 'kk'"):
        aggregate_persons(PERSONS, pd.Index(["h1"]), key="kk", value=X, where=None, how="sum", empty=None)
    with pytest.raises(InputError, match=r"not unique"):
        aggregate_persons(PERSONS, pd.Index(["h1", "h1"]), value=X, where=None, how="sum", empty=None)
    with pytest.raises(TypeError, match="empty must be True, False or None"):
        agg(FLAG, "any", 0.5)


def test_integer_keys_and_missing_keys() -> None:
    # integer keys take the Index.get_indexer path; a person without a key belongs to no household
    persons = pd.DataFrame({"hh_id": pd.array([7, 7, 3, None], dtype="Int64"), "x": [1.0, 2.0, 4.0, 8.0]})
    result = aggregate_persons(persons, pd.Index([3, 7, 9]), value=X, where=None, how="sum", empty=0.0)
    assert values(result) == [4.0, 3.0, 0.0]  # h3: 4; h7: 1 + 2; h9: nobody


def test_text_keys_with_a_missing_key_are_not_linked() -> None:
    persons = pd.DataFrame({"hh_id": pd.Series(["a", None, "b"], dtype="str"), "x": [1.0, 2.0, 4.0]})
    link = link_persons(persons, pd.Index(["b", "a"]))
    assert link.position.tolist() == [1, -1, 0] and link.unmatched == 1


def test_link_is_reused_and_checked() -> None:
    link = link_persons(PERSONS, HOUSEHOLDS["hh_id"])
    # p9 (h6) matches nothing: -1; the others point at their household's position in HOUSEHOLDS
    assert link.position.tolist() == [1, 1, 1, 2, 2, 2, 3, 3, 4, -1, 5]
    with_link = agg(FLAG, "any", False, link=link)
    assert values(with_link) == values(agg(FLAG, "any", False))
    assert with_link.index.tolist() == [100, 101, 102, 103, 104, 105]
    with pytest.raises(ValueError, match="link was built from other"):
        aggregate_persons(PERSONS.iloc[:3], HOUSEHOLDS["hh_id"], value=X, how="sum", empty=None, link=link)


@pytest.mark.parametrize(
    "keys",
    [["a", "b", "c", "b"], ["a", None, "b", None], ["a", None, "b"], ["c", "a", "b"]],
)
def test_text_household_keys_unique_as_pandas_says_and_linked_as_get_indexer(keys: list[str | None]) -> None:
    persons = pd.DataFrame({"hh_id": pd.Series(["b", "c", "b", "z"], dtype="str"), "x": [1.0, 2.0, 4.0, 8.0]})
    lookup = pd.Index(pd.array(keys, dtype="str"))
    if not lookup.is_unique:
        with pytest.raises(InputError, match="not unique"):
            link_persons(persons, lookup)
        return
    link = link_persons(persons, lookup)
    assert link.position.tolist() == lookup.get_indexer(pd.Index(persons["hh_id"])).tolist()
