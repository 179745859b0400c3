"""Property tests against independent oracles.

Oracle for three-valued logic: the classic numeric encoding true = 1, missing = 0.5, false = 0, in which Kleene's
``and`` is ``min``, ``or`` is ``max`` and ``not`` is ``1 - x``. It shares no code with the mask algebra of
``peka.rules.evaluate``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from peka.rules import aggregate_persons, compile_rule

finite_or_nan = st.one_of(st.just(np.nan), st.floats(-1e6, 1e6, allow_nan=False), st.integers(-3, 3).map(float))


@st.composite
def numeric_frames(draw: st.DrawFn) -> pd.DataFrame:
    size = draw(st.integers(0, 40))
    columns = {name: draw(hnp.arrays(np.float64, size, elements=finite_or_nan)) for name in "abcd"}
    return pd.DataFrame(columns)


def encode(series: pd.Series) -> np.ndarray:
    """boolean Series → 1.0 / 0.5 / 0.0."""
    return np.where(series.isna(), 0.5, np.where(series.fillna(False).astype(bool), 1.0, 0.0))


def compare_oracle(x: np.ndarray, y: np.ndarray, op) -> np.ndarray:  # type: ignore[no-untyped-def]
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(x) | np.isnan(y), 0.5, op(x, y).astype(float))


@settings(max_examples=200, deadline=None)
@given(numeric_frames())
def test_and_not_matches_numpy_oracle(frame: pd.DataFrame) -> None:
    a, b, c, d = (frame[k].to_numpy() for k in "abcd")
    expected = np.minimum(compare_oracle(a, b, np.less), 1.0 - compare_oracle(c, d, np.greater_equal))
    result = compile_rule("a < b and not (c >= d)", key="k").evaluate(frame)
    assert result.dtype == "boolean"
    np.testing.assert_array_equal(encode(result), expected)


@settings(max_examples=200, deadline=None)
@given(numeric_frames())
def test_or_chain_and_missing_match_numpy_oracle(frame: pd.DataFrame) -> None:
    a, b, c, d = (frame[k].to_numpy() for k in "abcd")
    chain = np.minimum(compare_oracle(a, b, np.less_equal), compare_oracle(b, c, np.less))
    is_missing = np.isnan(d).astype(float)  # 'is missing' is never missing
    expected = np.maximum(chain, is_missing)
    result = compile_rule("a <= b < c or d is missing", key="k").evaluate(frame)
    np.testing.assert_array_equal(encode(result), expected)


@settings(max_examples=200, deadline=None)
@given(numeric_frames())
def test_arithmetic_matches_numpy_with_zero_division_missing(frame: pd.DataFrame) -> None:
    a, b, c, d = (frame[k].to_numpy() for k in "abcd")
    with np.errstate(all="ignore"):
        expected = (a + b) * c - a / d
    expected[d == 0] = np.nan
    result = compile_rule("(a + b) * c - a / d", key="k").evaluate(frame)
    np.testing.assert_allclose(result.to_numpy(), expected, rtol=0, atol=0, equal_nan=True)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.sampled_from([True, False, None]), finite_or_nan), max_size=40),
)
def test_aggregation_matches_groupby_oracle(members: list[tuple[int, bool | None, float]]) -> None:
    households = pd.Index([f"h{i}" for i in range(6)])
    persons = pd.DataFrame(
        {
            "hh_id": pd.Series([f"h{m[0]}" for m in members], dtype="str"),
            "flag": pd.array([m[1] for m in members], dtype="boolean"),
            "x": np.array([m[2] for m in members], dtype=float),
        }
    )
    flag, x = compile_rule("flag", key="v"), compile_rule("x", key="v")
    enc = pd.Series(encode(persons["flag"]) if members else [], dtype=float)
    groups = enc.groupby(persons["hh_id"].to_numpy())
    # Kleene any/all over a group = max/min of the encoding; no member → the chosen empty value (false / true).
    any_oracle = groups.max().reindex(households).fillna(0.0).to_numpy()
    all_oracle = groups.min().reindex(households).fillna(1.0).to_numpy()
    got_any = aggregate_persons(persons, households, value=flag, where=None, how="any", empty=False)
    got_all = aggregate_persons(persons, households, value=flag, where=None, how="all", empty=True)
    np.testing.assert_array_equal(encode(got_any), any_oracle)
    np.testing.assert_array_equal(encode(got_all), all_oracle)

    xs = persons["x"].groupby(persons["hh_id"].to_numpy())
    for how, oracle in (
        ("sum", xs.sum(min_count=1)),
        ("max", xs.max()),
        ("min", xs.min()),
        ("mean", xs.mean()),
    ):
        got = aggregate_persons(persons, households, value=x, where=None, how=how, empty=None)  # type: ignore[arg-type]
        np.testing.assert_allclose(got.to_numpy(), oracle.reindex(households).to_numpy(dtype=float),
                                   rtol=1e-12, atol=1e-6, equal_nan=True)  # fmt: skip
