"""The pipeline file of ``peka run``: which survey, which configuration, which steps with which options, and the
output folder — one TOML file a cron job can run (docs/batch.md).

Every table is a pydantic model with ``extra="forbid"``: a misspelt key is a ``ConfigError`` (exit 4) naming the
key (``steps[2].by``) and the file. Paths are relative to the pipeline file's folder, so the file means the same
whatever the working folder of cron is. The step option models are given by the caller (``jobs.pipeline.STEPS``):
a new step is one model and one entry there.

>>> from peka.config.pipeline import parse_pipeline_document
>>> doc = {"output": "hasil", "input": {"households": "rt.csv"}, "steps": [{"step": "validate"}]}
>>> p = parse_pipeline_document(doc, Path("/srv/kemiskinan/pipeline.toml"), {"validate": ValidateOptions})
>>> p.output_folder, p.steps[0].output
(PosixPath('/srv/kemiskinan/hasil'), 'validate.json')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from peka.config.layers import dotted
from peka.config.tomlfile import read_toml_file
from peka.errors import ConfigError

# names in the output folder that peka run itself writes: no step may use them
MANIFEST_NAME = "manifest.json"
TIMINGS_NAME = "run.json"
RECORD_NAME = "peka.toml"
REJECTS_NAME = "rejects.csv"
RESERVED_NAMES = frozenset({MANIFEST_NAME, TIMINGS_NAME, RECORD_NAME, REJECTS_NAME})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InputSection(_Strict):
    """``[input]``: the survey files (a path or a glob, relative to the pipeline file) and how to read them."""

    households: str
    persons: str | None = None
    mapping: str | None = None
    sheet: str | None = None
    person_sheet: str | None = None
    sep: str | None = None
    encoding: str | None = None
    decimal: Literal[".", ","] | None = None
    # a glob matching several files: the newest by modification time, or the last in name order (dated names)
    pick: Literal["newest", "last_by_name"] = "newest"


class ConfigSection(_Strict):
    """``[config]``: the ``--config`` and ``--set`` of every step."""

    file: str | None = None
    set: list[str] = Field(default_factory=list)


def _plain_name(value: str) -> str:
    """An output is a name inside the output folder: no folder part, no ``..``, not a name peka run keeps."""
    if not value or PurePath(value).name != value or value in (".", ".."):
        raise ValueError("an output is a file or folder name inside the output folder, without '/' or '..'")
    if value in RESERVED_NAMES:
        raise ValueError(f"{value!r} is written by peka run itself; choose another name")
    if value.startswith("."):
        raise ValueError("an output name may not start with '.' (peka's temporary files do)")
    return value


class StepOptions(_Strict):
    """Options every step has: ``step`` (its name in ``jobs.pipeline.STEPS``) and ``output`` (a name in the set)."""

    step: str
    output: str

    _check_output = field_validator("output")(_plain_name)

    def output_names(self) -> list[str]:
        """Every name this step writes into the set (``output``; a report step may add its other format)."""
        return [self.output]


class EngineChoice(_Strict):
    """``engine``: memory, stream or auto (``peka.engine.ENGINES``, checked by ``parse_pipeline_document`` against
    the values the caller gives, so a new engine is added in one place); unset = the file's top-level ``engine``."""

    engine: str | None = None
    # the Dask scheduler's address (``--scheduler``, e.g. "tcp://10.0.0.5:8786") for ``engine = "dask"``; unset =
    # the file's top-level ``scheduler``, else a local cluster
    scheduler: str | None = None


class CsvChoice(_Strict):
    """``csv_dialect``: standard or id (``peka.deliver.files.CSV_DIALECTS``, checked like ``engine``) for the CSV
    files a step writes; unset = the file's top-level ``csv_dialect``."""

    csv_dialect: str | None = None


class ValidateOptions(StepOptions):
    """``validate``: the data-quality report as JSON (as ``peka validate --json``)."""

    step: Literal["validate"] = "validate"
    output: str = "validate.json"


Measure = Literal["money", "mpi", "bps14", "causes"]


