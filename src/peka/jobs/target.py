"""``peka target`` as one library call: read → validate → classify → programme eligibility → ranked lists under
quotas or a budget → (village-meeting verdicts applied) → lists, meeting workbook, summary, (evaluation) written
as one set into a folder.

>>> run = run_target(InputSpec("data/samples/sabang/households.csv",  # doctest: +SKIP
...                            persons="data/samples/sabang/persons.csv"),
...                  spec=TargetSpec(programs=("pkh",), quota=5), output="daftar")
>>> sorted(p.name for p in run.output.iterdir())  # doctest: +SKIP
['.peka-target', 'lists.csv', 'musyawarah.xlsx', 'programs.csv', 'summary.csv']
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from peka.classify import classify
from peka.config.programs import Program, load_programs
from peka.config.show import record_text
from peka.deliver import files, lists
from peka.errors import InputError, UsageError, printable_name
from peka.estimate import Design
from peka.jobs.inputs import ConfigSpec, InputSpec, PathLike, RowPolicy, load_input, validated
from peka.jobs.outputs import OutputPlan
from peka.schema.classified import CAUSE_PREFIX, MPI_PREFIX, POOR_STATUSES
from peka.schema.rejects import RowCounts, apply_on_invalid
from peka.targeting import accuracy, pseudonym, select, verify

log = logging.getLogger(__name__)

PERSONAL_IDS: tuple[str, ...] = ("head_nik", "kk_no")  # never in an output unless --reveal-ids
NAME_COLUMNS: dict[str, str] = {"head_name": "nama_kepala", "address": "alamat"}
UNCONFIRMED_LABEL = "belum dikonfirmasi"
# the classified columns targeting reads besides the rule inputs, priority keys, receipts and the quota unit of the
# programmes (the stream engine keeps only these of every household): ids and names of the lists, the design and
# status columns of the summary and the evaluation, the reference rules (accuracy.standard_selections, concordance)
TARGET_COLUMNS: tuple[str, ...] = (
    "_row", "hh_id", *PERSONAL_IDS, *NAME_COLUMNS, "kec_code", "kec_name", "desa_code", "desa_name", "weight",
    "strata", "psu", "hh_size", "poverty_status", "mpi_score", "mpi_poor", "miskin_14k", "poor", "desil",
    "desil_survei",
)  # fmt: skip


@dataclass(frozen=True)
class TargetSpec:
    """What to list and how: programme codes (none = every active one), a catalogue file (default the built-in
    preset), one of ``quota`` (per ``quota_by`` unit), ``quota_file`` or ``budget`` (Rupiah per programme),
    ``evaluate`` (targeting accuracy), ``verified`` (returned lists to apply), ``pseudonym_key`` (a key file),
    ``names`` (head's name and address in the workbook), ``reveal_ids`` (NIK and No KK in the outputs)."""

    programs: tuple[str, ...] = ()
    catalogue: PathLike | None = None
    quota: int | None = None
    quota_by: str = "desa_code"
    quota_file: PathLike | None = None
    budget: float | None = None
    evaluate: bool = False
    verified: tuple[PathLike, ...] = ()
    pseudonym_key: PathLike | None = None
    names: bool = True
    reveal_ids: bool = False
    lonely_psu: str = "fail"

    def check(self) -> None:
        chosen = [n for n, v in (("--quota", self.quota), ("--quota-file", self.quota_file),
                                 ("--budget", self.budget)) if v is not None]  # fmt: skip
        if len(chosen) > 1:
            raise UsageError(f"{' and '.join(chosen)}: choose one way to limit the lists")
        if self.quota is not None and self.quota < 0:
            raise UsageError("--quota must be 0 or more")
        if self.budget is not None and not (self.budget >= 0 and np.isfinite(self.budget)):
            raise UsageError("--budget must be a number of Rupiah ≥ 0")


@dataclass
class TargetRun:
    output: Path
    run_id: str
    lists: pd.DataFrame
    summary: pd.DataFrame
    counts: RowCounts
    programs: list[Program]
    undecided: dict[str, int]
    evaluation: pd.DataFrame | None = None
    audit: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)


