"""``peka run pipeline.toml``: the steps of a pipeline file run by the existing jobs, their outputs written into the
output folder as one set, with a manifest (docs/batch.md).

* The steps are ``STEPS`` (name → option model, runner, the steps it needs before it); a new step is one entry.
* Everything is written into a new folder beside the output folder and swapped in as a whole when every step has
  succeeded (``deliver.files.atomic_directory``): a failed or killed run leaves the previous set as it was.
* ``manifest.json`` (in the set) is a pure function of the inputs, the pipeline and peka's version: input sha256s,
  the effective configuration's sha256 (its text is ``peka.toml`` in the set), rows per step, warnings, every
  output's sha256. Timings and timestamps go to ``run.json``, the one file of the set that differs between
  reruns on unchanged inputs.
* A lock (``deliver.lock``) stops a second run on the same output folder: ``BusyError``, exit 75.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peka import __version__
from peka.config.pipeline import (
    MANIFEST_NAME,
    RECORD_NAME,
    REJECTS_NAME,
    TIMINGS_NAME,
    ClassifyOptions,
    EngineChoice,
    Pipeline,
    ProfileOptions,
    ReportOptions,
    StepOptions,
    TargetOptions,
    ValidateOptions,
    effective,
    read_pipeline,
)
from peka.config.show import record_text
from peka.deliver import files
from peka.deliver.lock import folder_lock
from peka.engine import ENGINES
from peka.errors import ConfigError, InputError, UsageError, printable_name
from peka.jobs.inputs import ConfigSpec, InputSpec, OnInvalid, RowPolicy, forget_reads, reading_once

if TYPE_CHECKING:
    from peka.jobs.classify import ClassifyRun

log = logging.getLogger(__name__)

MARKER = ".peka-run"  # in every output folder peka run wrote: only such a folder (or an empty one) is replaced
Progress = Callable[..., None]  # progress(event, **fields): "start", "step", "step_done", "done"
# the settings a pipeline gives at the top level and per step, with their valid values (kept where they are defined,
# so a new engine or dialect needs no change here) and the value when neither gives one
SETTINGS: dict[str, tuple[tuple[str, ...], str]] = {
    "engine": (tuple(ENGINES), "memory"),
    "csv_dialect": (tuple(files.CSV_DIALECTS), files.CSV_STANDARD.name),
}


@dataclass
class StepResult:
    """What a step reports for the manifest: rows per table, warnings, the names it wrote into the set."""

    outputs: list[str]
    rows_in: Mapping[str, int] = field(default_factory=dict)
    processed: Mapping[str, int] = field(default_factory=dict)
    rejected: Mapping[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunContext:
    """What the steps share: the pipeline, the survey, the configuration layers, the row policy, the folder being
    written, and what earlier steps produced (the classified table)."""

    pipeline: Pipeline
    inputs: InputSpec
    config: ConfigSpec
    rows: RowPolicy
    folder: Path
    classified: Path | None = None
    classified_rows: int = 0
    # the classify step's run when it holds what a report step would classify itself (see ``_classify``)
    classified_run: ClassifyRun | None = None


@dataclass(frozen=True)
class Step:
    options: type[StepOptions]
    run: Callable[[Any, RunContext], StepResult]
    needs: tuple[str, ...] = ()  # steps that must come before this one


# ---- the steps: each calls the job of its command ----------------------------------------------------------------


def _validate(options: ValidateOptions, ctx: RunContext) -> StepResult:
    from peka.jobs.validate import run_validate
    from peka.schema.report import validation_failed

    report = run_validate(ctx.inputs, config=ctx.config).report
    document = {"peka_version": __version__, **report.to_dict()}
    files.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", ctx.folder / options.output)
    if not report.ok and not ctx.rows.skip:
        raise validation_failed(report)  # exit 3; nothing of this run is swapped in
    findings = {"errors": report.errors, "warnings": report.warnings,
                "rows_with_errors": {t: len(r) for t, r in report.error_rows.items()}}
    # validate checks every row and leaves none out: processed = rows in; what skip would reject is in findings
    return StepResult([options.output], report.rows_in, dict(report.rows_in), {t: 0 for t in report.rows_in},
                      [], {"findings": findings})


def _classify(options: ClassifyOptions, ctx: RunContext) -> StepResult:
    from peka.jobs.classify import run_classify

    rejects = ctx.folder / REJECTS_NAME if ctx.rows.skip else None
    run = run_classify(
        ctx.inputs, config=ctx.config, rows=RowPolicy(ctx.rows.on_invalid, rejects),
        output=ctx.folder / options.output, include_personal=options.include_personal, skip=options.skip,
        keep=[] if options.keep_none else None, keep_more=options.keep, engine=_engine(options),
        csv_dialect=_dialect(options), scheduler=options.scheduler,
    )  # fmt: skip
    ctx.classified, ctx.classified_rows = run.output, len(run.table)
    # a report step classifies the same inputs under the same configuration and row policy with the default columns:
    # it takes this table instead of reading and classifying them again (1M households: ~11 s), when the table is
    # whole (memory engine) and has those columns; ``run_pipeline`` drops it after the last report step
    default_columns = not (options.skip or options.keep or options.keep_none or options.include_personal)
    if default_columns and run.summary_sums is None:
        ctx.classified_run = run
    written = [p.name for p in (run.output, run.record_path, run.rejects_path) if p is not None]
    return StepResult(written, run.counts.rows_in, run.counts.processed, run.counts.rejected, list(run.warnings))


def _profile(options: ProfileOptions, ctx: RunContext) -> StepResult:
    from peka.deliver.profile import format_from_suffix, write_profile
    from peka.jobs.profile import ProfileRequest, run_profile

    assert ctx.classified is not None  # checked before the run: a classify step comes first
    request = ProfileRequest(
        inputs=InputSpec(ctx.classified), by=tuple(b if isinstance(b, str) else tuple(b) for b in options.by),
        population=options.population, ci=options.ci, min_n=options.min_n, min_psu=options.min_psu,
        suppress=options.suppress, sort=options.sort, lonely_psu=options.lonely_psu, csv_dialect=_dialect(options),
        engine=_engine(options), scheduler=options.scheduler,
    )  # fmt: skip
    run = run_profile(request)
    target = ctx.folder / options.output
    write_profile(run.estimates, run.design, __version__, target, format_from_suffix(target) or "json",
                  lang=options.lang, csv_dialect=_dialect(options))
    n = {"household": ctx.classified_rows}
    return StepResult([options.output], n, n, {"household": 0})


def _target(options: TargetOptions, ctx: RunContext) -> StepResult:
    from peka.jobs.target import TargetSpec, run_target

    def path(value: str | None) -> Path | None:
        return ctx.pipeline.path(value) if value is not None else None

    spec = TargetSpec(
        programs=tuple(options.programs), catalogue=path(options.catalogue), quota=options.quota,
        quota_by=options.quota_by, quota_file=path(options.quota_file), budget=options.budget,
        evaluate=options.evaluate, pseudonym_key=path(options.pseudonym_key), names=options.names,
        reveal_ids=options.reveal_ids, lonely_psu=options.lonely_psu,
    )  # fmt: skip
    run = run_target(ctx.inputs, spec=spec, output=ctx.folder / options.output, config=ctx.config,
                     rows=RowPolicy(ctx.rows.on_invalid), csv_dialect=_dialect(options), engine=_engine(options),
                     scheduler=options.scheduler)
    for warning in run.warnings:  # the command prints these itself; here they go to the log (and the manifest)
        log.warning("target: %s", warning)
    return StepResult([options.output], run.counts.rows_in, run.counts.processed, run.counts.rejected,
                      list(run.warnings), {"run_id": run.run_id})


def _report(options: ReportOptions, ctx: RunContext) -> StepResult:
    from peka.jobs.report import ReportRequest, run_report

    request = ReportRequest(
        inputs=ctx.inputs, config=ctx.config, rows=RowPolicy(ctx.rows.on_invalid), by=tuple(options.by),
        lang=options.lang, outputs=tuple(ctx.folder / name for name in options.output_names()), min_n=options.min_n,
        boundaries=ctx.pipeline.path(options.boundaries) if options.boundaries is not None else None,
        boundary_key=options.boundary_key, engine=_engine(options), scheduler=options.scheduler,
        classified=ctx.classified_run,
    )  # fmt: skip
    run = run_report(request)
    written = [p.name for p in (*run.written, run.rejects_path) if p is not None]
    return StepResult(written, run.data.rows_in, run.data.processed, run.data.rejected)


def _engine(options: StepOptions) -> str:
    return str(getattr(options, "engine", None) or SETTINGS["engine"][1])


def _dialect(options: StepOptions) -> files.CsvDialect:
    return files.csv_dialect(getattr(options, "csv_dialect", None) or SETTINGS["csv_dialect"][1])


def settled(pipeline: Pipeline) -> tuple[StepOptions, ...]:
    """The steps with their effective ``SETTINGS`` filled in (own value, else the top-level one, else the
    default), so that the steps read one value and the manifest records what ran."""
    out = []
    for options in pipeline.steps:
        update: dict[str, str | None] = {name: effective(pipeline, options, name, default)
                                          for name, (_, default) in SETTINGS.items()
                                          if name in type(options).model_fields}
        if isinstance(options, EngineChoice):  # the scheduler of a step on dask: its own, else the file's
            on_dask = update["engine"] == "dask"
            update["scheduler"] = (options.scheduler or pipeline.document.scheduler) if on_dask else None
        out.append(options.model_copy(update=update))
    return tuple(out)


def _check_schedulers(pipeline: Pipeline, steps: tuple[StepOptions, ...]) -> None:
    """A ``scheduler`` is the address of a Dask scheduler: given to a step, the step must run on ``engine = "dask"``;
    given at the top level, some step must (a typo in ``engine`` would otherwise run on one machine unnoticed)."""
    file = str(pipeline.file)
    for i, (given, options) in enumerate(zip(pipeline.steps, steps, strict=True)):
        if getattr(given, "scheduler", None) is not None and getattr(options, "engine", None) != "dask":
            raise ConfigError('a scheduler is the address of a Dask scheduler: it needs engine = "dask"', file=file,
                              key=f"steps[{i}].scheduler")
    if pipeline.document.scheduler is not None and not any(getattr(s, "engine", None) == "dask" for s in steps):
        raise ConfigError('a scheduler is the address of a Dask scheduler: no step runs on engine = "dask"',
                          file=file, key="scheduler")


STEPS: dict[str, Step] = {
    "validate": Step(ValidateOptions, _validate),
    "classify": Step(ClassifyOptions, _classify),
    "profile": Step(ProfileOptions, _profile, needs=("classify",)),
    "target": Step(TargetOptions, _target),
    "report": Step(ReportOptions, _report),
}


def step_table() -> dict[str, Step]:
    return dict(STEPS)


# ---- the run ----------------------------------------------------------------------------------------------------


@dataclass
class PipelineRun:
    output: Path
    manifest: dict[str, Any]
    timings: dict[str, Any]

    @property
    def files(self) -> list[str]:
        return [MANIFEST_NAME, *self.manifest["outputs"], TIMINGS_NAME]


def _quiet(event: str, **fields: Any) -> None:
    log.info("%s %s", event, fields)


def run_pipeline(path: str | Path, *, progress: Progress | None = None) -> PipelineRun:
    """Run the pipeline file at ``path``: check it (exit 4), its inputs and output folder (exit 2/3), load the
    configuration once (exit 4), then run the steps under the folder's lock, writing the set atomically."""
    progress = progress or _quiet
    table = step_table()
    pipeline = read_pipeline(path, {name: step.options for name, step in table.items()},
                             {name: valid for name, (valid, _) in SETTINGS.items()})
    _check_order(pipeline, table)
    steps = settled(pipeline)
    _check_schedulers(pipeline, steps)
    inputs = resolve_inputs(pipeline)
    doc = pipeline.document
    config_file = pipeline.path(doc.config.file) if doc.config.file else None
    config = ConfigSpec(config_file, tuple(doc.config.set))
    rows = RowPolicy(OnInvalid(doc.on_invalid))
    output = pipeline.output_folder
    _check_output_folder(output, _input_files(pipeline, inputs))
    cfg = config.load(inputs=inputs)  # a bad configuration fails before anything is read or written
    record = record_text(cfg, title=f"peka run {printable_name(pipeline.file.name)}")
    input_hashes = [{"role": role, "file": _shown(pipeline, p), "sha256": sha256_of(p)}
                    for role, p in (("households", inputs.path), ("persons", inputs.persons)) if p is not None]
    started = dt.datetime.now(dt.UTC)
    with folder_lock(output):
        progress("start", pipeline=str(pipeline.file), output=str(output), steps=[s.step for s in pipeline.steps])
        _check_output_folder(output, [])  # again under the lock: the folder may have changed while we waited
        previous = {e.name for e in output.iterdir()} if output.is_dir() else set()
        replaced = previous | {MANIFEST_NAME, TIMINGS_NAME, RECORD_NAME, REJECTS_NAME, MARKER}
        replaced |= {name for s in steps for name in (*s.output_names(), f"{s.output}.peka.toml")}
        # the steps read the inputs once (memory engine) and hold them, and the classify step's table for a report
        # step, no longer than a later step can use them
        last_read = max((i for i, s in enumerate(steps) if _may_read_inputs(s, inputs)), default=-1)
        last_report = max((i for i, s in enumerate(steps) if s.step == "report"), default=-1)
        with files.atomic_directory(output, replaced) as staging, reading_once():
            ctx = RunContext(pipeline, inputs, config, rows, staging)
            step_records, timings = [], []
            for i, options in enumerate(steps):
                progress("step", step=options.step, index=i + 1, of=len(steps))
                t0 = time.perf_counter()
                result = table[options.step].run(options, ctx)
                if i >= last_read:
                    forget_reads()
                if i >= last_report:
                    ctx.classified_run = None
                seconds = round(time.perf_counter() - t0, 3)
                timings.append({"step": options.step, "seconds": seconds})
                step_records.append(_step_record(options, result))
                progress("step_done", step=options.step, seconds=seconds, rows_in=dict(result.rows_in),
                         rejected=dict(result.rejected), warnings=len(result.warnings))
            files.write_text(record, staging / RECORD_NAME)
            files.write_text("written by peka run\n", staging / MARKER)
            manifest = {
                "peka_version": __version__,
                "pipeline": {"file": pipeline.file.name, "sha256": sha256_of(pipeline.file)},
                "inputs": input_hashes,
                "config": {"file": _shown(pipeline, config_file) if config_file is not None else None,
                           "set": list(doc.config.set), "record": RECORD_NAME, "record_sha256": _sha(record.encode())},
                "on_invalid": doc.on_invalid,
                "steps": step_records,
                "warnings": [w for s in step_records for w in s["warnings"]],
                "outputs": output_hashes(staging),
            }  # fmt: skip
            manifest_text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=False) + "\n"
            files.write_text(manifest_text, staging / MANIFEST_NAME)
            finished = dt.datetime.now(dt.UTC)
            run_info = {
                "started": started.isoformat(timespec="seconds"), "finished": finished.isoformat(timespec="seconds"),
                "seconds": round((finished - started).total_seconds(), 3), "steps": timings,
                "manifest_sha256": _sha(manifest_text.encode()),
            }  # fmt: skip
            files.write_text(json.dumps(run_info, indent=1) + "\n", staging / TIMINGS_NAME)
    pipeline_run = PipelineRun(output, manifest, run_info)
    progress("done", output=str(output), files=pipeline_run.files, seconds=run_info["seconds"])
    return pipeline_run


