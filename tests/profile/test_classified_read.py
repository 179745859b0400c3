"""`peka profile` of a classified CSV reads only the columns the estimates need, with the types the classified
contract fixes (schema.classified.column_types) on pyarrow's path: the estimates must not change.

Expected values come from other routes: the Parquet file of the same classification (another reader, every
column), the CSV read by the C engine with inference, and P0 and its SE computed here with pandas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from peka.cli.app import app
from peka.jobs.inputs import InputSpec
from peka.jobs.profile import ProfileRequest, classified_columns, run_profile

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang"


@pytest.fixture(scope="module")
def classified(tmp_path_factory):
    folder = tmp_path_factory.mktemp("classified_read")
    written = {}
    for suffix in ("csv", "parquet"):
        out = folder / f"k.{suffix}"
        result = CliRunner().invoke(app, ["-q", "classify", str(SAMPLE / "households.csv"), "--persons",
                                          str(SAMPLE / "persons.csv"), "-o", str(out)])
        assert result.exit_code == 0, result.output
        written[suffix] = out
    return written


def _estimates(path: Path, **options) -> pd.DataFrame:
    run = run_profile(ProfileRequest(inputs=InputSpec(path), by=("kec_code",), **options))
    table = run.estimates.copy()
    table["domain"] = table["domain"].map(lambda d: tuple(sorted(d.items())))
    return table.set_index(["domain", "measure", "indicator"]).sort_index()


def _pyarrow_only(monkeypatch):
    from peka.io import delimited

    monkeypatch.setattr(delimited, "ARROW_TEXT_MIN_BYTES", 0)

    def no_fallback(*args, **kwargs):
        raise AssertionError("the pyarrow path fell back to the C engine")

    monkeypatch.setattr(delimited, "_read_all", no_fallback)


def test_columns_read_are_the_design_domains_and_measure_inputs(classified):
    header = pd.read_csv(classified["csv"], nrows=0).columns.tolist()
    chosen = classified_columns(ProfileRequest(inputs=InputSpec(classified["csv"]), by=("kec_code",)), header)
    assert {"weight", "strata", "psu", "hh_size", "kec_code", "exp_pc", "poverty_line", "extreme_line", "mpi_score",
            "mpi_poor", "miskin_14k", "poverty_status", "segment"} <= set(chosen)
    assert {c for c in header if c.startswith(("mpi_d_", "cause_"))} <= set(chosen)
    assert not {"hh_id", "kab_name", "head_sex", "causes", "primary_cause", "level"} & set(chosen)
    with_children = classified_columns(ProfileRequest(inputs=InputSpec(classified["csv"]), population="children"),
                                       header)
    assert "n_children" in with_children and "kec_code" not in with_children


def test_fast_typed_read_gives_the_estimates_of_other_readers(classified, monkeypatch):
    from_parquet = _estimates(classified["parquet"])
    c_engine = _estimates(classified["csv"])
    _pyarrow_only(monkeypatch)
    fast = _estimates(classified["csv"])
    assert len(fast) > 500
    pd.testing.assert_frame_equal(fast, c_engine, check_exact=True)
    pd.testing.assert_frame_equal(fast, from_parquet, check_exact=False, rtol=1e-12)
    # P0 of the whole population and its SE (with-replacement PSU totals within strata), with pandas
    table = pd.read_csv(classified["csv"], dtype={"strata": str, "psu": str})
    pw = table["weight"] * table["hh_size"]
    poor = (table["exp_pc"] < table["poverty_line"]).astype(float)
    p0 = (pw * poor).sum() / pw.sum()
    scores = (pw * (poor - p0) / pw.sum()).groupby([table["strata"], table["psu"]]).sum()
    by_stratum = scores.groupby(level=0)
    var = sum(len(g) / (len(g) - 1) * ((g - g.mean()) ** 2).sum() for _, g in by_stratum)
    flat = fast.reset_index()
    got = flat[(flat["domain"] == ()) & (flat["measure"] == "P0")].iloc[0]
    assert got["estimate"] == pytest.approx(p0, rel=1e-12)
    assert got["se"] == pytest.approx(np.sqrt(var), rel=1e-9)


def test_a_cell_that_breaks_a_fixed_type_falls_back_to_inference(classified, tmp_path, monkeypatch):
    from peka.io import delimited
    from peka.io.readers import open_source

    table = pd.read_csv(classified["csv"], dtype=str, keep_default_na=False)
    table.loc[3, "exp_pc"] = "tidak tahu"  # text in a float column: pyarrow refuses the fixed type
    broken = tmp_path / "broken.csv"
    table.to_csv(broken, index=False)
    monkeypatch.setattr(delimited, "ARROW_TEXT_MIN_BYTES", 0)
    source = open_source(broken)
    frame = source.read(usecols=["exp_pc", "poor", "mpi_d_aset"], types={"exp_pc": "float", "poor": "bool",
                                                                         "mpi_d_aset": "float"}).frame
    assert frame["exp_pc"].iloc[3] == "tidak tahu"  # read by the C engine, as without types
    assert frame["exp_pc"].iloc[0] == table["exp_pc"].iloc[0]
    clean = open_source(classified["csv"]).read(usecols=["exp_pc", "poor", "mpi_d_aset"],
                                                types={"exp_pc": "float", "poor": "bool", "mpi_d_aset": "float"}).frame
    assert clean["exp_pc"].dtype == np.float64 and clean["mpi_d_aset"].dtype == np.float64
    assert clean["poor"].dtype == "boolean"
    expected = pd.read_csv(classified["csv"], usecols=["exp_pc", "mpi_d_aset"])
    np.testing.assert_array_equal(clean["exp_pc"].to_numpy(), expected["exp_pc"].to_numpy())
    np.testing.assert_array_equal(clean["mpi_d_aset"].to_numpy(), expected["mpi_d_aset"].to_numpy(dtype=float))
