"""The person file is parsed on another thread while the household table is mapped; nothing else changes."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest

from peka.errors import InputError
from peka.io import load as load_module
from peka.io import load_survey
from peka.io.readers import Source

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang"


def test_the_person_read_overlaps_the_household_mapping(monkeypatch) -> None:
    person_read_started = threading.Event()
    seen_while_mapping_households: list[bool] = []
    read, apply_mapping = Source.read, load_module.apply_mapping

    def read_and_tell(self, **kw):
        if "persons" in str(self.path):
            person_read_started.set()
        return read(self, **kw)

    def map_and_look(frame, mapping, level, **kw):
        if level == "household":  # without the read ahead this waits the whole timeout and sees False
            seen_while_mapping_households.append(person_read_started.wait(timeout=10))
        return apply_mapping(frame, mapping, level, **kw)

    monkeypatch.setattr(Source, "read", read_and_tell)
    monkeypatch.setattr(load_module, "apply_mapping", map_and_look)
    survey = load_survey(SAMPLE / "households.csv", persons=SAMPLE / "persons.csv")
    assert seen_while_mapping_households == [True]
    # the tables are what pandas reads from the raw files, row for row
    assert len(survey.persons) == len(pd.read_csv(SAMPLE / "persons.csv"))
    assert survey.persons["hh_id"].tolist() == pd.read_csv(SAMPLE / "persons.csv", dtype=str)["hh_id"].tolist()
    assert list(survey.sources) == ["household", "person"]


def test_a_household_error_is_told_before_a_person_file_error(tmp_path: Path) -> None:
    households = tmp_path / "rt.csv"
    households.write_text("hh_id,weight\n1,2.0\n")  # no hh_size: the canonical mapping cannot read it
    persons = tmp_path / "art.csv"
    persons.write_text("nothing,here\n1,2\n")
    with pytest.raises(InputError) as caught:
        load_survey(households, persons=persons, mapping="canonical")
    assert "rt.csv" in str(caught.value)
