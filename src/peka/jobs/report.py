"""``peka report`` as one library call: read, validate and classify once (or read a classified file under its
record), estimate once, build one neutral document (``peka.present.report``) and draw it as an XLSX workbook and/or
a self-contained HTML page (``peka.deliver.report``).

Besides the estimates of ``peka.estimate.profile`` for the whole population, each region level of ``by`` and each
household characteristic the table has (head's sex, age group, education, work status), the job makes the few
extra numbers the report needs: P0 re-estimated with the poverty line scaled by ±10 % and ±20 %, H for k from 20 % to
50 %, and per region the estimated number of poor households needing each intervention cluster.

>>> request = ReportRequest(InputSpec("data/samples/sabang/households.csv",  # doctest: +SKIP
...                         persons="data/samples/sabang/persons.csv"), by=("kec_name", "desa_name"),
...                         outputs=(Path("laporan.xlsx"), Path("laporan.html")))
>>> run_report(request).written  # doctest: +SKIP
[PosixPath('laporan.xlsx'), PosixPath('laporan.html')]
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from peka import __version__
from peka.config.models import Config
from peka.errors import InputError, UsageError
from peka.jobs.inputs import ConfigSpec, InputSpec, RowPolicy
from peka.jobs.outputs import OutputPlan
from peka.schema.classified import CAUSE_PREFIX, MARKER, POOR_STATUSES, indicator_names

if TYPE_CHECKING:
    from peka.jobs.classify import ClassifyRun

log = logging.getLogger(__name__)

REPORT_SUFFIXES: tuple[str, ...] = (".xlsx", ".html")
DEFAULT_REGIONS: tuple[str, ...] = ("kec_name", "desa_name")
# household characteristics profiled when the classified table has them (head_age is grouped first)
PROFILE_COLUMNS: tuple[str, ...] = ("head_sex", "head_age_group", "head_educ", "head_work_status")
AGE_COLUMN, AGE_GROUP_COLUMN = "head_age", "head_age_group"
AGE_EDGES: tuple[float, ...] = (-np.inf, 35, 45, 55, 65, np.inf)  # [lo, hi): under 35, 35–44, …, 65 and over
AGE_LABELS: tuple[str, ...] = ("<35", "35-44", "45-54", "55-64", "65+")
LINE_SCALES: tuple[float, ...] = (0.8, 0.9, 1.0, 1.1, 1.2)
K_VALUES: tuple[float, ...] = (0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50)
HOUSEHOLD_TABLE_MAX_ROWS = 50_000  # above this the report names the CSV/Parquet to use instead of a sheet
SCALED_LINE = "_report_line_scaled"
REGION_CODE = "desa_code"  # what --boundaries features are matched to
# social-assistance receipt flags of the classified table (registry columns), in the order the report shows them
RECEIPT_COLUMNS: tuple[str, ...] = ("recv_pkh", "recv_bpnt", "recv_pbi", "recv_pip", "recv_rtlh")
RECEIPT_MEASURES: tuple[str, ...] = ("coverage", "inclusion_error_nontarget", "inclusion_error_beneficiaries")
# the classified columns the report reads when it does not show the household table (the stream engine keeps only
# these of every household, with the region columns of --by): design, the welfare and status columns the estimates
# read, the characteristics, the place names, the receipt flags and the group counts
REPORT_COLUMNS: tuple[str, ...] = (
    "_row", "prov_code", "prov_name", "kab_name", "desa_code", "desa_name", *DEFAULT_REGIONS, "weight", "strata",
    "psu", "hh_size", "exp_pc", "poverty_line", "extreme_line", "poor", "desil", MARKER, "miskin_14k", AGE_COLUMN,
    *PROFILE_COLUMNS, *RECEIPT_COLUMNS,
)  # fmt: skip
REPORT_PREFIXES: tuple[str, ...] = ("mpi_", "bps14_", CAUSE_PREFIX, "n_")
# vulnerable groups profiled as person populations (``peka profile --population``): weight × members of the group
GROUP_POPULATIONS: tuple[str, ...] = ("children", "elderly", "women", "disabled")


@dataclass(frozen=True)
class ReportRequest:
    """Everything ``peka report`` was asked, as plain values."""

    inputs: InputSpec
    config: ConfigSpec = field(default_factory=ConfigSpec)
    rows: RowPolicy = field(default_factory=RowPolicy)
    by: tuple[str, ...] = ()  # region levels, coarse to fine (kecamatan, gampong); default: DEFAULT_REGIONS present
    lang: str = "id"
    outputs: tuple[Path, ...] = ()
    min_n: int | None = None
    boundaries: Path | None = None  # GeoJSON of the gampong: the page gets a P0 map
    boundary_key: str | None = None  # the feature property holding desa_code (default: desa_code)
    engine: str = "memory"  # memory, stream, dask or auto (peka.engine.ENGINES); a classified input is read whole
    scheduler: str | None = None  # engine dask: the scheduler's address (default: a local cluster)
    chunk_rows: int | None = None  # households per chunk on the stream engine (default engine.stream.CHUNK_ROWS)
    # these inputs already classified in this process, whole, under the configuration and row policy of this report
    # and the default columns (``peka run``: its classify step): used as it is instead of reading and classifying the
    # inputs again; its rejects were written by that run
    classified: ClassifyRun | None = None


@dataclass
class InputFile:
    name: str
    sha256: str
    size: int


@dataclass
class ReportData:
    """The numbers a report is made of, computed once; ``peka.present.report`` turns them into a document."""

    table: pd.DataFrame  # the classified table (one row per household; stream engine, large survey: REPORT_COLUMNS)
    estimates: pd.DataFrame  # peka.estimate.profile: whole population, regions, characteristics
    design: dict[str, Any]
    config: Config
    regions: list[str]  # region columns estimated, coarse to fine
    characteristics: list[str]  # PROFILE_COLUMNS present
    missing_characteristics: list[str]  # PROFILE_COLUMNS (source names) absent from the table
    line_sensitivity: pd.DataFrame  # scale, estimate, se, ci_low, ci_high, flag, line_min, line_max
    k_sensitivity: pd.DataFrame  # k, estimate, se, ci_low, ci_high, flag
    clusters: pd.DataFrame  # per finest region: poor households (estimated, sample) and those needing each cluster
    inputs: list[InputFile]
    rows_in: dict[str, int]
    processed: dict[str, int]
    rejected: dict[str, int]
    classified_input: bool
    peka_version: str = __version__
    source_files: list[str] = field(default_factory=list)
    # receipt of assistance among the monetary poor (targeting.accuracy.evaluate rows, target miskin_moneter)
    receipt: pd.DataFrame = field(default_factory=pd.DataFrame)
    missing_receipt: list[str] = field(default_factory=list)  # RECEIPT_COLUMNS (and desil) absent from the table
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)  # population, column, P0 estimate/se/ci/flag, n, persons
    published: list[dict[str, Any]] = field(default_factory=list)  # published P0 of the line period (published.toml)


@dataclass
class ReportRun:
    data: ReportData
    document: Any  # peka.present.report.ReportDocument
    written: list[Path]
    rejects_path: Path | None = None


def plan_report_outputs(request: ReportRequest) -> OutputPlan:
    """Every output checked against the inputs and each other before anything is read: one ``.xlsx`` and/or one
    ``.html``."""
    if not request.outputs:
        raise UsageError("peka report needs -o FILE.xlsx and/or -o FILE.html")
    plan = OutputPlan.for_inputs(request.inputs.files)
    seen: set[str] = set()
    for output in request.outputs:
        plan.add("-o", output)  # an input named as an output is refused first, whatever its suffix
        suffix = Path(output).suffix.lower()
        if suffix not in REPORT_SUFFIXES:
            raise UsageError(f"cannot write {Path(output).name}: a report is .xlsx (workbook) or .html (page)")
        if suffix in seen:
            raise UsageError(f"two {suffix} outputs: name at most one workbook and one page")
        seen.add(suffix)
    if request.rows.rejects is not None:
        plan.add("--rejects", request.rows.rejects)
    return plan


def sha256_of(path: Path) -> InputFile:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return InputFile(path.name, digest.hexdigest(), path.stat().st_size)


def _read_classified(request: ReportRequest, regions: tuple[str, ...]) -> tuple[pd.DataFrame, Config]:
    """A file written by ``peka classify``: read as it is, under its classification record (or --config/--set)."""
    from peka.io import open_source
    from peka.jobs.profile import ProfileRequest, load_profile_config, read_record, read_table, restore_classified_types

    profile_request = ProfileRequest(inputs=request.inputs, config=request.config, rows=request.rows, by=regions)
    source = open_source(request.inputs.path, sheet=request.inputs.sheet, sep=request.inputs.sep,
                         encoding=request.inputs.encoding, decimal=request.inputs.decimal)
    from peka.jobs.gathered import by_names

    # what the report reads unless it shows the household sheet, which only a small survey gets: a large file is read
    # in those columns only (a third of a wide table), a small one again whole
    needed = by_names((*REPORT_COLUMNS, *regions), REPORT_PREFIXES)(source.header)
    frame = read_table(profile_request, source, usecols=needed)
    if len(frame) <= HOUSEHOLD_TABLE_MAX_ROWS and len(needed) < len(source.header):
        frame = read_table(profile_request, source)
    frame = restore_classified_types(frame)
    chosen = load_profile_config(profile_request, check_rules=False, record=read_record(Path(request.inputs.path)))
    return frame, chosen.config


def _is_classified(request: ReportRequest) -> bool:
    from peka.io import open_source

    source = open_source(request.inputs.path, sheet=request.inputs.sheet, sep=request.inputs.sep,
                         encoding=request.inputs.encoding, decimal=request.inputs.decimal)
    return MARKER in source.header


def add_age_group(frame: pd.DataFrame) -> pd.DataFrame:
    """``head_age_group`` from ``head_age`` (<35, 35-44, 45-54, 55-64, 65+; missing age stays missing).

    >>> add_age_group(pd.DataFrame({"head_age": [20, 35, 64, 65, None]}))["head_age_group"].tolist()
    ['<35', '35-44', '55-64', '65+', nan]
    """
    if AGE_COLUMN not in frame.columns:
        return frame
    age = pd.to_numeric(frame[AGE_COLUMN], errors="coerce").astype("float64")
    groups = pd.cut(age, bins=list(AGE_EDGES), labels=list(AGE_LABELS), right=False)
    return frame.assign(**{AGE_GROUP_COLUMN: groups.astype("object").where(groups.notna(), np.nan)})


def cluster_needs(frame: pd.DataFrame, config: Config, region: str | None) -> pd.DataFrame:
    """Per region value (the whole population when ``region`` is None): poor households, estimated (Σ weight) and
    in the sample, and the estimated number needing each intervention cluster (a poor household needs cluster c when
    any active cause of cluster c applies to it). Columns ``region``, ``poor_households``, ``poor_n``,
    ``cluster_<c>`` for c = 1..4."""
    poor = frame[MARKER].isin(POOR_STATUSES).to_numpy()
    weight = (pd.to_numeric(frame["weight"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
              if "weight" in frame.columns else np.ones(len(frame)))
    parts = {"poor_households": weight * poor, "poor_n": poor.astype(float)}
    for cluster in (1, 2, 3, 4):
        codes = [f"{CAUSE_PREFIX}{c.code}" for c in config.causes.active if c.cluster == cluster]
        present = [c for c in codes if c in frame.columns]
        needs = (frame[present].fillna(False).astype(bool).any(axis=1).to_numpy() if present
                 else np.zeros(len(frame), dtype=bool))
        parts[f"cluster_{cluster}"] = weight * (poor & needs)
    table = pd.DataFrame(parts, index=frame.index)
    keys = frame[region].astype("object").where(frame[region].notna(), None) if region else pd.Series(
        "", index=frame.index)
    summed = table.groupby(keys.fillna("").astype(str), sort=True).sum()
    summed.index.name = "region"
    summed = summed.reset_index()
    summed["poor_n"] = summed["poor_n"].astype("int64")
    return summed


def region_p0_map(request: ReportRequest, frame: pd.DataFrame, estimate_p0, lang: str):
    """The P0 map of ``--boundaries``: features matched to the table's ``desa_code`` (codes compared as text).
    A file that cannot be read or matches no region is an InputError naming it; a partial match is a warning saying
    how many matched (the others are drawn grey)."""
    from peka.io.boundaries import read_boundaries
    from peka.present.labels import column_label
    from peka.present.region_map import build_region_map

    assert request.boundaries is not None
    file = str(request.boundaries)
    if REGION_CODE not in frame.columns:
        raise InputError(f"--boundaries needs the column {REGION_CODE!r} in the data", file=str(request.inputs.path),
                         column=REGION_CODE)
    boundaries = read_boundaries(request.boundaries, request.boundary_key)
    codes = frame[REGION_CODE].astype("object")
    unique = pd.Series(codes.dropna().unique())
    as_text = dict(zip(unique, unique.map(_code_text)))
    frame = frame.assign(**{REGION_CODE: codes.map(as_text)})
    p0 = estimate_p0(frame)
    names: dict[str, str] = {}
    if "desa_name" in frame.columns:
        names = frame.dropna(subset=[REGION_CODE, "desa_name"]).groupby(REGION_CODE)["desa_name"].first().astype(
            str).to_dict()
    matched = sum(b.code in p0 for b in boundaries)
    key = request.boundary_key or "desa_code"
    if matched == 0:
        raise InputError(f"none of the {len(boundaries)} features' {key!r} values is a {REGION_CODE} of the data "
                         f"(choose the property with --boundary-key)", file=file)
    drawn = {b.code for b in boundaries}
    without_shape = sum(c not in drawn for c in p0)
    if matched < len(boundaries) or without_shape:
        log.warning("%s: %d of %d features match a %s of the data (the others are grey); %d %s of the data have "
                    "no feature", request.boundaries, matched, len(boundaries), REGION_CODE, without_shape,
                    REGION_CODE)
    return build_region_map(boundaries, p0, names, lang, column_label("desa_name", lang))


def _code_text(value: object) -> str:
    """A region code as text: ``1172020001``, ``1172020001.0`` and ``"1172020001"`` are one code."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _whole(estimates: pd.DataFrame, measure: str) -> pd.DataFrame:
    mask = (estimates["measure"] == measure) & (estimates["domain"].map(len) == 0)
    return estimates.loc[mask]


