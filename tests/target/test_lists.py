"""Lists: quotas and budgets met exactly, priority order with hash tie-breaks independent of the input order,
byte-identical reruns, no NIK / No KK in any output unless --reveal-ids, pseudonyms, the printable workbook."""

from __future__ import annotations

import hashlib
import hmac
import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from peka.jobs.inputs import InputSpec
from tests.target.conftest import HOUSEHOLDS, PERSONS, target


def pkh_eligible(raw: pd.DataFrame) -> pd.Series:
    """PKH's preset rule (desil ≤ 4) straight from the household file; an empty desil is not eligible."""
    return pd.to_numeric(raw["desil"], errors="coerce") <= 4


def test_quota_met_exactly_per_gampong(tmp_path, raw):
    run = target(tmp_path, programs=("pkh",), quota=7)
    listed = run.lists.groupby("desa_code").size()
    eligible = raw[pkh_eligible(raw)].groupby("desa_code").size()
    expected = np.minimum(eligible, 7)
    assert listed.reindex(expected.index, fill_value=0).tolist() == expected.tolist()
    assert (listed > 0).all() and listed.max() == 7
    for _, part in run.lists.groupby("desa_code"):
        assert part["rank"].tolist() == list(range(1, len(part) + 1))


def test_priority_order_and_hash_tie_break(tmp_path, raw, classified):
    run = target(tmp_path, programs=("pkh",), quota=4)
    table = classified.assign(eligible=pkh_eligible(raw).to_numpy())
    table = table[table["eligible"]].copy()
    table["tie"] = [int(hashlib.sha256(b"peka-tie:" + h.encode()).hexdigest()[:15], 16) for h in table["hh_id"]]
    table["score"] = table["mpi_score"].astype(float).fillna(-np.inf)
    table["gap"] = table["poverty_gap"].astype(float).fillna(-np.inf)
    table["d"] = table["desil"].astype(float)
    expected = (table.sort_values(["score", "gap", "d", "tie"], ascending=[False, False, True, True])
                .groupby("desa_code").head(4))
    got = run.lists.set_index(["desa_code", "rank"])["hh_id"]
    want = expected.assign(rank=expected.groupby("desa_code").cumcount() + 1).set_index(["desa_code", "rank"])["hh_id"]
    assert got.sort_index().to_dict() == want.astype(str).sort_index().to_dict()


def test_quota_file_met_exactly(tmp_path, raw):
    desas = sorted(raw["desa_code"].unique())
    quotas = pd.DataFrame({"desa_code": desas[:3], "quota": [0, 2, 50]})
    path = tmp_path / "kuota.csv"
    quotas.to_csv(path, index=False)
    run = target(tmp_path, programs=("pkh",), quota_file=path)
    eligible = raw[pkh_eligible(raw)].groupby("desa_code").size()
    listed = run.lists.groupby("desa_code").size()
    assert listed.get(desas[0], 0) == 0 and listed[desas[1]] == 2
    assert listed[desas[2]] == min(50, eligible[desas[2]])
    assert set(listed.index) == {desas[1], desas[2]}  # gampong absent from the file get no places


@pytest.mark.parametrize(("program", "budget"), [("rtlh", 100_000_000), ("rtlh", 119_999_999), ("pbi_jk", 30_000_000)])
def test_budget_never_exceeded_and_next_does_not_fit(tmp_path, raw, program, budget):
    full = target(tmp_path, "full", programs=(program,), budget=1e15).lists
    run = target(tmp_path, programs=(program,), budget=budget)
    size = pd.to_numeric(raw.set_index("hh_id")["hh_size"])
    per = {"rtlh": lambda h: 20_000_000.0, "pbi_jk": lambda h: 504_000.0 * size[h]}[program]
    costs = np.array([per(h) for h in full["hh_id"]])
    n = len(run.lists)
    assert costs[:n].sum() <= budget < costs[: n + 1].sum()
    assert run.lists["hh_id"].tolist() == full["hh_id"].tolist()[:n]  # the priority order over the whole area
    assert run.lists["biaya"].sum() == pytest.approx(costs[:n].sum(), abs=0)


