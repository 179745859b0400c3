"""Where output goes: data to stdout, everything else (messages, progress, logs) to stderr."""

from __future__ import annotations

import logging
import sys

from rich.console import Console

out = Console(soft_wrap=True)  # data and tables
err = Console(stderr=True, soft_wrap=True)  # messages, warnings, progress

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def iso_time(seconds: float | None = None) -> str:
    """The local time at ``seconds`` since the epoch (default: now) as ISO 8601 with the UTC offset
    (``2026-03-02T02:30:01+07:00``): the one time form of every progress and log line, unambiguous across zones."""
    import datetime as dt

    moment = dt.datetime.now(dt.UTC) if seconds is None else dt.datetime.fromtimestamp(seconds, dt.UTC)
    return moment.astimezone().isoformat(timespec="seconds")


class IsoTimeFormatter(logging.Formatter):
    """``LOG_FORMAT`` with the record's time by ``iso_time``, the form of ``peka run``'s progress lines: one time
    format in a cron log."""

    def __init__(self) -> None:
        super().__init__(LOG_FORMAT)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return iso_time(record.created)

_quiet = {"on": False}  # set by setup_logging from --quiet


def is_quiet() -> bool:
    return _quiet["on"]


def notice(message: str) -> None:
    """A status line for the person at the terminal ("wrote …"): stderr, silenced by --quiet."""
    if not _quiet["on"]:
        err.print(message, markup=False, highlight=False)


STYLES = {"error": "bold red", "warning": "yellow", "muted": "dim", "bold": "bold"}


def print_display(display: object, console: Console | None = None) -> None:
    """Draw a ``peka.present.tables.Display`` on the terminal (rich tables; cell text is never read as markup)."""
    from rich.table import Table
    from rich.text import Text

    screen = console or out
    for line in display.lines:  # type: ignore[attr-defined]
        screen.print(Text(line), highlight=False)
    for part in display.tables:  # type: ignore[attr-defined]
        rendered = Table(title=part.title, title_justify="left")
        for heading, justify in zip(part.headers, part.alignment()):
            rendered.add_column(heading, justify=justify, overflow="fold")
        for i, row in enumerate(part.rows):
            style = STYLES.get((part.styles or [None] * len(part.rows))[i] or "", "")
            rendered.add_row(*(Text(cell) for cell in row), style=style)
        screen.print(rendered)
    for note in display.notes:  # type: ignore[attr-defined]
        screen.print(Text(note), highlight=False)


def record_in_log_files(level: int, message: str) -> None:
    """Put a line the CLI showed on stderr itself (the final error) into the --log-file too, so that a failed cron
    run leaves its reason in the log, without printing it twice on the console."""
    from peka.schema.privacy import mask_text

    logger = logging.getLogger("peka.cli")
    record = logger.makeRecord(logger.name, level, __file__, 0, mask_text(message), (), None)
    for handler in logging.getLogger("peka").handlers:
        if isinstance(handler, logging.FileHandler):
            handler.handle(record)


def setup_logging(*, quiet: bool, debug: bool, log_file: str | None, verbose: bool = False) -> None:
    """WARNING and up on stderr by default (so a bad input ends with one line), INFO with --verbose (plain
    timestamped lines off a TTY, for cron), errors only with --quiet, DEBUG with --debug. ``--log-file`` always
    receives INFO and up, whatever the console shows."""
    from peka.schema.privacy import MaskingFilter  # pandas with it: only once a command runs, not for --help

    _quiet["on"] = quiet
    if debug:
        level = logging.DEBUG
    elif quiet:
        level = logging.ERROR
    elif verbose:
        level = logging.INFO
    else:
        level = logging.WARNING
    root = logging.getLogger("peka")
    root.handlers.clear()
    root.setLevel(logging.DEBUG if log_file else level)
    handler: logging.Handler
    if err.is_terminal:
        from rich.logging import RichHandler

        handler = RichHandler(console=err, show_path=False, show_time=False)
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(IsoTimeFormatter())
    handler.setLevel(level)
    handler.addFilter(MaskingFilter())  # no NIK in any spelling in a log line (docs/privacy.md)
    root.addHandler(handler)
    if log_file:
        # opened at the first record, after the job has checked that the log file is not one of its inputs
        fh = logging.FileHandler(log_file, encoding="utf-8", delay=True)
        fh.setFormatter(IsoTimeFormatter())
        fh.setLevel(logging.INFO)
        fh.addFilter(MaskingFilter())
        root.addHandler(fh)
    root.propagate = False
    # warnings of numpy/pandas (RuntimeWarning with source paths) are not for the user: they go to the log file and,
    # with --debug, to stderr; never to a console otherwise (peka handles empty domains and 0/0 itself)
    logging.captureWarnings(True)
    py_warnings = logging.getLogger("py.warnings")
    py_warnings.handlers.clear()
    py_warnings.propagate = False
    py_warnings.addHandler(logging.NullHandler())
    for existing in root.handlers:
        if isinstance(existing, logging.FileHandler) or debug:
            py_warnings.addHandler(existing)
