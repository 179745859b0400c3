"""Property: whatever is wrong with a survey, `skip` accounts for every row and leaves a survey without errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from peka.schema.checks import validate
from peka.schema.rejects import RowCounts, apply_on_invalid
from peka.schema.model import Survey


@st.composite
def messy_surveys(draw: st.DrawFn) -> Survey:
    n = draw(st.integers(1, 12))
    ids = draw(st.lists(st.sampled_from(["h1", "h2", "h3", "h4", None]), min_size=n, max_size=n))
    sizes = draw(st.lists(st.one_of(st.none(), st.integers(-1, 5)), min_size=n, max_size=n))
    exp = draw(st.lists(st.one_of(st.just(float("nan")), st.floats(-1e6, 5e6)), min_size=n, max_size=n))
    hh = pd.DataFrame(
        {
            "_row": np.arange(2, n + 2),
            "hh_id": pd.Series(ids, dtype="str"),
            "hh_size": pd.array(sizes, dtype="Int64"),
            "exp_hh": exp,
        }
    )
    m = draw(st.integers(1, 20))  # an empty table is a whole-file error, which skip cannot get past
    p_ids = draw(st.lists(st.sampled_from(["h1", "h2", "h3", "h5", None]), min_size=m, max_size=m))
    p_no = draw(st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=m, max_size=m))
    ages = draw(st.lists(st.integers(-2, 125), min_size=m, max_size=m))
    ps = pd.DataFrame(
        {
            "_row": np.arange(2, m + 2),
            "hh_id": pd.Series(p_ids, dtype="str"),
            "person_no": pd.array(p_no, dtype="Int64"),
            "age": pd.array(ages, dtype="Int64"),
        }
    )
    return Survey(households=hh, persons=ps, sources={"household": "h.csv", "person": "p.csv"})


@settings(max_examples=80, deadline=None)
@given(messy_surveys())
def test_skip_accounts_for_every_row_and_leaves_no_error(survey: Survey) -> None:
    report = validate(survey)
    clean, rejects = apply_on_invalid(survey, report, "skip")
    counts = RowCounts.of(report, clean, rejects)
    assert counts.balanced
    assert len(clean.households) + rejects.loc[rejects["table"] == "household", "_row"].nunique() == len(
        survey.households
    )
    # a kept row is never also listed as rejected
    assert not set(clean.households["_row"]) & set(rejects.loc[rejects["table"] == "household", "_row"])
    assert not set(clean.persons["_row"]) & set(rejects.loc[rejects["table"] == "person", "_row"])
    # what is left has no error (an empty table is its own error: everything was rejected)
    left = validate(clean)
    assert set(left.frame.loc[left.frame["severity"] == "error", "check"]) <= {"no_rows"}
    # every kept person belongs to a kept household
    assert clean.persons["hh_id"].isin(clean.households["hh_id"]).all()
