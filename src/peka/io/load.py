"""``load_survey``: read the household file (and the person file or sheet), map them, return a canonical Survey."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from peka.errors import InputError, PekaError
from peka.io.raw import RawTable
from peka.io.readers import Source, open_source
from peka.mapping import Mapping, apply_mapping, detect_mapping, load_mapping, preset_names, resolve_sources
from peka.schema.model import ROW, Level, Survey

log = logging.getLogger(__name__)


def load_survey(
    path: str | Path,
    *,
    persons: str | Path | None = None,
    mapping: str | Path | Mapping | None = None,
    sheet: str | int | None = None,
    person_sheet: str | int | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    keep_unmapped: bool = False,
) -> Survey:
    """Read a household file (CSV/TSV/TXT, XLSX, SAV/ZSAV, DTA, SAS7BDAT, Parquet) and optionally its person file,
    map them to the canonical model and return a ``Survey``.

    ``mapping`` is a preset name (``canonical``, ``susenas``, ``p3ke``), a TOML path, a ``Mapping``, or ``None``
    to pick the preset whose column names fit the header best. For a workbook without ``persons``, the person
    sheet named by ``person_sheet`` or by the mapping (e.g. "Individu") is read when the workbook has it.
    ``sep``/``encoding``/``decimal`` override detection for text files. Values that do not convert become missing
    and are listed in ``Survey.findings``; files that cannot be read raise ``InputError``.

    >>> survey = load_survey("data/samples/sabang/households.csv",
    ...                      persons="data/samples/sabang/persons.csv")  # doctest: +SKIP
    >>> survey.households[["hh_id", "hh_size"]].head(2)  # doctest: +SKIP
    """
    text_options = {"sep": sep, "encoding": encoding, "decimal": decimal}
    explicit = load_mapping(mapping) if mapping is not None else None
    hh_source = open_source(path, sheet=sheet, preferred_sheets=_household_sheets(explicit), **text_options)
    person_source: Source | None = None
    if persons is not None:
        person_source = open_source(
            persons, sheet=person_sheet, preferred_sheets=_person_sheets(explicit), **text_options
        )
    elif hh_source.format == "xlsx":
        person_source = _person_sheet_of_workbook(hh_source, explicit, person_sheet)

    if explicit is None:
        try:
            chosen, _ = detect_mapping(hh_source.header, person_source.header if person_source else None)
        except PekaError as exc:  # detection sees only the headers: say which file did not match
            raise exc.in_file(hh_source.label) from None
        if person_source is None and hh_source.format == "xlsx":
            person_source = _person_sheet_of_workbook(hh_source, chosen, person_sheet)
    else:
        chosen = explicit
    log.info("%s: mapping %r", hh_source.label, chosen.name)

    survey = Survey(households=pd.DataFrame(), extra_columns=chosen.extra)
    survey.households = _load_table(hh_source, chosen, "household", keep_unmapped, survey)
    if person_source is not None:
        if not chosen.person:
            raise InputError(f"mapping {chosen.name!r} has no [person] table for the person file",
                             file=person_source.label)  # fmt: skip
        survey.persons = _load_table(person_source, chosen, "person", keep_unmapped, survey)
    return survey


def _household_sheets(mapping: Mapping | None) -> list[str]:
    if mapping is not None:
        return [mapping.household_sheet] if mapping.household_sheet else []
    return [s for s in (load_mapping(n).household_sheet for n in preset_names()) if s]


def _person_sheets(mapping: Mapping | None) -> list[str]:
    if mapping is not None:
        return [mapping.person_sheet] if mapping.person_sheet else []
    return [s for s in (load_mapping(n).person_sheet for n in preset_names()) if s]


def _person_sheet_of_workbook(source: Source, mapping: Mapping | None, person_sheet: str | int | None) -> Source | None:
    """The workbook's person sheet: ``person_sheet`` if given (must exist), else the mapping's, when present."""
    from peka.io import excel

    if person_sheet is not None:
        return open_source(source.path, sheet=person_sheet)
    for name in _person_sheets(mapping):
        found = excel.has_sheet(source.path, name)
        if found and found != source.sheet:
            log.info("%s: reading persons from sheet %r", source.label, found)
            return open_source(source.path, sheet=found)
    return None


def _load_table(source: Source, mapping: Mapping, level: Level, keep_unmapped: bool, survey: Survey) -> pd.DataFrame:
    """Read and map one table; record its source, row count, findings, user-missing counts and labels in ``survey``."""
    resolved = resolve_sources(mapping, level, source.header, file=source.label)
    columns = mapping.columns(level)
    kinds: dict[str, str] = {src: columns[canonical].kind for canonical, src in resolved.items()}
    usecols: list[str] | None = None
    if not keep_unmapped:
        usecols = list(dict.fromkeys(resolved.values()))
        if ROW in source.header:
            usecols.append(ROW)
        dropped = [c for c in source.header if c not in usecols]
        if dropped:
            log.debug(
                "%s: %d column(s) not in mapping %r not read: %s", source.label, len(dropped), mapping.name, dropped
            )
    raw: RawTable = source.read(usecols=usecols, kinds=kinds)
    mapped = apply_mapping(
        raw.frame,
        mapping,
        level,
        file=source.label,
        value_labels=raw.value_labels,
        user_missing=raw.user_missing,
        decimal=raw.decimal,
        keep_unmapped=keep_unmapped,
    )
    survey.sources[level] = source.label
    survey.rows_read[level] = raw.rows
    survey.findings.extend(mapped.findings)
    survey.user_missing.extend(mapped.missing_counts)
    used = set(resolved.values())
    labels = {col: vals for col, vals in raw.value_labels.items() if keep_unmapped or col in used}
    if labels:
        survey.value_labels[level] = labels
    return mapped.frame
