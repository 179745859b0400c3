"""Parsing: the shape of the tree (precedence, associativity, chains) and the literals the tokenizer accepts."""

from __future__ import annotations

import pandas as pd
import pytest

from peka.rules import compile_rule
from peka.rules import nodes as n
from peka.rules.parser import parse


def tree(text: str) -> n.Node:
    return parse(text, key="test.rule")


def shape(node: n.Node) -> object:
    """A compact, position-free rendering of a tree, written by hand in the expectations below."""
    if isinstance(node, n.Literal):
        return node.value
    if isinstance(node, n.Name):
        return node.name
    if isinstance(node, n.Negate):
        return ("neg", shape(node.operand))
    if isinstance(node, n.Not):
        return ("not", shape(node.operand))
    if isinstance(node, n.Arith):
        return (node.op, shape(node.left), shape(node.right))
    if isinstance(node, n.BoolOp):
        return (node.op, *[shape(o) for o in node.operands])
    if isinstance(node, n.Compare):
        out: list[object] = ["cmp", shape(node.operands[0])]
        for op, operand in zip(node.ops, node.operands[1:]):
            out += [op, shape(operand)]
        return tuple(out)
    if isinstance(node, n.InList):
        return ("not in" if node.negated else "in", shape(node.operand), node.values)
    if isinstance(node, n.Between):
        return ("not between" if node.negated else "between", shape(node.operand), shape(node.low), shape(node.high))
    if isinstance(node, n.IsMissing):
        return ("is not missing" if node.negated else "is missing", shape(node.operand))
    raise AssertionError(node)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # not binds tighter than and, and tighter than or: ((not a) and b) or c
        ("not a and b or c", ("or", ("and", ("not", "a"), "b"), "c")),
        ("a or b and c", ("or", "a", ("and", "b", "c"))),
        ("not (a or b)", ("not", ("or", "a", "b"))),
        ("not not a", ("not", ("not", "a"))),
        # and/or are flattened (n-ary), so long lists do not nest
        ("a or b or c or d", ("or", "a", "b", "c", "d")),
        # arithmetic: * and / before + and -, left-associative
        ("a + b * c", ("+", "a", ("*", "b", "c"))),
        ("a - b - c", ("-", ("-", "a", "b"), "c")),
        ("a / b / c", ("/", ("/", "a", "b"), "c")),
        ("(a + b) * c", ("*", ("+", "a", "b"), "c")),
        ("-a * b", ("*", ("neg", "a"), "b")),
        ("- 3", -3.0),
        ("+a", "a"),
        # comparisons bind looser than arithmetic, tighter than not
        ("floor_area / hh_size < LIMIT", ("cmp", ("/", "floor_area", "hh_size"), "<", "LIMIT")),
        ("not head_age >= 60", ("not", ("cmp", "head_age", ">=", 60.0))),
        ("7 <= age <= 15", ("cmp", 7.0, "<=", "age", "<=", 15.0)),
        ("a < b == c", ("cmp", "a", "<", "b", "==", "c")),
        ("x in ['a', \"b\"]", ("in", "x", ("a", "b"))),
        ("x not in [1, -2, 3.5,]", ("not in", "x", (1.0, -2.0, 3.5))),
        ("x in []", ("in", "x", ())),
        ("flag in [true]", ("in", "flag", (True,))),
        ("age between 7 and 15 and x", ("and", ("between", "age", 7.0, 15.0), "x")),
        ("age not between 7 and 15", ("not between", "age", 7.0, 15.0)),
        ("s is missing or s is not missing", ("or", ("is missing", "s"), ("is not missing", "s"))),
        ("a + 1 is missing", ("is missing", ("+", "a", 1.0))),
        # keywords are case-insensitive, names keep their case
        ("NOT A AND b Or C", ("or", ("and", ("not", "A"), "b"), "C")),
        ("x IS NOT MISSING", ("is not missing", "x")),
        ("TRUE", True),
        ("False", False),
    ],
)
def test_tree_shape(text: str, expected: object) -> None:
    assert shape(tree(text)) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1_000_000", 1_000_000.0),
        ("1e6", 1_000_000.0),
        ("2.5E-3", 0.0025),
        ("1_000.5", 1000.5),
        (".5", 0.5),
    ],
)
def test_number_literals(text: str, value: float) -> None:
    node = tree(text)
    assert isinstance(node, n.Literal) and node.value == value


def test_string_literals_and_escapes() -> None:
    assert tree("'tanah'") == n.Literal("tanah", 1)
    assert tree('"tanah"') == n.Literal("tanah", 1)
    assert tree(r"'it\'s'").value == "it's"  # type: ignore[union-attr]
    assert tree("'a \"b\"'").value == 'a "b"'  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7.0),  # not 9
        ("(1 + 2) * 3", 9.0),
        ("10 - 4 - 3", 3.0),  # left-assoc: (10-4)-3, not 10-(4-3)=9
        ("12 / 2 / 3", 2.0),  # (12/2)/3, not 12/(2/3)=18
        ("-2 * 3 + 1", -5.0),
        ("2 * -3", -6.0),
        ("1_000_000 / 1e6", 1.0),
        ("7 / 2", 3.5),
    ],
)
def test_arithmetic_precedence_by_value(text: str, expected: float) -> None:
    frame = pd.DataFrame(index=range(2))
    assert compile_rule(text, key="k").evaluate(frame).tolist() == [expected, expected]


def test_columns_lists_every_name_once() -> None:
    rule = compile_rule("a + b > LIMIT and (a is missing or c in ['x'])", key="k")
    assert rule.columns == frozenset({"a", "b", "c", "LIMIT"})
    assert rule.columns_needed({"LIMIT": 3}) == frozenset({"a", "b", "c"})


def test_rule_keeps_text_and_key() -> None:
    rule = compile_rule("x > 1", key="bps14.c01.rule")
    assert (rule.text, rule.key) == ("x > 1", "bps14.c01.rule")
