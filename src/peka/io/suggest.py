"""Read what ``peka mapping suggest`` needs from unknown files: header, value labels and the distinct values of
short-vocabulary columns; the TOML itself is written by ``peka.schema.mapping.suggest_mapping``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from peka.io.readers import open_source
from peka.schema.mapping import suggest_mapping
from peka.schema.model import ROW

MAX_DISTINCT = 40  # more distinct values than this: not a coded column, no values proposed


def _describe(
    path: str | Path, **options: object
) -> tuple[list[str], dict[str, dict[object, str]], dict[str, list[object]]]:
    source = open_source(path, **options)  # type: ignore[arg-type]
    raw = source.read()
    samples: dict[str, list[object]] = {}
    for name in source.header:
        if name == ROW or name in raw.value_labels:
            continue
        column: pd.Series = raw.frame[name]
        distinct = column.dropna().unique()
        if 0 < len(distinct) <= MAX_DISTINCT and not pd.api.types.is_float_dtype(column.dtype):
            samples[name] = list(distinct)
    return source.header, raw.value_labels, samples


def suggest_for_files(
    path: str | Path,
    *,
    persons: str | Path | None = None,
    sheet: str | int | None = None,
    person_sheet: str | int | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    name: str | None = None,
) -> str:
    """Mapping TOML proposed for ``path`` (and ``persons``): header names fuzzy-matched to canonical columns, coded
    columns' values from their value labels (SPSS/Stata) or distinct texts. Lines to check carry ``# TODO``.

    >>> print(suggest_for_files("rt.sav", persons="art.sav"))  # doctest: +SKIP
    """
    text_options = {"sep": sep, "encoding": encoding}
    header, labels, samples = _describe(path, sheet=sheet, **text_options)
    person_header = person_labels = person_samples = None
    if persons is not None:
        person_header, person_labels, person_samples = _describe(persons, sheet=person_sheet, **text_options)
    return suggest_mapping(
        header,
        value_labels=labels,
        sample_values=samples,
        person_header=person_header,
        person_value_labels=person_labels,
        person_sample_values=person_samples,
        name=name or Path(path).stem,
    )