def receipt_accuracy(frame: pd.DataFrame, design: Any) -> pd.DataFrame:
    """Per receipt column present: the share of poor households receiving (``coverage``), of non-poor households
    receiving (``inclusion_error_nontarget``) and of recipients not poor (``inclusion_error_beneficiaries``,
    leakage), with Taylor SEs, for the whole population and by ``desil`` when the table has it (the rows of
    ``peka.targeting.accuracy.evaluate`` for the monetary poor)."""
    from peka.targeting.accuracy import Selection, evaluate

    present = [c for c in RECEIPT_COLUMNS if c in frame.columns]
    if not present or "poor" not in frame.columns:
        return pd.DataFrame()
    table = frame
    by: tuple[str, ...] = ()
    if "desil" in frame.columns:  # codes as "1".."10" whatever the file's number type
        table = frame.assign(desil=pd.to_numeric(frame["desil"], errors="coerce").round().astype("Int64"))
        by = ("desil",)
    selections = [Selection(c, "receipt", table[c].astype("boolean")) for c in present]
    rows = evaluate(table, selections, design, by=by, targets={"miskin_moneter": "poor"})
    keep = rows["measure"].isin(RECEIPT_MEASURES)
    return rows.loc[keep].reset_index(drop=True)


def _narrow(frame: pd.DataFrame, design: Any, *columns: str | None) -> pd.DataFrame:
    """The design columns and ``columns`` of ``frame``: a re-estimate of one measure (P0 at a scaled line, H at
    another k) then makes only that measure's base variables, not the whole profile's (a tenth of the work)."""
    keep = [c for c in dict.fromkeys((*design.columns, *columns)) if c is not None and c in frame.columns]
    return frame[keep]


