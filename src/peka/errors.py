"""Every error peka raises on purpose, and the one table that maps them to exit codes.

Library code raises these; only ``peka.cli.app`` turns them into exit codes and one line on stderr. Messages name
the file, row and column where they apply and never contain personal data (NIK, names, addresses): callers pass
positions and column names, not cell values of personal columns.
"""

from __future__ import annotations

from enum import IntEnum

_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable_name(name: object) -> str:
    """A file name as it may be shown on one line: control and other non-printable characters escaped (``\\n``,
    ``\\x1b``, ``\\u200b``), and the bytes Linux could not decode (surrogate-escaped, ``\\udcff``) shown as the
    byte ``\\xff``. A name with a newline cannot forge a second ``peka: error:`` line, and one with a byte that is
    not UTF-8 cannot crash the writing of a message or report. Printable names come back unchanged (so the function
    can be applied twice)."""
    text = str(name)
    if text.isprintable():
        return text
    out = []
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's surrogateescape of an undecodable byte
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        elif code < 0x100:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out)


class ExitCode(IntEnum):
    OK = 0
    UNEXPECTED = 1
    USAGE = 2
    INPUT_INVALID = 3
    CONFIG_INVALID = 4
    BUSY = 75  # EX_TEMPFAIL of sysexits.h: another run holds the lock; try again later
    INTERRUPTED = 130


class PekaError(Exception):
    """Base class. ``exit_code`` says how the CLI ends; ``str(err)`` is the one line shown to the user."""

    exit_code: ExitCode = ExitCode.UNEXPECTED

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None, column: str | None = None):
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        super().__init__(self.render())

    def render(self) -> str:
        where = []
        if self.file:
            where.append(printable_name(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return (": ".join([", ".join(where), self.message])) if where else self.message

    def in_file(self, file: str) -> PekaError:
        """This error, now naming ``file`` if it named no file yet: for a caller that knows which file a lower layer
        (e.g. mapping detection, which sees only a header) was looking at. Returns ``self`` to be raised again."""
        if not self.file:
            self.file = file
            self.args = (self.render(),)
        return self


class UsageError(PekaError):
    """The command line asks for something impossible (conflicting options, unknown format)."""

    exit_code = ExitCode.USAGE


class InputError(PekaError):
    """An input file cannot be read or does not hold what is needed (missing column, bad encoding, corrupt file)."""

    exit_code = ExitCode.INPUT_INVALID


class ValidationFailed(InputError):
    """Data-quality checks found errors and ``--on-invalid fail`` is in force. Carries the report."""

    def __init__(self, message: str, *, report: object = None, **where: object):
        self.report = report
        super().__init__(message, **where)  # type: ignore[arg-type]


class DesignError(InputError):
    """The survey design cannot give standard errors as asked (e.g. a stratum with a single PSU)."""


class BusyError(PekaError):
    """Another ``peka run`` holds the lock of the same output folder: nothing was done; run again later."""

    exit_code = ExitCode.BUSY


class ConfigError(PekaError):
    """A config, mapping or indicator-spec file is invalid. ``key`` is the dotted path of the offending entry."""

    exit_code = ExitCode.CONFIG_INVALID

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None):
        self.key = key
        full = f"{key}: {message}" if key else message
        super().__init__(full, file=file)


class RuleError(ConfigError):
    """An expression in the rule language does not parse or uses something the language forbids."""