def test_reruns_are_byte_identical_and_ties_ignore_input_order(tmp_path):
    a = target(tmp_path, "a", quota=3, evaluate=True)
    b = target(tmp_path, "b", quota=3, evaluate=True)
    names = sorted(p.name for p in a.output.iterdir())
    assert names == sorted(p.name for p in b.output.iterdir())
    for name in names:
        assert (a.output / name).read_bytes() == (b.output / name).read_bytes(), name
    # the same households in another order: the same lists (only the run id, a hash of the file bytes, changes)
    shuffled = pd.read_csv(HOUSEHOLDS, dtype=str, keep_default_na=False).sample(frac=1.0, random_state=7)
    path = tmp_path / "acak.csv"
    shuffled.to_csv(path, index=False)
    c = target(tmp_path, "c", inputs=InputSpec(path, persons=PERSONS), quota=3)
    cols = ["program", "desa_code", "rank", "hh_id", "alasan", "paket_rekomendasi"]
    assert a.lists[cols].equals(c.lists[cols])


def _all_text(folder) -> str:
    parts = []
    for path in folder.iterdir():
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                parts += [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
        else:
            parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


def test_no_nik_or_kk_in_any_output_unless_revealed(tmp_path, raw):
    secrets = set(raw["head_nik"]) | set(raw["kk_no"])
    run = target(tmp_path, quota=5, evaluate=True)
    text = _all_text(run.output)
    assert not [s for s in secrets if s and s in text]
    assert "nama_kepala" in text  # names are in the meeting workbook (needed to verify) ...
    assert "nama_kepala" not in (run.output / "lists.csv").read_text(encoding="utf-8")  # ... not in the CSV
    revealed = target(tmp_path, "r", programs=("pkh",), quota=5, reveal_ids=True)
    text = _all_text(revealed.output)
    assert sum(s in text for s in set(revealed.lists["head_nik"])) == len(set(revealed.lists["head_nik"]))
    assert any("reveal-ids" in w for w in revealed.warnings)
    nameless = target(tmp_path, "n", programs=("pkh",), quota=5, names=False)
    assert not [n for n in raw["head_name"] if n in _all_text(nameless.output)]


def test_pseudonym_key_and_personal_ids(tmp_path, raw):
    key = tmp_path / "kunci.bin"
    key.write_bytes(b"0123456789abcdef-kunci-rahasia")
    run = target(tmp_path, programs=("pkh",), quota=3, pseudonym_key=key)
    raw_ids = target(tmp_path, "raw", programs=("pkh",), quota=3).lists["hh_id"]
    expected = ["p" + hmac.new(key.read_bytes(), h.encode(), hashlib.sha256).hexdigest()[:16] for h in raw_ids]
    assert run.lists["hh_id"].tolist() == expected
    # a household id that is a No KK (16 digits) is never written: pseudonyms without a key file too
    kk = dict(zip(raw["hh_id"], raw["kk_no"]))
    hh = raw.assign(hh_id=raw["hh_id"].map(kk))
    persons = pd.read_csv(PERSONS, dtype=str, keep_default_na=False)
    persons["hh_id"] = persons["hh_id"].map(kk)
    hh.to_csv(tmp_path / "rt.csv", index=False)
    persons.to_csv(tmp_path / "art.csv", index=False)
    by_kk = target(tmp_path, "kk", inputs=InputSpec(tmp_path / "rt.csv", persons=tmp_path / "art.csv"),
                   programs=("pkh",), quota=3)
    assert by_kk.lists["hh_id"].str.fullmatch(r"p[0-9a-f]{16}").all()
    text = _all_text(by_kk.output)
    assert not [s for s in set(raw["kk_no"]) | set(raw["head_nik"]) if s in text]


def test_meeting_workbook_is_printable_and_formula_safe(tmp_path):
    hh = pd.read_csv(HOUSEHOLDS, dtype=str, keep_default_na=False)
    hh["head_name"] = "=HYPERLINK(\"http://x\")"
    hh.to_csv(tmp_path / "rt.csv", index=False)
    run = target(tmp_path, inputs=InputSpec(tmp_path / "rt.csv", persons=PERSONS), programs=("pkh",), quota=2)
    wb = load_workbook(run.output / "musyawarah.xlsx")
    assert len(wb.sheetnames) == run.lists["desa_code"].nunique()
    ws = wb[wb.sheetnames[0]]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    # fit to one page wide (fitToWidth 1 is the default, left out of the file), any number of pages long
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows is not None
    cells = [c for row in ws.iter_rows() for c in row if c.value == "=HYPERLINK(\"http://x\")"]
    assert cells and all(c.data_type == "s" for c in cells)
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert any("Tempat" in t for t in texts) and any("Keuchik" in t for t in texts)
    assert any("belum dikonfirmasi" in t for t in texts)  # PKH's news-only rule is labelled


def test_summary_counts_and_gampong_priority(tmp_path, raw, classified):
    run = target(tmp_path, programs=("pkh",), quota=5)
    s = run.summary.set_index("desa_code")
    eligible = raw[pkh_eligible(raw)]
    assert s["eligible"].to_dict() == eligible.groupby("desa_code").size().reindex(s.index, fill_value=0).to_dict()
    receiving = eligible[eligible["recv_pkh"] == "true"].groupby("desa_code").size()
    assert s["receiving"].to_dict() == receiving.reindex(s.index, fill_value=0).to_dict()
    assert (s["cost"] == s["listed"] * 2_400_000).all()
    poor = classified["poverty_status"].isin(["miskin_ganda", "miskin_moneter", "miskin_multidimensi"])
    w = classified["weight"].where(poor, 0.0)
    index = (w * classified["mpi_score"].fillna(0)).groupby(classified["desa_code"]).sum()
    assert s["priority_index"].to_dict() == pytest.approx(index.reindex(s.index).to_dict(), rel=1e-12)
    assert s.sort_values("priority_rank").index[0] == index.idxmax()


@pytest.mark.parametrize("quota", [None, 1, 3, 5, 40])
def test_ties_at_the_quota_boundary_broken_by_the_hash(quota):
    """Whole groups of households with equal priority keys straddle the quota: the listed ones and their ranks are
    those of the full order (keys, then SHA-256 of the id), whichever households the tie-break was computed for."""
    from peka.config.programs import load_programs
    from peka.targeting import select

    rng = np.random.default_rng(5)
    n = 400
    table = pd.DataFrame({
        "hh_id": [f"h{i:04d}" for i in rng.permutation(n)],
        "desa_code": rng.choice(["a", "b", "c"], n),
        "mpi_score": rng.choice([0.2, 0.5, np.nan], n),  # few distinct values: large tied groups
        "poverty_gap": rng.choice([0.0, 0.1], n),
        "desil": rng.choice([1, 2], n),
        "hh_size": 4,
    })  # fmt: skip
    catalogue = load_programs()
    programs = catalogue.select(["pkh"])
    eligible = pd.DataFrame({"pkh": rng.random(n) < 0.7})
    got = select.select(table, eligible, programs, catalogue, select.Quotas(per_unit=quota))
    got = got[got["listed"]]
    hashed = table.assign(tie=[int(hashlib.sha256(b"peka-tie:" + h.encode()).hexdigest()[:15], 16)
                               for h in table["hh_id"]])[eligible["pkh"].to_numpy()]
    hashed = hashed.assign(score=hashed["mpi_score"].fillna(-np.inf))
    order = hashed.sort_values(["score", "poverty_gap", "desil", "tie"], ascending=[False, False, True, True])
    expected = order.groupby("desa_code").head(quota) if quota is not None else order
    expected = expected.assign(rank=expected.groupby("desa_code").cumcount() + 1)
    got_ids = dict(zip(zip(got["unit"], got["rank"]), table["hh_id"].to_numpy()[got["position"].to_numpy()]))
    assert got_ids == dict(zip(zip(expected["desa_code"], expected["rank"]), expected["hh_id"]))