def line_sensitivity(frame: pd.DataFrame, design: Any, hh_size: str | None, min_n: int) -> list[dict[str, Any]]:
    """P0 of the whole population with the poverty line scaled by each of ``LINE_SCALES``."""
    from peka.estimate import ProfileOptions, profile

    if "poverty_line" not in frame.columns or "exp_pc" not in frame.columns:
        return []
    base_line = pd.to_numeric(frame["poverty_line"], errors="coerce")
    narrow = _narrow(frame, design, hh_size, "exp_pc")
    rows = []
    for scale in LINE_SCALES:
        est = profile(narrow.assign(**{SCALED_LINE: base_line * scale}), line=SCALED_LINE, extreme=None,
                      mpi_spec=None, causes=(), design=design, hh_size=hh_size,
                      options=ProfileOptions(segments=False, min_n=min_n))
        row = _whole(est.estimates, "P0").iloc[0]
        rows.append({"scale": scale, **{k: row[k] for k in ("estimate", "se", "ci_low", "ci_high", "flag")},
                     "line_min": float(base_line.min() * scale), "line_max": float(base_line.max() * scale)})
    return rows


def mpi_sensitivity(frame: pd.DataFrame, mpi: Any, design: Any, hh_size: str | None, options: Any) -> list[dict]:
    """H of the whole population with the poverty cutoff k at each of ``K_VALUES`` and the configured k.

    Each household's status at another k comes from its indicators by classify's own rule
    (``peka.classify.multidim.poor_at_cutoffs``: the weights, missing-data rule and tolerance of ``mpi_poor``); the
    classified ``mpi_poor`` column holds the status at the configured k only, so estimating from it would give the
    same H for every k."""
    from peka.classify.multidim import poor_at_cutoffs
    from peka.estimate import profile
    from peka.schema.classified import MPI_PREFIX

    deprived = frame[[f"{MPI_PREFIX}{ind.name}" for ind in mpi.active]]
    narrow = _narrow(frame, design, hh_size)
    configured = float(mpi.k)
    ks = sorted({*K_VALUES, configured})
    score, poor = poor_at_cutoffs(deprived, mpi, ks)
    rows = []
    for k, poor_at_k in zip(ks, poor):
        est = profile(narrow.assign(mpi_score=score, mpi_poor=poor_at_k), welfare=None, line=None, extreme=None,
                      causes=(), mpi_spec=None, design=design, hh_size=hh_size, options=options)
        row = _whole(est.estimates, "H").iloc[0]
        rows.append({"k": round(k, 6), **{c: row[c] for c in ("estimate", "se", "ci_low", "ci_high", "flag")},
                     "configured": k == configured})
    return rows


