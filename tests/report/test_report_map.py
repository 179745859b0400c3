"""`peka report --boundaries`: the P0 map of the page, checked against `peka profile --by desa_code --format json`
with classes recomputed here from the documented breaks (5, 10, 15, 20, 30 %)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from peka.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "samples" / "sabang"
HH, PERSONS = SAMPLE / "households.csv", SAMPLE / "persons.csv"
BREAKS = [0.05, 0.10, 0.15, 0.20, 0.30]
UNKNOWN = "9999999999"


def invoke(*args: object):
    return CliRunner().invoke(app, ["-q", *map(str, args)])


def squares(codes: list[str], key: str = "desa_code", multi: bool = False) -> dict:
    features = []
    for i, code in enumerate(codes):
        x, y = 95.25 + 0.03 * i, 5.8 + 0.01 * (i % 2)
        ring = [[x, y], [x + 0.03, y], [x + 0.03, y + 0.03], [x, y + 0.03], [x, y]]
        geometry = ({"type": "MultiPolygon", "coordinates": [[ring]]} if multi and i % 2
                    else {"type": "Polygon", "coordinates": [ring]})
        features.append({"type": "Feature", "properties": {key: int(code) if i == 0 else code}, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


@pytest.fixture(scope="module")
def codes() -> list[str]:
    raw = pd.read_csv(HH, dtype={"desa_code": str})
    return sorted(raw["desa_code"].unique())[:4]


@pytest.fixture(scope="module")
def p0_by_code(tmp_path_factory) -> dict[str, float]:
    result = invoke("profile", HH, "--persons", PERSONS, "--by", "desa_code", "--format", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)["estimates"]
    return {r["domain"]["desa_code"]: r["estimate"] for r in records
            if r["measure"] == "P0" and list(r["domain"]) == ["desa_code"]}


def test_map_paths_follow_p0_classes(tmp_path: Path, codes: list[str], p0_by_code: dict[str, float]) -> None:
    geojson = tmp_path / "gampong.geojson"
    geojson.write_text(json.dumps(squares([*codes, UNKNOWN], multi=True)), encoding="utf-8")
    out = tmp_path / "laporan.html"
    result = CliRunner().invoke(app, ["report", str(HH), "--persons", str(PERSONS), "--boundaries", str(geojson),
                                      "-o", str(out)])  # not -q: the partial-match warning is shown
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert len(page.encode("utf-8")) < 2_000_000
    assert not re.search(r'(?:href|src)="(?!#)|url\(|@import', page)  # in-page anchors only (URLs appear as text)
    svg = re.search(r'<svg[^>]*class="chart map".*?</svg>', page, re.DOTALL).group(0)
    assert "http" not in svg and "href" not in svg
    paths = dict(re.findall(r'<path d="[^"]+"[^>]*data-code="(\d+)" data-class="(\w+)"', svg))
    assert sorted(paths) == sorted([*codes, UNKNOWN])
    for code in codes:
        expected = sum(p0_by_code[code] >= b for b in BREAKS)
        assert paths[code] == str(expected), code
    assert paths[UNKNOWN] == "none"
    assert len({paths[c] for c in codes}) >= 2  # the chosen gampong fall in different classes: the test can fail
    assert "4 of 5 features" in result.output


def test_boundary_key_option(tmp_path: Path, codes: list[str]) -> None:
    geojson = tmp_path / "gampong.geojson"
    geojson.write_text(json.dumps(squares(codes, key="KDDESA")), encoding="utf-8")
    out = tmp_path / "laporan.html"
    assert invoke("report", HH, "--persons", PERSONS, "--boundaries", geojson, "-o", out).exit_code == 3
    result = invoke("report", HH, "--persons", PERSONS, "--boundaries", geojson, "--boundary-key", "KDDESA", "-o",
                    out)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count('data-class="') == len(codes)


@pytest.mark.parametrize("content", ["{not json", json.dumps(squares([UNKNOWN, "123"])), json.dumps({"a": 1})])
def test_unreadable_or_unmatched_boundaries_exit_3(tmp_path: Path, content: str) -> None:
    geojson = tmp_path / "batas.geojson"
    geojson.write_text(content, encoding="utf-8")
    out = tmp_path / "laporan.html"
    result = invoke("report", HH, "--persons", PERSONS, "--boundaries", geojson, "-o", out)
    assert result.exit_code == 3
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "batas.geojson" in lines[0], result.output
    assert "Traceback" not in result.output
    assert not out.exists()
