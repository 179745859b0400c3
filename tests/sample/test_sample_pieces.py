"""Samples bigger than memory: ``generate_pieces`` and ``write_sample_pieces`` (``peka sample`` above 1M households)."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import peka.sample
from peka.cli.app import app
from peka.deliver.sample import write_sample, write_sample_pieces
from peka.sample import generate, generate_pieces
from peka.sample.pieces import piece_sizes
from peka.schema.checks import validate
from peka.schema.model import Survey


def whole(pieces: list[Survey]) -> Survey:
    return Survey(households=pd.concat([p.households for p in pieces], ignore_index=True),
                  persons=pd.concat([p.persons for p in pieces], ignore_index=True))


def test_piece_sizes_add_up_and_differ_by_at_most_one():
    for n, piece in ((2_500_000, 1_000_000), (10_000_000, 1_000_000), (7, 3), (3, 3)):
        sizes = piece_sizes(n, piece)
        assert sum(sizes) == n and max(sizes) <= piece and max(sizes) - min(sizes) <= 1
        assert len(sizes) == -(-n // piece)


def test_one_piece_is_generate_itself():
    (only,) = generate_pieces(400, seed=9)
    reference = generate(400, seed=9)
    pd.testing.assert_frame_equal(only.households, reference.households)
    pd.testing.assert_frame_equal(only.persons, reference.persons)


def test_pieces_form_one_valid_survey_with_distinct_ids_and_strata():
    pieces = list(generate_pieces(900, seed=4, piece=300))
    assert [len(p.households) for p in pieces] == [300, 300, 300]
    survey = whole(pieces)
    hh, persons = survey.households, survey.persons
    assert hh["hh_id"].is_unique and hh["kk_no"].is_unique and persons["nik"].is_unique
    assert hh["head_nik"].isin(persons["nik"]).all() and persons["hh_id"].isin(hh["hh_id"]).all()
    assert all(hh["hh_id"].str.fullmatch(r"\d+")) and all(persons["nik"].str.len() == 16)
    strata = [set(p.households["strata"].astype(str)) for p in pieces]
    assert not (strata[0] & strata[1]) and not (strata[1] & strata[2])
    # the pieces are different draws (own seeds), not copies
    assert not pieces[0].households["exp_pc"].equals(pieces[1].households["exp_pc"])
    report = validate(survey)
    assert report.ok, report.frame[report.frame["severity"] == "error"].head()


def test_written_pieces_equal_the_whole_survey_written_at_once(tmp_path):
    pieces = list(generate_pieces(600, seed=2, piece=250))
    files, households, persons = write_sample_pieces(iter(pieces), tmp_path / "pieces", ("csv", "parquet", "csv-id"))
    assert (households, persons) == (600, sum(len(p.persons) for p in pieces))
    write_sample(whole(pieces), tmp_path / "at_once", ("csv", "parquet", "csv-id"))
    for name in ("households.csv", "persons.csv", "households_id.csv"):
        assert (tmp_path / "pieces" / name).read_bytes() == (tmp_path / "at_once" / name).read_bytes(), name
    for name in ("households.parquet", "persons.parquet"):
        got = pq.read_table(tmp_path / "pieces" / name).to_pandas()
        want = pq.read_table(tmp_path / "at_once" / name).to_pandas()
        pd.testing.assert_frame_equal(got, want, check_categorical=False)
    assert sorted(p.name for p in files) == sorted(p.name for p in (tmp_path / "pieces").iterdir())


def test_cli_writes_big_samples_in_pieces_and_refuses_whole_file_formats(tmp_path, monkeypatch):
    monkeypatch.setattr(peka.sample, "PIECE_HOUSEHOLDS", 200)
    out = tmp_path / "big"
    result = CliRunner().invoke(app, ["sample", "-n", "500", "--seed", "3", "--formats", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    hh = pd.read_csv(out / "households.csv", dtype={"hh_id": str})
    persons = pd.read_csv(out / "persons.csv", dtype={"hh_id": str})
    assert len(hh) == 500 and hh["hh_id"].is_unique and len(persons) == hh["hh_size"].sum()
    assert "500 households" in result.output
    refused = CliRunner().invoke(app, ["sample", "-n", "500", "--formats", "csv,sav", "--out", str(tmp_path / "x")])
    assert refused.exit_code == 2 and "piece by piece" in refused.output
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("bad", [["--strata", "7"]])
def test_cli_refuses_a_bad_shape_before_writing_pieces(tmp_path, monkeypatch, bad):
    monkeypatch.setattr(peka.sample, "PIECE_HOUSEHOLDS", 200)
    result = CliRunner().invoke(app, ["sample", "-n", "500", *bad, "--out", str(tmp_path / "y")])
    assert result.exit_code == 2 and not (tmp_path / "y").exists()
