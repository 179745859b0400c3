"""The abstract syntax tree of the rule language: a handful of immutable node types.

Every node keeps ``col``, the 1-based column in the source where it starts, so evaluation-time errors (unknown
column, text compared to a number) can point at the right place.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

LiteralValue = float | str | bool


@dataclass(frozen=True, slots=True)
class Literal:
    value: LiteralValue
    col: int


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    col: int


@dataclass(frozen=True, slots=True)
class Negate:
    """Unary minus."""

    operand: Node
    col: int


@dataclass(frozen=True, slots=True)
class Arith:
    op: str  # one of + - * /
    left: Node
    right: Node
    col: int


@dataclass(frozen=True, slots=True)
class Compare:
    """``a < b``, or a chain ``a <= b < c`` meaning ``a <= b and b < c`` (``b`` evaluated once)."""

    operands: tuple[Node, ...]  # n + 1 operands
    ops: tuple[str, ...]  # n operators among < <= > >= == !=
    col: int


@dataclass(frozen=True, slots=True)
class InList:
    operand: Node
    values: tuple[LiteralValue, ...]
    negated: bool
    col: int


@dataclass(frozen=True, slots=True)
class Between:
    """``x between lo and hi`` = ``lo <= x <= hi`` (both ends included)."""

    operand: Node
    low: Node
    high: Node
    negated: bool
    col: int


@dataclass(frozen=True, slots=True)
class IsMissing:
    operand: Node
    negated: bool
    col: int


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node
    col: int


@dataclass(frozen=True, slots=True)
class BoolOp:
    """``and`` / ``or`` over two or more operands (flattened so long ``or`` lists do not nest deeply)."""

    op: str  # "and" | "or"
    operands: tuple[Node, ...]
    col: int


Node = Literal | Name | Negate | Arith | Compare | InList | Between | IsMissing | Not | BoolOp


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, (Literal, Name)):
        return ()
    if isinstance(node, (Negate, Not, InList, IsMissing)):
        return (node.operand,)
    if isinstance(node, Arith):
        return (node.left, node.right)
    if isinstance(node, (Compare, BoolOp)):
        return node.operands
    if isinstance(node, Between):
        return (node.operand, node.low, node.high)
    raise TypeError(f"not a rule node: {node!r}")


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def names(node: Node) -> frozenset[str]:
    """The identifiers the expression reads (constants or columns)."""
    return frozenset(n.name for n in walk(node) if isinstance(n, Name))