def _may_read_inputs(options: StepOptions, inputs: InputSpec) -> bool:
    """Whether a step may read the whole survey (``jobs.inputs.load_input``): validate always; classify, target and
    report when their engine resolves to memory (``auto`` on a big input streams; a report after a classify step may
    take its table instead)."""
    if options.step == "validate":
        return True
    if options.step not in ("classify", "target", "report"):
        return False
    from peka.jobs.streamed import resolve_engine

    return resolve_engine(_engine(options), inputs) == "memory"


def _step_record(options: StepOptions, result: StepResult) -> dict[str, Any]:
    return {"step": options.step, "options": options.model_dump(mode="json", exclude={"step"}),
            "rows_in": dict(result.rows_in), "processed": dict(result.processed), "rejected": dict(result.rejected),
            "warnings": list(result.warnings), "outputs": list(result.outputs), **result.notes}


def _check_order(pipeline: Pipeline, table: Mapping[str, Step]) -> None:
    seen: set[str] = set()
    for i, options in enumerate(pipeline.steps):
        missing = [n for n in table[options.step].needs if n not in seen]
        if missing:
            raise ConfigError(f"the {options.step} step needs a {' and a '.join(missing)} step before it",
                              file=str(pipeline.file), key=f"steps[{i}].step")
        seen.add(options.step)


