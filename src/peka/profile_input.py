"""From a file on disk to ``peka.estimate.profile``: what ``peka profile`` estimates from, decided in one place.

Three kinds of input are accepted (``run_profile`` picks one):

* **quick use** — ``welfare`` or ``line`` is given: any table is read as it is (no mapping, no classification);
  the named welfare column and the fixed line (or line column) give P0/P1/P2; ``mpi`` (an ``[mpi]`` spec) adds
  Alkire-Foster measures, its ``deprived_if`` rules evaluated with ``peka.rules`` on the file's own columns. With
  no household-size column each row counts as one unit.
* **a classified file** — written by ``peka classify`` (recognised by its ``poverty_status`` column): profiled as
  it is; the MPI weights come from ``mpi``, else from the configuration.
* **a raw survey** — read with ``peka.io.load_survey`` (mapping), validated (``--on-invalid fail``), classified
  with ``peka.classify.classify`` under the configuration (``mpi`` replaces its indicator set), then profiled.

Design columns default to the canonical ``weight``/``strata``/``psu`` when present; explicit names must exist.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from peka.errors import ConfigError, InputError, UsageError

log = logging.getLogger(__name__)

CLASSIFIED_MARKER = "poverty_status"  # a column only ``peka classify`` writes
# columns of a classified file holding true/false (a CSV gives text or object values: made nullable boolean)
BOOLEAN_COLUMNS = ("poor", "extreme_poor", "mpi_poor", "mpi_vulnerable", "mpi_severe", "miskin_14k")
TRUE_TEXT = {"true": True, "false": False, "1": True, "0": False, "1.0": True, "0.0": False}


@dataclass(frozen=True)
class ProfileRequest:
    """Everything ``peka profile`` was asked, as plain values (the CLI fills it from its options)."""

    input: Path
    persons: Path | None = None
    mapping: str | None = None
    config: Path | None = None
    by: tuple[str | tuple[str, ...], ...] = ()  # domain sets: a column, or columns crossed together
    welfare: str | None = None
    line: float | None = None
    weight: str | None = None
    strata: str | None = None
    psu: str | None = None
    hh_size: str | None = None
    mpi: Path | None = None
    lonely_psu: str = "fail"
    min_n: int | None = None
    suppress: bool = False
    on_invalid: str = "fail"
    rejects: Path | None = None  # where skipped rows go (default: beside ``output``, else in the working folder)
    output: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

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


def load_profile_config(request: ProfileRequest, *, check_rules: bool) -> Any:
    """The configuration (presets, ``--config``), with the ``--mpi`` spec as the MPI indicator set.

    ``check_rules=False`` for quick use: the rules then read the file's own columns, checked against the data
    instead of the canonical model. Errors in the spec name the spec file.
    """
    from peka.config import load_config

    if request.mpi is None:
        return load_config(request.config, check_rules=check_rules)
    spec = read_mpi_spec(request.mpi)
    try:
        return load_config(request.config, overrides={"mpi": spec}, check_rules=check_rules)
    except ConfigError as exc:
        # the override layer is called "--set" by the loader; here it is the spec file the user wrote
        message = exc.message.removeprefix("--set: ")
        raise ConfigError(message, file=str(request.mpi)) from None


def _text_kinds(request: ProfileRequest) -> dict[str, str]:
    """Columns read as text (codes keep their leading zeros): domains and design ids."""
    names = [*request.by_columns, request.strata or "strata", request.psu or "psu", "hh_id", "prov_code", "kab_code",
             "kec_code", "desa_code", CLASSIFIED_MARKER, "segment", "primary_cause", "causes", "level"]
    return {name: "id" for name in names}


def read_table(request: ProfileRequest) -> pd.DataFrame:
    """The input file as a table of its own columns (plus ``_row``), domain and design id columns as text."""
    from peka.io import open_source

    source = open_source(request.input)
    kinds = {k: v for k, v in _text_kinds(request).items() if k in source.header}
    return source.read(kinds=kinds).frame


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
    columns = [c for c in frame.columns if c in BOOLEAN_COLUMNS or c.startswith("cause_")]
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


def prepare(request: ProfileRequest) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The frame to profile and the keyword arguments of ``peka.estimate.profile`` for ``request``."""
    from peka.estimate import Design

    kwargs: dict[str, Any] = {}
    if request.quick:
        frame = read_table(request)
        if CLASSIFIED_MARKER in frame.columns:
            frame = restore_classified_types(frame)
        config = load_profile_config(request, check_rules=False) if request.mpi is not None else None
        if config is not None:
            frame = add_mpi_columns(frame, config, file=str(request.mpi))
            kwargs["mpi_spec"] = config.mpi
        welfare = request.welfare or "exp_pc"
        if welfare not in frame.columns:
            raise InputError(f"no welfare column {welfare!r}: name it with --welfare", file=str(request.input),
                             column=welfare)
        kwargs.update(welfare=welfare, line=request.line if request.line is not None else "poverty_line",
                      hh_size=request.hh_size or ("hh_size" if "hh_size" in frame.columns else None))
        if request.line is None and "poverty_line" not in frame.columns:
            raise UsageError("quick use needs --line VALUE (or a poverty_line column in the data)")
    else:
        frame = _classified_or_classify(request, kwargs)
    _check_columns(frame, request)
    design = Design.from_frame(
        frame, weight=request.weight or "weight", strata=request.strata or "strata", psu=request.psu or "psu",
        lonely_psu=request.lonely_psu,  # type: ignore[arg-type]
    )
    kwargs["design"] = design
    kwargs["by"] = list(request.by)
    return frame, kwargs


