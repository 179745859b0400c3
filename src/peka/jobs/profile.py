"""``peka profile`` as one library call: what is estimated from, decided in one place, then ``peka.estimate``.

Three kinds of input are accepted (``run_profile`` picks one):

* **quick use** — ``welfare`` or ``line`` is given: any table is read as it is (no mapping, no classification);
  the named welfare column and the fixed line (or line column) give P0/P1/P2; ``mpi`` (an ``[mpi]`` spec) adds
  Alkire-Foster measures, its ``deprived_if`` rules evaluated with ``peka.rules`` on the file's own columns. With
  no household-size column each row counts as one unit.
* **a classified file** — written by ``peka classify`` (it has ``schema.classified.MARKER``): profiled as it is,
  under the configuration of its *classification record* (Parquet metadata, or ``<file>.peka.toml`` beside it),
  so a custom MPI weighting or cause label travels with the file. ``--config``/``--set`` override the record;
  ``--mpi`` replaces the indicator set. The result says which configuration was used.
* **a raw survey** — read, validated and classified exactly as ``peka classify`` does (``jobs.classify``), then
  profiled.

Design columns default to the canonical ``weight``/``strata``/``psu`` when present; explicit names must exist.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from peka.config.models import Config
from peka.deliver.files import CSV_STANDARD, CsvDialect
from peka.engine import check_scheduler, chunk_mapper
from peka.errors import ConfigError, InputError, UsageError
from peka.jobs.inputs import ConfigSpec, InputSpec, RowPolicy
from peka.schema.classified import (
    MARKER,
    PARQUET_RECORD_KEY,
    SEGMENT_COLUMNS,
    TEXT_COLUMNS,
    boolean_columns,
    column_types,
    indicator_names,
    record_path_for,
)

log = logging.getLogger(__name__)

TRUE_TEXT = {"true": True, "false": False, "1": True, "0": False, "1.0": True, "0.0": False}


@dataclass(frozen=True)
class ProfileRequest:
    """Everything ``peka profile`` was asked, as plain values (the CLI fills it from its options)."""

    inputs: InputSpec
    config: ConfigSpec = field(default_factory=ConfigSpec)
    rows: RowPolicy = field(default_factory=RowPolicy)
    by: tuple[str | tuple[str, ...], ...] = ()  # domain sets: a column, or columns crossed together
    welfare: str | None = None
    line: float | None = None
    weight: str | None = None
    strata: str | None = None
    psu: str | None = None
    hh_size: str | None = None
    unit: str = "household"  # household: person measures weight × household size; person: each row is a person
    population: str | None = None  # whose rate person-weighted measures give: persons, children, elderly …
    skip: tuple[str, ...] = ()  # measures a raw survey may lack (classify --skip)
    ci: str = "logit"
    ci_df: str = "design"
    min_psu: int | None = None
    sort: str | None = None  # rank the domains of every --by by this measure
    mpi: Path | None = None
    lonely_psu: str = "fail"
    min_n: int | None = None
    suppress: bool = False
    output: Path | None = None
    engine: str = "memory"  # memory, stream, dask or auto (jobs.streamed; docs/architecture.md, "Engines")
    scheduler: str | None = None  # engine dask: the scheduler's address (default: a local cluster)
    csv_dialect: CsvDialect = CSV_STANDARD  # of the CSV rejects file (the CLI writes --format csv in it too)
    chunk_rows: int | None = None  # households per chunk of the stream engine (default engine.stream.CHUNK_ROWS)

    @property
    def input(self) -> Path:
        return Path(self.inputs.path)

    @property
    def by_columns(self) -> list[str]:
        """Every column named in ``by``, once."""
        names = [n for entry in self.by for n in ((entry,) if isinstance(entry, str) else entry)]
        return list(dict.fromkeys(names))

    @property
    def quick(self) -> bool:
        return self.welfare is not None or self.line is not None


def read_mpi_spec(path: Path) -> dict[str, Any]:
    """The ``[mpi]`` table of an indicator-spec TOML (``k`` and ``[[mpi.indicators]]``), with ``preset = "none"``
    unless the file names a preset: the spec replaces the configured indicator set instead of adding to it."""
    from peka.config.loader import read_toml

    doc = read_toml(path)
    spec = doc.get("mpi")
    unknown = [k for k in doc if k != "mpi"]
    if not isinstance(spec, dict):
        raise ConfigError("an MPI spec needs an [mpi] table with k and [[mpi.indicators]]", file=str(path), key="mpi")
    if unknown:
        raise ConfigError(f"unknown key {unknown[0]!r}: an MPI spec holds only the [mpi] table", file=str(path),
                          key=unknown[0])
    return {"preset": "none", **spec}


@dataclass(frozen=True)
class ChosenConfig:
    """The configuration a profile runs under and where it came from (shown in every output): ``{"source":
    "record" | "config" | "presets", "file": ..., "set": [...], "mpi": ...}``."""

    config: Config
    source: dict[str, Any]


def load_profile_config(request: ProfileRequest, *, check_rules: bool, record: tuple[str, str] | None = None
                        ) -> ChosenConfig:
    """The configuration: ``--config``/``--set`` when given, else the classification record ``(text, where)`` of a
    classified input, else the built-in presets; with the ``--mpi`` spec as the MPI indicator set.

    ``check_rules=False`` for quick use and classified files: the rules then read the file's own columns, checked
    against the data instead of the canonical model. Errors in the spec name the spec file.
    """
    from peka.config import load_config

    overrides: dict[str, Any] = {}
    if request.mpi is not None:
        overrides = {"mpi": read_mpi_spec(request.mpi)}
    if request.config.given:
        base = request.config
        source = {"source": "config", "file": str(request.config.path) if request.config.path is not None else None,
                  "set": list(request.config.overrides) if not isinstance(request.config.overrides, Mapping) else []}
        text, origin = None, None
    elif record is not None:
        base, source = ConfigSpec(), {"source": "record", "file": record[1]}
        text, origin = record
    else:
        base, source, text, origin = ConfigSpec(), {"source": "presets"}, None, None
    if isinstance(base.path, Config) and not overrides:
        return ChosenConfig(base.path, source)
    layered: list[Any] = [*_as_list(base.overrides), *([overrides] if overrides else [])]
    try:
        if text is not None:
            config = load_config(origin, text=text, overrides=_merge_overrides(layered), check_rules=check_rules)
        else:
            path = None if isinstance(base.path, Config) else base.path
            config = load_config(path, overrides=_merge_overrides(layered), check_rules=check_rules,
                                 extra_columns=request.inputs.extra_columns() if check_rules else None)
    except ConfigError as exc:
        from_override = exc.file == "--set" or exc.message.startswith("--set")
        if request.mpi is None or not from_override:
            raise
        # the override layer is called "--set" by the loader; here it is the spec file the user wrote
        raise ConfigError(exc.message.removeprefix("--set: "), file=str(request.mpi)) from None
    if request.mpi is not None:
        source["mpi"] = str(request.mpi)
    return ChosenConfig(config, source)


def _as_list(overrides: Any) -> list[Any]:
    return [overrides] if isinstance(overrides, dict) else list(overrides)


def _merge_overrides(layers: list[Any]) -> Any:
    """``--set`` strings and the ``--mpi`` mapping as one override argument of ``load_config``."""
    if all(isinstance(layer, str) for layer in layers):
        return layers
    merged: dict[str, Any] = {}
    from peka.config.layers import parse_override

    for layer in layers:
        if isinstance(layer, str):
            keys, value = parse_override(layer)
            merged[".".join(keys)] = value
        else:
            merged.update(layer)
    return merged


def read_record(path: Path) -> tuple[str, str] | None:
    """The classification record of a classified file: ``(toml text, where it was found)`` or ``None``."""
    if path.suffix.lower() in (".parquet", ".pq"):
        from peka.io.parquet import parquet_metadata

        stored = parquet_metadata(path).get(PARQUET_RECORD_KEY)
        if stored is not None:
            return stored.decode("utf-8"), path.name
    beside = record_path_for(path)
    if beside.is_file():
        try:
            return beside.read_text(encoding="utf-8"), beside.name
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read the classification record ({type(exc).__name__})", file=str(beside)) from None
    return None


def _text_kinds(request: ProfileRequest) -> dict[str, str]:
    """Columns read as text (codes keep their leading zeros): domains and design ids."""
    names = [*request.by_columns, request.strata or "strata", request.psu or "psu", "hh_id", "prov_code", "kab_code",
             "kec_code", "desa_code", *TEXT_COLUMNS]
    return {name: "id" for name in names}


def read_table(request: ProfileRequest, source: Any, *, usecols: list[str] | None = None) -> pd.DataFrame:
    """The input file (its opened ``peka.io.Source``) as a table of its own columns (or ``usecols``; plus ``_row``),
    domain and design id columns as text; a classified file's columns with the types its contract fixes."""
    kinds = {k: v for k, v in _text_kinds(request).items() if k in source.header}
    types = column_types(source.header) if MARKER in source.header else None
    return source.read(usecols=usecols, kinds=kinds, types=types).frame