def _inputs_of(inputs: InputSpec, spec: TargetSpec) -> list[Path]:
    extra = [spec.catalogue, spec.quota_file, spec.pseudonym_key, *spec.verified]
    return [*inputs.files, *(Path(p) for p in extra if p is not None)]


def plan_outputs(inputs: InputSpec, spec: TargetSpec, output: PathLike, rows: RowPolicy) -> OutputPlan:
    """The output folder holds no input (a returned list inside ``-o`` would be swapped away) and is new, empty or
    a previous target output; ``--rejects`` is checked like any output."""
    folder = Path(output)
    plan = OutputPlan.for_inputs(_inputs_of(inputs, spec))
    resolved = folder.resolve()
    for source in plan.inputs:
        if resolved == source.resolve() or resolved in source.resolve().parents:
            raise UsageError(f"-o {folder} holds the input {source}: choose another output folder")
    lists.check_output_folder(folder)
    if rows.rejects is not None:
        plan.add("--rejects", rows.rejects)
    return plan


def _fingerprint(inputs: list[Path], parts: list[object]) -> tuple[str, bytes]:
    """The run id (12 hex digits of SHA-256 over the data files, the configuration and the options) and the
    SHA-256 of the data files' bytes (the pseudonym key when no key file is given)."""
    data = hashlib.sha256()
    for path in inputs:  # in blocks: a 1 GB survey is hashed without holding it in memory
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                data.update(block)
    run = hashlib.sha256(data.digest())
    run.update(json.dumps(parts, sort_keys=True, default=str).encode("utf-8"))
    return run.hexdigest()[:12], data.digest()


def run_target(
    inputs: InputSpec,
    *,
    spec: TargetSpec,
    output: PathLike,
    config: ConfigSpec | None = None,
    rows: RowPolicy | None = None,
    csv_dialect: files.CsvDialect = files.CSV_STANDARD,
    engine: str = "memory",
    chunk_rows: int | None = None,
    scheduler: str | None = None,
) -> TargetRun:
    """Select, list and write the set of ``peka target`` into ``output``; every CSV of it in ``csv_dialect``.
    ``engine`` ``stream`` (or ``auto`` on a big CSV/Parquet input) classifies in chunks of ``chunk_rows``
    households keeping only the columns targeting reads (``_classify_streamed``); ``dask`` does the same with the
    chunks classified on the Dask scheduler at ``scheduler`` (default: a local cluster); the outputs are the same."""
    config = config or ConfigSpec()
    rows = rows or RowPolicy()
    spec.check()
    plan_outputs(inputs, spec, output, rows)
    cfg = config.load(inputs=inputs)
    catalogue = load_programs(spec.catalogue)
    programs = catalogue.select(list(spec.programs))
    quotas = _quotas(spec, programs)
    key_file = _read_key(spec.pseudonym_key)

    streamed = _classify_streamed(inputs, cfg, rows, catalogue, programs, spec, engine, chunk_rows, scheduler)
    if streamed is not None:
        table, rejected, counts = streamed
    else:
        survey = load_input(inputs)
        report = validated(survey)
        clean, rejected = apply_on_invalid(survey, report, mode=rows.on_invalid.value)
        counts = RowCounts.of(report, clean, rejected)
        table = classify(clean, cfg, include_personal=True, person_households=report.person_households)
        table = _with_receipts(table, clean.households, programs)
        # from here on only the columns targeting reads, as on the stream engine: the survey and the other classified
        # columns (most of the memory of a province) are released before ranking, the workbook and the evaluation
        del survey, clean, report
        table = _narrowed(table, _target_columns(catalogue, programs, spec))

    run_id, data_hash = _fingerprint(inputs.files, [
        record_text(cfg, title="peka target"), catalogue.model_dump(mode="json"), [p.code for p in programs],
        spec.quota, spec.quota_by, spec.budget,
        quotas.table.to_dict("list") if quotas.table is not None else None, rows.on_invalid.value,
    ])  # fmt: skip
    if key_file is not None or pseudonym.is_personal_id(table["hh_id"]):
        list_ids = pseudonym.pseudonymise(table["hh_id"], key_file if key_file is not None else data_hash)
    else:
        list_ids = table["hh_id"].astype(str)

    eligible, undecided = select.eligibility(table, programs)
    # the recommended bundle: every active programme of the catalogue whose rule the household meets (rules reading
    # columns this table lacks, e.g. indicators of another MPI, are left out of the bundle)
    bundle_programs = [p for p in catalogue.active if p.compiled().columns <= set(table.columns)]
    in_bundle, _ = select.eligibility(table, bundle_programs)
    selection = select.select(table, eligible, programs, catalogue, quotas)
    audit = verdicts = None
    if spec.verified:
        first = selection[selection["listed"]]
        listed = pd.DataFrame({"program": first["program"].to_numpy(),
                               "hh_id": list_ids.to_numpy()[first["position"].to_numpy()]})
        verdicts = verify.check_returned([verify.read_returned(Path(p)) for p in spec.verified], listed, run_id)
        gone = verify.removed(verdicts)
        excluded = {p.code: list_ids.isin(gone.loc[gone["program"] == p.code, "hh_id"]).to_numpy() for p in programs}
        selection = select.select(table, eligible, programs, catalogue, quotas, excluded=excluded)
        audit = _audit(first, selection, verdicts, list_ids)

    lists_frame = _lists(table, selection, in_bundle, bundle_programs, programs, list_ids, run_id, cfg, spec, verdicts)
    summary = _summary(table, selection, eligible, programs)
    contents: dict[str, bytes] = {
        "lists.csv": lists.csv_bytes(lists_frame.drop(columns=list(NAME_COLUMNS.values()), errors="ignore"),
                                     csv_dialect),
        "musyawarah.xlsx": lists.meeting_workbook(_meeting_sheets(lists_frame, programs, run_id)),
        "summary.csv": lists.csv_bytes(summary, csv_dialect),
        "programs.csv": lists.csv_bytes(_catalogue_table(programs), csv_dialect),
    }
    evaluation = None
    if spec.evaluate:
        evaluation = _evaluate(table, selection, programs, spec)
        contents["evaluation.csv"] = lists.csv_bytes(evaluation, csv_dialect)
        contents["concordance.csv"] = lists.csv_bytes(accuracy.concordance(table), csv_dialect)
    if audit is not None:
        contents["audit.csv"] = lists.csv_bytes(audit, csv_dialect)
    if rows.skip and len(rejected):
        contents["rejects.csv"] = lists.csv_bytes(rejected, csv_dialect)
    warnings = _warnings(programs, spec, undecided)
    folder = lists.write_set(output, contents)
    if rows.rejects is not None:
        files.write_table(rejected, rows.rejects, csv_dialect=csv_dialect)
    log.info(counts.line())
    return TargetRun(folder, run_id, lists_frame, summary, counts, programs, undecided, evaluation, audit, warnings)