# ---- inputs and the output folder ------------------------------------------------------------------------------


GLOB_CHARACTERS = set("*?[")


def resolve_inputs(pipeline: Pipeline) -> InputSpec:
    """``[input]`` as an ``InputSpec`` of existing files: paths relative to the pipeline file, a glob replaced by
    its newest match (or the last in name order with ``pick = "last_by_name"``)."""
    section = pipeline.document.input
    mapping = section.mapping
    if mapping is not None and mapping.lower().endswith(".toml"):
        mapping = str(pipeline.path(mapping))
    return InputSpec(
        _one_file(pipeline, "input.households", section.households, section.pick),
        persons=_one_file(pipeline, "input.persons", section.persons, section.pick) if section.persons else None,
        mapping=mapping, sheet=section.sheet, person_sheet=section.person_sheet, sep=section.sep,
        encoding=section.encoding, decimal=section.decimal,
    )  # fmt: skip


def _one_file(pipeline: Pipeline, key: str, value: str, pick: str) -> Path:
    path = pipeline.path(value)
    if not GLOB_CHARACTERS & set(value):
        return path
    matches = [Path(m) for m in glob.glob(str(path)) if Path(m).is_file()]
    if not matches:
        raise InputError(f"{key} = {value!r}: no file matches", file=str(pipeline.file))
    if pick == "last_by_name":
        return max(matches, key=lambda p: p.name)
    return max(matches, key=lambda p: (p.stat().st_mtime_ns, p.name))


