"""Type checking and vectorised evaluation of a rule's AST on a pandas DataFrame.

Three kinds of values exist: ``number`` (float64 arrays, NaN = missing), ``text`` (pandas string Series or a
literal, NaN = missing) and ``bool``. Booleans are held as two numpy masks, ``true`` and ``false``; a row that is
in neither is missing. Kleene's three-valued logic then is plain mask algebra:

* ``a and b``: true where both are true, false where either is false;
* ``a or b``: true where either is true, false where both are false;
* ``not a``: swaps the masks, so missing stays missing.

Scalars (literals, constants) stay scalars and broadcast, so constant sub-expressions cost nothing per row.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias, cast
from typing import Literal as TypingLiteral

import numpy as np
import pandas as pd

from peka.errors import RuleError
from peka.rules import nodes as n
from peka.rules.tokens import rule_error

Kind = TypingLiteral["bool", "number", "text"]

# Kinds of peka.schema.model (and pandas-ish spellings) → kinds of the rule language.
_KIND_ALIASES: dict[str, Kind] = {
    "bool": "bool", "boolean": "bool",
    "int": "number", "float": "number", "number": "number", "numeric": "number",
    "id": "text", "str": "text", "string": "text", "text": "text", "category": "text",
}  # fmt: skip

_KIND_WORDS = {"bool": "true/false", "number": "a number", "text": "text"}

_ORDER_OPS = frozenset({"<", "<=", ">", ">="})
_NUMPY_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
}  # fmt: skip


def language_kind(kind: str) -> Kind:
    """Map a model kind (``int``, ``category``, …) or a language kind to ``bool`` / ``number`` / ``text``."""
    try:
        return _KIND_ALIASES[kind.lower()]
    except KeyError:
        raise ValueError(f"unknown column kind {kind!r}; expected one of {sorted(_KIND_ALIASES)}") from None


def kind_of_series(series: pd.Series) -> Kind:
    """The language kind of a column, from its dtype (object columns: from their values)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if isinstance(dtype, pd.StringDtype) or pd.api.types.is_string_dtype(dtype) and dtype != object:
        return "text"
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    if inferred == "boolean":
        return "bool"
    if inferred in ("integer", "floating", "mixed-integer-float", "decimal", "empty"):
        return "number"  # an all-missing object column behaves like an all-NaN float column
    return "text"


def kind_of_constant(name: str, value: object, key: str) -> Kind:
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return "number"
    if isinstance(value, str):
        return "text"
    raise RuleError(f"constant {name!r} has a value of type {type(value).__name__}; "
                    "constants must be numbers, text or true/false", key=key)  # fmt: skip


# ---- static checking -----------------------------------------------------------------------------------------------


def infer_kind(node: n.Node, kind_of_name: Callable[[str], Kind | None], source: str, key: str) -> Kind | None:
    """The kind of ``node``'s value; raises ``RuleError`` where operand kinds do not fit the operator.

    ``kind_of_name`` may return ``None`` for a name whose kind is not known yet: it is then accepted anywhere.
    """

    def fail(message: str, at: n.Node) -> RuleError:
        return rule_error(key, message, source, at.col, _width(at, source))

    def need(kind: Kind, at: n.Node, what: str) -> None:
        got = infer(at)
        if got is not None and got != kind:
            raise fail(f"{what} needs {_KIND_WORDS[kind]}, but {_describe(at)} is {_KIND_WORDS[got]}", at)

    def infer(node: n.Node) -> Kind | None:
        if isinstance(node, n.Literal):
            return _literal_kind(node.value)
        if isinstance(node, n.Name):
            return kind_of_name(node.name)
        if isinstance(node, n.Negate):
            need("number", node.operand, "unary '-'")
            return "number"
        if isinstance(node, n.Arith):
            need("number", node.left, f"'{node.op}'")
            need("number", node.right, f"'{node.op}'")
            return "number"
        if isinstance(node, n.Compare):
            kinds = [infer(operand) for operand in node.operands]
            for i, op in enumerate(node.ops):
                left, right = kinds[i], kinds[i + 1]
                if left is not None and right is not None and left != right:
                    raise fail(f"cannot compare {_KIND_WORDS[left]} with {_KIND_WORDS[right]}: "
                               f"{_describe(node.operands[i])} is {_KIND_WORDS[left]}, "
                               f"{_describe(node.operands[i + 1])} is {_KIND_WORDS[right]}", node.operands[i])  # fmt: skip
                kind = left or right
                if op in _ORDER_OPS and kind in ("text", "bool"):
                    hint = " (category codes are not ordered; list the codes with 'in [...]')" if kind == "text" else ""
                    raise fail(f"'{op}' needs numbers, but {_describe(node.operands[i] if left else node.operands[i + 1])}"
                               f" is {_KIND_WORDS[kind]}{hint}", node.operands[i])  # fmt: skip
            return "bool"
        if isinstance(node, n.InList):
            if node.values:
                need(_literal_kind(node.values[0]), node.operand, "'in' with this list")
            else:
                infer(node.operand)
            return "bool"
        if isinstance(node, n.Between):
            for part in (node.operand, node.low, node.high):
                need("number", part, "'between'")
            return "bool"
        if isinstance(node, n.IsMissing):
            infer(node.operand)
            return "bool"
        if isinstance(node, n.Not):
            need("bool", node.operand, "'not'")
            return "bool"
        if isinstance(node, n.BoolOp):
            for operand in node.operands:
                need("bool", operand, f"'{node.op}'")
            return "bool"
        raise TypeError(f"not a rule node: {node!r}")

    return infer(node)