def _classify_streamed(inputs: InputSpec, cfg, rows: RowPolicy, catalogue, programs: list[Program],
                       spec: TargetSpec, engine: str, chunk_rows: int | None, scheduler: str | None = None):
    """(classified table, rejected rows, counts) on the stream engine, or ``None`` for the memory engine (engine
    ``memory``, ``auto`` on a small input, a file not in ``hh_id`` order). Ranking is global (ties broken over
    every household, a budget cumulated over the whole list), so it runs on the whole table, but of every household
    only the columns targeting reads are kept: ``TARGET_COLUMNS``, every ``cause_``/``mpi_d_`` column (the
    reasons), and each programme's rule inputs, priority keys and receipt column (of the selected programmes and of
    every active one, the recommended bundle) and the ``--quota-by`` column."""
    from peka.engine import chunk_mapper
    from peka.jobs.gathered import by_names, gather_classified
    from peka.jobs.streamed import chunked_engine

    chosen = chunked_engine(engine, scheduler, inputs)
    if chosen is None:
        return None
    names = _target_columns(catalogue, programs, spec)
    # receipts the classification does not keep come from the household table (as _with_receipts does in memory):
    # asked of classify on a copy, so the configuration in the run id stays the user's
    receipts = [p.receipt for p in programs if p.receipt]
    classifying = cfg.model_copy(deep=True)
    classifying.classify.keep = list(dict.fromkeys([*cfg.classify.keep, *receipts]))
    with chunk_mapper(chosen, scheduler) as mapper:
        gathered = gather_classified(inputs, classifying, rows, choose=by_names(names, (CAUSE_PREFIX, MPI_PREFIX)),
                                     include_personal=True, chunk_rows=chunk_rows, mapper=mapper)
    if gathered is None:
        return None
    return gathered.table, gathered.rejects, gathered.counts


