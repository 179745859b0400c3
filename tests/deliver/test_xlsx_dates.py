"""Every workbook peka writes records the same creation date, so reruns on unchanged inputs give the same bytes
(xlsxwriter stamps the current time otherwise)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from peka.cli.app import app

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "sabang"
SURVEY = [str(SAMPLE / "households.csv"), "--persons", str(SAMPLE / "persons.csv")]


def created(path: Path) -> list[str]:
    core = zipfile.ZipFile(path).read("docProps/core.xml").decode()
    return re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]+)<", core)


def test_profile_report_and_lists_workbooks_have_the_fixed_date(tmp_path: Path) -> None:
    runner = CliRunner()
    commands = {
        "profile.xlsx": ["profile", *SURVEY, "-o", str(tmp_path / "profile.xlsx")],
        "report.xlsx": ["report", *SURVEY, "-o", str(tmp_path / "report.xlsx")],
        "classified.xlsx": ["classify", *SURVEY, "-o", str(tmp_path / "classified.xlsx")],
        "daftar/musyawarah.xlsx": ["target", *SURVEY, "--program", "pkh", "--quota", "3", "-o",
                                   str(tmp_path / "daftar")],
    }
    for name, argv in commands.items():
        result = runner.invoke(app, argv)
        assert result.exit_code == 0, (name, result.output)
        assert created(tmp_path / name) == ["2000-01-01T00:00:00Z", "2000-01-01T00:00:00Z"], name