def _literal_kind(value: n.LiteralValue) -> Kind:
    return "bool" if isinstance(value, bool) else "text" if isinstance(value, str) else "number"


def _describe(node: n.Node) -> str:
    if isinstance(node, n.Name):
        return repr(node.name)
    if isinstance(node, n.Literal):
        value = node.value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            return f"{value:g}"
        return repr(value)
    return f"the expression at column {node.col}"


def _width(node: n.Node, source: str) -> int:
    if isinstance(node, n.Name):
        return len(node.name)
    return 0


# ---- evaluation ----------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Tri:
    """A three-valued boolean: rows where it is true, rows where it is false; neither = missing."""

    true: np.ndarray | np.bool_
    false: np.ndarray | np.bool_

    @property
    def missing(self) -> np.ndarray | np.bool_:
        return ~(self.true | self.false)


Number: TypeAlias = np.ndarray | float
Text: TypeAlias = pd.Series | str
Value: TypeAlias = Tri | Number | Text


class Evaluator:
    """Evaluates one AST on one frame; columns are converted once per name and reused."""

    def __init__(self, frame: pd.DataFrame, constants: Mapping[str, object]):
        self.frame = frame
        self.constants = constants
        self._cache: dict[str, Value] = {}

    def run(self, node: n.Node) -> Value:
        return self.eval(node)

    def eval(self, node: n.Node) -> Value:
        if isinstance(node, n.Literal):
            value = node.value
            if isinstance(value, bool):
                return Tri(np.bool_(value), np.bool_(not value))
            return value
        if isinstance(node, n.Name):
            return self.name(node.name)
        if isinstance(node, n.Negate):
            return -self.number(node.operand)  # type: ignore[operator]
        if isinstance(node, n.Arith):
            return arith(node.op, self.number(node.left), self.number(node.right))
        if isinstance(node, n.Compare):
            values = [self.eval(operand) for operand in node.operands]
            parts = [compare(op, values[i], values[i + 1]) for i, op in enumerate(node.ops)]
            return kleene_and(parts)
        if isinstance(node, n.InList):
            result = in_list(self.eval(node.operand), node.values)
            return kleene_not(result) if node.negated else result
        if isinstance(node, n.Between):
            x = self.number(node.operand)
            result = kleene_and([compare("<=", self.number(node.low), x), compare("<=", x, self.number(node.high))])
            return kleene_not(result) if node.negated else result
        if isinstance(node, n.IsMissing):
            miss = is_missing(self.eval(node.operand))
            return Tri(~miss, miss) if node.negated else Tri(miss, ~miss)
        if isinstance(node, n.Not):
            return kleene_not(self.tri(node.operand))
        if isinstance(node, n.BoolOp):
            parts = [self.tri(operand) for operand in node.operands]
            return kleene_and(parts) if node.op == "and" else kleene_or(parts)
        raise TypeError(f"not a rule node: {node!r}")

    def number(self, node: n.Node) -> Number:
        value = self.eval(node)
        assert not isinstance(value, (Tri, str, pd.Series)), "type checking lets only numbers through here"
        return value

    def tri(self, node: n.Node) -> Tri:
        value = self.eval(node)
        assert isinstance(value, Tri), "type checking lets only booleans through here"
        return value

    def name(self, name: str) -> Value:
        if name in self._cache:
            return self._cache[name]
        if name in self.constants:
            value = constant_value(self.constants[name])
        else:
            value = column_value(self.frame[name])
        self._cache[name] = value
        return value


def constant_value(value: object) -> Value:
    if isinstance(value, (bool, np.bool_)):
        return Tri(np.bool_(value), np.bool_(not value))
    if isinstance(value, str):
        return value
    return float(value)  # type: ignore[arg-type]


