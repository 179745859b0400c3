"""`peka run PIPELINE.toml`: run a pipeline file (validate → classify → profile → target) for cron, writing its
outputs into the output folder as one set with a manifest (docs/batch.md)."""

from __future__ import annotations

import json
import logging
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from peka.cli.console import err, is_quiet, iso_time


class LogFormat(str, Enum):
    text = "text"
    json = "json"


def _text_line(event: str, fields: dict[str, Any]) -> str | None:
    if event == "start":
        return f"peka run: {fields['pipeline']}: steps {', '.join(fields['steps'])} → {fields['output']}"
    if event == "step":
        return f"peka run: step {fields['index']}/{fields['of']} {fields['step']}"
    if event == "step_done":
        rows = ", ".join(f"{n:,} {t}s" for t, n in fields["rows_in"].items())
        rejected = sum(fields["rejected"].values())
        return (f"peka run: {fields['step']} done in {fields['seconds']:.1f} s (rows in: {rows or '-'}; rejected: "
                f"{rejected:,}; warnings: {fields['warnings']})")
    if event == "done":
        return (f"peka run: wrote {len(fields['files'])} files to {fields['output']} "
                f"({', '.join(fields['files'])}) in {fields['seconds']:.1f} s")
    return None


class Reporter:
    """Progress of the job: JSON lines, timestamped text lines (off a terminal), or a rich status (on one). The
    final line names what was written. ``--quiet`` keeps only errors."""

    def __init__(self, fmt: LogFormat):
        self.fmt = fmt
        self.live = fmt is LogFormat.text and err.is_terminal and not is_quiet()
        self.status: Any = None

    def __call__(self, event: str, **fields: Any) -> None:
        if is_quiet():
            return
        if self.fmt is LogFormat.json:
            sys.stderr.write(json.dumps({"time": iso_time(), "event": event, **fields}, ensure_ascii=False) + "\n")
            sys.stderr.flush()
            return
        line = _text_line(event, fields)
        if self.live:
            if event == "step":
                self._stop()
                self.status = err.status(f"{fields['step']} ({fields['index']}/{fields['of']}) …")
                self.status.start()
                return
            self._stop()
            if line is not None:
                err.print(line, markup=False, highlight=False)
            return
        if line is not None:
            sys.stderr.write(f"{iso_time()} {line}\n")
            sys.stderr.flush()

    def _stop(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None


class JsonLogFormatter(logging.Formatter):
    """Log records of the jobs (warnings) as JSON lines too, so that stderr stays one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({"time": iso_time(record.created), "event": "log", "level": record.levelname.lower(), "logger": record.name,
                           "message": record.getMessage()}, ensure_ascii=False)


def _json_log_lines() -> None:
    for handler in logging.getLogger("peka").handlers:
        if not isinstance(handler, logging.FileHandler):  # the --log-file keeps its text lines
            handler.setFormatter(JsonLogFormatter())


def run_command(
    pipeline: Annotated[Path, typer.Argument(help="Pipeline file (TOML): inputs, config, steps, output folder.")],
    log_format: Annotated[LogFormat, typer.Option("--log-format", help="Progress on stderr: text (timestamped "
                                                  "lines off a terminal) or json (one JSON object per line).")
                          ] = LogFormat.text,
) -> None:
    """Run the steps of a pipeline file and write their outputs into its output folder as one set.

    The set (manifest.json with input and output sha256s, the effective configuration peka.toml, each step's
    outputs, run.json with timings) replaces the previous one only when every step has succeeded; a failed or
    killed run leaves the previous set as it was. A second run on the same output folder while one is running
    ends at once with exit 75. Paths in the file are relative to its folder. See docs/batch.md.

    Example: peka run data/samples/sabang/pipeline.toml

    Example: peka -q run /srv/bappeda/pipeline.toml --log-format json 2>> /var/log/peka.jsonl
    """
    from peka.jobs.pipeline import run_pipeline

    reporter = Reporter(log_format)
    if log_format is LogFormat.json:
        _json_log_lines()
    try:
        run_pipeline(pipeline, progress=reporter)
    finally:
        reporter._stop()


def register(app: typer.Typer) -> None:
    app.command(name="run")(run_command)
