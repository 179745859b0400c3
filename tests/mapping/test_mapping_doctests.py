"""The examples in the docstrings of peka.schema.mapping and peka.io.suggest run as written."""

import doctest

import peka.io.suggest
import peka.schema.mapping


def test_mapping_docstring_examples():
    result = doctest.testmod(peka.schema.mapping)
    assert result.attempted >= 8 and result.failed == 0


def test_suggest_docstring_examples():
    result = doctest.testmod(peka.io.suggest)
    assert result.attempted >= 1 and result.failed == 0
