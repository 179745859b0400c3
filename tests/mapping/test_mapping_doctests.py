"""The examples in the docstrings of the peka.mapping modules run as written."""

import doctest

import pytest

import peka.mapping.apply
import peka.mapping.detect
import peka.mapping.invert
import peka.mapping.spec
import peka.mapping.suggest


@pytest.mark.parametrize(
    ("module", "examples"),
    [
        (peka.mapping.spec, 2),  # value_key, load_mapping
        (peka.mapping.apply, 3),  # apply_mapping
        (peka.mapping.invert, 3),  # to_source, source_value_labels
        (peka.mapping.suggest, 1),
    ],
)
def test_mapping_docstring_examples(module, examples):
    result = doctest.testmod(module)
    assert result.attempted >= examples and result.failed == 0
