"""Mappings: parsing errors (exit 4 naming the key), recoding, unknown codes, scale, missing codes, kinds, inversion."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peka.errors import ConfigError, InputError
from peka.mapping import (
    apply_mapping,
    load_mapping,
    parse_mapping,
    preset_names,
    source_value_labels,
    to_source,
)
from peka.schema.findings import MASK
from peka.schema.model import HOUSEHOLD_COLUMNS, PERSON_COLUMNS


def _mapping(body: str):
    return parse_mapping('name = "t"\n[household]\nhh_id = "ID"\nhh_size = "ART"\n' + body, origin="t.toml")


def _raw(**columns):
    n = len(next(iter(columns.values())))
    base = {"_row": np.arange(2, n + 2), "ID": [f"{i:03d}" for i in range(1, n + 1)], "ART": [1] * n}
    return pd.DataFrame({**base, **columns})


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('hh_sizee = "X"\n', "household.hh_sizee"),
        ('floor_material = { from = "L", values = { "Tanah" = "earth" } }\n', "household.floor_material.values.Tanah"),
        ('exp_hh = { from = "E", scael = 1000 }\n', "household.exp_hh.scael"),
        ('floor_material = { from = "L", scale = 2 }\n', "household.floor_material.scale"),
        ('recv_pkh = { from = "P", values = { "Ya" = "yes" } }\n', "household.recv_pkh.values.Ya"),
        ("exp_hh = { from = 3 }\n", "household.exp_hh.from"),
    ],
)
def test_bad_mappings_are_config_errors_naming_the_key(body, key):
    with pytest.raises(ConfigError) as info:
        _mapping(body)
    assert info.value.key == key and info.value.exit_code == 4
    assert "t.toml" in str(info.value)


def test_unknown_top_level_key_and_bad_toml():
    with pytest.raises(ConfigError) as info:
        parse_mapping('name = "t"\nsheet = "x"\n[household]\nhh_id = "a"\n')
    assert info.value.key == "sheet"
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_mapping('name = "t\n')
    with pytest.raises(ConfigError, match="neither a preset"):
        load_mapping("nosuchpreset")


def test_values_recode_on_text_case_and_space_blind_and_on_numeric_codes():
    mapping = _mapping(
        'floor_material = { from = "Lantai", values = { "Tanah" = "tanah", "Keramik/Marmer" = "keramik" } }\n'
        'urban_rural = { from = "R105", values = { "1" = "perkotaan", "2" = "perdesaan" } }\n'
    )
    raw = _raw(Lantai=["TANAH", " keramik/marmer ", "Tanah"], R105=[1.0, 2.0, np.nan])
    out = apply_mapping(raw, mapping, "household", file="f.csv")
    assert out.frame["floor_material"].tolist() == ["tanah", "keramik", "tanah"]
    assert out.frame["urban_rural"].tolist()[:2] == ["perkotaan", "perdesaan"]
    assert pd.isna(out.frame["urban_rural"].iloc[2])  # a missing cell stays missing without a finding
    assert out.findings == []


def test_unknown_code_is_missing_and_an_error_with_the_source_column_and_row():
    mapping = _mapping('floor_material = { from = "Lantai", values = { "Tanah" = "tanah" } }\n')
    out = apply_mapping(_raw(Lantai=["Tanah", "Marmer", "Tanah"]), mapping, "household", file="f.csv")
    assert out.frame["floor_material"].isna().tolist() == [False, True, False]
    [finding] = out.findings
    assert (finding.file, finding.row, finding.column, finding.check, finding.severity, finding.value) == (
        "f.csv",
        3,
        "Lantai",
        "unknown_category",
        "error",
        "Marmer",
    )
    assert "floor_material" in finding.message


def test_personal_values_are_masked_in_findings():
    mapping = _mapping('head_nik = "NIK"\n')
    out = apply_mapping(_raw(NIK=["1172010101800001", 1.172010101800002e15]), mapping, "household")
    [finding] = out.findings
    assert (finding.check, finding.row, finding.value) == ("id_as_number", 3, MASK)


def test_canonical_codes_without_values_and_bool_words():
    mapping = _mapping('toilet = "toilet"\nrecv_pkh = "pkh"\n')
    out = apply_mapping(_raw(toilet=["Sendiri", "bersama", "kakus"], pkh=["Ya", "0", "l"]), mapping, "household")
    assert out.frame["toilet"].tolist()[:2] == ["sendiri", "bersama"]
    assert out.frame["recv_pkh"].tolist()[:2] == [True, False]
    assert str(out.frame["recv_pkh"].dtype) == "boolean"
    found = sorted((f.column, f.check, f.row) for f in out.findings)
    assert found == [("pkh", "type", 4), ("toilet", "unknown_category", 4)]  # "l" (laki-laki) is not a bool


def test_scale_converts_units():
    mapping = _mapping('exp_hh = { from = "Pengeluaran (ribu Rp)", scale = 1000 }\n')
    out = apply_mapping(_raw(**{"Pengeluaran (ribu Rp)": [1250.5, 700.0]}), mapping, "household")
    assert out.frame["exp_hh"].tolist() == [1250500.0, 700000.0]


def test_missing_codes_become_missing_and_are_counted():
    mapping = _mapping(
        'head_age = { from = "Umur", missing = ["98", "99"] }\n'
        'toilet = { from = "BAB", values = { "1" = "sendiri", "4" = "tidak_ada" }, missing = ["9"] }\n'
    )
    out = apply_mapping(_raw(Umur=[45, 98, 99, 98], BAB=[1, 9, 4, 9]), mapping, "household")
    assert out.frame["head_age"].isna().tolist() == [False, True, True, True]
    assert out.frame["toilet"].tolist()[0::2] == ["sendiri", "tidak_ada"]
    counts = {(m["column"], m["code"]): m["count"] for m in out.missing_counts}
    assert counts == {("Umur", "98"): 2, ("Umur", "99"): 1, ("BAB", "9"): 2}
    assert out.findings == []


def test_numbers_kinds_and_dtypes():
    mapping = _mapping('head_age = "Umur"\nexp_hh = "E"\nkab_code = "Kab"\n')
    out = apply_mapping(
        _raw(Umur=["40", "2.5", "x"], E=["10", "1e3", ""], Kab=[1172.0, 1101.0, np.nan]), mapping, "household"
    )
    frame = out.frame
    assert str(frame["head_age"].dtype) == "Int64" and frame["head_age"].iloc[0] == 40
    assert frame["exp_hh"].dtype == np.float64 and frame["exp_hh"].tolist()[:2] == [10.0, 1000.0]
    assert frame["kab_code"].tolist()[:2] == ["1172", "1101"]  # whole-number floats as codes without ".0"
    assert frame["hh_id"].tolist() == ["001", "002", "003"]
    found = sorted((f.column, f.row, f.value) for f in out.findings)
    assert found == [("Umur", 3, "2.5"), ("Umur", 4, "x")]


def test_absent_source_and_required_columns_are_input_errors():
    mapping = _mapping('exp_hh = "Pengeluaran"\n')
    with pytest.raises(InputError, match="'Pengeluaran'.*mapping 't'"):
        apply_mapping(_raw(X=[1]), mapping, "household", file="f.csv")
    skip = parse_mapping('name = "s"\nabsent = "skip"\n[household]\nhh_id = "ID"\nhh_size = "ART"\nexp_hh = "P"\n')
    assert "exp_hh" not in apply_mapping(_raw(X=[1]), skip, "household").frame
    no_size = parse_mapping('name = "n"\n[household]\nhh_id = "ID"\n')
    with pytest.raises(InputError, match="required household column hh_size"):
        apply_mapping(_raw(X=[1]), no_size, "household")


def test_unmapped_columns_are_dropped_unless_kept():
    mapping = _mapping("")
    raw = _raw(Catatan=["a"])
    assert list(apply_mapping(raw, mapping, "household").frame.columns) == ["_row", "hh_id", "hh_size"]
    kept = apply_mapping(raw, mapping, "household", keep_unmapped=True).frame
    assert list(kept.columns) == ["_row", "hh_id", "hh_size", "Catatan"]


@pytest.mark.parametrize("preset", ["canonical", "susenas", "p3ke"])
def test_every_canonical_column_is_reachable_from_every_preset(preset):
    mapping = load_mapping(preset)
    assert set(mapping.household) == set(HOUSEHOLD_COLUMNS)
    assert set(mapping.person) == set(PERSON_COLUMNS)


def test_to_source_inverts_the_presets():
    canon = pd.DataFrame({
        "hh_id": ["0007"], "hh_size": pd.array([3], dtype="Int64"), "urban_rural": ["perdesaan"],
        "floor_material": ["tanah"], "recv_pkh": pd.array([True], dtype="boolean"), "exp_pc": [612000.5],
    })  # fmt: skip
    susenas = to_source(canon, "susenas", "household")
    assert susenas.astype(object).to_dict("records") == [
        {"URUT": "0007", "R105": 2, "R301": 3, "KAPITA": 612000.5, "R1808": 6, "R2201A": 1}
    ]  # codes as written in susenas.toml (R1808 6 = Tanah, R2201A 1 = Ya)
    p3ke = to_source(canon, "p3ke", "household")
    assert p3ke[["Klasifikasi Wilayah", "Jenis Lantai", "Penerima PKH"]].values.tolist() == [
        ["Perdesaan", "Tanah", "Ya"]
    ]
    assert source_value_labels("susenas", "household")["R1808"][6] == "Tanah"


def test_presets_are_listed():
    assert preset_names() == ["canonical", "p3ke", "susenas"]


def test_ids_of_digits_are_kept_and_other_ids_stripped_as_typed_in_the_file():
    # the digits-only shortcut must give what stripping gives: the same text, missing cells missing
    mapping = _mapping('kk_no = "KK"\n')
    digits = pd.Series(["0012", None, "1172980000000001"], dtype="str")
    out = apply_mapping(_raw(ID=digits, KK=digits), mapping, "household", file="f.csv").frame
    assert out["hh_id"].tolist()[::2] == ["0012", "1172980000000001"] and pd.isna(out["hh_id"].iloc[1])
    assert str(out["hh_id"].dtype) == "str"
    padded = pd.Series([" 0012 ", "A-7", "  "], dtype="str")  # spaces around an id, a letter, blank → missing
    out = apply_mapping(_raw(ID=padded, KK=padded), mapping, "household", file="f.csv").frame
    assert out["kk_no"].tolist()[:2] == ["0012", "A-7"] and pd.isna(out["kk_no"].iloc[2])


def test_int_columns_read_as_int64_and_as_float_map_to_the_same_integers():
    mapping = _mapping('head_age = "UMUR"\n')
    as_int = apply_mapping(_raw(UMUR=np.array([40, 0, 71], dtype=np.int64)), mapping, "household").frame
    as_float = apply_mapping(_raw(UMUR=[40.0, 0.0, 71.0]), mapping, "household").frame
    assert as_int["head_age"].tolist() == as_float["head_age"].tolist() == [40, 0, 71]
    assert str(as_int["head_age"].dtype) == str(as_float["head_age"].dtype) == "Int64"


def test_true_false_columns_read_as_booleans_keep_their_missing_cells():
    mapping = _mapping('asset_tv = "TV"\n')
    tv = pd.array([True, None, False, True], dtype="boolean")
    out = apply_mapping(_raw(TV=tv), mapping, "household", file="f.csv")
    assert out.frame["asset_tv"].tolist() == [True, pd.NA, False, True] and out.findings == []
