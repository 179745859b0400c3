"""Write the deliberately broken input files of tests/data/bad/ and their manifest, cases.toml.

Run from anywhere: ``python tests/data/bad/make.py``. Output is deterministic (fixed seeds, fixed XLSX timestamps),
so the committed files can be regenerated and compared byte for byte. Every file is small (a few rows) except
huge_field.csv (one 200 KB cell).

Each case in cases.toml gives the command line (arguments after ``peka``, paths relative to this folder), the
expected exit code, substrings the one-line error on stderr must contain (file name, row, column) and
``forbidden`` strings (NIKs and names in the file) that must never appear on stderr.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parents[2] / "data" / "samples" / "sabang"  # frozen: its bytes are tested

HH_HEADER = "hh_id,hh_size,exp_hh,weight,strata,psu,head_nik,head_name,floor_material,head_age"
NIKS = ("1172011203800001", "1172014506850002", "1172012201900003", "1172010107700004")
NAMES = ("Siti Aminah", "Teuku Rahmat", "Cut Nyak Dhien", "Nurul Huda")
HH_ROWS = (  # file lines 2-5; sizes 2, 1, 3, 2
    f"h1,2,1200000,10.5,1,a,{NIKS[0]},{NAMES[0]},tanah,40",
    f"h2,1,700000,12,1,b,{NIKS[1]},{NAMES[1]},keramik,71",
    f"h3,3,2100000,8,2,a,{NIKS[2]},{NAMES[2]},semen,35",
    f"h4,2,1500000,9,2,b,{NIKS[3]},{NAMES[3]},kayu,52",
)
P_HEADER = "hh_id,person_no,nik,name,age,sex"
P_NIKS = ("1172011203800001", "1172015003050011", "1172014506850002", "1172012201900003",
          "1172011010100031", "1172012020150032", "1172010107700004", "1172016101800041")  # fmt: skip
P_NAMES = ("Siti Aminah", "Budi Santoso", "Teuku Rahmat", "Cut Nyak Dhien", "Rahmat Hidayat", "Nur Aini",
           "Nurul Huda", "Dewi Sartika")  # fmt: skip
P_ROWS = (  # file lines 2-9
    f"h1,1,{P_NIKS[0]},{P_NAMES[0]},40,p",
    f"h1,2,{P_NIKS[1]},{P_NAMES[1]},12,l",
    f"h2,1,{P_NIKS[2]},{P_NAMES[2]},71,l",
    f"h3,1,{P_NIKS[3]},{P_NAMES[3]},35,p",
    f"h3,2,{P_NIKS[4]},{P_NAMES[4]},10,l",
    f"h3,3,{P_NIKS[5]},{P_NAMES[5]},3,p",
    f"h4,1,{P_NIKS[6]},{P_NAMES[6]},52,l",
    f"h4,2,{P_NIKS[7]},{P_NAMES[7]},50,p",
)
SECRETS = sorted(set(NIKS) | set(NAMES) | set(P_NIKS) | set(P_NAMES))
FIXED_TIME = dt.datetime(2026, 1, 1)


def csv(lines: list[str] | tuple[str, ...], sep: str = ",") -> bytes:
    text = "\n".join(line.replace(",", sep) for line in lines) + "\n"
    return text.encode("utf-8")


def households(*, replace: dict[int, str] | None = None, header: str = HH_HEADER) -> bytes:
    """The four clean households with some file lines (2-5) replaced."""
    rows = list(HH_ROWS)
    for line, text in (replace or {}).items():
        rows[line - 2] = text
    return csv([header, *rows])


def persons(*, replace: dict[int, str] | None = None, extra: list[str] | None = None) -> bytes:
    rows = list(P_ROWS)
    for line, text in (replace or {}).items():
        rows[line - 2] = text
    return csv([P_HEADER, *rows, *(extra or [])])


def xlsx(path: Path, header: list[str], rows: list[list[object]], sheet: str = "households") -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": FIXED_TIME})
    ws = wb.add_worksheet(sheet)
    ws.write_row(0, 0, header)
    for i, row in enumerate(rows, start=1):
        ws.write_row(i, 0, row)
    wb.close()


def garbage(seed: int, n: int) -> bytes:
    return random.Random(seed).randbytes(n)


# ---- the cases ---------------------------------------------------------------------------------------------------
# name: (files to write {file: bytes | callable}, args, exit code, substrings, note)

CASES: list[dict[str, object]] = []


def case(name: str, args: list[str], exit_code: int, expect: list[str], note: str) -> None:
    CASES.append({"name": name, "args": args, "exit": exit_code, "stderr": expect, "note": note})


def build() -> dict[str, bytes | None]:
    """Every file of the folder (None: written by a helper) and the case list."""
    files: dict[str, bytes | None] = {}
    mapping = ["--mapping", "canonical"]

    files["ok_households.csv"] = households()
    files["ok_persons.csv"] = persons()
    case(
        "clean",
        ["validate", "ok_households.csv", "--persons", "ok_persons.csv"],
        0,
        [],
        "control: a clean pair of files validates with exit 0",
    )

    files["empty.csv"] = b""
    case("empty", ["validate", "empty.csv", *mapping], 3, ["empty.csv"], "a 0-byte file")

    files["header_only.csv"] = csv([HH_HEADER])
    case("header_only", ["validate", "header_only.csv", *mapping], 3, ["header_only.csv"], "a header and no data rows")

    files["wrong_delimiter.csv"] = csv([HH_HEADER, *HH_ROWS], sep=";")
    case(
        "wrong_delimiter",
        ["validate", "wrong_delimiter.csv", "--sep", ",", *mapping],
        3,
        ["wrong_delimiter.csv", "row 1", "--sep"],
        "';'-separated file read with --sep ',': the header is one column",
    )

    bad_bytes = households().replace(b"h2,1,700000", b"h2,1,7\xff\xfe0000")
    files["bad_encoding.csv"] = bad_bytes
    case(
        "bad_encoding",
        ["validate", "bad_encoding.csv", "--encoding", "utf-8", *mapping],
        3,
        ["bad_encoding.csv", "row 3"],
        "invalid UTF-8 bytes on line 3 with --encoding utf-8",
    )

    files["truncated.csv"] = csv([HH_HEADER, *HH_ROWS[:3], "h4,2"])
    case(
        "truncated",
        ["validate", "truncated.csv", *mapping],
        3,
        ["truncated.csv", "row 5"],
        "the last line is cut after hh_size (2 fields of 10)",
    )

    files["truncated_quote.csv"] = csv([HH_HEADER, *HH_ROWS[:3]]) + f'h4,2,1500000,9,2,b,{NIKS[3]},"Nurul'.encode()
    case(
        "truncated_quote",
        ["validate", "truncated_quote.csv", *mapping],
        3,
        ["truncated_quote.csv"],
        "the file ends inside a quoted field (a cut download)",
    )

    files["text_in_numeric.csv"] = households(replace={3: f"h2,1,satu juta,12,1,b,{NIKS[1]},{NAMES[1]},keramik,71"})
    case(
        "text_in_numeric",
        ["validate", "text_in_numeric.csv", *mapping],
        3,
        ["text_in_numeric.csv", "row 3", "exp_hh"],
        "text in the expenditure column",
    )

    files["duplicate_ids.csv"] = households(replace={5: f"h2,2,1500000,9,2,b,{NIKS[3]},{NAMES[3]},kayu,52"})
    case(
        "duplicate_ids",
        ["validate", "duplicate_ids.csv", *mapping],
        3,
        ["duplicate_ids.csv", "row 5", "hh_id", "row 3"],
        "h2 on lines 3 and 5",
    )

    files["negative_expenditure.csv"] = households(replace={4: f"h3,3,-250000,8,2,a,{NIKS[2]},{NAMES[2]},semen,35"})
    case(
        "negative_expenditure",
        ["validate", "negative_expenditure.csv", *mapping],
        3,
        ["negative_expenditure.csv", "row 4", "exp_hh"],
        "negative monthly expenditure",
    )

    files["zero_hh_size.csv"] = households(replace={2: f"h1,0,1200000,10.5,1,a,{NIKS[0]},{NAMES[0]},tanah,40"})
    case(
        "zero_hh_size",
        ["validate", "zero_hh_size.csv", *mapping],
        3,
        ["zero_hh_size.csv", "row 2", "hh_size"],
        "household size 0",
    )

    files["persons_orphan.csv"] = persons(extra=[f"h9,1,{P_NIKS[1]},{P_NAMES[1]},30,l"])
    case(
        "orphan_persons",
        ["validate", "ok_households.csv", "--persons", "persons_orphan.csv", *mapping],
        3,
        ["persons_orphan.csv", "row 10", "hh_id"],
        "a member of household h9, which is not in the household file",
    )

    files["duplicate_persons.csv"] = persons(replace={3: f"h1,1,{P_NIKS[1]},{P_NAMES[1]},12,l"})
    case(
        "duplicate_persons",
        ["validate", "ok_households.csv", "--persons", "duplicate_persons.csv", *mapping],
        3,
        ["duplicate_persons.csv", "row 3", "person_no"],
        "member 1 of h1 listed twice (lines 2 and 3)",
    )

    files["households_numeric_ids.csv"] = csv([HH_HEADER, *(r.replace("h", "117200", 1) for r in HH_ROWS)])
    files["persons_float_hh_id.csv"] = csv(
        [P_HEADER, *(r.replace("h", "117200", 1).replace(",", ".0,", 1) for r in P_ROWS)]
    )
    case(
        "persons_float_hh_id",
        ["validate", "households_numeric_ids.csv", "--persons", "persons_float_hh_id.csv", *mapping],
        3,
        ["persons_float_hh_id.csv", "row 2", "hh_id"],
        "persons' hh_id saved as 1172001.0 by a spreadsheet",
    )

    huge = "9" * 200_000
    files["huge_field.csv"] = households(replace={3: f"h2,{huge}x,700000,12,1,b,{NIKS[1]},{NAMES[1]},keramik,71"})
    case(
        "huge_field",
        ["validate", "huge_field.csv", *mapping],
        3,
        ["huge_field.csv", "row 3", "hh_size"],
        "a 200 KB cell in hh_size: reported, and the message stays short",
    )

    files["corrupt.sav"] = b"$FL2@(#) IBM SPSS STATISTICS 64-bit Linux 26.0.0.0" + garbage(1, 400)
    case("corrupt_sav", ["validate", "corrupt.sav"], 3, ["corrupt.sav"], "SPSS magic number followed by garbage")

    files["corrupt.dta"] = b"<stata_dta><header><release>118</release><byteorder>LSF" + garbage(2, 400)
    case("corrupt_dta", ["validate", "corrupt.dta"], 3, ["corrupt.dta"], "a Stata 14 header followed by garbage")

    files["truncated.sav"] = (SAMPLE / "susenas_kor_rt.sav").read_bytes()[:32_768]
    case(
        "truncated_sav",
        ["validate", "truncated.sav"],
        3,
        ["truncated.sav"],
        "the first 32 KB of the bundled Susenas-style .sav (990 KB): a cut download",
    )

    # the 32-byte SAS7BDAT magic number, then garbage
    sas_magic = bytes(12) + bytes.fromhex("C2EA8160B31411CFBD92080009C7318C181F1011")
    files["corrupt.sas7bdat"] = sas_magic + garbage(5, 600)
    case("corrupt_sas7bdat", ["validate", "corrupt.sas7bdat"], 3, ["corrupt.sas7bdat"],
         "the SAS7BDAT magic number followed by garbage")  # fmt: skip

    files["corrupt.parquet"] = b"PAR1" + garbage(6, 300) + b"PAR1"
    case("corrupt_parquet", ["validate", "corrupt.parquet"], 3, ["corrupt.parquet"],
         "Parquet magic bytes around garbage")  # fmt: skip

    files["extra_field.csv"] = households(replace={4: f"h3,3,2100000,8,2,a,{NIKS[2]},{NAMES[2]},semen,35,x"})
    case(
        "extra_field",
        ["validate", "extra_field.csv", *mapping],
        3,
        ["extra_field.csv", "row 4", "11 fields"],
        "a row with one field more than the header (an unquoted comma)",
    )

    files["duplicate_header.csv"] = households(header=HH_HEADER.replace("head_age", "hh_size"))
    case(
        "duplicate_header",
        ["validate", "duplicate_header.csv", *mapping],
        3,
        ["duplicate_header.csv", "row 1", "hh_size"],
        "hh_size twice in the header: which one would the mapping mean?",
    )

    files["undecodable.csv"] = households().replace(NAMES[1].encode(), b"Teuku R\x81hmat")
    case(
        "undecodable",
        ["validate", "undecodable.csv", *mapping],
        3,
        ["undecodable.csv", "row 3", "--encoding"],
        "byte 0x81 is invalid in UTF-8 and undefined in cp1252: no encoding to fall back to",
    )

    files["persons_missing_column.csv"] = persons().replace(b"hh_id,person_no,", b"hh_id,nomor,")
    case(
        "persons_missing_column",
        ["validate", "ok_households.csv", "--persons", "persons_missing_column.csv", *mapping],
        3,
        ["persons_missing_column.csv", "person_no"],
        "the person file has no person_no column",
    )

    case("file_not_found", ["validate", "no_such_file.csv"], 3, ["no_such_file.csv", "not found"],
         "a path that does not exist")  # fmt: skip

    files["households.json"] = b'[{"hh_id": "h1", "hh_size": 2}]\n'
    case("unknown_suffix", ["validate", "households.json"], 2, ["households.json", ".json"],
         "a format peka does not read: a usage error (exit 2) listing the suffixes it reads")  # fmt: skip

    files["nik_float.csv"] = households(replace={3: f"h2,1,700000,12,1,b,1.17201E+15,{NAMES[1]},keramik,71"})
    case(
        "nik_float_csv",
        ["validate", "nik_float.csv", *mapping],
        3,
        ["nik_float.csv", "row 3", "head_nik"],
        "a NIK Excel turned into 1.17201E+15",
    )

    files["nik_numeric.xlsx"] = None
    case(
        "nik_numeric_xlsx",
        ["validate", "nik_numeric.xlsx", *mapping],
        3,
        ["nik_numeric.xlsx", "row 2", "head_nik"],
        "an XLSX whose NIK cells are numbers (Excel keeps 15 significant digits: the last is lost)",
    )

    files["missing_required_column.csv"] = csv(
        [HH_HEADER.replace("hh_size,", "")] + [",".join(r.split(",")[:1] + r.split(",")[2:]) for r in HH_ROWS]
    )
    case(
        "missing_required_column",
        ["validate", "missing_required_column.csv", *mapping],
        3,
        ["missing_required_column.csv", "hh_size"],
        "no hh_size column",
    )

    files["unknown_category.csv"] = households(replace={3: f"h2,1,700000,12,1,b,{NIKS[1]},{NAMES[1]},marmer,71"})
    case(
        "unknown_category",
        ["validate", "unknown_category.csv", *mapping],
        3,
        ["unknown_category.csv", "row 3", "floor_material"],
        "floor code 'marmer' is not a canonical code",
    )

    files["weight_zero.csv"] = households(replace={4: f"h3,3,2100000,0,2,a,{NIKS[2]},{NAMES[2]},semen,35"})
    case(
        "weight_zero",
        ["validate", "weight_zero.csv", *mapping],
        3,
        ["weight_zero.csv", "row 4", "weight"],
        "a survey weight of 0",
    )

    files["hh_id_missing.csv"] = households(replace={4: f",3,2100000,8,2,a,{NIKS[2]},{NAMES[2]},semen,35"})
    case(
        "hh_id_missing",
        ["validate", "hh_id_missing.csv", *mapping],
        3,
        ["hh_id_missing.csv", "row 4", "hh_id"],
        "a household without id",
    )

    files["persons_age_range.csv"] = persons(replace={4: f"h2,1,{P_NIKS[2]},{P_NAMES[2]},171,l"})
    case(
        "persons_age_range",
        ["validate", "ok_households.csv", "--persons", "persons_age_range.csv", *mapping],
        3,
        ["persons_age_range.csv", "row 4", "age"],
        "age 171",
    )

    files["encrypted.xlsx"] = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 16 + garbage(3, 488)
    case(
        "encrypted_xlsx",
        ["validate", "encrypted.xlsx"],
        3,
        ["encrypted.xlsx"],
        "a password-protected workbook is an OLE2 container, not a zip",
    )

    files["not_really.xlsx"] = households()
    case("csv_named_xlsx", ["validate", "not_really.xlsx"], 3, ["not_really.xlsx"], "CSV text saved as .xlsx")

    files["binary.txt"] = b"\x00\x01\x02PK\x03\x04" + garbage(4, 500)
    case("binary_txt", ["validate", "binary.txt"], 3, ["binary.txt"], "a .txt holding binary data")

    files["mixed_decimals.csv"] = csv(
        [HH_HEADER.replace(",", ";"),
         f"h1;2;1.200.000,50;10,5;1;a;{NIKS[0]};{NAMES[0]};tanah;40",
         f"h2;1;700.000;12;1;b;{NIKS[1]};{NAMES[1]};keramik;71",
         f"h3;3;2100000.50;8;2;a;{NIKS[2]};{NAMES[2]};semen;35"]
    )  # fmt: skip
    case(
        "mixed_decimals",
        ["validate", "mixed_decimals.csv", *mapping],
        3,
        ["mixed_decimals.csv", "row 4", "exp_hh"],
        "decimal commas with dot thousands, and one dot-decimal number on line 4 that would read 100 times too big",
    )

    files["mapping_syntax_error.toml"] = b'name = "broken"\n[household]\nhh_id = "hh_id\n'
    case(
        "mapping_syntax_error",
        ["validate", "ok_households.csv", "--mapping", "mapping_syntax_error.toml"],
        4,
        ["mapping_syntax_error.toml"],
        "a TOML string that is never closed",
    )

    files["mapping_unknown_column.toml"] = b'name = "typo"\n[household]\nhh_id = "hh_id"\nhh_sizee = "hh_size"\n'
    case(
        "mapping_unknown_column",
        ["validate", "ok_households.csv", "--mapping", "mapping_unknown_column.toml"],
        4,
        ["mapping_unknown_column.toml", "hh_sizee"],
        "a mapping naming a canonical column that does not exist",
    )

    case(
        "unknown_mapping_name",
        ["validate", "ok_households.csv", "--mapping", "nosuchpreset"],
        4,
        ["nosuchpreset"],
        "neither a preset name nor a file",
    )

    files["persons_roster_short.csv"] = persons(extra=[]).replace(f"h1,2,{P_NIKS[1]},{P_NAMES[1]},12,l\n".encode(), b"")
    case(
        "roster_size_warning",
        ["validate", "ok_households.csv", "--persons", "persons_roster_short.csv"],
        0,
        [],
        "h1 declares 2 members and lists 1: a warning, not an error (exit 0)",
    )

    files["nik_short.csv"] = households(replace={2: f"h1,2,1200000,10.5,1,a,117201120380001,{NAMES[0]},tanah,40"})
    case("nik_short_warning", ["validate", "nik_short.csv"], 0, [], "a 15-digit NIK: a warning (exit 0)")

    files["single_psu.csv"] = households(replace={5: f"h4,2,1500000,9,3,b,{NIKS[3]},{NAMES[3]},kayu,52"})
    case(
        "single_psu_warning",
        ["validate", "single_psu.csv"],
        0,
        [],
        "stratum 3 has one PSU: a warning for `peka profile` (exit 0)",
    )
    return files


def write_nik_numeric_xlsx(path: Path) -> None:
    header = HH_HEADER.split(",")
    rows: list[list[object]] = []
    for line in HH_ROWS:
        cells: list[object] = line.split(",")
        cells[1], cells[2], cells[3], cells[9] = int(cells[1]), int(cells[2]), float(cells[3]), int(cells[9])
        # what Excel does to a NIK typed into a General cell: a number kept to 15 significant digits
        cells[6] = float(f"{float(cells[6]):.15g}")
        rows.append(cells)
    xlsx(path, header, rows)


def manifest() -> str:
    lines = [
        "# Broken inputs and what peka must do with each: written by make.py (do not edit by hand).",
        "# args: the command line after `peka` (paths relative to this folder); exit: the exit code;",
        "# stderr: substrings the one-line error must contain; forbidden: personal data never to appear on stderr.",
        f"forbidden = {_toml_list(SECRETS)}",
        "",
    ]
    for c in CASES:
        lines += [
            "[[case]]",
            f'name = "{c["name"]}"',
            f"args = {_toml_list(c['args'])}",  # type: ignore[arg-type]
            f"exit = {c['exit']}",
            f"stderr = {_toml_list(c['stderr'])}",  # type: ignore[arg-type]
            f'note = "{c["note"]}"',
            "",
        ]
    return "\n".join(lines)


def _toml_list(items: object) -> str:
    return "[" + ", ".join('"' + str(i).replace("\\", "\\\\").replace('"', '\\"') + '"' for i in items) + "]"  # type: ignore[attr-defined]


def main() -> None:
    files = build()
    for name, data in files.items():
        path = HERE / name
        if data is None:
            write_nik_numeric_xlsx(path)
        else:
            path.write_bytes(data)
    (HERE / "cases.toml").write_text(manifest(), encoding="utf-8")
    print(f"wrote {len(files)} files and {len(CASES)} cases to {HERE}")


if __name__ == "__main__":
    main()
