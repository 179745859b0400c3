"""The village-meeting round-trip: verdicts remove households, the next eligible ones are promoted so quotas stay
met, audit.csv records every change, the inputs are never altered, and a malformed return (edited id, unknown
verdict, duplicate row, a list of another run) is refused row by row with exit 3 and nothing applied."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from typer.testing import CliRunner

from peka.cli.app import app
from peka.errors import InputError
from tests.target.conftest import HOUSEHOLDS, PERSONS, target

DESA = "1172020001"


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def first(tmp_path):
    return target(tmp_path, "putaran1", programs=("pkh", "rtlh"), quota=4)


def _returned(first, tmp_path, verdicts: dict[int, tuple[str, str]], name="kembali.csv"):
    lists = pd.read_csv(first.output / "lists.csv", dtype=str, keep_default_na=False)
    mine = (lists["program"] == "pkh") & (lists["desa_code"] == DESA)
    for rank, (verdict, note) in verdicts.items():
        row = mine & (lists["rank"] == str(rank))
        lists.loc[row, "hasil_verifikasi"] = verdict
        lists.loc[row, "catatan"] = note
    path = tmp_path / name
    lists.to_csv(path, index=False)
    return path, lists


def test_rejected_removed_next_promoted_and_audited(tmp_path, first):
    full = target(tmp_path, "semua", programs=("pkh",))  # every eligible household in priority order
    order = full.lists[full.lists["desa_code"] == DESA]["hh_id"].tolist()
    path, lists = _returned(first, tmp_path, {1: ("tidak_layak", "punya usaha besar"), 2: ("layak", ""),
                                              3: ("meninggal", "")})
    before = {p: _digest(p) for p in (HOUSEHOLDS, PERSONS, path)}
    second = target(tmp_path, "putaran2", programs=("pkh", "rtlh"), quota=4, verified=(path,))
    assert {p: _digest(p) for p in before} == before  # inputs and the returned list untouched
    now = second.lists[(second.lists["program"] == "pkh") & (second.lists["desa_code"] == DESA)]
    # order[0] and order[2] removed; the quota of 4 is met again with the next two in priority order
    assert now["hh_id"].tolist() == [order[1], order[3], order[4], order[5]]
    assert now["rank"].tolist() == [1, 2, 3, 4]
    assert now["hasil_verifikasi"].tolist() == ["layak", "", "", ""]
    # the other programme and the other gampong are as before
    other = lambda run: run.lists[(run.lists["program"] == "rtlh") | (run.lists["desa_code"] != DESA)]  # noqa: E731
    assert other(second)[["program", "desa_code", "rank", "hh_id"]].reset_index(drop=True).equals(
        other(first)[["program", "desa_code", "rank", "hh_id"]].reset_index(drop=True))
    audit = pd.read_csv(second.output / "audit.csv", dtype=str, keep_default_na=False)
    judged = audit[audit["verdict"] != ""].set_index("hh_id")
    assert judged.loc[order[0], "after"] == "dikeluarkan" and judged.loc[order[0], "note"] == "punya usaha besar"
    assert judged.loc[order[1], "after"] == "terdaftar peringkat 1"
    assert judged.loc[order[2], ["verdict", "after"]].tolist() == ["meninggal", "dikeluarkan"]
    assert set(judged["source_file"]) == {"kembali.csv"}
    rows = lists.index[(lists["program"] == "pkh") & (lists["desa_code"] == DESA)][:3] + 2  # header is line 1
    assert sorted(judged["row"].astype(int)) == sorted(rows.tolist())
    promoted = audit[audit["before"] == "tidak terdaftar"]
    assert promoted["hh_id"].tolist() == [order[4], order[5]]
    assert promoted["after"].tolist() == ["dipromosikan peringkat 3", "dipromosikan peringkat 4"]


@pytest.mark.parametrize("damage", ["edited_id", "unknown_verdict", "duplicate", "other_run"])
def test_malformed_returns_are_refused_row_by_row(tmp_path, first, damage):
    path, lists = _returned(first, tmp_path, {1: ("tidak_layak", "")})
    if damage == "edited_id":
        lists.loc[5, "hh_id"] = lists.loc[5, "hh_id"][:-1] + "9"
    elif damage == "unknown_verdict":
        lists.loc[5, "hasil_verifikasi"] = "mungkin"
    elif damage == "duplicate":
        lists = pd.concat([lists, lists.iloc[[5]]], ignore_index=True)
    else:
        lists["run_id"] = "000000000000"
    lists.to_csv(path, index=False)
    with pytest.raises(InputError) as info:
        target(tmp_path, "putaran2", programs=("pkh", "rtlh"), quota=4, verified=(path,))
    message = str(info.value)
    assert "nothing was applied" in message and "kembali.csv row" in message
    if damage in ("edited_id", "unknown_verdict"):
        assert "kembali.csv row 7," in message  # frame row 5 is line 7 of the file
    assert not (tmp_path / "putaran2").exists()


def test_cli_edited_id_exits_3_and_writes_nothing(tmp_path, first):
    path, lists = _returned(first, tmp_path, {})
    lists.loc[0, "hh_id"] = "99999999999"
    lists.to_csv(path, index=False)
    digest = _digest(path)
    result = CliRunner().invoke(app, ["target", str(HOUSEHOLDS), "--persons", str(PERSONS), "-p", "pkh", "-p", "rtlh",
                                      "--quota", "4", "--verified", str(path), "-o", str(tmp_path / "d2")])
    assert result.exit_code == 3
    assert "row 2, column hh_id" in result.output
    assert not (tmp_path / "d2").exists() and _digest(path) == digest


def test_output_folder_holding_a_returned_list_is_refused(tmp_path, first):
    path, _ = _returned(first, tmp_path, {})
    inside = first.output / "kembali.csv"
    inside.write_bytes(path.read_bytes())
    result = CliRunner().invoke(app, ["target", str(HOUSEHOLDS), "--persons", str(PERSONS), "-p", "pkh", "-p", "rtlh",
                                      "--quota", "4", "--verified", str(inside), "-o", str(first.output)])
    assert result.exit_code == 2 and inside.exists()


def test_cli_limits_are_exclusive_and_folders_of_others_are_kept(tmp_path):
    args = ["target", str(HOUSEHOLDS), "--persons", str(PERSONS)]
    result = CliRunner().invoke(app, [*args, "--quota", "3", "--budget", "1000", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2
    mine = tmp_path / "punyaku"
    mine.mkdir()
    (mine / "catatan.txt").write_text("jangan dihapus", encoding="utf-8")
    result = CliRunner().invoke(app, [*args, "--quota", "3", "-o", str(mine)])
    assert result.exit_code == 2 and (mine / "catatan.txt").read_text(encoding="utf-8") == "jangan dihapus"
    result = CliRunner().invoke(app, [*args, "--program", "tidak_ada", "-o", str(tmp_path / "y")])
    assert result.exit_code == 4