def _classified_or_classify(request: ProfileRequest, kwargs: dict[str, Any]) -> pd.DataFrame:
    """A classified file as it is, or a raw survey loaded, validated and classified."""
    from peka.io import open_source

    header = open_source(request.input).header
    if CLASSIFIED_MARKER in header:
        frame = restore_classified_types(read_table(request))
        config = load_profile_config(request, check_rules=False)
        kwargs["mpi_spec"] = config.mpi if _mpi_matches(frame, config) else None
        log.info("%s: a classified file (it has %s): profiled as it is", request.input, CLASSIFIED_MARKER)
        return frame
    from peka.classify.run import run_classify
    from peka.jobs.paths import default_rejects_path

    config = load_profile_config(request, check_rules=True)
    # the same read → validate → on-invalid → classify run as `peka classify` (it logs rows in / processed /
    # rejected); with skip, the rejects go beside this command's output
    rejects = None
    if request.on_invalid == "skip":
        rejects = request.rejects or default_rejects_path(request.input, request.output)
    run = run_classify(
        request.input, persons=request.persons, mapping=request.mapping, config=config,
        on_invalid=request.on_invalid, rejects=rejects,  # type: ignore[arg-type]
    )  # fmt: skip
    if len(run.rejects):
        log.warning("%s: rows failing the data-quality checks were left out (--on-invalid skip)", request.input)
    kwargs["mpi_spec"] = config.mpi
    return run.table


def _mpi_matches(frame: pd.DataFrame, config: Any) -> bool:
    """The configured indicator set is the one the classified file was made with (same ``mpi_d_*`` names)."""
    names = {c.removeprefix("mpi_d_") for c in frame.columns if c.startswith("mpi_d_")}
    return bool(names) and names == {ind.name for ind in config.mpi.active}


def run_profile(request: ProfileRequest) -> Any:
    """Read, (classify,) and estimate: the ``ProfileResult`` of ``peka.estimate.profile`` for ``request``."""
    from peka.estimate import ProfileOptions, profile

    frame, kwargs = prepare(request)
    options = ProfileOptions(suppress=request.suppress) if request.min_n is None else ProfileOptions(
        suppress=request.suppress, min_n=request.min_n)
    try:
        result = profile(frame, options=options, **kwargs)
    except InputError as exc:  # name the file the user gave (the estimator only knows columns)
        if exc.file is None:
            exc.file = str(request.input)
            exc.args = (exc.render(),)
        raise
    result.design["line_values"] = line_values(frame, result.design)
    return result


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
