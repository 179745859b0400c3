"""Fixtures for the estimation tests."""

from __future__ import annotations

import pandas as pd
import pytest
from estimate_data import read_small_survey


@pytest.fixture(scope="session")
def small_survey() -> pd.DataFrame:
    """The synthetic survey of r/survey_small.csv (296 households, 6 strata, 26 PSUs)."""
    return read_small_survey()
