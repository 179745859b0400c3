"""``Rule``: a compiled expression with its config key, and ``compile_rule``, the entry point of the language."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from peka.errors import RuleError
from peka.rules import nodes as n
from peka.rules.evaluate import (
    Evaluator,
    Kind,
    infer_kind,
    kind_of_constant,
    kind_of_series,
    language_kind,
    to_series,
)
from peka.rules.parser import parse

_EMPTY: Mapping[str, object] = {}


def compile_rule(text: str, *, key: str) -> Rule:
    """Parse ``text`` into a ``Rule``; ``key`` (the dotted config path) is named in every error.

    >>> rule = compile_rule("floor_area / hh_size < FLOOR_M2_PER_PERSON", key="mpi.indicators[2].deprived_if")
    >>> sorted(rule.columns)
    ['FLOOR_M2_PER_PERSON', 'floor_area', 'hh_size']
    """
    if not isinstance(text, str):
        raise RuleError(f"a rule must be text, got {type(text).__name__}", key=key)
    return Rule(text=text, key=key, tree=parse(text, key=key))


@dataclass(frozen=True, eq=False)
class Rule:
    """A parsed rule. Immutable and cheap to share; evaluate it on any number of frames.

    Identifiers resolve to a constant first (the ``constants`` passed to ``evaluate``), then to a column.
    """

    text: str
    key: str
    tree: n.Node = field(repr=False)

    @property
    def columns(self) -> frozenset[str]:
        """Every name the rule reads; those given as constants at evaluation are taken from the constants."""
        return n.names(self.tree)

    def columns_needed(self, constants: Mapping[str, object] = _EMPTY) -> frozenset[str]:
        """The names that must be columns of the frame once ``constants`` are known."""
        return frozenset(name for name in self.columns if name not in constants)

    def check_columns(
        self,
        available: Iterable[str],
        constants: Mapping[str, object] = _EMPTY,
        kinds: Mapping[str, str] | None = None,
        *,
        expect: Kind | None = None,
    ) -> Kind | None:
        """Check names (and, with ``kinds``, operand kinds) before any data is read; return the result kind.

        ``kinds`` maps column names to a model kind (``int``, ``float``, ``bool``, ``category``, ``str``, ``id``) or
        a language kind (``number``, ``text``, ``bool``). ``expect`` ("bool" for conditions) refuses a rule whose
        result is of another kind. Raises ``RuleError`` naming the key, e.g. an unknown name with a suggestion:

        >>> compile_rule("hh_sise > 4", key="causes.c05.rule").check_columns({"hh_size"})
        Traceback (most recent call last):
        ...
        peka.errors.RuleError: causes.c05.rule: unknown column 'hh_sise' (at column 1: 'hh_sise'); did you mean 'hh_size'?
        """
        available = set(available)
        self._check_names(available, constants)
        column_kinds = {name: language_kind(kind) for name, kind in (kinds or {}).items()}
        return self._check_kinds(lambda name: column_kinds.get(name), constants, expect)

    def evaluate(
        self, frame: pd.DataFrame, constants: Mapping[str, object] = _EMPTY, *, expect: Kind | None = None
    ) -> pd.Series:
        """Evaluate on every row of ``frame`` at once.

        Returns a nullable ``boolean`` Series for conditions (Kleene logic: missing only where the missing operand
        could change the answer), ``float64`` for arithmetic (NaN = missing; division by zero is missing) and
        ``str`` for a bare text column; always aligned to ``frame.index``.

        >>> frame = pd.DataFrame({"meals_per_day": pd.array([1, 3, None], dtype="Int64")})
        >>> compile_rule("meals_per_day <= 2", key="k").evaluate(frame).tolist()
        [True, False, <NA>]
        """
        self._check_names(set(frame.columns), constants)
        frame_kinds: dict[str, Kind] = {}

        def kind_of_name(name: str) -> Kind:
            if name in constants:
                return kind_of_constant(name, constants[name], self.key)
            if name not in frame_kinds:
                frame_kinds[name] = kind_of_series(frame[name])
            return frame_kinds[name]

        self._check_kinds(kind_of_name, constants, expect)
        value = Evaluator(frame, constants).run(self.tree)
        return to_series(value, frame.index)

    # ---- checks ------------------------------------------------------------------------------------------------
    def _check_names(self, available: set[str], constants: Mapping[str, object]) -> None:
        for node in sorted((x for x in n.walk(self.tree) if isinstance(x, n.Name)), key=lambda x: x.col):
            if node.name in constants or node.name in available:
                continue
            candidates = [str(c) for c in available] + [str(c) for c in constants]
            close = difflib.get_close_matches(node.name, candidates, n=1, cutoff=0.6)
            if not close:  # case typos ('Hh_Size') score low in difflib; compare case-insensitively too
                close = [c for c in candidates if c.lower() == node.name.lower()][:1]
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise RuleError(f"unknown column {node.name!r} (at column {node.col}: {node.name!r}){hint}", key=self.key)

    def _check_kinds(
        self, kind_of_name: Callable[[str], Kind | None], constants: Mapping[str, object], expect: Kind | None
    ) -> Kind | None:
        def resolve(name: str) -> Kind | None:
            if name in constants:
                return kind_of_constant(name, constants[name], self.key)
            return kind_of_name(name)

        kind = infer_kind(self.tree, resolve, self.text, self.key)
        if expect is not None and kind is not None and kind != expect:
            words = {"bool": "a true/false condition", "number": "a number", "text": "text"}
            raise RuleError(f"expected {words[expect]}, but {self.text!r} gives {words[kind]}", key=self.key)
        return kind
