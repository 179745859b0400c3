"""The examples in the docstrings of peka.schema.mapping run as written."""

import doctest

import peka.schema.mapping


def test_mapping_docstring_examples():
    result = doctest.testmod(peka.schema.mapping)
    assert result.attempted >= 8 and result.failed == 0
