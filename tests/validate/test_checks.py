"""The data-quality checks on hand-built canonical tables: each expected finding is worked out from the rows."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from peka.errors import ExitCode, ValidationFailed
from peka.deliver.rejects import write_rejects
from peka.schema.checks import validate
from peka.schema.rejects import REJECT_COLUMNS, RowCounts, apply_on_invalid, format_row_counts
from peka.schema.findings import MASK, Finding
from peka.schema.model import Survey

NIK_A = "1172010101800001"
NIK_B = "1172010101800002"


def households(**overrides: object) -> pd.DataFrame:
    """Three clean households on file lines 2-4 (ids h1-h3, sizes 2, 1, 3)."""
    data: dict[str, object] = {
        "_row": [2, 3, 4],
        "hh_id": pd.Series(["h1", "h2", "h3"], dtype="str"),
        "hh_size": pd.array([2, 1, 3], dtype="Int64"),
        "exp_hh": [1_200_000.0, 700_000.0, 2_100_000.0],
        "exp_pc": [600_000.0, 700_000.0, 700_000.0],
        "weight": [10.0, 12.5, 8.0],
        "head_nik": pd.Series([NIK_A, NIK_B, "1172010101800003"], dtype="str"),
        "floor_material": pd.Series(["tanah", "keramik", "semen"], dtype="str"),
        "head_age": pd.array([40, 71, 35], dtype="Int64"),
        "asset_tv": pd.array([True, False, None], dtype="boolean"),
    }
    data.update(overrides)
    return pd.DataFrame(data)


def persons(**overrides: object) -> pd.DataFrame:
    """Six members matching households(): h1 has 2, h2 has 1, h3 has 3 (file lines 2-7)."""
    data: dict[str, object] = {
        "_row": [2, 3, 4, 5, 6, 7],
        "hh_id": pd.Series(["h1", "h1", "h2", "h3", "h3", "h3"], dtype="str"),
        "person_no": pd.array([1, 2, 1, 1, 2, 3], dtype="Int64"),
        "nik": pd.Series(
            [NIK_A, "1172010101800011", NIK_B, "1172010101800003", "1172010101800031", "1172010101800032"], dtype="str"
        ),
        "name": pd.Series(["Siti Aminah", "Budi", "Teuku Umar", "Cut Nyak", "Rahmat", "Nur"], dtype="str"),
        "age": pd.array([40, 12, 71, 35, 10, 3], dtype="Int64"),
        "sex": pd.Series(["p", "l", "l", "p", "l", "p"], dtype="str"),
    }
    data.update(overrides)
    return pd.DataFrame(data)


def survey(hh: pd.DataFrame | None = None, ps: pd.DataFrame | None = None, **kw: object) -> Survey:
    return Survey(
        households=households() if hh is None else hh,
        persons=ps,
        sources={"household": "rt.csv", "person": "art.csv"},
        **kw,  # type: ignore[arg-type]
    )


def found(report, check: str) -> list[Finding]:
    return [f for f in report.findings if f.check == check]


def test_clean_survey_has_no_errors_or_warnings():
    report = validate(survey(ps=persons()))
    assert report.ok
    assert report.errors == 0 and report.warnings == 0
    assert report.rows_in == {"household": 3, "person": 6}
    # asset_tv has 1 missing of 3 (33 %), below the 50 % warning share: information only
    assert [(f.check, f.column, f.severity) for f in report.findings] == [("missing", "asset_tv", "info")]
    assert report.error_rows["household"].size == 0


def test_missing_counts_are_info_below_half_and_warning_from_half():
    hh = households(
        asset_tv=pd.array([True, None, None], dtype="boolean"), head_age=pd.array([40, None, 35], dtype="Int64")
    )
    report = validate(survey(hh))
    by_col = {f.column: f for f in found(report, "missing")}
    assert by_col["asset_tv"].severity == "warning"  # 2 of 3 = 66.7 % >= 50 %
    assert "2 of 3" in by_col["asset_tv"].message
    assert by_col["head_age"].severity == "info"  # 1 of 3 = 33.3 %
    assert by_col["head_age"].row is None


def test_duplicate_household_id_names_each_duplicate_and_the_first_row():
    hh = households(hh_id=pd.Series(["h1", "h2", "h1"], dtype="str"))
    hh = pd.concat(
        [hh, households(_row=[5, 6, 7], hh_id=pd.Series(["h1", "h9", "h2"], dtype="str"))], ignore_index=True
    )
    report = validate(survey(hh))
    dups = found(report, "duplicate_id")
    # lines 4 and 5 repeat h1 (first on line 2); line 7 repeats h2 (first on line 3)
    assert [(f.row, f.value) for f in dups] == [(4, "h1"), (5, "h1"), (7, "h2")]
    assert all(f.severity == "error" and f.column == "hh_id" for f in dups)
    assert "row 2" in dups[0].message and "row 3" in dups[2].message
    assert report.error_rows["household"].tolist() == [4, 5, 7]


def test_zero_or_missing_household_size_is_an_error_and_too_large_is_out_of_range():
    hh = households(hh_size=pd.array([0, None, 41], dtype="Int64"), exp_pc=[np.nan] * 3)
    report = validate(survey(hh))
    assert [(f.row, f.value) for f in found(report, "hh_size_invalid")] == [(2, "0"), (3, None)]
    rng = found(report, "range")
    assert [(f.row, f.column, f.value) for f in rng] == [(4, "hh_size", "41")]  # max is 40 in model.py
    assert "40" in rng[0].message


def test_negative_expenditure_and_ranges():
    hh = households(
        exp_hh=[-5000.0, 700_000.0, 2_100_000.0],
        exp_pc=[np.nan, 700_000.0, 700_000.0],
        head_age=pd.array([9, 121, 120], dtype="Int64"),
    )
    report = validate(survey(hh))
    neg = found(report, "negative_expenditure")
    assert [(f.row, f.column, f.value) for f in neg] == [(2, "exp_hh", "-5000")]
    # head_age allows 10..120: 9 (line 2) and 121 (line 3) are out, 120 (line 4) is in
    assert [(f.row, f.value) for f in found(report, "range")] == [(2, "9"), (3, "121")]


def test_weights_missing_or_not_positive():
    report = validate(survey(households(weight=[0.0, np.nan, -1.0])))
    assert [f.row for f in found(report, "weight_invalid")] == [2, 3, 4]
    assert not found(report, "range")  # weight problems are reported once, as weight_invalid
    no_weight = validate(survey(households().drop(columns="weight")))
    assert no_weight.ok  # weights are optional: the check applies only when the column exists


def test_unknown_category_code():
    report = validate(survey(households(floor_material=pd.Series(["tanah", "marmer", None], dtype="str"))))
    unknown = found(report, "unknown_category")
    assert [(f.row, f.column, f.value) for f in unknown] == [(3, "floor_material", "marmer")]
    assert "keramik" in unknown[0].message  # the allowed codes are listed


def test_text_in_a_numeric_column_given_in_canonical_form():
    hh = households(head_age=pd.Series(["40", "tujuh puluh", None], dtype="str"))
    report = validate(survey(hh))
    # words where a number belongs could as well be a name: the value is masked, the message says what is wrong
    # (docs/privacy.md)
    assert [(f.row, f.column, f.value) for f in found(report, "type")] == [(3, "head_age", MASK)]
    assert found(report, "type")[0].message == "not a number (int expected)"


def test_nik_format_warning_is_masked():
    hh = households(head_nik=pd.Series(["117201010180001", NIK_B, "11720101018000AB"], dtype="str"))
    report = validate(survey(hh))
    bad = found(report, "nik_format")
    assert [(f.row, f.severity, f.value) for f in bad] == [(2, "warning", MASK), (4, "warning", MASK)]


def test_ids_that_look_like_floats():
    hh = households(
        hh_id=pd.Series(["1172000001", "1172000002.0", "h3"], dtype="str"),
        head_nik=pd.Series(["3.17201E+15", NIK_B, "1172010101800003.0"], dtype="str"),
    )
    report = validate(survey(hh))
    flagged = [(f.row, f.column, f.value) for f in found(report, "id_as_number")]
    assert flagged == [(2, "head_nik", MASK), (3, "hh_id", "1172000002.0"), (4, "head_nik", MASK)]
    assert not found(report, "nik_format")  # not reported twice
    numeric = validate(survey(households(head_nik=[3.172e15, 3.172e15, 3.172e15])))
    whole = found(numeric, "id_as_number")
    assert len(whole) == 1 and whole[0].row is None and whole[0].severity == "error"


def test_missing_required_column():
    report = validate(survey(households().drop(columns="hh_size")))
    missing = found(report, "missing_column")
    assert [(f.column, f.row, f.severity) for f in missing] == [("hh_size", None, "error")]


def test_orphan_duplicate_and_missing_members():
    ps = persons(
        hh_id=pd.Series(["h1", "h1", "h2", "h3", "h3", "h7"], dtype="str"),
        person_no=pd.array([1, 1, 1, 1, None, 1], dtype="Int64"),
    )
    report = validate(survey(ps=ps))
    assert [(f.row, f.value) for f in found(report, "orphan_person")] == [(7, "h7")]
    dup = found(report, "duplicate_person")
    assert [(f.row, f.column) for f in dup] == [(3, "person_no")] and "row 2" in dup[0].message
    assert [(f.row, f.column) for f in found(report, "missing_id")] == [(6, "person_no")]


def test_roster_size_differs_from_declared_size():
    ps = persons().iloc[[0, 2, 3, 4, 5]]  # h1 keeps 1 of its 2 members
    report = validate(survey(ps=ps))
    roster = found(report, "roster_size")
    assert [(f.table, f.row, f.severity) for f in roster] == [("household", 2, "warning")]
    assert "1 members" in roster[0].message


def test_design_warnings():
    hh = households(strata=pd.Series(["1", "1", "2"], dtype="str"), psu=pd.Series(["a", "b", "a"], dtype="str"))
    single = found(validate(survey(hh)), "design_single_psu")
    # stratum 1 has PSUs a and b; stratum 2 only a
    assert len(single) == 1 and "1 of 2 strata" in single[0].message and "peka profile" in single[0].message
    only_psu = validate(survey(households(psu=pd.Series(["a", "b", "a"], dtype="str"))))
    assert [f.severity for f in found(only_psu, "design_psu_without_strata")] == ["warning"]


def test_exp_pc_inconsistent_with_household_expenditure():
    # line 3: 700,000 / 1 = 700,000 agrees; line 4: 2,100,000 / 3 = 700,000 but 900,000 is given (29 % off);
    # line 2: 1,200,000 / 2 = 600,000 vs 600,005 is within the 1 % tolerance
    report = validate(survey(households(exp_pc=[600_005.0, 700_000.0, 900_000.0])))
    bad = found(report, "exp_pc_inconsistent")
    assert [(f.row, f.severity) for f in bad] == [(4, "warning")]
    assert "700,000.00" in bad[0].message


def test_reader_findings_and_user_missing_are_in_the_report():
    reader = Finding("rt.sav", "household", 5, "head_age", "type", "error", "not a number", "4O")
    user_missing = [{"table": "household", "column": "head_age", "code": 98, "label": "Tidak tahu", "count": 4}]
    report = validate(survey(findings=[reader], user_missing=user_missing))
    assert reader in report.findings
    um = found(report, "user_missing")
    assert len(um) == 1 and "4 values coded 98 (Tidak tahu)" in um[0].message
    assert report.error_rows["household"].tolist() == [5]
    doc = report.to_dict()
    assert doc["user_missing"] == user_missing
    json.dumps(doc)  # JSON-ready


def test_findings_are_sorted_errors_first_then_row():
    hh = households(
        hh_size=pd.array([2, 0, 3], dtype="Int64"),
        exp_hh=[-1.0, 700_000.0, 2_100_000.0],
        exp_pc=[np.nan] * 3,
        asset_tv=pd.array([None, None, None], dtype="boolean"),
    )
    report = validate(survey(hh))
    assert [(f.severity, f.row) for f in report.findings] == [
        ("error", 2),
        ("error", 3),
        ("warning", None),
        ("warning", None),
    ]


def test_fail_raises_with_first_error_and_count():
    hh = households(hh_size=pd.array([2, 0, 0], dtype="Int64"))
    report = validate(survey(hh))
    with pytest.raises(ValidationFailed) as info:
        apply_on_invalid(survey(hh), report, "fail")
    message = str(info.value)
    assert message.startswith("rt.csv, row 3, column 'hh_size': household size is missing, zero or negative")
    assert "(and 1 more error; run `peka validate` for the full report)" in message
    assert info.value.exit_code == ExitCode.INPUT_INVALID
    assert (info.value.file, info.value.row, info.value.column) == ("rt.csv", 3, "hh_size")


def test_fail_passes_a_clean_survey_through():
    s = survey(ps=persons())
    clean, rejects = apply_on_invalid(s, validate(s), "fail")
    assert clean is s and len(rejects) == 0 and list(rejects.columns) == list(REJECT_COLUMNS)


def test_skip_rejects_households_with_their_members_and_orphans_alone():
    hh = households(hh_size=pd.array([2, 0, 3], dtype="Int64"))  # h2 (line 3) is invalid
    ps = persons(
        hh_id=pd.Series(["h1", "h1", "h2", "h3", "h3", "h9"], dtype="str"),  # line 7 is an orphan
        age=pd.array([40, 12, 71, 35, 130, 3], dtype="Int64"),  # line 6 (h3) is out of range: takes h3 along
    )
    s = survey(hh, ps)
    report = validate(s)
    clean, rejects = apply_on_invalid(s, report, "skip")
    assert clean.households["hh_id"].tolist() == ["h1"]
    assert clean.persons["_row"].tolist() == [2, 3]
    got = sorted(zip(rejects["table"], rejects["_row"], rejects["check"], strict=True))
    assert got == [
        ("household", 3, "hh_size_invalid"),
        ("household", 4, "member_rejected"),
        ("person", 4, "household_rejected"),
        ("person", 5, "household_rejected"),
        ("person", 6, "range"),
        ("person", 7, "orphan_person"),
    ]
    assert rejects.loc[rejects["check"] == "member_rejected", "message"].item().endswith("(person row 6)")
    counts = RowCounts.of(report, clean, rejects)
    assert counts.balanced
    assert counts.rows_in == {"household": 3, "person": 6}
    assert counts.processed == {"household": 1, "person": 2}
    assert counts.rejected == {"household": 2, "person": 4}
    line = format_row_counts(report, clean, rejects, "rejects.csv")
    assert line == (
        "rows in: 3 households, 6 persons; processed: 1 households, 2 persons; "
        "rejected: 2 households, 4 persons (written to rejects.csv)"
    )
    assert validate(clean).ok


def test_skip_keeps_the_first_of_duplicate_households_with_the_members():
    hh = households(hh_id=pd.Series(["h1", "h2", "h1"], dtype="str"), hh_size=pd.array([2, 1, 2], dtype="Int64"))
    ps = persons().iloc[:3]
    s = survey(hh, ps)
    clean, rejects = apply_on_invalid(s, validate(s), "skip")
    assert clean.households["_row"].tolist() == [2, 3]
    assert clean.persons["_row"].tolist() == [2, 3, 4]  # h1's members stay with the kept h1 (line 2)
    assert rejects[["table", "_row", "check", "hh_id"]].values.tolist() == [["household", 4, "duplicate_id", "h1"]]


def test_skip_masks_personal_values_and_cannot_skip_column_errors(tmp_path):
    hh = households(head_nik=pd.Series(["3.17201E+15", NIK_B, "1172010101800003"], dtype="str"))
    s = survey(hh)
    _, rejects = apply_on_invalid(s, validate(s), "skip")
    assert rejects["value"].tolist() == [MASK]
    text = write_rejects(rejects, tmp_path / "out" / "rejects.csv").read_text(encoding="utf-8")
    assert "3.17201E+15" not in text and "id_as_number" in text
    assert pd.read_csv(tmp_path / "out" / "rejects.csv").shape == (1, len(REJECT_COLUMNS))
    broken = survey(households().drop(columns="hh_size"))
    with pytest.raises(ValidationFailed, match="cannot drop rows"):
        apply_on_invalid(broken, validate(broken), "skip")


def test_no_personal_value_in_any_message():
    hh = households(
        head_nik=pd.Series(["3.17201E+15", "11720101018", NIK_A], dtype="str"),
        hh_size=pd.array([0, 1, 3], dtype="Int64"),
    )
    ps = persons(
        nik=pd.Series([NIK_A, NIK_A, "x", "1.17E+15", NIK_B, NIK_B], dtype="str"),
        hh_id=pd.Series(["h1", "h1", "h2", "h3", "h3", "zz"], dtype="str"),
    )
    report = validate(survey(hh, ps))
    text = json.dumps(report.to_dict())
    for secret in (NIK_A, NIK_B, "3.17201E+15", "11720101018", "1.17E+15", "Siti Aminah"):
        assert secret not in text


def test_a_cell_the_reader_already_reported_is_not_reported_again():
    # the reader could not convert hh_size on line 3 ("dua"), so the cell is missing: one type error, not two
    reader = Finding("rt.csv", "household", 3, "hh_size", "type", "error", "not a number (int expected)", "dua")
    hh = households(hh_size=pd.array([2, None, None], dtype="Int64"))
    report = validate(survey(hh, findings=[reader]))
    assert [(f.row, f.check) for f in report.findings if f.column == "hh_size"] == [(3, "type"), (4, "hh_size_invalid")]


def test_a_household_id_that_is_a_no_kk_is_masked_in_findings_and_messages():
    """An extract keyed by No KK (16 digits, personal) under hh_id: the duplicate is reported by row, the id masked."""
    kk = "1172011203800001"
    hh = households(hh_id=pd.Series([kk, "h2", kk], dtype="str"))
    report = validate(survey(hh))
    [dup] = found(report, "duplicate_id")
    assert (dup.row, dup.column, dup.value) == (4, "hh_id", MASK)
    assert kk not in dup.one_line() and kk not in json.dumps(report.to_dict())


def test_a_table_without_expenditure_gets_a_no_welfare_warning():
    import pandas as pd

    from peka.schema.checks import validate
    from peka.schema.model import Survey

    households = pd.DataFrame({"_row": [2, 3], "hh_id": ["a", "b"], "hh_size": pd.array([2, 3], dtype="Int64")})
    found = [f for f in validate(Survey(households=households, sources={"household": "x.csv"})).findings
             if f.check == "no_welfare"]
    assert [(f.severity, f.row) for f in found] == [("warning", None)]
    with_exp = households.assign(exp_hh=[1_000_000.0, 2_000_000.0])
    assert not [f for f in validate(Survey(households=with_exp, sources={"household": "x.csv"})).findings
                if f.check == "no_welfare"]


def test_infinite_numbers_built_in_python_are_type_errors():
    # a Survey built in Python skips the readers' conversion: validate() itself refuses inf in a numeric column
    import numpy as np
    import pandas as pd

    from peka.schema.checks import validate
    from peka.schema.model import Survey

    hh = pd.DataFrame({"_row": [2, 3, 4], "hh_id": ["a", "b", "c"], "hh_size": [2, 3, 1],
                       "weight": [1.0, np.inf, 2.0], "exp_pc": [500_000.0, 600_000.0, -np.inf]})
    findings = validate(Survey(households=hh)).findings
    bad = sorted((f.row, f.column, f.check) for f in findings if f.severity == "error")
    assert bad == [(3, "weight", "type"), (4, "exp_pc", "type")]


def test_repeated_household_id_with_members_orphans_and_roster_sizes():
    # h1 is on lines 2 and 4: line 4 is a duplicate, and neither h1 household gets a roster check (whose members
    # would they be?); h2 declares 1 member but lists 2; the member of h9 has no household
    hh = households(hh_id=pd.Series(["h1", "h2", "h1"], dtype="str"), hh_size=pd.array([2, 1, 3], dtype="Int64"))
    ps = persons(
        _row=[2, 3, 4, 5, 6, 7],
        hh_id=pd.Series(["h1", "h1", "h2", "h2", "h9", None], dtype="str"),
        person_no=pd.array([1, 2, 1, 2, 1, 1], dtype="Int64"),
    )
    report = validate(survey(hh, ps))
    assert [(f.row, f.value) for f in found(report, "duplicate_id")] == [(4, "h1")]
    assert [(f.row, f.value) for f in found(report, "orphan_person")] == [(6, "h9")]
    assert [(f.table, f.row) for f in found(report, "missing_id")] == [("person", 7)]
    [roster] = found(report, "roster_size")
    assert (roster.table, roster.row) == ("household", 3) and "2 members" in roster.message
    assert found(report, "duplicate_person") == []


def test_the_household_of_each_member_is_kept_for_classify_only_when_nothing_is_wrong():
    # members listed out of order: h3, h1, h2, h1, h3, h3 → household rows 2, 0, 1, 0, 2, 2 (worked out by hand)
    ps = persons(hh_id=pd.Series(["h3", "h1", "h2", "h1", "h3", "h3"], dtype="str"))
    report = validate(survey(ps=ps))
    assert report.ok
    assert report.person_households.tolist() == [2, 0, 1, 0, 2, 2]
    # a duplicate household id: the match is ambiguous, so nothing is handed on
    hh = households(hh_id=pd.Series(["h1", "h3", "h3"], dtype="str"))
    assert validate(survey(hh, ps)).person_households is None
    assert validate(survey()).person_households is None  # no member table