def classified_columns(request: ProfileRequest, header: list[str]) -> list[str]:
    """The columns of a classified file that profiling it reads (design, domains, the measures' inputs), in file
    order: reading only these is most of the speed of ``peka profile`` on a wide file."""
    from peka.estimate import measure_columns

    size = POPULATION_COLUMNS.get(request.population or "", None) or request.hh_size or "hh_size"
    wanted = {request.weight or "weight", request.strata or "strata", request.psu or "psu", size,
              *request.by_columns, *SEGMENT_COLUMNS, *measure_columns(header)}
    return [c for c in header if c in wanted]


def _as_boolean(values: pd.Series) -> pd.Series:
    """True/false values from a CSV (text ``True``/``False``/``1``/``0``, or objects) as nullable boolean."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean")
    text = values.astype("string").str.strip().str.lower()
    mapped = text.map(TRUE_TEXT)
    unknown = text.notna() & mapped.isna()
    if unknown.any():
        raise InputError(f"{int(unknown.sum())} value(s) are not true/false", column=str(values.name))
    return mapped.astype("boolean")


def restore_classified_types(frame: pd.DataFrame) -> pd.DataFrame:
    """Boolean columns of a classified file read back from text (``poor``, ``cause_*`` …) as ``boolean``."""
    columns = boolean_columns(frame.columns)
    return frame.assign(**{c: _as_boolean(frame[c]) for c in columns}) if columns else frame


def _check_columns(frame: pd.DataFrame, request: ProfileRequest) -> None:
    for option, column in (("--welfare", request.welfare), ("--weight", request.weight), ("--strata", request.strata),
                           ("--psu", request.psu), ("--hh-size", request.hh_size), *[("--by", b) for b in request.by_columns]):
        if column is not None and column not in frame.columns:
            raise InputError(f"{option} names column {column!r}, which is not in the data", file=str(request.input),
                             column=column)


def add_mpi_columns(frame: pd.DataFrame, config: Any, *, file: str) -> pd.DataFrame:
    """``mpi_d_<name>``, ``mpi_score``, ``mpi_poor`` … from the configured indicator set, evaluated on ``frame``'s
    own columns (household-level rules only: a plain table has no member roster)."""
    from peka.classify.multidim import classify_mpi
    from peka.rules import compile_rule

    constants = config.all_constants()
    try:
        for i, ind in enumerate(config.mpi.indicators):
            if not ind.enabled:
                continue
            key = f"mpi.indicators[{i}]"
            if ind.level != "household":
                raise ConfigError("person-level indicators need a survey with a person file, not quick use",
                                  key=f"{key}.level")
            rule = compile_rule(ind.deprived_if, key=f"{key}.deprived_if")
            rule.check_columns(frame.columns, constants=constants)
    except ConfigError as exc:  # name the spec file the rule came from
        raise type(exc)(exc.message, file=file) from None
    mpi = classify_mpi(frame, None, config)
    return pd.concat([frame.drop(columns=[c for c in mpi.columns if c in frame.columns]), mpi], axis=1)


@dataclass
class ProfileRun:
    """The estimates (``peka.estimate.ProfileResult``) and the configuration they were made under (``None`` in
    quick use without ``--mpi``), which the presentation uses for labels."""

    result: Any
    config: Config | None
    rows_rejected: int = 0

    @property
    def estimates(self) -> pd.DataFrame:
        return self.result.estimates

    @property
    def design(self) -> dict[str, Any]:
        return self.result.design


def prepare(request: ProfileRequest) -> tuple[pd.DataFrame, dict[str, Any], ChosenConfig | None]:
    """The frame to profile, the keyword arguments of ``peka.estimate.profile`` and the configuration chosen."""
    from peka.estimate import Design
    from peka.io import open_source

    kwargs: dict[str, Any] = {}
    chosen: ChosenConfig | None = None
    spec = request.inputs
    source = open_source(request.input, sheet=spec.sheet, sep=spec.sep, encoding=spec.encoding, decimal=spec.decimal)
    if request.quick:
        frame = read_table(request, source) if request.inputs.mapping is None else _mapped_table(request)
        if MARKER in frame.columns:
            frame = restore_classified_types(frame)
        if request.mpi is not None:
            chosen = load_profile_config(request, check_rules=False)
            frame = add_mpi_columns(frame, chosen.config, file=str(request.mpi))
            kwargs["mpi_spec"] = chosen.config.mpi
        welfare = request.welfare or "exp_pc"
        if welfare not in frame.columns:
            raise InputError(f"no welfare column {welfare!r}: name it with --welfare", file=str(request.input),
                             column=welfare)
        kwargs.update(welfare=welfare, line=request.line if request.line is not None else "poverty_line")
        if request.line is None and "poverty_line" not in frame.columns:
            raise UsageError("quick use needs --line VALUE (or a poverty_line column in the data)")
    elif MARKER in source.header:
        frame = restore_classified_types(read_table(request, source, usecols=classified_columns(request, source.header)))
        chosen = load_profile_config(request, check_rules=False, record=read_record(request.input))
        kwargs["mpi_spec"] = chosen.config.mpi if _mpi_matches(frame, chosen.config) else None
        log.info("%s: a classified file (it has %s): configuration %s", request.input, MARKER, chosen.source)
    else:
        chosen = load_profile_config(request, check_rules=True)
        frame = _classify(request, chosen.config)
        kwargs["mpi_spec"] = chosen.config.mpi
    _check_columns(frame, request)
    kwargs["hh_size"] = _size_column(request, frame)
    design = Design.from_frame(
        frame, weight=request.weight or "weight", strata=request.strata or "strata", psu=request.psu or "psu",
        lonely_psu=request.lonely_psu,  # type: ignore[arg-type]
    )
    kwargs["design"] = design
    kwargs["by"] = list(request.by)
    return frame, kwargs, chosen


# --population → the classified column counting those members per household (classify's group counts); the
# person-weighted measures then weight each household by w × that count: the share of children living in poor
# households, with its SE. "households": every household counts once.
POPULATION_COLUMNS: dict[str, str | None] = {
    "persons": "hh_size", "households": None, "children": "n_children", "under5": "n_under5",
    "elderly": "n_elderly", "women": "n_women", "disabled": "n_disabled",
}  # fmt: skip


def _size_column(request: ProfileRequest, frame: pd.DataFrame) -> str | None:
    """The column that turns a row's weight into persons: ``--population`` or ``--hh-size`` when named (in every
    mode), none with ``--unit person`` (each row is one person), else ``hh_size`` when the table has it."""
    if request.population is not None:
        if request.hh_size is not None or request.unit == "person":
            raise UsageError("--population chooses the weighting itself: leave out --hh-size and --unit person")
        column = POPULATION_COLUMNS[request.population]
        if column is not None and column not in frame.columns:
            raise InputError(f"--population {request.population} needs the column {column!r}, which classify "
                             "writes when it has the person table (--persons)", file=str(request.input), column=column)
        return column
    if request.unit == "person":
        if request.hh_size is not None:
            raise UsageError("--hh-size multiplies each row's weight by a size: it cannot go with --unit person, "
                             "where each row is one person")
        return None
    if request.hh_size is not None:
        return request.hh_size
    return "hh_size" if "hh_size" in frame.columns else None


def _mapped_table(request: ProfileRequest) -> pd.DataFrame:
    """Quick use with ``--mapping``: the household table mapped to canonical names (so ``KAPITA`` is ``exp_pc``
    under ``--mapping susenas``), every other column of the file kept under its own name for ``--by`` and
    ``--mpi`` rules."""
    from peka.io import load_survey

    spec = request.inputs
    survey = load_survey(spec.path, mapping=spec.mapping, sheet=spec.sheet, keep_unmapped=True, **spec.text_options)
    return survey.households


def _classify(request: ProfileRequest, config: Config) -> pd.DataFrame:
    """A raw survey read, validated and classified by the same job as ``peka classify`` (it logs rows in /
    processed / rejected); with ``--on-invalid skip`` the rejects go beside this command's output."""
    from peka.jobs.classify import run_classify

    run = run_classify(request.inputs, config=ConfigSpec(config), rows=request.rows, rejects_beside=request.output,
                       skip=request.skip, csv_dialect=request.csv_dialect)
    if len(run.rejects):
        log.warning("%s: rows failing the data-quality checks were left out (--on-invalid skip)", request.input)
    return run.table


