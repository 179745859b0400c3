"""Shared fixtures of the ``peka target`` tests: the bundled Sabang sample, raw and classified, and a runner."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from peka.jobs.classify import run_classify
from peka.jobs.inputs import InputSpec
from peka.jobs.target import TargetSpec, run_target

ROOT = Path(__file__).resolve().parents[2]
HOUSEHOLDS = ROOT / "data" / "samples" / "sabang" / "households.csv"
PERSONS = ROOT / "data" / "samples" / "sabang" / "persons.csv"
SAMPLE = InputSpec(HOUSEHOLDS, persons=PERSONS)


@pytest.fixture(scope="session")
def raw() -> pd.DataFrame:
    """The household file as the user wrote it (text, so ids keep their digits)."""
    return pd.read_csv(HOUSEHOLDS, dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def classified() -> pd.DataFrame:
    return run_classify(SAMPLE).table


def target(tmp_path: Path, name: str = "out", inputs: InputSpec = SAMPLE, **spec) -> object:
    return run_target(inputs, spec=TargetSpec(**spec), output=tmp_path / name)
