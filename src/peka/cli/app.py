"""The typer application: global options, command registration, and the one place errors become exit codes."""

from __future__ import annotations

import importlib
import logging
import signal
import traceback
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from peka import __version__
from peka.cli.console import err, record_in_log_files, setup_logging
from peka.errors import ExitCode, PekaError

# command modules under peka.cli.commands; each defines ``register(app)``
COMMANDS = ("validate", "classify", "profile", "report", "target", "run", "mapping", "config", "sample")

_state: dict[str, Any] = {"debug": False}


class PekaGroup(TyperGroup):
    """Maps every exception raised by a command to an exit code and one line on stderr (tracebacks only with
    --debug, never with local variables: they can hold household microdata)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):  # usage errors: click's own handling, exit 2
            raise
        except PekaError as exc:
            if _state["debug"]:
                err.print(traceback.format_exc(), markup=False, highlight=False)
            from peka.schema.privacy import mask_text

            message = mask_text(str(exc))  # the error line goes through the one masking module (docs/privacy.md)
            err.print(f"peka: error: {message}", markup=False, highlight=False)
            record_in_log_files(logging.ERROR, f"exit {int(exc.exit_code)}: {message}")
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            err.print("peka: interrupted", markup=False)
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if _state["debug"]:
                err.print(traceback.format_exc(), markup=False, highlight=False)
            # str(exc) of a foreign exception can quote cell values (personal data): only its type is shown
            message = f"unexpected error ({type(exc).__name__}); run again with --debug for details"
            err.print(f"peka: {message}", markup=False)
            record_in_log_files(logging.ERROR, f"exit {int(ExitCode.UNEXPECTED)}: {message}")
            raise typer.Exit(int(ExitCode.UNEXPECTED)) from None


app = typer.Typer(
    cls=PekaGroup,
    name="peka",
    help="peka: poverty characteristics of household surveys — classify, profile, target.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"peka {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks (never local variables).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also progress (INFO) lines on stderr.")] = False,
    log_file: Annotated[str | None, typer.Option("--log-file", help="Also append INFO log lines to this file (for cron).")] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """peka: poverty characteristics of household surveys.

    Example: peka classify data/samples/sabang/households.csv --persons data/samples/sabang/persons.csv
    """
    _state["debug"] = debug
    setup_logging(quiet=quiet, debug=debug, log_file=log_file, verbose=verbose)


for _name in COMMANDS:
    importlib.import_module(f"peka.cli.commands.{_name}").register(app)


def main() -> None:
    """Console-script entry point."""
    if hasattr(signal, "SIGPIPE"):  # `peka profile ... | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
