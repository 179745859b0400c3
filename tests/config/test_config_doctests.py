"""The examples in the docstrings of peka.config, peka.classify and peka.present.labels are part of the test suite (they run
from the repository root, like the suite)."""

from __future__ import annotations

import doctest

import pytest

import peka.classify
import peka.config
import peka.present.labels
from peka.classify import bps14, monetary
from peka.config import lines, loader, provenance, show


@pytest.mark.parametrize(
    "module",
    [peka.config, loader, lines, provenance, show, peka.classify, monetary, bps14, peka.present.labels],
    ids=lambda m: m.__name__,
)
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0
