"""Classify reuses the member-to-household match that validation made; the result must not change."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peka.classify import classify
from peka.io import load_survey
from peka.schema.checks import validate

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang"


def test_classify_with_the_members_validation_matched_equals_matching_them_again(config):
    survey = load_survey(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv")
    report = validate(survey)
    assert report.person_households is not None
    # the same match by another route: pandas' index lookup of each member's id among the household ids
    expected = pd.Index(survey.households["hh_id"].astype(object)).get_indexer(survey.persons["hh_id"].astype(object))
    np.testing.assert_array_equal(report.person_households, expected)
    reused = classify(survey, config, person_households=report.person_households)
    pd.testing.assert_frame_equal(reused, classify(survey, config))
    with pytest.raises(ValueError, match="other person or household"):
        classify(survey, config, person_households=report.person_households[:-1])
