"""PartialSums: chunked sums equal in-memory sums; PSUs are read within strata; design columns are checked."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from estimate_data import MPI_SPEC

from peka.errors import InputError, UsageError
from peka.estimate import Design, PartialSums, ProfileOptions, profile, profile_chunks, sum_partials

DESIGNS = [
    Design("weight", "stratum", "psu"),  # PSU totals layout
    Design("weight"),  # weighted SRS: moments layout
    Design("weight", "stratum", None),  # strata without PSUs: moments per stratum
]


def _chunks(frame: pd.DataFrame, bounds: list[int]) -> list[pd.DataFrame]:
    edges = [0, *bounds, len(frame)]
    return [frame.iloc[a:b] for a, b in itertools.pairwise(edges)]


def _assert_same(a: pd.DataFrame, b: pd.DataFrame, rel: float) -> None:
    assert len(a) == len(b)
    assert a["domain"].tolist() == b["domain"].tolist()
    assert a["measure"].tolist() == b["measure"].tolist()
    assert a["indicator"].tolist() == b["indicator"].tolist()
    assert (a["n"].to_numpy() == b["n"].to_numpy()).all()
    for column in ("estimate", "se", "weighted_n"):
        np.testing.assert_allclose(a[column].to_numpy(), b[column].to_numpy(), rtol=rel, atol=1e-300)


@pytest.mark.parametrize("design", DESIGNS, ids=lambda d: d.kind)
def test_seven_chunks_give_the_in_memory_result(small_survey: pd.DataFrame, design: Design) -> None:
    frame = small_survey
    # rows are sorted by stratum and PSU; row 40 falls inside PSU "3" of stratum S1, so that PSU is split
    bounds = [17, 40, 41, 120, 121, 200, 250]
    assert frame.iloc[39][["stratum", "psu"]].tolist() == frame.iloc[40][["stratum", "psu"]].tolist()
    chunks = _chunks(frame, bounds[:6])
    assert len(chunks) == 7
    whole = profile(frame, design=design, by=["district"], mpi_spec=MPI_SPEC).estimates
    streamed = profile_chunks(chunks, design=design, by=["district"], mpi_spec=MPI_SPEC).estimates
    _assert_same(whole, streamed, rel=1e-12)


def test_shuffled_chunks_spread_every_psu_over_several_chunks(small_survey: pd.DataFrame) -> None:
    frame = small_survey.sample(frac=1.0, random_state=7)
    design = Design("weight", "stratum", "psu")
    whole = profile(small_survey, design=design, by=["district"], mpi_spec=MPI_SPEC).estimates
    streamed = profile_chunks(
        _chunks(frame, [40, 80, 120, 160, 200, 240]), design=design, by=["district"], mpi_spec=MPI_SPEC
    )
    _assert_same(whole, streamed.estimates, rel=1e-12)


def test_block_size_does_not_change_the_sums(small_survey: pd.DataFrame) -> None:
    design = Design("weight", "stratum", "psu")
    y = small_survey["hh_size"].to_numpy(dtype=float)
    big = PartialSums.from_frame(small_survey, design, {"y": y}, by=["district"])
    small = PartialSums.from_frame(small_survey, design, {"y": y}, by=["district"], block_rows=13)
    assert big.keys.equals(small.keys)
    np.testing.assert_allclose(big.sums, small.sums, rtol=1e-13)
    # whole-population total = Σ w·size, computed directly
    expected = float((small_survey["weight"] * small_survey["hh_size"]).sum())
    assert big.sums[big.keys["set"].to_numpy() == 0].sum() == pytest.approx(expected, rel=1e-13)


def test_psu_codes_are_read_within_their_stratum(small_survey: pd.DataFrame) -> None:
    # PSU "1" exists in every stratum; made globally unique ("S1-1") the result must not change
    nested = profile(small_survey, design=Design("weight", "stratum", "psu"), mpi_spec=MPI_SPEC).estimates
    unique = profile(small_survey, design=Design("weight", "stratum", "psu_u"), mpi_spec=MPI_SPEC).estimates
    _assert_same(nested, unique, rel=1e-12)
    units = PartialSums.from_frame(small_survey, Design("weight", "stratum", "psu"), {"y": np.ones(296)})
    assert len(units.population_units()) == small_survey["psu_u"].nunique() == 26


def test_parts_built_differently_cannot_be_added(small_survey: pd.DataFrame) -> None:
    design = Design("weight", "stratum", "psu")
    a = PartialSums.from_frame(small_survey, design, {"y": np.ones(296)})
    b = PartialSums.from_frame(small_survey, design, {"z": np.ones(296)})
    with pytest.raises(UsageError):
        sum_partials([a, b])
    with pytest.raises(UsageError):
        sum_partials([])


def test_design_column_problems_name_the_column_and_the_users_row(small_survey: pd.DataFrame) -> None:
    frame = small_survey.copy()
    frame.loc[5, "weight"] = -1.0
    with pytest.raises(InputError) as err:
        profile(frame, design=Design("weight", "stratum", "psu"))
    assert err.value.column == "weight" and err.value.row == 7  # _row of the 6th data row
    frame = small_survey.copy()
    frame.loc[3, "psu"] = None
    with pytest.raises(InputError) as err:
        profile(frame, design=Design("weight", "stratum", "psu"))
    assert err.value.column == "psu" and err.value.row == 5
    with pytest.raises(InputError, match="'cluster'"):
        profile(small_survey, design=Design("weight", "stratum", "cluster"))
    with pytest.raises(UsageError):
        Design("weight", lonely_psu="drop")  # type: ignore[arg-type]


def test_float_psu_codes_read_as_whole_numbers(small_survey: pd.DataFrame) -> None:
    frame = small_survey.copy()
    frame["psu_num"] = frame["psu"].astype(float)  # "3" read by a foreign reader as 3.0
    a = profile(frame, design=Design("weight", "stratum", "psu"), options=ProfileOptions(segments=False))
    b = profile(frame, design=Design("weight", "stratum", "psu_num"), options=ProfileOptions(segments=False))
    _assert_same(a.estimates, b.estimates, rel=1e-12)


def test_missing_by_values_form_their_own_cell(small_survey: pd.DataFrame) -> None:
    frame = small_survey.copy()
    frame.loc[frame.index[:10], "district"] = None
    est = profile(
        frame, by=["district"], design=Design("weight", "stratum", "psu"), options=ProfileOptions(segments=False)
    ).estimates
    households = est[est["measure"] == "households"]
    assert households["domain"].tolist()[-1] == {"district": None}  # missing sorts last
    assert households["n"].tolist()[-1] == 10
    # the cells add up to the whole
    assert households["estimate"].iloc[1:].sum() == pytest.approx(households["estimate"].iloc[0], rel=1e-12)


def test_plan_partial_finish_in_any_order_equals_profile(small_survey: pd.DataFrame) -> None:
    # the Dask pattern: plan once, reduce partitions independently, add the sums in any order
    from peka.estimate import plan_profile

    design = Design("weight", "stratum", "psu")
    plan = plan_profile(small_survey.iloc[:50], design=design, by=["district"], mpi_spec=MPI_SPEC)
    parts = [plan.partial(chunk) for chunk in _chunks(small_survey, [50, 150, 151])]
    result = plan.finish(sum_partials(parts[::-1]))
    _assert_same(
        profile(small_survey, design=design, by=["district"], mpi_spec=MPI_SPEC).estimates, result.estimates, rel=1e-12
    )


@pytest.mark.parametrize("rows_are_psus", [False, True])
def test_sets_crossed_past_the_row_count_are_summed_in_chains(rows_are_psus: bool) -> None:
    # four domain columns of 12 cells each crossed with 40 PSUs have more fine groups than rows: from_frame splits
    # them into chains; every set's sums must still be the groupby sums of w·y per (cell, stratum, PSU)
    rng = np.random.default_rng(7)
    n = 3_000
    frame = pd.DataFrame({"w": rng.uniform(1, 5, n), "s": rng.integers(0, 4, n).astype(str),
                          "p": rng.integers(0, 10, n).astype(str), "y": rng.normal(size=n)})
    by = ["a", "b", "c", "d"]
    for column in by:
        frame[column] = rng.integers(0, 12, n).astype(str)
    design = Design("w", "s", None if rows_are_psus else "p")
    ps = PartialSums.from_frame(frame, design, {"y": frame["y"]}, by=by, block_rows=700)
    assert ps.domain_sets == ((), *((c,) for c in by))
    wy = frame["w"] * frame["y"]
    for set_id, column in enumerate(by, start=1):
        rows = ps.keys["set"].to_numpy() == set_id
        keys = ps.keys.loc[rows]
        if rows_are_psus:  # per (cell, stratum): Σ t and Σ t² (the moments layout)
            got = pd.Series(ps.sums[rows, 0], index=pd.MultiIndex.from_arrays([keys["cell"], keys["stratum"]]))
            expected = wy.groupby([frame[column].map(lambda v: f'["{v}"]'), frame["s"]]).sum()
            squares = (wy**2).groupby([frame[column].map(lambda v: f'["{v}"]'), frame["s"]]).sum()
            cross = pd.Series(ps.cross[rows, 0, 0], index=got.index)  # type: ignore[index]
            pd.testing.assert_series_equal(cross.sort_index(), squares.sort_index(), check_names=False, rtol=1e-12)
        else:
            got = pd.Series(ps.sums[rows, 0],
                            index=pd.MultiIndex.from_arrays([keys["cell"], keys["stratum"], keys["psu"]]))
            expected = wy.groupby([frame[column].map(lambda v: f'["{v}"]'), frame["s"], frame["p"]]).sum()
        pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False, rtol=1e-12)
        assert ps.counts[rows, 0].sum() == n