def _mpi_matches(frame: pd.DataFrame, config: Config) -> bool:
    """The configured indicator set is the one the classified file was made with (same ``mpi_d_*`` names)."""
    names = set(indicator_names(frame.columns))
    return bool(names) and names == {ind.name for ind in config.mpi.active}


def run_profile(request: ProfileRequest) -> ProfileRun:
    """Read, (classify,) and estimate: the estimates of ``peka.estimate.profile`` for ``request``, with the
    configuration used (``design["configuration"]`` says where it came from)."""
    from peka.estimate import ProfileOptions, profile
    from peka.jobs.outputs import OutputPlan

    if request.line is not None and not (math.isfinite(request.line) and request.line > 0):
        raise UsageError(f"--line must be a positive finite amount in the welfare unit, not {request.line!r}")
    plan = OutputPlan.for_inputs(request.inputs.files)
    plan.add("-o", request.output)
    if request.rows.rejects is not None:
        plan.add("--rejects", request.rows.rejects)
    chosen_options: dict[str, Any] = {"suppress": request.suppress, "ci": request.ci, "ci_df": request.ci_df}
    if request.min_n is not None:
        chosen_options["min_n"] = request.min_n
    if request.min_psu is not None:
        chosen_options["min_psu"] = request.min_psu
    options = ProfileOptions(**chosen_options)
    streamed = None
    check_scheduler(request.engine, request.scheduler)
    if request.engine != "memory":
        from peka.jobs.streamed import profile_stream

        with chunk_mapper(request.engine, request.scheduler) as mapper:  # a cluster connects only when used
            streamed = profile_stream(request, options, mapper=mapper)
    try:
        if streamed is not None:
            frame, result, chosen = streamed
        else:
            frame, kwargs, chosen = prepare(request)
            result = profile(frame, options=options, **kwargs)
    except InputError as exc:  # name the file the user gave (the estimator only knows columns)
        if exc.file is None:
            exc.file = str(request.input)
            exc.args = (exc.render(),)
        raise
    if not has_design(frame, request):
        without_standard_errors(result)
    result.design["line_values"] = line_values(frame, result.design)
    if chosen is not None:
        result.design["configuration"] = chosen.source
    if request.population is not None:
        result.design["population"] = request.population
    if request.sort is not None:
        result.design["rankings"] = rankings(result.estimates, request)
    return ProfileRun(result, chosen.config if chosen is not None else None)


