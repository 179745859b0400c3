"""rank_domains: order, ranks, interval overlaps, domain-set choice, rows without an estimate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peka.errors import UsageError
from peka.estimate import ProfileOptions, profile, rank_domains


def _estimates() -> pd.DataFrame:
    # hand-made intervals: d [0.40, 0.50] and b [0.30, 0.42] overlap; c [0.10, 0.20] stands apart; e suppressed
    rows = [
        ({}, 0.3, 0.28, 0.32),
        ({"kec": "a"}, 0.25, 0.21, 0.29),
        ({"kec": "b"}, 0.36, 0.30, 0.42),
        ({"kec": "c"}, 0.15, 0.10, 0.20),
        ({"kec": "d"}, 0.45, 0.40, 0.50),
        ({"kec": "e"}, np.nan, np.nan, np.nan),
        ({"kec": "a", "ur": "1"}, 0.2, 0.1, 0.3),
    ]
    frame = pd.DataFrame(rows, columns=["domain", "estimate", "ci_low", "ci_high"])
    frame.insert(1, "measure", "P0")
    frame.insert(2, "indicator", None)
    frame["flag"] = ["reliable"] * 5 + ["suppressed", "reliable"]
    return frame


def test_highest_first_with_overlaps() -> None:
    r = rank_domains(_estimates(), "P0", by=["kec"])
    assert list(r.table["kec"]) == ["d", "b", "a", "c", "e"]
    assert list(r.table["rank"]) == [1, 2, 3, 4, 0]
    # d–b overlap (0.40 ≤ 0.42); b–a do not (a ends at 0.29 < 0.30); a–c do not (c ends at 0.20 < 0.21)
    assert list(r.table["overlaps_next"]) == [True, False, False, False, False]
    assert list(r.table["overlaps_leader"]) == [True, True, False, False, False]
    assert r.leaders == 2 and r.top == 3 and r.top_overlap
    assert list(r.table.columns[:3]) == ["rank", "kec", "estimate"] and "flag" in r.table.columns


def test_lowest_first_and_a_clear_top() -> None:
    r = rank_domains(_estimates(), "P0", by=["kec"], descending=False, top=2)
    assert list(r.table["kec"]) == ["c", "a", "b", "d", "e"]
    assert r.top_overlap is False and r.leaders == 1  # c [0.10, 0.20] and a [0.21, 0.29] are apart


def test_domain_set_must_be_named_when_several() -> None:
    with pytest.raises(UsageError, match="kec"):
        rank_domains(_estimates(), "P0")
    with pytest.raises(UsageError, match="desa"):
        rank_domains(_estimates(), "P0", by=["desa"])
    with pytest.raises(UsageError):
        rank_domains(_estimates(), "P0", by=["kec"], top=0)
    crossed = rank_domains(_estimates(), "P0", by=["kec", "ur"])
    assert list(crossed.table["kec"]) == ["a"] and crossed.leaders == 1 and not crossed.top_overlap


def test_on_a_profile() -> None:
    # three districts with 12 PSUs each; P0 = 1/2, 1/4, 0 of persons (2 persons per household, 2 per PSU)
    psu = np.repeat(np.arange(36), 2)
    district = np.repeat(["x", "y", "z"], 24)
    poor = np.concatenate([np.tile([1, 0], 12), np.tile([1, 0, 0, 0], 6), np.zeros(24)])
    frame = pd.DataFrame({"exp_pc": np.where(poor == 1, 50.0, 200.0), "hh_size": 2, "weight": 1.0,
                          "psu": psu.astype(str), "district": district})
    est = profile(frame, line=100.0, by=["district"], options=ProfileOptions(min_n=0, segments=False)).estimates
    r = rank_domains(est, "P0")
    assert list(r.table["district"]) == ["x", "y", "z"]
    assert r.table["estimate"].tolist() == pytest.approx([0.5, 0.25, 0.0])
    assert "n_psu" in r.table.columns and (r.table["n_psu"] == 12).all()