class ClassifyOptions(StepOptions, EngineChoice, CsvChoice):
    """``classify``: the household table (.csv or .parquet) with its classification record beside it."""

    step: Literal["classify"] = "classify"
    output: str = "klasifikasi.csv"
    skip: list[Measure] = Field(default_factory=list)
    keep: list[str] = Field(default_factory=list)  # --keep: more columns
    keep_none: bool = False  # --keep-none
    include_personal: bool = False

    @field_validator("output")
    @classmethod
    def _table_suffix(cls, value: str) -> str:
        if PurePath(value).suffix.lower() not in (".csv", ".parquet"):
            raise ValueError("the classified table is written as .csv or .parquet")
        return value


class ProfileOptions(StepOptions, EngineChoice, CsvChoice):
    """``profile``: estimates of the table the ``classify`` step wrote (under its classification record); on
    ``engine = "stream"`` (or dask, or auto on a big table) that table is read in chunks
    (``jobs.streamed.profile_classified_stream``)."""

    step: Literal["profile"] = "profile"
    output: str = "profil.json"
    by: list[str | list[str]] = Field(default_factory=list)  # "kec_name", or ["kec_name", "urban_rural"] crossed
    population: Literal["persons", "households", "children", "under5", "elderly", "women", "disabled"] | None = None
    ci: Literal["logit", "t", "normal"] = "logit"
    min_n: int | None = Field(default=None, ge=0)
    min_psu: int | None = Field(default=None, ge=1)
    suppress: bool = False
    sort: str | None = None
    lonely_psu: Literal["fail", "adjust", "certainty"] = "fail"
    lang: Literal["id", "en"] = "id"

    @field_validator("output")
    @classmethod
    def _profile_suffix(cls, value: str) -> str:
        if PurePath(value).suffix.lower() not in (".json", ".csv", ".xlsx"):
            raise ValueError("the profile is written as .json, .csv or .xlsx")
        return value


class TargetOptions(StepOptions, EngineChoice, CsvChoice):
    """``target``: the lists, written as a folder inside the set (``peka target -o``)."""

    step: Literal["target"] = "target"
    output: str = "daftar"
    programs: list[str] = Field(default_factory=list)
    catalogue: str | None = None  # --programs FILE
    quota: int | None = Field(default=None, ge=0)
    quota_by: str = "desa_code"
    quota_file: str | None = None
    budget: float | None = Field(default=None, ge=0)
    evaluate: bool = False
    pseudonym_key: str | None = None
    names: bool = True
    reveal_ids: bool = False
    lonely_psu: Literal["fail", "adjust", "certainty"] = "fail"


REPORT_SUFFIXES = (".html", ".xlsx")


def _report_name(value: str) -> str:
    if PurePath(value).suffix.lower() not in REPORT_SUFFIXES:
        raise ValueError("a report is written as .html (the page) or .xlsx (the workbook)")
    return value


class ReportOptions(StepOptions, EngineChoice):
    """``report``: the page or workbook of ``peka report`` as ``output``, the other format as ``also`` (both drawn
    from one run), of the survey of ``[input]`` (classified by the step, as ``peka report`` does)."""

    step: Literal["report"] = "report"
    output: str = "laporan.html"
    also: str | None = None
    by: list[str] = Field(default_factory=list)  # region columns, coarse to fine
    min_n: int | None = Field(default=None, ge=0)
    lang: Literal["id", "en"] = "id"
    boundaries: str | None = None  # GeoJSON of the gampong, relative to the pipeline file
    boundary_key: str | None = None

    _check_report_output = field_validator("output")(_report_name)

    @field_validator("also")
    @classmethod
    def _also_name(cls, value: str | None) -> str | None:
        return None if value is None else _report_name(_plain_name(value))

    @model_validator(mode="after")
    def _two_formats(self) -> ReportOptions:
        if self.also is not None and PurePath(self.also).suffix.lower() == PurePath(self.output).suffix.lower():
            raise ValueError("output and also name the two formats of the report: one .html and one .xlsx")
        return self

    def output_names(self) -> list[str]:
        return [self.output, *([self.also] if self.also is not None else [])]


class PipelineFile(_Strict):
    """The whole file. ``steps`` are checked one by one against the step table (``parse_pipeline_document``)."""

    output: str
    on_invalid: Literal["fail", "skip"] = "fail"
    engine: str | None = None  # every step with an engine (a step's own ``engine`` wins); unset = memory
    csv_dialect: str | None = None  # every step writing CSV (a step's own ``csv_dialect`` wins); unset = standard
    scheduler: str | None = None  # every step on engine "dask" (a step's own ``scheduler`` wins); unset = local cluster
    input: InputSection
    config: ConfigSection = Field(default_factory=ConfigSection)
    steps: list[dict[str, Any]] = Field(min_length=1)


