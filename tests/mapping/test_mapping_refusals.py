"""Ambiguous headers (exit 4) and non-finite numbers (invalid values, exit 3), through the library and the real CLI."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from peka.cli.app import app
from peka.errors import ConfigError
from peka.mapping import apply_mapping, load_mapping, parse_mapping, resolve_sources

runner = CliRunner()

# four households, canonical names; weights and expenditure are plain finite numbers
HOUSEHOLDS = (
    "hh_id,hh_size,exp_pc,weight,strata,psu\n"
    "h1,2,600000,10.5,1,a\n"
    "h2,1,700000,12,1,b\n"
    "h3,3,700000,8,2,a\n"
    "h4,2,750000,9,2,b\n"
)


# these small files have no person table and few columns: only the monetary side can be classified
SKIP = ("--skip", "mpi", "--skip", "bps14", "--skip", "causes")


def _stderr_line(result) -> str:  # type: ignore[no-untyped-def]
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("peka: error: ") and "Traceback" not in result.stderr
    return lines[0]


def _run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["-q", *args])


# ---- ambiguous headers ------------------------------------------------------------------------------------------


def _with_two_weights(path: Path, first: str, second: str) -> Path:
    frame = pd.read_csv(io.StringIO(HOUSEHOLDS), dtype=str)
    frame[first] = frame.pop("weight")
    frame[second] = ["1", "1", "1", "1"]
    frame.to_csv(path, index=False)
    return path


def test_the_file_without_a_second_weight_column_is_valid(tmp_path: Path) -> None:
    # the control for the tests below: what makes them exit 4 is the second weight column, nothing else
    path = tmp_path / "rt.csv"
    path.write_text(HOUSEHOLDS, encoding="utf-8")
    assert _run("validate", str(path), "--mapping", "canonical").exit_code == 0
    assert _run("classify", str(path), "--mapping", "canonical", *SKIP).exit_code == 0


@pytest.mark.parametrize("command", ["validate", "classify"])
def test_headers_equal_after_case_and_space_folding_are_an_error_naming_both(tmp_path: Path, command: str) -> None:
    path = _with_two_weights(tmp_path / "rt.csv", "WEIGHT ", "Weight")
    result = _run(command, str(path))  # mapping detected (canonical)
    assert result.exit_code == 4
    line = _stderr_line(result)
    # the CSV reader strips spaces around header names: the file's "WEIGHT " is shown as 'WEIGHT'
    assert "'WEIGHT'" in line and "'Weight'" in line and "rt.csv" in line and "column weight" in line


@pytest.mark.parametrize("command", ["validate", "classify"])
def test_two_present_alternatives_are_an_error_naming_both(tmp_path: Path, command: str) -> None:
    path = _with_two_weights(tmp_path / "rt.csv", "WERT", "FWT")
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        'name = "m"\n[household]\nhh_id = "hh_id"\nhh_size = "hh_size"\nexp_pc = "exp_pc"\n'
        'weight = { from = ["WERT", "FWT"] }\n',
        encoding="utf-8",
    )
    result = _run(command, str(path), "--mapping", str(mapping))
    assert result.exit_code == 4
    line = _stderr_line(result)
    assert "'WERT'" in line and "'FWT'" in line and "rt.csv" in line


def test_one_present_alternative_is_used() -> None:
    mapping = load_mapping("susenas")
    resolved = resolve_sources(mapping, "household", ["URUT", "R301", "fwt"], file="kor.csv")
    assert resolved["weight"] == "fwt"
    with pytest.raises(ConfigError) as info:
        resolve_sources(mapping, "household", ["URUT", "R301", "FWT", "wert"], file="kor.csv")
    assert info.value.exit_code == 4
    assert "'wert' and 'FWT'" in str(info.value) and str(info.value).startswith("kor.csv: ")


# ---- numbers are finite -----------------------------------------------------------------------------------------


def _raw_numbers(values: list[object]) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame({"_row": np.arange(2, n + 2), "ID": [f"{i}" for i in range(n)], "ART": [1] * n, "E": values})


@pytest.mark.parametrize("decimal", [".", ","])
def test_infinite_and_overflowing_text_is_an_invalid_value(decimal: str) -> None:
    mapping = parse_mapping('name = "t"\n[household]\nhh_id = "ID"\nhh_size = "ART"\nexp_pc = "E"\nweight = "E"\n')
    values = ["inf", "-inf", "Infinity", "1e400", "-1E400", "5"]
    raw = _raw_numbers(values)
    raw["E"] = raw["E"].astype("str")
    out = apply_mapping(raw, mapping, "household", file="rt.csv", decimal=decimal)
    for column in ("exp_pc", "weight"):
        assert out.frame[column].isna().tolist() == [True] * 5 + [False]
        assert out.frame[column].iloc[5] == 5.0
    found = [(f.row, f.column, f.check, f.severity) for f in out.findings if f.column == "E"]
    # the source column E feeds two canonical columns: each reports the five cells (rows 2..6 of the file)
    assert sorted(found) == sorted([(r, "E", "type", "error") for r in range(2, 7)] * 2)


@pytest.mark.parametrize("kind_column", ["exp_pc", "hh_size"])  # a float and an int column
def test_infinite_floats_from_binary_files_are_invalid_values(kind_column: str) -> None:
    size = "E" if kind_column == "hh_size" else "ART"
    extra = "" if kind_column == "hh_size" else f'{kind_column} = "E"\n'
    mapping = parse_mapping(f'name = "t"\n[household]\nhh_id = "ID"\nhh_size = "{size}"\n{extra}')
    out = apply_mapping(_raw_numbers([np.inf, 3.0, -np.inf]), mapping, "household", file="rt.parquet")
    assert out.frame[kind_column].isna().tolist() == [True, False, True]
    assert [(f.row, f.check, f.message.split(" (")[0]) for f in out.findings] == [
        (2, "type", "not a finite number"),
        (4, "type", "not a finite number"),
    ]


def test_a_scale_that_overflows_is_an_invalid_value() -> None:
    mapping = parse_mapping(
        'name = "t"\n[household]\nhh_id = "ID"\nhh_size = "ART"\nexp_pc = { from = "E", scale = 1e10 }\n'
    )
    out = apply_mapping(_raw_numbers([1e300, 2.0]), mapping, "household", file="rt.csv")
    assert out.frame["exp_pc"].tolist()[1] == 2e10 and np.isnan(out.frame["exp_pc"].iloc[0])
    assert [(f.row, f.check) for f in out.findings] == [(2, "type")]


def test_an_infinite_value_target_in_a_mapping_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        parse_mapping(
            'name = "t"\n[household]\nhh_id = "ID"\nhh_size = "ART"\nexp_pc = { from = "E", values = { "9" = inf } }\n'
        )
    assert info.value.key == "household.exp_pc.values.9"


def _with_cell(path: Path, column: str, row_index: int, text: str) -> Path:
    frame = pd.read_csv(io.StringIO(HOUSEHOLDS), dtype=str)
    frame.loc[row_index, column] = text
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("column", "text"), [("weight", "inf"), ("exp_pc", "inf"), ("exp_pc", "1e400")])
def test_classify_fails_on_an_infinite_weight_or_expenditure_naming_row_and_column(
    tmp_path: Path, column: str, text: str
) -> None:
    path = _with_cell(tmp_path / "rt.csv", column, 1, text)  # h2: file line 3
    result = _run("classify", str(path), "--mapping", "canonical", *SKIP)
    assert result.exit_code == 3
    line = _stderr_line(result)
    assert "row 3" in line and repr(column) in line and "rt.csv" in line


def test_classify_skip_rejects_the_row_with_an_infinite_weight(tmp_path: Path) -> None:
    path = _with_cell(tmp_path / "rt.csv", "weight", 1, "inf")
    out = tmp_path / "hasil.csv"
    result = _run("classify", str(path), "--mapping", "canonical", *SKIP, "--on-invalid", "skip", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    rejects = pd.read_csv(tmp_path / "hasil.rejects.csv")
    assert rejects[["_row", "column", "check"]].values.tolist() == [[3, "weight", "type"]]
    assert pd.read_csv(out, dtype=str)["hh_id"].tolist() == ["h1", "h3", "h4"]


def _frame_with_inf_weight() -> pd.DataFrame:
    frame = pd.read_csv(io.StringIO(HOUSEHOLDS), dtype={"hh_id": str, "strata": str, "psu": str})
    frame["weight"] = frame["weight"].astype("float64")
    frame.loc[2, "weight"] = np.inf  # h3: the third case
    return frame


def test_classify_fails_on_an_infinite_weight_in_parquet(tmp_path: Path) -> None:
    path = tmp_path / "rt.parquet"
    _frame_with_inf_weight().to_parquet(path, index=False)
    result = _run("classify", str(path), "--mapping", "canonical", *SKIP)
    assert result.exit_code == 3
    line = _stderr_line(result)
    assert "row 3" in line and "'weight'" in line


def test_classify_fails_on_an_infinite_weight_in_sav(tmp_path: Path) -> None:
    path = tmp_path / "rt.sav"
    pyreadstat.write_sav(_frame_with_inf_weight(), str(path))
    assert np.isinf(pyreadstat.read_sav(str(path))[0]["weight"]).sum() == 1  # SPSS keeps inf (Stata cannot store it)
    result = _run("classify", str(path), "--mapping", "canonical", *SKIP)
    assert result.exit_code == 3
    line = _stderr_line(result)
    assert "row 3" in line and "'weight'" in line
