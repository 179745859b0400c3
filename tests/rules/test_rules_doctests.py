"""The examples in the docstrings of peka.rules are part of the test suite."""

from __future__ import annotations

import doctest

import pytest

import peka.rules
from peka.rules import aggregate, parser, rule, tokens


@pytest.mark.parametrize("module", [peka.rules, aggregate, parser, rule, tokens], ids=lambda m: m.__name__)
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0