NO_DESIGN = ("no survey design (no weight, strata or PSU: a register lists families, it is not a sample): counts "
             "and shares of the families listed, without standard errors")


def has_design(frame: pd.DataFrame, request: ProfileRequest) -> bool:
    """The table has a weight, strata or PSU column (named or by its canonical name)."""
    names = (request.weight or "weight", request.strata or "strata", request.psu or "psu")
    return any(name in frame.columns for name in names)


def without_standard_errors(result: Any) -> None:
    """A table without any design column is not a sample: its shares are exact counts of what it lists, so no
    standard error, interval or RSE is shown (not an SE of 0, and not an SRS SE either)."""
    estimates = result.estimates
    for column in ("se", "ci_low", "ci_high", "rse"):
        if column in estimates.columns:
            estimates[column] = np.nan
    result.design.update({"type": "none", "description": NO_DESIGN, "ci": {}, "standard_errors": False})
    log.warning("%s", NO_DESIGN)


def rankings(estimates: pd.DataFrame, request: ProfileRequest) -> list[dict[str, Any]]:
    """For ``--sort``: per domain set, the leading domain and whether the leaders' CIs overlap (they cannot be told
    apart), from ``peka.estimate.rank_domains``."""
    from peka.estimate import rank_domains

    found = []
    for entry in request.by:
        columns = (entry,) if isinstance(entry, str) else tuple(entry)
        try:
            ranking = rank_domains(estimates, request.sort or "", by=columns)
        except UsageError:  # this measure is not estimated for that domain set
            continue
        if ranking.table.empty or int(ranking.table["rank"].iloc[0]) == 0:
            continue
        leader = " × ".join(str(ranking.table[c].iloc[0]) for c in columns)
        found.append({"by": list(columns), "measure": ranking.measure, "leader": leader,
                      "leaders": ranking.leaders, "top_overlap": ranking.top_overlap})
    return found


def line_values(frame: pd.DataFrame, design: dict[str, Any]) -> dict[str, dict[str, float]]:
    """The smallest and largest value of each poverty line the estimates used (a fixed line: that value twice), in
    the welfare unit (Rupiah), for the reader of the output: ``{"poverty_line": {"min": ..., "max": ...}, ...}``."""
    found: dict[str, dict[str, float]] = {}
    for key in ("poverty_line", "extreme_line"):
        line = design.get(key)
        if isinstance(line, str) and line in frame.columns:
            values = pd.to_numeric(frame[line], errors="coerce")
            if values.notna().any():
                found[key] = {"min": float(values.min()), "max": float(values.max())}
        elif isinstance(line, (int, float)) and not isinstance(line, bool):
            found[key] = {"min": float(line), "max": float(line)}
    return found