def _target_columns(catalogue, programs: list[Program], spec: TargetSpec) -> list[str]:
    """The classified columns targeting reads besides every ``cause_``/``mpi_d_`` column: ``TARGET_COLUMNS``, the
    ``--quota-by`` column, and each programme's rule inputs, priority keys and receipt column (of the selected
    programmes and of every active one, the recommended bundle)."""
    names = {*TARGET_COLUMNS, spec.quota_by}
    for program in [*catalogue.active, *programs]:
        names |= program.compiled().columns
        names |= {column for column, _ in catalogue.sort_keys(program)}
        if program.receipt:
            names.add(program.receipt)
    return sorted(names)


def _narrowed(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """``table`` with only ``names`` and the reason columns, in its own order (the stream engine's choice)."""
    from peka.jobs.gathered import by_names

    kept = by_names(names, (CAUSE_PREFIX, MPI_PREFIX))(list(table.columns))
    if len(kept) == len(table.columns):
        return table
    narrow = table[kept]
    narrow.attrs = dict(table.attrs)
    return narrow


def _read_key(path: PathLike | None) -> bytes | None:
    if path is None:
        return None
    try:
        key = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the pseudonym key ({type(exc).__name__})", file=str(path)) from None
    if len(key.strip()) < 16:
        raise UsageError(f"--pseudonym-key {printable_name(Path(path).name)}: a key needs at least 16 bytes")
    return key


def _quotas(spec: TargetSpec, programs: list[Program]) -> select.Quotas:
    if spec.quota_file is None:
        return select.Quotas(by=spec.quota_by, per_unit=spec.quota, budget=spec.budget)
    path = Path(spec.quota_file)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot read the quota file ({type(exc).__name__})", file=str(path)) from None
    table = select.read_quota_table(raw, spec.quota_by, programs, printable_name(path.name))
    return select.Quotas(by=spec.quota_by, table=table)


def _with_receipts(table: pd.DataFrame, households: pd.DataFrame, programs: list[Program]) -> pd.DataFrame:
    """The receipt columns the catalogue names (``recv_*``), taken from the input when classify did not keep them."""
    wanted = [c for c in dict.fromkeys(p.receipt for p in programs if p.receipt) if c not in table.columns]
    present = [c for c in wanted if c in households.columns]
    if not present:
        return table
    receipts = households.set_index("_row")[present]
    return table.join(receipts, on="_row")


def _labels(cfg: object, table: pd.DataFrame) -> dict[str, str]:
    """Column → label for the reasons: causes and MPI deprivations."""
    labels = {f"{CAUSE_PREFIX}{c.code}": c.label_id for c in cfg.causes.catalogue}  # type: ignore[attr-defined]
    for ind in cfg.mpi.indicators:  # type: ignore[attr-defined]
        labels[f"{MPI_PREFIX}{ind.name}"] = f"deprivasi: {ind.label_id or ind.name}"
    return {c: label for c, label in labels.items() if c in table.columns}


def _flag(values: pd.Series) -> np.ndarray:
    """True where a cause applies or an indicator is deprived (1); missing counts as not."""
    return (pd.to_numeric(values.astype("Float64"), errors="coerce") == 1).fillna(False).to_numpy(dtype=bool)


def _joined(parts: list[np.ndarray], n: int) -> np.ndarray:
    """Row-wise '; '-join of text arrays where empty strings are skipped."""
    out = np.full(n, "", dtype=object)
    for part in parts:
        sep = np.where((out != "") & (part != ""), "; ", "")
        out = out + sep + part
    return out


def _taken(values: pd.Series, positions: np.ndarray) -> np.ndarray:
    """``values`` at ``positions`` as an array: taken first, so a million-row column is not converted whole."""
    return values.iloc[positions].to_numpy()


def _lists(
    table, selection, in_bundle, bundle_programs, programs, list_ids, run_id, cfg, spec, verdicts
) -> pd.DataFrame:
    chosen = selection[selection["listed"]]
    pos = chosen["position"].to_numpy()
    n = len(pos)  # reasons and bundles of the listed households only (a few thousand of a million)
    reasons = _joined([np.where(_flag(table[c].iloc[pos]), label, "") for c, label in _labels(cfg, table).items()], n)
    bundle = _joined([np.where(in_bundle[p.code].to_numpy()[pos], p.code, "")
                      for p in sorted(bundle_programs, key=lambda p: (p.cluster, p.code))], n)
    status = {p.code: p.status for p in programs}
    out = pd.DataFrame({
        "run_id": run_id,
        "program": chosen["program"].to_numpy(),
        "status_aturan": chosen["program"].map(status).to_numpy(),
        "desa_code": _taken(table["desa_code"], pos) if "desa_code" in table else "",
        "desa_name": _taken(table["desa_name"], pos) if "desa_name" in table else "",
        "unit_kuota": chosen["unit"].to_numpy(),
        "rank": chosen["rank"].to_numpy(),
        "hh_id": _taken(list_ids, pos),
    })  # fmt: skip
    if spec.reveal_ids:
        for column in PERSONAL_IDS:
            if column in table.columns:
                out[column] = _taken(table[column], pos)
    if spec.names:
        for column, name in NAME_COLUMNS.items():
            if column in table.columns:
                out[name] = _taken(table[column], pos)
    out["alasan"] = reasons
    out["paket_rekomendasi"] = bundle
    out["biaya"] = chosen["cost"].to_numpy()
    for program in programs:
        if program.receipt and program.receipt in table.columns:
            out[program.receipt] = table[program.receipt].iloc[pos].astype("boolean").to_numpy()
    out["hasil_verifikasi"] = ""
    out["catatan"] = ""
    order = {p.code: i for i, p in enumerate(programs)}
    out = out.assign(_p=out["program"].map(order)).sort_values(["_p", "unit_kuota", "rank"], kind="stable")
    out = out.drop(columns="_p").reset_index(drop=True)
    if verdicts is not None and len(verdicts):  # the meeting's verdicts stay on the households that remain
        kept = verdicts.drop_duplicates(["program", "hh_id"]).set_index(["program", "hh_id"])
        index = pd.MultiIndex.from_frame(out[["program", "hh_id"]])
        out["hasil_verifikasi"] = kept["verdict"].reindex(index).fillna("").to_numpy()
        out["catatan"] = kept["note"].reindex(index).fillna("").to_numpy()
    return out


def _audit(before: pd.DataFrame, after: pd.DataFrame, verdicts: pd.DataFrame, list_ids: pd.Series) -> pd.DataFrame:
    """One row per returned row with a verdict (before → after), then one per promoted household."""
    ids = list_ids.to_numpy()
    b = before.assign(hh_id=ids[before["position"].to_numpy()]).set_index(["program", "hh_id"])["rank"]
    later = after[after["listed"]]
    a = later.assign(hh_id=ids[later["position"].to_numpy()]).set_index(["program", "hh_id"])["rank"]
    judged = verdicts[verdicts["verdict"] != ""]
    index = pd.MultiIndex.from_frame(judged[["program", "hh_id"]])
    after_rank = a.reindex(index)
    rows = pd.DataFrame({
        "source_file": judged["_file"].to_numpy(), "row": judged["_row"].to_numpy(),
        "hh_id": judged["hh_id"].to_numpy(), "program": judged["program"].to_numpy(),
        "before": [f"terdaftar peringkat {int(r)}" for r in b.reindex(index).to_numpy()],
        "after": np.where(after_rank.isna().to_numpy(), "dikeluarkan",
                          "terdaftar peringkat " + after_rank.fillna(0).astype(int).astype(str).to_numpy()),
        "verdict": judged["verdict"].to_numpy(), "note": judged["note"].to_numpy(),
    })  # fmt: skip
    promoted = a[~a.index.isin(b.index)]
    extra = pd.DataFrame({
        "source_file": "", "row": pd.array([pd.NA] * len(promoted), dtype="Int64"),
        "hh_id": promoted.index.get_level_values("hh_id"), "program": promoted.index.get_level_values("program"),
        "before": "tidak terdaftar", "after": "dipromosikan peringkat " + promoted.astype(str).to_numpy(),
        "verdict": "", "note": "",
    })  # fmt: skip
    rows["row"] = rows["row"].astype("Int64")
    return pd.concat([rows, extra], ignore_index=True)


def _summary(
    table: pd.DataFrame, selection: pd.DataFrame, eligible: pd.DataFrame, programs: list[Program]
) -> pd.DataFrame:
    """Per gampong and programme: eligible (households in the data and weighted), listed, already receiving,
    quota and shortfall, cost of the listed; and the gampong's priority (weighted poor households × mean
    deprivation score of the poor, SEPAKAT-style number × severity) with its rank."""
    weight = pd.to_numeric(table["weight"], errors="coerce").fillna(0.0) if "weight" in table else 1.0
    desa = table["desa_code"].astype("string").fillna("")
    poor = table["poverty_status"].isin(POOR_STATUSES)
    score = pd.to_numeric(table["mpi_score"], errors="coerce").fillna(0.0)
    base = pd.DataFrame({"desa_code": desa, "w_poor": weight * poor, "w_score": weight * poor * score})
    gampong = base.groupby("desa_code").sum()
    gampong["poor_households"] = gampong["w_poor"]
    gampong["severity"] = (gampong["w_score"] / gampong["w_poor"]).where(gampong["w_poor"] > 0, 0.0)
    gampong["priority_index"] = gampong["poor_households"] * gampong["severity"]
    gampong["priority_rank"] = gampong["priority_index"].rank(ascending=False, method="min").astype(int)
    frames = []
    listed = selection[selection["listed"]]
    for program in programs:
        el = eligible[program.code].to_numpy()
        recv = (table[program.receipt].astype("boolean").fillna(False).to_numpy(dtype=bool)
                if program.receipt and program.receipt in table else np.zeros(len(table), dtype=bool))
        mine = listed[listed["program"] == program.code]
        is_listed = np.zeros(len(table), dtype=bool)
        is_listed[mine["position"].to_numpy()] = True
        cost = np.zeros(len(table))
        cost[mine["position"].to_numpy()] = mine["cost"].to_numpy()
        part = pd.DataFrame({
            "desa_code": desa, "eligible": el.astype(int), "eligible_weighted": weight * el,
            "listed": is_listed.astype(int), "receiving": (el & recv).astype(int),
            "listed_receiving": (is_listed & recv).astype(int), "cost": cost,
        }).groupby("desa_code").sum()  # fmt: skip
        part.insert(0, "program", program.code)
        frames.append(part)
    out = pd.concat(frames).reset_index()
    first = ~desa.duplicated().to_numpy()  # each gampong's name from its first household (no copy of the table)
    if "desa_name" in table:
        names = pd.Series(table["desa_name"].to_numpy()[first], index=desa.to_numpy()[first])
        out.insert(1, "desa_name", out["desa_code"].map(names))
    else:
        out.insert(1, "desa_name", "")
    out = out.join(gampong[["poor_households", "severity", "priority_index", "priority_rank"]], on="desa_code")
    order = {p.code: i for i, p in enumerate(programs)}
    out = out.sort_values(
        ["priority_rank", "desa_code", "program"], key=lambda s: s.map(order) if s.name == "program" else s
    )
    return out.reset_index(drop=True)


def _meeting_sheets(frame: pd.DataFrame, programs: list[Program], run_id: str) -> list[lists.MeetingSheet]:
    label = {p.code: p.label_id + (f" [{UNCONFIRMED_LABEL}]" if p.status == "unconfirmed" else "") for p in programs}
    receipt_columns = [p.receipt for p in programs if p.receipt and p.receipt in frame.columns]
    shown = frame.assign(program=frame["program"].map(label))
    if receipt_columns:
        parts = [np.where(shown[c].fillna(False).astype(bool).to_numpy(), c.removeprefix("recv_").upper(), "")
                 for c in receipt_columns]
        shown["sedang_menerima"] = _joined(parts, len(shown))
    columns = [c for c in ("program", "rank", "hh_id", *PERSONAL_IDS, *NAME_COLUMNS.values(), "alasan",
                           "paket_rekomendasi", "sedang_menerima", "hasil_verifikasi", "catatan") if c in shown]
    sheets = []
    # one sheet per gampong in code order, its rows in list order: the gampong's rows as one slice of the table
    # sorted (stably) by code, cut once (a province has thousands of gampong); a household without a gampong code
    # gets no sheet
    coded = shown[shown["desa_code"].notna()]
    codes = coded["desa_code"].to_numpy(dtype=object)
    order = np.argsort(codes, kind="stable")
    rows, sorted_codes = coded[columns].iloc[order], codes[order]
    names = coded["desa_name"].to_numpy(dtype=object)[order] if "desa_name" in coded else sorted_codes
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]][: len(order)])
    ends = np.r_[starts[1:], len(order)]
    for a, b in zip(starts, ends):
        code, part, name = sorted_codes[a], rows.iloc[a:b], str(names[a])
        title = [f"Daftar calon penerima untuk musyawarah desa — Gampong {name} ({code})",
                 f"peka target, run {run_id}; isi hasil_verifikasi: layak, tidak_layak, pindah, meninggal, ganda"]
        sheets.append(lists.MeetingSheet(name, title, part, number_columns=("rank",)))
    if not sheets:
        sheets.append(lists.MeetingSheet("kosong", ["Tidak ada rumah tangga yang memenuhi aturan program"],
                                         pd.DataFrame(columns=columns)))
    return sheets


