"""The profile as an XLSX workbook and the one place profile files are written.

XLSX: one sheet per measure group (monetary, multidimensional, MPI indicators, domains, BPS-14, causes, counts) plus
a ``desain`` sheet; shares as percentages, P1/P2 as fractions, counts and Rupiah as ``#,##0``; header frozen,
autofilter; every text cell is written as text, so a domain value such as ``=HYPERLINK(...)`` can never run as a
formula. ``render_profile``/``write_profile`` choose JSON, CSV or XLSX; writes are atomic.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from peka.deliver.files import CSV_STANDARD, XLSX_MAX_ROWS, CsvDialect, in_memory_workbook, write_bytes
from peka.deliver.profile.records import (
    FORMATS,
    MEASURE_GROUPS,
    MEASURE_KIND,
    RECORD_FIELDS,
    Lang,
    clean_value,
    domain_columns,
    flat_table,
    profile_csv,
    profile_json,
)
from peka.errors import UsageError


def _group_of(measure: str) -> str:
    for key, _names, measures in MEASURE_GROUPS:
        if measure in measures:
            return key
    return "other"


def _sheet_name(group: str, lang: Lang) -> str:
    for key, names, _ in MEASURE_GROUPS:
        if key == group:
            return names[lang]
    return {"id": "lainnya", "en": "other"}[lang]


def _write_text(ws: Any, row: int, col: int, text: str, fmt: Any = None) -> None:
    """Text always as a text cell (never a formula or a link, whatever it starts with)."""
    ws.write_string(row, col, text, fmt)

RUPIAH_KEYS = ("poverty_line", "extreme_line", "line")  # design entries holding Rupiah amounts
# Excel number formats (the cell keeps the exact value; only the display changes)
XLSX_FORMATS: dict[str, str] = {"share": "0.00%", "index": "0.00000", "ratio": "0.000", "count": "#,##0"}
RUPIAH_FORMAT = "#,##0"


def profile_xlsx(estimates: pd.DataFrame, design: Mapping[str, Any], peka_version: str, *, lang: Lang = "id") -> bytes:
    """The workbook as bytes: a sheet per measure group (only groups with estimates) and a design sheet."""

    flat = flat_table(estimates)
    keys = domain_columns(estimates)
    flat["_group"] = [_group_of(m) for m in flat["measure"]]
    buffer = io.BytesIO()
    workbook = in_memory_workbook(buffer)
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    number_formats = {kind: workbook.add_format({"num_format": f}) for kind, f in XLSX_FORMATS.items()}
    rse_format = workbook.add_format({"num_format": "0.0%"})
    count_format = workbook.add_format({"num_format": "#,##0"})
    rupiah_format = workbook.add_format({"num_format": RUPIAH_FORMAT})
    columns = [*keys, *[f for f in RECORD_FIELDS if f != "domain"]]
    group_order = [g for g, _, _ in MEASURE_GROUPS] + ["other"]
    for group in group_order:
        part = flat[flat["_group"] == group]
        if part.empty:
            continue
        if len(part) + 1 > XLSX_MAX_ROWS:
            raise UsageError(f"the {group} sheet would exceed the XLSX row limit; write CSV or JSON instead")
        ws = workbook.add_worksheet(_sheet_name(group, lang))
        for c, name in enumerate(columns):
            _write_text(ws, 0, c, name, header)
        values = {name: part[name].tolist() for name in columns}
        for r in range(len(part)):  # output rows (estimates), at most a few thousand
            kind = MEASURE_KIND.get(values["measure"][r], "ratio")
            for c, name in enumerate(columns):
                value = values[name][r]
                if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
                    continue  # empty cell = missing
                if name in ("estimate", "se", "ci_low", "ci_high"):
                    ws.write_number(r + 1, c, float(value), number_formats[kind])
                elif name == "rse":
                    ws.write_number(r + 1, c, float(value), rse_format)
                elif name in ("n", "weighted_n"):
                    ws.write_number(r + 1, c, float(value), count_format)
                else:
                    _write_text(ws, r + 1, c, str(value))
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(part), len(columns) - 1)
        ws.set_column(0, len(columns) - 1, 14)
    ws = workbook.add_worksheet({"id": "desain", "en": "design"}[lang])
    _write_text(ws, 0, 0, "key", header)
    _write_text(ws, 0, 1, "value", header)
    items = [("peka_version", peka_version), *_flatten_design(design)]
    for r, (key, value) in enumerate(items, start=1):
        _write_text(ws, r, 0, key)
        if isinstance(value, bool) or value is None:
            _write_text(ws, r, 1, "" if value is None else str(value).lower())
        elif isinstance(value, (int, float)) and math.isfinite(float(value)):
            rupiah = key.split(".")[-1] in RUPIAH_KEYS or key.startswith("line_values.")
            ws.write_number(r, 1, float(value), rupiah_format if rupiah else None)
        else:
            _write_text(ws, r, 1, str(value))
    ws.freeze_panes(1, 0)
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 60)
    workbook.close()
    return buffer.getvalue()


def _flatten_design(design: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in clean_value(dict(design)).items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.extend(_flatten_design(value, prefix=f"{name}."))
        elif isinstance(value, list) and any(isinstance(v, Mapping) for v in value):  # e.g. the MPI indicators
            for i, item in enumerate(value):
                out.extend(_flatten_design(item, prefix=f"{name}.{i}.") if isinstance(item, Mapping)
                           else [(f"{name}.{i}", item)])
        elif isinstance(value, list):
            out.append((name, ", ".join(str(v) for v in value)))
        else:
            out.append((name, value))
    return out




def render_profile(
    estimates: pd.DataFrame, design: Mapping[str, Any], peka_version: str, fmt: str, *, lang: Lang = "id",
    csv_dialect: CsvDialect = CSV_STANDARD,
) -> bytes:
    """The bytes of a ``csv`` (in ``csv_dialect``), ``json`` or ``xlsx`` rendering (the terminal table is
    :func:`profile_tables`)."""
    if fmt == "json":
        return profile_json(estimates, design, peka_version).encode("utf-8")
    if fmt == "csv":
        return profile_csv(estimates, csv_dialect).encode(csv_dialect.encoding)
    if fmt == "xlsx":
        return profile_xlsx(estimates, design, peka_version, lang=lang)
    raise UsageError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


def write_profile(
    estimates: pd.DataFrame, design: Mapping[str, Any], peka_version: str, target: str | os.PathLike[str],
    fmt: str, *, lang: Lang = "id", csv_dialect: CsvDialect = CSV_STANDARD,
) -> Path:
    """Write the rendering atomically to ``target`` (a reader never sees a half-written file)."""
    return write_bytes(render_profile(estimates, design, peka_version, fmt, lang=lang, csv_dialect=csv_dialect), target)


def format_from_suffix(path: str | os.PathLike[str] | None) -> str | None:
    """``.json``/``.csv``/``.xlsx`` → the format name; anything else → None."""
    if path is None:
        return None
    return {".json": "json", ".csv": "csv", ".xlsx": "xlsx"}.get(Path(path).suffix.lower())


