"""No NIK / No KK (in any spelling) and no name leaves peka through a message, report, rejects file or log line.

A planted input — the four clean households of tests/data/bad/ok_households.csv plus rows carrying NIKs written
plainly, in groups (spaces, dashes, dots) and in scientific notation, in id, number and text columns, and names in
number and code columns — goes through `peka validate` (table and --json), `peka classify --on-invalid fail` (the
error line), `peka classify --on-invalid skip -o … --log-file … -v` and `peka profile --on-invalid skip`. Every file
written and every stdout/stderr is scanned for each planted NIK (as written, and as digits once separators are
stripped) and each name. The scan is checked to be able to fail: the same scan finds them in the input files.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "data" / "bad"

# each planted NIK: (as written in the input, its 16 digits)
NIKS = {
    "plain_id": ("1172010101010005", "1172010101010005"),
    "spaced": ("1172 0101 0101 0006", "1172010101010006"),
    "dashed": ("1172-0101-0101-0007", "1172010101010007"),
    "dotted": ("1172.0101.0101.0008", "1172010101010008"),
    "scientific": ("1.17201E+15", "1172010000000000"),  # what Excel shows of a 16-digit number
    "spaced_number": ("1172 0101 0101 0009", "1172010101010009"),
    "person_dashed": ("1172-0101-0101-0010", "1172010101010010"),
    "person_nik_spaced": ("1172 0101 0101 0011", "1172010101010011"),
    "in_text": ("1172010101010012", "1172010101010012"),
}
# names planted where a number or a code belongs
PLANTED_NAMES = ("Iskandar Uji", "Zulkifli", "Cut Meutia Sari", "Dewi Lestari", "Rahmat Uji Coba")

HH_HEADER = "hh_id,hh_size,exp_hh,weight,strata,psu,head_nik,head_name,floor_material,head_age,kec_name,address"


def planted(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """Households and persons CSV with the planted values; returns the paths and every personal value of the input
    (names and NIKs of the clean rows too: they are personal columns and must not be shown either)."""
    ok = list(csv.DictReader((BAD / "ok_households.csv").open(encoding="utf-8")))
    lines = [HH_HEADER]
    for r in ok:
        # clean rows, with NIKs in the personal text columns (never shown, never copied without --include-personal)
        lines.append(
            f"{r['hh_id']},{r['hh_size']},{r['exp_hh']},{r['weight']},{r['strata']},{r['psu']},{r['head_nik']},"
            f"{r['head_name']},{r['floor_material']},{r['head_age']},Sukajaya,Jl. Mawar KK {NIKS['in_text'][0]}"
        )
    lines += [
        # a No KK as household id, a name where the age belongs
        f"{NIKS['plain_id'][0]},1,800000,10,3,a,{NIKS['spaced'][0]},Iskandar Uji,tanah,Iskandar Uji,Sukajaya,Jl. A",
        # the household id as Excel shows a 16-digit number (id_as_number)
        f"{NIKS['scientific'][0]},1,800000,10,3,b,,Zulkifli,tanah,Zulkifli,Sukajaya,Jl. B",
        # a dashed NIK where the household size belongs, a dotted one in a text column
        f"h7,{NIKS['dashed'][0]},800000,10,3,a,,Budi,tanah,30,{NIKS['dotted'][0]},Jl. C",
        # a spaced NIK where the expenditure belongs; a name as a floor code; a name as the only stratum of a PSU
        f"h8,1,{NIKS['spaced_number'][0]},10,Dewi Lestari,z,,Ani,Cut Meutia Sari,44,Sukajaya,Jl. D",
        # a three-word name where the age belongs
        "h9,1,800000,10,3,b,,Ani,tanah,Rahmat Uji Coba,Sukajaya,Jl. E",
    ]
    households = tmp_path / "households.csv"
    households.write_text("\n".join(lines) + "\n", encoding="utf-8")
    persons_lines = (BAD / "ok_persons.csv").read_text(encoding="utf-8").splitlines()
    persons_lines += [
        f"{NIKS['plain_id'][0]},1,{NIKS['person_nik_spaced'][0]},Iskandar Uji,40,l",  # follows its household
        f"{NIKS['person_dashed'][0]},1,,Rahmat Uji Coba,30,p",  # orphan whose household id is a dashed NIK
        "h9,1,,Rahmat Uji Coba,Rahmat Uji Coba,l",
    ]
    persons = tmp_path / "persons.csv"
    persons.write_text("\n".join(persons_lines) + "\n", encoding="utf-8")
    personal = [r["head_nik"] for r in ok] + [r["head_name"] for r in ok]
    people = list(csv.DictReader((BAD / "ok_persons.csv").open(encoding="utf-8")))
    personal += [p["nik"] for p in people] + [p["name"] for p in people]
    return households, persons, personal


_DIGIT_GROUPS = re.compile(r"\d(?:[\d .\-/]*\d)?")


def leaks(text: str, personal: list[str]) -> list[str]:
    """Planted NIKs (as written; their digits in any grouping; their first 12 digits) and names found in text."""
    found = []
    digit_runs = [re.sub(r"\D", "", g) for g in _DIGIT_GROUPS.findall(text)]
    for key, (written, digits) in NIKS.items():
        lowered = text.lower()
        if written.lower() in lowered or any(digits[:12] in run for run in digit_runs):
            found.append(key)
    for value in (*PLANTED_NAMES, *personal):
        if value and value in text:
            found.append(value)
    return found


def peka(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "peka", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300
    )


def test_the_scan_finds_what_was_planted(tmp_path: Path):
    households, persons, personal = planted(tmp_path)
    text = households.read_text(encoding="utf-8") + persons.read_text(encoding="utf-8")
    assert set(leaks(text, personal)) >= set(NIKS) | set(PLANTED_NAMES)
    # and each NIK spelling alone, so a masking that missed one spelling would be caught
    for written, _ in NIKS.values():
        assert leaks(f"value {written!r}", []), written


@pytest.mark.slow
def test_no_planted_nik_or_name_leaves_peka(tmp_path: Path):
    households, persons, personal = planted(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    inputs = {households, persons}
    runs = {
        "validate": peka("validate", str(households), "--persons", str(persons), cwd=work),
        "validate --json": peka("validate", str(households), "--persons", str(persons), "--json", cwd=work),
        "classify fail": peka("classify", str(households), "--persons", str(persons), cwd=work),
        "classify skip": peka(
            "-v", "--log-file", str(work / "run.log"), "classify", str(households), "--persons", str(persons),
            "--on-invalid", "skip", "-o", str(work / "hasil.csv"), "--skip", "mpi", "--skip", "bps14", cwd=work,
        ),
        "profile skip": peka(
            "-v", "--log-file", str(work / "run.log"), "profile", str(households), "--persons", str(persons),
            "--on-invalid", "skip", "-o", str(work / "profil.csv"), "--lonely-psu", "adjust", "--skip", "mpi",
            "--skip", "bps14", cwd=work,
        ),
    }  # fmt: skip
    # the runs did what they should: validate and a failing classify exit 3, the skipping runs succeed
    assert runs["validate"].returncode == 3 and runs["validate --json"].returncode == 3
    assert runs["classify fail"].returncode == 3 and "peka: error:" in runs["classify fail"].stderr
    assert runs["classify skip"].returncode == 0, runs["classify skip"].stderr
    assert runs["profile skip"].returncode == 0, runs["profile skip"].stderr
    written = sorted(p for p in work.rglob("*") if p.is_file() and p not in inputs)
    names = {p.name for p in written}
    assert {"hasil.csv", "hasil.rejects.csv", "profil.csv", "profil.rejects.csv", "run.log"} <= names, names
    # the rejects name the rejected rows: 5 planted households, the 3 planted persons and the member of one
    rejects = list(csv.DictReader((work / "hasil.rejects.csv").open(encoding="utf-8")))
    assert {int(r["_row"]) for r in rejects if r["table"] == "household"} == {6, 7, 8, 9, 10}
    assert "***" in {r["hh_id"] for r in rejects}  # the No KK used as a household id is masked
    assert len(list(csv.DictReader((work / "hasil.csv").open(encoding="utf-8")))) == 4  # the clean households
    problems = {}
    for name, run in runs.items():
        for stream in ("stdout", "stderr"):
            found = leaks(getattr(run, stream), personal)
            if found:
                problems[f"{name} {stream}"] = found
    for path in written:
        found = leaks(path.read_text(encoding="utf-8", errors="replace"), personal)
        if found:
            problems[path.name] = found
    assert not problems, problems
    # the report still says what was wrong where (row and column), only the value is hidden
    assert "head_age" in runs["validate --json"].stdout and "not a number" in runs["validate --json"].stdout