def _catalogue_table(programs: list[Program]) -> pd.DataFrame:
    return pd.DataFrame([{
        "program": p.code, "label": p.label_id, "cluster": p.cluster, "rule": p.rule, "status": p.status,
        "source": p.source, "receipt": p.receipt or "", "components": ";".join(p.components),
        "unit_cost": p.unit_cost.value if p.unit_cost else None,
        "unit_cost_per": p.unit_cost.per if p.unit_cost else "",
        "unit_cost_status": p.unit_cost.status if p.unit_cost else "",
        "unit_cost_source": p.unit_cost.source if p.unit_cost else "",
    } for p in programs])  # fmt: skip


def _evaluate(table: pd.DataFrame, selection: pd.DataFrame, programs: list[Program], spec: TargetSpec) -> pd.DataFrame:
    """Accuracy of the reference rules, of each programme's rule, of each programme's final list (``daftar_<code>``:
    the listed households, after quotas and the meeting's verdicts) and of recorded receipt."""
    selections = accuracy.standard_selections(table)
    for program in programs:
        values = program.compiled().evaluate(table).astype("boolean")
        selections.append(accuracy.Selection(program.code, "programme", values, program.status, program.source or ""))
    for program in programs:
        listed = np.zeros(len(table), dtype=bool)
        mine = selection[(selection["program"] == program.code) & selection["listed"]]
        listed[mine["position"].to_numpy()] = True
        selections.append(accuracy.Selection(f"daftar_{program.code}", "list", pd.Series(listed, index=table.index,
                                             dtype="boolean"), program.status, "the lists of this run"))
    for program in programs:
        if program.receipt and program.receipt in table.columns:
            selections.append(accuracy.Selection(program.receipt, "receipt", table[program.receipt].astype("boolean"),
                                                 "confirmed", "recorded receipt in the input"))
    design = Design(
        weight="weight" if "weight" in table else None, strata="strata" if "strata" in table else None,
        psu="psu" if "psu" in table else None, lonely_psu=spec.lonely_psu,  # type: ignore[arg-type]
    )  # fmt: skip
    return accuracy.evaluate(table, selections, design, names={"kec_code": "kec_name", "desa_code": "desa_name"})


def _warnings(programs: list[Program], spec: TargetSpec, undecided: dict[str, int]) -> list[str]:
    out = []
    unconfirmed = [p.code for p in programs if p.status == "unconfirmed"]
    if unconfirmed:
        out.append(
            f"rules not confirmed by an official source (labelled '{UNCONFIRMED_LABEL}'): {', '.join(unconfirmed)}"
        )
    if spec.reveal_ids:
        out.append("--reveal-ids: the lists and the workbook contain NIK and No KK; share them only as the law allows")
    for code, n in undecided.items():
        if n:
            out.append(f"{code}: {n:,} households left out because the rule could not be decided (missing answers)")
    return out