def column_value(series: pd.Series) -> Value:
    kind = kind_of_series(series)
    if kind == "number":
        if series.dtype == object:
            series = pd.to_numeric(series)
        return series.to_numpy(dtype="float64", na_value=np.nan)
    if kind == "bool":
        if not isinstance(series.dtype, pd.BooleanDtype) and series.dtype != bool:
            series = series.astype("boolean")
        values = series.to_numpy(dtype=bool, na_value=False)
        known = series.notna().to_numpy()
        return Tri(values & known, ~values & known)
    return series


def arith(op: str, left: Number, right: Number) -> Number:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        # division by zero gives missing, never ±inf (an inf would silently pass later comparisons)
        result = np.divide(left, right)
        return np.where(np.asarray(right) == 0, np.nan, result)


def compare(op: str, left: Value, right: Value) -> Tri:
    if isinstance(left, Tri):
        assert isinstance(right, Tri)
        known = ~left.missing & ~right.missing
        equal = (left.true & right.true) | (left.false & right.false)
        return Tri(equal, known & ~equal) if op == "==" else Tri(known & ~equal, equal)
    if isinstance(left, (str, pd.Series)) or isinstance(right, (str, pd.Series)):
        return _compare_text(op, left, right)  # type: ignore[arg-type]
    x, y = cast(Number, left), cast(Number, right)
    known = ~(np.isnan(x) | np.isnan(y))
    result = _NUMPY_COMPARE[op](x, y)
    return Tri(result & known, ~result & known)


def _compare_text(op: str, left: Text, right: Text) -> Tri:
    equal: np.ndarray | np.bool_
    known: np.ndarray | np.bool_
    if isinstance(left, str) and isinstance(right, str):
        equal = np.bool_(left == right)
        known = np.bool_(True)
    else:
        # pandas gives False (str dtype) or <NA> ("string" dtype) where a side is missing; ``known`` handles both
        equal = cast(pd.Series, left == right).to_numpy(dtype=bool, na_value=False)
        known = ~_text_missing(left) & ~_text_missing(right)
    if op == "==":
        return Tri(equal & known, ~equal & known)
    return Tri(~equal & known, equal & known)


def _text_missing(value: Text) -> np.ndarray | np.bool_:
    if isinstance(value, str):
        return np.bool_(False)
    return value.isna().to_numpy()


def in_list(value: Value, values: tuple[n.LiteralValue, ...]) -> Tri:
    if isinstance(value, Tri):
        hit = (value.true & (True in values)) | (value.false & (False in values))
        known = ~value.missing
    elif isinstance(value, str):
        hit, known = np.bool_(value in values), np.bool_(True)
    elif isinstance(value, pd.Series):
        hit = value.isin(list(values)).to_numpy(dtype=bool)
        known = value.notna().to_numpy()
    else:
        arr = np.asarray(value, dtype="float64")
        hit = np.isin(arr, np.asarray(values, dtype="float64")) if values else np.zeros(arr.shape, dtype=bool)
        known = ~np.isnan(arr)
    return Tri(hit & known, ~hit & known)


def is_missing(value: Value) -> np.ndarray | np.bool_:
    if isinstance(value, Tri):
        return value.missing
    if isinstance(value, (str, pd.Series)):
        return _text_missing(value)
    return np.isnan(value)


def kleene_not(value: Tri) -> Tri:
    return Tri(value.false, value.true)


def kleene_and(parts: list[Tri]) -> Tri:
    true, false = parts[0].true, parts[0].false
    for part in parts[1:]:
        true = true & part.true
        false = false | part.false
    return Tri(true, false)


def kleene_or(parts: list[Tri]) -> Tri:
    true, false = parts[0].true, parts[0].false
    for part in parts[1:]:
        true = true | part.true
        false = false & part.false
    return Tri(true, false)


def to_series(value: Value, index: pd.Index) -> pd.Series:
    """Broadcast a result to the frame: ``boolean`` for conditions, ``float64`` for numbers, ``str`` for text."""
    size = len(index)
    if isinstance(value, Tri):
        true = np.array(np.broadcast_to(value.true, (size,)), dtype=bool)
        false = np.array(np.broadcast_to(value.false, (size,)), dtype=bool)
        return pd.Series(pd.arrays.BooleanArray(true, ~(true | false)), index=index, copy=False)
    if isinstance(value, str):
        return pd.Series([value] * size, index=index, dtype="str")
    if isinstance(value, pd.Series):
        return value.copy()
    return pd.Series(np.array(np.broadcast_to(value, (size,)), dtype="float64"), index=index, copy=False)