def _input_files(pipeline: Pipeline, inputs: InputSpec) -> list[Path]:
    """Every file the run reads: outputs may never replace one of them."""
    found = [pipeline.file, *inputs.files]
    doc = pipeline.document
    if doc.config.file:
        found.append(pipeline.path(doc.config.file))
    if inputs.mapping is not None and inputs.mapping.lower().endswith(".toml"):
        found.append(Path(inputs.mapping))
    for options in pipeline.steps:
        for name in ("catalogue", "quota_file", "pseudonym_key", "boundaries"):
            value = getattr(options, name, None)
            if value is not None:
                found.append(pipeline.path(value))
    return found


def _check_output_folder(folder: Path, inputs: list[Path]) -> None:
    """The output folder is no input and holds none (the swap would take it away), and is new, empty or a previous
    ``peka run`` output (it holds ``.peka-run``): peka never replaces a folder of the user's."""
    resolved = folder.resolve()
    for source in inputs:
        src = source.resolve()
        if resolved == src or resolved in src.parents:
            raise UsageError(f"output folder {printable_name(folder)} holds the input {printable_name(source)}: "
                             "choose another output folder")
    if folder.exists() or folder.is_symlink():
        if not folder.is_dir():
            raise UsageError(f"output {printable_name(folder)} is not a folder: name a folder for the set")
        if any(folder.iterdir()) and not (folder / MARKER).is_file():
            raise UsageError(f"output folder {printable_name(folder)} holds files peka run did not write: name a "
                             "new or empty folder")


def _shown(pipeline: Pipeline, path: str | Path) -> str:
    """A path as the manifest shows it: relative to the pipeline file's folder (as the pipeline file names it), so
    that the manifest does not change when the whole tree is moved."""
    return Path(os.path.relpath(Path(path).absolute(), pipeline.folder)).as_posix()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_of(path: str | Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def output_hashes(folder: Path) -> dict[str, str]:
    """``relative/posix/path`` → sha256 of every file under ``folder`` (sorted), but the manifest and ``run.json``."""
    found = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name not in (MANIFEST_NAME, TIMINGS_NAME):
            found[name] = sha256_of(path)
    return found
