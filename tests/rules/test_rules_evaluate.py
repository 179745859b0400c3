"""Evaluation: Kleene truth tables, missing data, division by zero, kinds, constants and column checks.

Expected values are written by hand from the definitions in docs/rules.md (Kleene's strong three-valued logic).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peka.errors import RuleError
from peka.rules import compile_rule

NA = pd.NA
T, F = True, False


def run(text: str, frame: pd.DataFrame, constants: dict[str, object] | None = None) -> list[object]:
    return compile_rule(text, key="test.rule").evaluate(frame, constants or {}).tolist()


@pytest.fixture
def nine() -> pd.DataFrame:
    """All nine combinations of two three-valued columns a, b (rows in the order T, F, NA × T, F, NA)."""
    values = [T, F, None]
    a = [x for x in values for _ in values]
    b = [y for _ in values for y in values]
    return pd.DataFrame({"a": pd.array(a, dtype="boolean"), "b": pd.array(b, dtype="boolean")})


# Kleene tables, row order (a, b) = (T,T) (T,F) (T,NA) (F,T) (F,F) (F,NA) (NA,T) (NA,F) (NA,NA)
AND_TABLE = [T, F, NA, F, F, F, NA, F, NA]
OR_TABLE = [T, T, T, T, F, NA, T, NA, NA]
EQ_TABLE = [T, F, NA, F, T, NA, NA, NA, NA]


def test_kleene_and(nine: pd.DataFrame) -> None:
    assert run("a and b", nine) == AND_TABLE


def test_kleene_or(nine: pd.DataFrame) -> None:
    assert run("a or b", nine) == OR_TABLE


def test_kleene_not(nine: pd.DataFrame) -> None:
    assert run("not a", nine) == [F, F, F, T, T, T, NA, NA, NA]


def test_boolean_equality(nine: pd.DataFrame) -> None:
    assert run("a == b", nine) == EQ_TABLE
    assert run("a != b", nine) == [F, T, NA, T, F, NA, NA, NA, NA]


def test_de_morgan_holds_in_three_valued_logic(nine: pd.DataFrame) -> None:
    assert run("not (a and b)", nine) == run("not a or not b", nine)


def test_literal_true_false_decide_missing(nine: pd.DataFrame) -> None:
    assert run("a or true", nine) == [T] * 9
    assert run("a and false", nine) == [F] * 9
    assert run("a and true", nine) == [T, T, T, F, F, F, NA, NA, NA]


def test_is_missing_is_never_missing(nine: pd.DataFrame) -> None:
    assert run("a is missing", nine) == [F, F, F, F, F, F, T, T, T]
    assert run("a is not missing", nine) == [T, T, T, T, T, T, F, F, F]
    assert run("(a and b) is missing", nine) == [F, F, T, F, F, F, T, F, T]


def test_boolean_in_list(nine: pd.DataFrame) -> None:
    assert run("a in [true]", nine) == [T, T, T, F, F, F, NA, NA, NA]
    assert run("a not in [true, false]", nine) == [F, F, F, F, F, F, NA, NA, NA]


def test_comparison_with_missing_operand_is_missing() -> None:
    frame = pd.DataFrame({"x": [1.0, np.nan, 5.0], "y": [2.0, 2.0, np.nan]})
    assert run("x < y", frame) == [T, NA, NA]
    assert run("x != y", frame) == [T, NA, NA]  # NaN != y is not "true" here
    assert run("x == x", frame) == [T, NA, T]
    # ... but the other operand of or/and may still decide
    assert run("x < y or x > 0", frame) == [T, NA, T]
    assert run("x < y and x > 3", frame) == [F, NA, NA]


def test_chained_comparison_equals_the_and_of_its_parts() -> None:
    frame = pd.DataFrame({"age": pd.array([6, 7, 15, 16, None], dtype="Int64")})
    assert run("7 <= age <= 15", frame) == [F, T, T, F, NA]
    assert run("7 <= age <= 15", frame) == run("7 <= age and age <= 15", frame)
    assert run("age between 7 and 15", frame) == [F, T, T, F, NA]
    assert run("age not between 7 and 15", frame) == [T, F, F, T, NA]
    # a chain decided by its first part: 20 <= age is false for age 16, so the whole chain is false
    assert run("20 <= age <= 15", frame) == [F, F, F, F, NA]


def test_chain_with_missing_middle_but_false_end_is_false() -> None:
    frame = pd.DataFrame({"lo": [np.nan, 1.0], "x": [5.0, 5.0], "hi": [3.0, np.nan]})
    # lo <= x is missing, x <= hi is false → false (Kleene and); second row: true and missing → missing
    assert run("lo <= x <= hi", frame) == [F, NA]


def test_arithmetic_division_by_zero_is_missing() -> None:
    frame = pd.DataFrame({"area": [40.0, 40.0, 0.0, np.nan], "size": pd.array([4, 0, 0, 2], dtype="Int64")})
    result = compile_rule("area / size", key="k").evaluate(frame)
    assert result.dtype == np.float64
    assert result.tolist()[0] == 10.0
    assert result.isna().tolist() == [F, T, T, T]
    # a comparison on a missing quotient is missing, never "true" because of an infinity
    assert run("area / size < 8", frame) == [F, NA, NA, NA]
    assert run("area / size > 8", frame) == [T, NA, NA, NA]
    assert run("1 / 0 is missing", pd.DataFrame(index=[0])) == [T]


def test_arithmetic_propagates_missing() -> None:
    frame = pd.DataFrame({"x": [1.0, np.nan], "y": pd.array([2, 3], dtype="Int64")})
    result = compile_rule("x * 2 + y - -1", key="k").evaluate(frame)
    assert result.iloc[0] == 5.0 and np.isnan(result.iloc[1])


def test_text_comparisons_and_in_with_missing() -> None:
    frame = pd.DataFrame({"floor": pd.Series(["tanah", "semen", None, "bambu"], dtype="str")})
    assert run("floor in ['tanah', 'bambu']", frame) == [T, F, NA, T]
    assert run("floor not in ['tanah', 'bambu']", frame) == [F, T, NA, F]
    assert run("floor == 'semen'", frame) == [F, T, NA, F]
    assert run("floor != 'semen'", frame) == [T, F, NA, T]
    assert run("'semen' == floor", frame) == [F, T, NA, F]
    assert run("floor is missing", frame) == [F, F, T, F]
    assert run("floor in []", frame) == [F, F, NA, F]


def test_text_column_against_text_column() -> None:
    frame = pd.DataFrame({"a": pd.Series(["x", "x", None], dtype="str"), "b": pd.Series(["x", "y", None], dtype="str")})
    assert run("a == b", frame) == [T, F, NA]


def test_object_dtype_text_columns_work_too() -> None:
    frame = pd.DataFrame({"toilet": pd.Series(["sendiri", None, "umum"], dtype=object)})
    assert run("toilet != 'sendiri'", frame) == [F, NA, T]


def test_numeric_in_list_with_missing() -> None:
    frame = pd.DataFrame({"code": pd.array([1, 2, None, 3], dtype="Int64")})
    assert run("code in [1, 3]", frame) == [T, F, NA, T]
    assert run("code not in [1, 3]", frame) == [F, T, NA, F]
    assert run("code in [-1]", frame) == [F, F, NA, F]


def test_boolean_columns_usable_directly() -> None:
    frame = pd.DataFrame(
        {
            "in_school": pd.array([True, False, None, False], dtype="boolean"),
            "disability": pd.array([True, True, False, None], dtype="boolean"),
            "age": pd.array([10, 20, 30, 40], dtype="Int64"),
        }
    )
    assert run("not in_school", frame) == [F, T, NA, T]
    assert run("disability and age >= 15", frame) == [F, T, F, NA]
    assert run("disability == true", frame) == [T, T, F, NA]
    assert run("in_school", frame) == [T, F, NA, F]


def test_numpy_bool_and_object_bool_columns() -> None:
    frame = pd.DataFrame({"a": np.array([True, False]), "b": pd.Series([True, None], dtype=object)})
    assert run("a and b", frame) == [T, F]
    assert run("b", frame) == [T, NA]


def test_result_types_and_index_alignment() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0]}, index=[10, 20, 30])
    cond = compile_rule("x > 1", key="k").evaluate(frame)
    assert cond.dtype == "boolean" and cond.index.tolist() == [10, 20, 30]
    num = compile_rule("x * 2", key="k").evaluate(frame)
    assert num.dtype == np.float64 and num.index.tolist() == [10, 20, 30]
    # constant-only rules broadcast to every row
    assert compile_rule("2 > 1", key="k").evaluate(frame).tolist() == [T, T, T]
    assert compile_rule("LINE * 1.5", key="k").evaluate(frame, {"LINE": 100}).tolist() == [150.0] * 3


def test_result_does_not_share_memory_with_the_frame() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    result = compile_rule("x", key="k").evaluate(frame)
    result.iloc[0] = 99.0
    assert frame["x"].tolist() == [1.0, 2.0]


def test_constants_resolve_before_columns() -> None:
    frame = pd.DataFrame({"poverty_line": [1.0, 1.0], "exp_pc": [100.0, 200.0]})
    # the constant poverty_line (150) wins over the column of the same name (1.0)
    assert run("exp_pc < poverty_line * 1.5", frame, {"poverty_line": 100}) == [T, F]
    assert run("exp_pc < poverty_line * 1.5", frame) == [F, F]


def test_text_and_bool_constants() -> None:
    frame = pd.DataFrame({"kab_code": pd.Series(["1172", "1101"], dtype="str"), "x": [1.0, 2.0]})
    assert run("kab_code == KAB", frame, {"KAB": "1172"}) == [T, F]
    assert run("STRICT and x > 1", frame, {"STRICT": True}) == [F, T]


def test_unsupported_constant_type() -> None:
    with pytest.raises(RuleError, match=r"k: constant 'LIMIT' has a value of type list"):
        compile_rule("x < LIMIT", key="k").evaluate(pd.DataFrame({"x": [1.0]}), {"LIMIT": [1, 2]})


# ---- kinds ---------------------------------------------------------------------------------------------------------


def test_text_against_number_is_a_clear_error_at_evaluation() -> None:
    frame = pd.DataFrame({"head_educ": pd.Series(["sd"], dtype="str"), "age": [3.0]})
    with pytest.raises(RuleError, match=r"^k: cannot compare text with a number: 'head_educ' is text, 3 is a number "
                                        r"\(at column 1: 'head_educ'\)$"):  # fmt: skip
        compile_rule("head_educ == 3", key="k").evaluate(frame)
    with pytest.raises(RuleError, match=r"cannot compare a number with text"):
        compile_rule("age == 'sd'", key="k").evaluate(frame)
    with pytest.raises(RuleError, match=r"'in' with this list needs a number, but 'age' is text|needs text, but 'age'"):
        compile_rule("age in ['sd']", key="k").evaluate(frame)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("head_educ < 'sma'", "'<' needs numbers, but 'head_educ' is text (category codes are not ordered"),
        ("head_educ + 1 > 2", "'+' needs a number, but 'head_educ' is text"),
        ("-head_educ", "unary '-' needs a number, but 'head_educ' is text"),
        ("head_age and disability", "'and' needs true/false, but 'head_age' is a number"),
        ("not head_age", "'not' needs true/false, but 'head_age' is a number"),
        ("disability > false", "'>' needs numbers, but 'disability' is true/false"),
        ("disability > 0", "cannot compare true/false with a number"),
        ("head_age in ['sd']", "'in' with this list needs text, but 'head_age' is a number"),
        ("head_educ between 1 and 2", "'between' needs a number, but 'head_educ' is text"),
        ("head_educ == disability", "cannot compare text with true/false"),
    ],
)
def test_kind_errors_at_check_time_with_model_kinds(text: str, message: str) -> None:
    kinds = {"head_educ": "category", "head_age": "int", "disability": "bool"}
    with pytest.raises(RuleError) as info:
        compile_rule(text, key="causes.c01.rule").check_columns(set(kinds), {}, kinds)
    assert str(info.value).startswith("causes.c01.rule: ")
    assert message in str(info.value)


def test_check_columns_returns_the_result_kind_and_expect() -> None:
    kinds = {"floor_area": "float", "hh_size": "int", "toilet": "category"}
    rule = compile_rule("floor_area / hh_size", key="k")
    assert rule.check_columns(set(kinds), {}, kinds) == "number"
    assert compile_rule("toilet != 'sendiri'", key="k").check_columns(set(kinds), {}, kinds) == "bool"
    with pytest.raises(
        RuleError, match=r"^k: expected a true/false condition, but 'floor_area / hh_size' gives a number"
    ):
        rule.check_columns(set(kinds), {}, kinds, expect="bool")
    with pytest.raises(RuleError, match="expected a true/false condition"):
        rule.evaluate(pd.DataFrame({"floor_area": [1.0], "hh_size": [1]}), expect="bool")


def test_check_columns_without_kinds_accepts_unknown_kinds() -> None:
    assert compile_rule("a > 1 and b", key="k").check_columns({"a", "b"}) == "bool"
    assert compile_rule("a", key="k").check_columns({"a"}) is None


def test_unknown_column_with_did_you_mean() -> None:
    rule = compile_rule("floor_area / hh_sise < FLOOR_M2", key="mpi.indicators[2].deprived_if")
    with pytest.raises(RuleError) as info:
        rule.check_columns({"floor_area", "hh_size"}, {"FLOOR_M2": 8})
    assert str(info.value) == (
        "mpi.indicators[2].deprived_if: unknown column 'hh_sise' (at column 14: 'hh_sise'); did you mean 'hh_size'?"
    )


def test_unknown_constant_suggests_a_constant() -> None:
    with pytest.raises(RuleError, match=r"unknown column 'FLOOR_M2_PER_PERSN' .*did you mean 'FLOOR_M2_PER_PERSON'\?"):
        compile_rule("x < FLOOR_M2_PER_PERSN", key="k").check_columns({"x"}, {"FLOOR_M2_PER_PERSON": 8})


def test_unknown_column_without_a_close_match_has_no_suggestion() -> None:
    with pytest.raises(RuleError) as info:
        compile_rule("zzz > 1", key="k").check_columns({"hh_size"})
    assert str(info.value) == "k: unknown column 'zzz' (at column 1: 'zzz')"


def test_unknown_column_at_evaluation() -> None:
    with pytest.raises(RuleError, match=r"unknown column 'meals_per_dya'.*did you mean 'meals_per_day'"):
        compile_rule("meals_per_dya <= 2", key="k").evaluate(pd.DataFrame({"meals_per_day": [1]}))


def test_case_typo_is_suggested() -> None:
    with pytest.raises(RuleError, match=r"did you mean 'hh_size'"):
        compile_rule("HH_SIZE > 1", key="k").check_columns({"hh_size"})


def test_unknown_kind_name_in_hints() -> None:
    with pytest.raises(ValueError, match="unknown column kind 'date'"):
        compile_rule("a > 1", key="k").check_columns({"a"}, {}, {"a": "date"})


@pytest.mark.parametrize(
    "dtype", [pd.StringDtype("python"), pd.StringDtype("pyarrow"), "str", object, "category"], ids=str
)
def test_text_works_for_every_text_dtype(dtype: object) -> None:
    frame = pd.DataFrame({"a": pd.Series(["x", "y", None], dtype=dtype)})  # type: ignore[call-overload]
    assert run("a in ['x']", frame) == [T, F, NA]
    assert run("a == 'y'", frame) == [F, T, NA]
    assert run("a is missing", frame) == [F, F, T]


def test_rules_survive_pickling_for_parallel_runs() -> None:
    import pickle

    rule = compile_rule("a in ['x'] and b between 1 and 2 or not c", key="k")
    copy = pickle.loads(pickle.dumps(rule))
    assert copy.tree == rule.tree and copy.key == "k"
    frame = pd.DataFrame(
        {"a": ["x", "y", None], "b": [1.5, 3.0, 1.0], "c": pd.array([True, False, None], dtype="boolean")}
    )
    # row 1: (T and T) or F = T; row 2: (F and F) or T = T; row 3: (NA and T) or NA = NA
    assert copy.evaluate(frame).tolist() == [T, T, NA]