def group_rates(frame: pd.DataFrame, design: Any, min_n: int) -> pd.DataFrame:
    """P0 of each vulnerable group as a person population (``peka profile --population <group>``: every household
    weighted by weight × its members of the group), with the estimated number of such persons."""
    from peka.estimate import ProfileOptions, profile
    from peka.jobs.profile import POPULATION_COLUMNS

    rows = []
    for population in GROUP_POPULATIONS:
        column = POPULATION_COLUMNS[population]
        if column is None or column not in frame.columns or "exp_pc" not in frame.columns:
            continue
        narrow = _narrow(frame, design, column, "exp_pc", "poverty_line")
        est = profile(narrow, extreme=None, mpi_spec=None, causes=(), design=design, hh_size=column,
                      options=ProfileOptions(segments=False, min_n=min_n)).estimates
        p0, persons = _whole(est, "P0").iloc[0], _whole(est, "persons").iloc[0]
        rows.append({"population": population, "column": column,
                     **{k: p0[k] for k in ("estimate", "se", "ci_low", "ci_high", "flag", "n")},
                     "persons": persons["estimate"]})
    return pd.DataFrame(rows)


def as_categories(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with its text design and domain ``columns`` as categoricals (same values): the report estimates
    about twenty profiles of one table, and each would otherwise hash the same million strings again."""
    text = {c: "category" for c in dict.fromkeys(columns)
            if c in frame.columns and not isinstance(frame[c].dtype, pd.CategoricalDtype)
            and (pd.api.types.is_string_dtype(frame[c].dtype) or frame[c].dtype == object)}
    return frame.astype(text) if text else frame


def published_p0(period: str, prov_codes: set[str]) -> list[dict[str, Any]]:
    """The published P0 of ``period`` (``peka/data/published.toml``): the national figure and those of the provinces
    in ``prov_codes`` (the table's ``prov_code`` values), each with its source and status."""
    import tomllib
    from importlib import resources

    entries = tomllib.loads(resources.files("peka.data").joinpath("published.toml").read_text(encoding="utf-8"))
    return [dict(e) for e in entries.get("p0", []) if str(e["period"]) == str(period)
            and (e["scope"] == "national" or str(e.get("prov_code")) in prov_codes)]


def _classify_streamed(request: ReportRequest, config: Config, beside: Path) -> tuple[pd.DataFrame, Path | None,
                                                                                    Any] | None:
    """The classified table on the stream engine (``None``: run the memory engine — engine ``memory``, ``auto`` on
    a small input, or a file not in ``hh_id`` order). Every column is kept while the survey fits the report's
    household sheet (``HOUSEHOLD_TABLE_MAX_ROWS``); above that only ``REPORT_COLUMNS``/``REPORT_PREFIXES`` and the
    regions of ``--by``, which is all the report reads when it does not show the households."""
    from peka.engine import chunk_mapper
    from peka.jobs.classify import apply_classify_options, check_measures, fallback_warnings, plan_outputs
    from peka.jobs.gathered import by_names, gather_classified, rejects_written
    from peka.jobs.streamed import chunked_engine

    chosen = chunked_engine(request.engine, request.scheduler, request.inputs)
    if chosen is None:
        return None
    _, rejects_target = plan_outputs(request.inputs, None, request.rows, rejects_beside=beside)
    apply_classify_options(config, skip=(), keep=None, keep_more=(), include_personal=False)
    with chunk_mapper(chosen, request.scheduler) as mapper:
        gathered = gather_classified(request.inputs, config, request.rows,
                                     choose=by_names((*REPORT_COLUMNS, *request.by), REPORT_PREFIXES),
                                     include_personal=False, whole_up_to=HOUSEHOLD_TABLE_MAX_ROWS,
                                     chunk_rows=request.chunk_rows, mapper=mapper)
    if gathered is None:
        return None
    check_measures(gathered.witness_table, gathered.witness_survey, config, request.inputs)  # type: ignore[arg-type]
    for warning in fallback_warnings(gathered.fallbacks):
        log.warning(warning)
    rejects_path = rejects_written(gathered, rejects_target)
    log.info(gathered.counts.line(rejects_path))
    return gathered.table, rejects_path, gathered.counts


def run_report(request: ReportRequest) -> ReportRun:
    """Read, (validate, classify,) estimate once and write every requested deliverable of the same document."""
    from peka.deliver.report import write_report
    from peka.estimate import Design, ProfileOptions, profile
    from peka.jobs.classify import run_classify
    from peka.jobs.profile import line_values
    from peka.present.report import build_report

    if request.lang not in ("id", "en"):
        raise UsageError(f"--lang must be id or en, not {request.lang!r}")
    plan_report_outputs(request)
    inputs = [sha256_of(p) for p in request.inputs.files]
    rejects_path = None
    if _is_classified(request):
        frame, config = _read_classified(request, request.by)
        rows_in = {"household": len(frame)}
        processed, rejected = dict(rows_in), {"household": 0}
        classified_input = True
        mpi_spec = config.mpi if set(indicator_names(frame.columns)) == {i.name for i in config.mpi.active} and len(
            config.mpi.active) else None
    else:
        if request.classified is not None:  # classified whole in this process already (peka run's classify step)
            config = request.classified.config
            frame, counts = request.classified.table, request.classified.counts
        else:
            config = request.config.load(inputs=request.inputs)  # rules may read the mapping's extra columns
            beside = next((p for p in request.outputs if p.suffix.lower() == ".xlsx"), request.outputs[0])
            streamed = _classify_streamed(request, config, beside)
            if streamed is not None:
                frame, rejects_path, counts = streamed
            else:
                classified = run_classify(request.inputs, config=ConfigSpec(config), rows=request.rows,
                                          rejects_beside=beside)
                frame, rejects_path, counts = classified.table, classified.rejects_path, classified.counts
        rows_in, processed, rejected = dict(counts.rows_in), dict(counts.processed), dict(counts.rejected)
        classified_input = False
        mpi_spec = config.mpi
    regions = list(request.by) if request.by else [c for c in DEFAULT_REGIONS if c in frame.columns]
    for column in regions:
        if column not in frame.columns:
            raise InputError(f"--by names column {column!r}, which is not in the data", file=str(request.inputs.path),
                             column=column)
    frame = add_age_group(frame)
    characteristics = [c for c in PROFILE_COLUMNS if c in frame.columns]
    missing = [AGE_COLUMN if c == AGE_GROUP_COLUMN else c for c in PROFILE_COLUMNS if c not in frame.columns]
    design = Design.from_frame(frame, weight="weight", strata="strata", psu="psu")
    frame = as_categories(frame, [*design.columns, *regions, *characteristics])
    hh_size = "hh_size" if "hh_size" in frame.columns else None
    options = ProfileOptions(segments=False) if request.min_n is None else ProfileOptions(segments=False,
                                                                                         min_n=request.min_n)
    result = profile(frame, by=[*regions, *characteristics], mpi_spec=mpi_spec, design=design, hh_size=hh_size,
                     options=options)
    result.design["line_values"] = line_values(frame, result.design)
    line_rows = line_sensitivity(frame, design, hh_size, options.min_n)
    k_rows = mpi_sensitivity(frame, mpi_spec, design, hh_size, options) if mpi_spec is not None else []
    finest = regions[-1] if regions else None
    clusters = cluster_needs(frame, config, finest) if MARKER in frame.columns else pd.DataFrame()
    data = ReportData(
        table=frame, estimates=result.estimates, design=result.design, config=config, regions=regions,
        characteristics=characteristics, missing_characteristics=missing,
        line_sensitivity=pd.DataFrame(line_rows), k_sensitivity=pd.DataFrame(k_rows), clusters=clusters,
        inputs=inputs, rows_in=rows_in, processed=processed, rejected=rejected, classified_input=classified_input,
        source_files=[str(p) for p in request.inputs.files],
        receipt=receipt_accuracy(frame, design),
        missing_receipt=[c for c in (*RECEIPT_COLUMNS, "desil") if c not in frame.columns],
        groups=group_rates(frame, design, options.min_n),
        published=published_p0(config.lines.period, set(frame["prov_code"].dropna().astype(str).unique())
                               if "prov_code" in frame.columns else set()),
    )  # fmt: skip
    document = build_report(data, lang=request.lang, max_rows=HOUSEHOLD_TABLE_MAX_ROWS)  # type: ignore[arg-type]
    if request.boundaries is not None:

        def estimate_p0(coded: pd.DataFrame) -> dict[str, tuple[float, float, float]]:
            narrow = _narrow(coded, design, hh_size, REGION_CODE, "exp_pc", "poverty_line")
            est = profile(narrow, by=[REGION_CODE], extreme=None, mpi_spec=None, causes=(), design=design,
                          hh_size=hh_size, options=options).estimates
            rows = est.loc[(est["measure"] == "P0") & (est["domain"].map(len) == 1)]
            return {str(dict(d)[REGION_CODE]): (e, lo, hi) for d, e, lo, hi in
                    zip(rows["domain"], rows["estimate"], rows["ci_low"], rows["ci_high"])}

        document.region_map = region_p0_map(request, frame, estimate_p0, request.lang)
    written = [write_report(document, output) for output in request.outputs]
    return ReportRun(data, document, written, rejects_path)