@dataclass(frozen=True)
class Pipeline:
    """A parsed pipeline file: its path, the checked document and the steps' option models in order."""

    file: Path
    document: PipelineFile
    steps: tuple[StepOptions, ...]

    @property
    def folder(self) -> Path:
        return self.file.parent

    def path(self, value: str) -> Path:
        """A path written in the pipeline file, relative to the file's folder (an absolute path stays)."""
        return self.folder / Path(value).expanduser()

    @property
    def output_folder(self) -> Path:
        return self.path(self.document.output)


def read_pipeline(path: str | Path, step_models: Mapping[str, type[StepOptions]],
                  choices: Mapping[str, Sequence[str]] | None = None) -> Pipeline:
    """Read and check the pipeline file at ``path`` (``ConfigError``, exit 4, naming the key and the file)."""
    path = Path(path).absolute()
    return parse_pipeline_document(read_toml_file(path, what="pipeline"), path, step_models, choices)


def parse_pipeline_document(doc: dict[str, Any], path: Path, step_models: Mapping[str, type[StepOptions]],
                            choices: Mapping[str, Sequence[str]] | None = None) -> Pipeline:
    """Check ``doc``; ``choices`` maps a setting that may be given at the top level and in a step (``engine``,
    ``csv_dialect``) to its valid values (they live with the code that uses them: ``peka.engine.ENGINES``, …)."""
    file = str(path)
    try:
        parsed = PipelineFile.model_validate(doc)
    except ValidationError as exc:
        raise _error(exc, file, ()) from None
    steps: list[StepOptions] = []
    for i, raw in enumerate(parsed.steps):
        name = raw.get("step")
        if not isinstance(name, str) or name not in step_models:  # a list or table here is a mistake, not a crash
            known = ", ".join(step_models)
            what = "missing" if name is None else f"{name!r} is not a step"
            raise ConfigError(f"{what}: use one of {known}", file=file, key=f"steps[{i}].step")
        try:
            steps.append(step_models[name].model_validate(raw))
        except ValidationError as exc:
            raise _error(exc, file, ("steps", i)) from None
    seen: dict[str, int] = {}
    for i, step in enumerate(steps):
        for name in step.output_names():
            if name in seen:
                raise ConfigError(f"{name!r} is also an output of steps[{seen[name]}]: choose another name",
                                  file=file, key=f"steps[{i}].{'output' if name == step.output else 'also'}")
            seen[name] = i
    for name, valid in (choices or {}).items():
        _check_choice(getattr(parsed, name, None), valid, name, file)
        for i, step in enumerate(steps):
            _check_choice(getattr(step, name, None), valid, f"steps[{i}].{name}", file)
    return Pipeline(path, parsed, tuple(steps))


def _check_choice(value: str | None, valid: Sequence[str], key: str, file: str) -> None:
    if value is not None and value not in valid:
        raise ConfigError(f"{value!r} is not one of {', '.join(valid)}", file=file, key=key)


def effective(pipeline: Pipeline, step: StepOptions, name: str, default: str) -> str:
    """A step's ``name`` setting (``engine``, ``csv_dialect``): its own, else the file's top-level one, else
    ``default``."""
    own = getattr(step, name, None)
    top = getattr(pipeline.document, name, None)
    return own if own is not None else top if top is not None else default


_BRANCHES = {"str", "int", "float", "bool", "list[str]"}  # union branches pydantic puts in an error's location


def _is_branch(part: object) -> bool:
    return isinstance(part, str) and (part.startswith("function-") or part in _BRANCHES)


def _error(exc: ValidationError, file: str, prefix: tuple[object, ...]) -> ConfigError:
    first = next((e for e in exc.errors() if e["type"] == "extra_forbidden"), exc.errors()[0])
    loc = (*prefix, *(p for p in first["loc"] if not _is_branch(p)))
    if first["type"] == "extra_forbidden":
        message = "unknown key (check the spelling in docs/batch.md)"
    elif first["type"] == "missing":
        message = "required key is missing"
    else:
        message = first["msg"].removeprefix("Value error, ")
        given = first.get("input")
        if isinstance(given, str | int | float | bool):
            message += f" (given {given!r})"
    return ConfigError(message, file=file, key=dotted(loc))
