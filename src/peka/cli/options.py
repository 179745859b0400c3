"""The options every data command shares, declared once (as csvkit's common parser, frictionless' common module).

A data command is decorated with ``@data_command()`` (or ``@data_command(rows=True)`` when it processes rows and
may skip some): the decorator gives it the shared options — the reading options of ``InputSpec``, ``--config`` and
``--set``, ``--lang``, and ``--on-invalid``/``--rejects`` — and hands them over already packed as
``inputs: InputSpec``, ``config: ConfigSpec``, ``lang: Lang`` (and ``rows: RowPolicy``; with ``csv=True`` also
``--csv-dialect``, handed over as ``csv_dialect: CsvDialect``, for commands that write CSV). The command's first
parameter is the input file. Choices are enums, so that a bad value is a usage error from the parser (exit 2) that
lists the valid ones.

Why a decorator: typer maps a function's parameters one to one onto options, so without it every command would list
the same twelve parameters again (and they drifted apart before this module existed).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from peka.deliver.files import CsvDialect, csv_dialect
from peka.engine import Engine
from peka.jobs.inputs import ConfigSpec, InputSpec, OnInvalid, RowPolicy


class Lang(str, Enum):
    id = "id"
    en = "en"


class CsvDialectName(str, Enum):
    standard = "standard"
    id = "id"


class DecimalMark(str, Enum):
    point = "."
    comma = ","


FileArg = Annotated[Path, typer.Argument(help="Household file (CSV/TSV, XLSX, SAV, DTA, SAS7BDAT, Parquet).")]
PersonsOpt = Annotated[Path | None, typer.Option("--persons", help="Person (member) file linked by hh_id.")]
MappingOpt = Annotated[
    str | None, typer.Option("--mapping", "-m", help="Preset name (canonical, susenas, p3ke) or a mapping TOML.")
]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="XLSX sheet of the households.")]
PersonSheetOpt = Annotated[str | None, typer.Option("--person-sheet", help="XLSX sheet of the persons.")]
SepOpt = Annotated[str | None, typer.Option("--sep", help="CSV delimiter (default: detected).")]
EncodingOpt = Annotated[str | None, typer.Option("--encoding", help="Text encoding (default: detected).")]
DecimalOpt = Annotated[
    DecimalMark | None, typer.Option("--decimal", help="Decimal mark '.' or ',' (default: detected).")
]
ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="peka.toml (default: built-in presets).")]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a setting, e.g. --set lines.period=2024-03 (repeatable)."),
]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of labels and numbers: id (Bahasa Indonesia) or en.")]
OnInvalidOpt = Annotated[
    OnInvalid, typer.Option("--on-invalid", help="Rows failing the data checks: fail (exit 3) or skip (left out, "
                            "written to a rejects file).")
]
EngineOpt = Annotated[
    Engine, typer.Option("--engine", help="memory (read the survey whole), stream (CSV, Parquet, SPSS, Stata read in "
                         "chunks of households: same results, memory bounded by the chunk; a person file out of "
                         "household order is put in order on disk first), dask (the stream engine's chunks on a "
                         "Dask cluster, local or --scheduler; pip install 'peka[dask]') or auto (stream when the "
                         "input files are over 200 MB). Default memory: about twice as fast per household as stream.")
]
SchedulerOpt = Annotated[
    str | None, typer.Option("--scheduler", help="With --engine dask: the address of a Dask scheduler, e.g. "
                             "tcp://10.0.0.5:8786 (default: a local cluster, one worker process per core).")
]
RejectsOpt = Annotated[
    Path | None,
    typer.Option("--rejects", help="With --on-invalid skip: write skipped rows and reasons here (default: "
                 "OUT.rejects.csv beside -o, else INPUT.rejects.csv in the working folder)."),
]
CsvDialectOpt = Annotated[
    CsvDialectName,
    typer.Option("--csv-dialect", help="CSV files written: standard (',' separator, decimal point, UTF-8) or id "
                 "(Excel set to Indonesian: ';' separator, decimal comma, UTF-8 with BOM). Numbers keep full "
                 "precision, never grouped by thousands; peka reads both back."),
]

class Measure(str, Enum):
    money = "money"
    mpi = "mpi"
    bps14 = "bps14"
    causes = "causes"


SkipOpt = Annotated[
    list[Measure] | None,
    typer.Option("--skip", help="Accept that a measure cannot be computed (money, mpi, bps14, causes; repeatable): "
                 "otherwise a measure no household can get because a table or column is missing is exit 3."),
]

# the option names every data command takes (a test walks each command's --help for them)
INPUT_OPTIONS: tuple[str, ...] = (
    "--persons", "--mapping", "--sheet", "--person-sheet", "--sep", "--encoding", "--decimal", "--config", "--set",
    "--lang",
)
ROW_OPTIONS: tuple[str, ...] = ("--on-invalid", "--rejects")
CSV_OPTIONS: tuple[str, ...] = ("--csv-dialect",)


def input_spec(
    file: Path,
    persons: Path | None,
    mapping: str | None,
    sheet: str | None,
    person_sheet: str | None,
    sep: str | None,
    encoding: str | None,
    decimal: DecimalMark | None,
) -> InputSpec:
    return InputSpec(
        file, persons=persons, mapping=mapping, sheet=sheet, person_sheet=person_sheet, sep=sep, encoding=encoding,
        decimal=decimal.value if decimal is not None else None,
    )  # fmt: skip


def config_spec(config: Path | None, set_: list[str] | None) -> ConfigSpec:
    return ConfigSpec(config, tuple(set_ or ()))


def row_policy(on_invalid: OnInvalid, rejects: Path | None) -> RowPolicy:
    return RowPolicy(on_invalid, rejects)


# (name, annotation, default) of every shared option, in --help order
_INPUT_PARAMETERS: tuple[tuple[str, Any, Any], ...] = (
    ("persons", PersonsOpt, None), ("mapping", MappingOpt, None), ("sheet", SheetOpt, None),
    ("person_sheet", PersonSheetOpt, None), ("sep", SepOpt, None), ("encoding", EncodingOpt, None),
    ("decimal", DecimalOpt, None), ("config", ConfigOpt, None), ("set_", SetOpt, None), ("lang", LangOpt, Lang.id),
)  # fmt: skip
_ROW_PARAMETERS: tuple[tuple[str, Any, Any], ...] = (
    ("on_invalid", OnInvalidOpt, OnInvalid.fail), ("rejects", RejectsOpt, None),
)
_CSV_PARAMETERS: tuple[tuple[str, Any, Any], ...] = (("csv_dialect", CsvDialectOpt, CsvDialectName.standard),)
PACKED = ("inputs", "config", "lang", "rows", "csv_dialect")  # the parameters a decorated command receives instead
Command = TypeVar("Command", bound=Callable[..., Any])


def csv_dialect_of(name: CsvDialectName) -> CsvDialect:
    return csv_dialect(name.value)


def data_command(*, rows: bool = False, csv: bool = False) -> Callable[[Command], Command]:
    """Give a command the shared input options (module docstring); ``rows`` adds ``--on-invalid``/``--rejects``,
    ``csv`` adds ``--csv-dialect``."""
    shared = _INPUT_PARAMETERS + (_ROW_PARAMETERS if rows else ()) + (_CSV_PARAMETERS if csv else ())

    def decorate(command: Command) -> Command:
        own = [p for p in inspect.signature(command, eval_str=True).parameters.values() if p.name not in PACKED]
        options = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
                   for name, annotation, default in shared]  # fmt: skip
        first, rest = own[0], [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own[1:]]

        @functools.wraps(command)
        def run(**given: Any) -> Any:
            file = given.pop(first.name)
            packed = {name: given.pop(name) for name, _, _ in shared}
            extra: dict[str, Any] = {"rows": row_policy(packed["on_invalid"], packed["rejects"])} if rows else {}
            if csv:
                extra["csv_dialect"] = csv_dialect_of(packed["csv_dialect"])
            return command(
                file,
                inputs=input_spec(file, packed["persons"], packed["mapping"], packed["sheet"], packed["person_sheet"],
                                  packed["sep"], packed["encoding"], packed["decimal"]),
                config=config_spec(packed["config"], packed["set_"]), lang=packed["lang"], **extra, **given,
            )  # fmt: skip

        run.__signature__ = inspect.Signature([first, *options, *rest])  # type: ignore[attr-defined]
        return run  # type: ignore[return-value]

    return decorate
