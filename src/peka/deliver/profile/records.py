"""The profile's estimate records and their JSON and CSV forms, with the measure groups and kinds every renderer
uses.

The estimates frame of ``peka.estimate.profile`` has one row per (domain, measure[, indicator]) with the columns of
:data:`RECORD_FIELDS` (``domain`` is a dict column → value, ``{}`` for the whole population). JSON is
``{"peka_version", "design", "estimates": [record, ...]}`` (fractions in [0, 1], NaN → ``null``); CSV has one row
per record, the domain flattened into one column per domain variable (empty for the whole population). Both hold
every record: they are the output contract (docs/profile-output.md).
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from peka.deliver.files import CSV_STANDARD, CsvDialect, formula_safe_text
from peka.errors import UsageError
from peka.present.labels import catalogue

Lang = Literal["id", "en"]
Format = Literal["table", "csv", "json", "xlsx"]
FORMATS: tuple[str, ...] = ("table", "csv", "json", "xlsx")

# the fields of one estimate record, in output order (docs/profile-output.md)
RECORD_FIELDS: tuple[str, ...] = (
    "domain", "measure", "indicator", "estimate", "se", "ci_low", "ci_high", "rse", "flag", "n", "n_psu",
    "weighted_n",
)
OPTIONAL_FIELDS = ("n_psu",)  # estimates made before the PSU count existed lack it: null
NUMBER_FIELDS = ("estimate", "se", "ci_low", "ci_high", "rse", "weighted_n")

# measure groups: sheet / table name per language, measures in display order
MEASURE_GROUPS: tuple[tuple[str, dict[str, str], tuple[str, ...]], ...] = (
    ("monetary", {"id": "moneter", "en": "monetary"}, ("P0", "P1", "P2", "extreme")),
    ("multidimensional", {"id": "multidimensi", "en": "multidimensional"}, ("H", "A", "M0")),
    ("mpi_indicators", {"id": "indikator_mpi", "en": "mpi_indicators"},
     ("h_uncensored", "h_censored", "contribution")),
    ("domains", {"id": "domain", "en": "domains"}, ("pop_share",)),
    ("bps14", {"id": "bps14", "en": "bps14"}, ("bps14_poor",)),
    ("causes", {"id": "penyebab", "en": "causes"}, ("cause_share", "cause_ratio")),
    ("counts", {"id": "jumlah", "en": "counts"}, ("households", "persons")),
)

# how each measure's value is shown: share (fraction in [0, 1]), index (P1/P2: fraction, ×100 on screen as BPS
# does), ratio (a plain number), count (weighted households/persons)
MEASURE_KIND: dict[str, str] = {
    "P0": "share", "P1": "index", "P2": "index", "extreme": "share", "H": "share", "A": "share", "M0": "index",
    "h_uncensored": "share", "h_censored": "share", "contribution": "share", "pop_share": "share",
    "bps14_poor": "share", "cause_share": "share", "cause_ratio": "ratio", "households": "count",
    "persons": "count",
}



def profile_labels(group: str) -> dict[str, dict[str, str]]:
    """A group of the profile's display texts from the one label catalogue (``[profile.<group>]`` in
    ``peka/data/labels.toml``), each ``{"id": ..., "en": ...}``."""
    return dict(catalogue()["profile"][group])


# headings shared by the terminal tables (the measure names are in the terminal section below)
HEADINGS: dict[str, dict[str, str]] = profile_labels("heading")




def clean_value(value: Any) -> Any:
    """A JSON-ready scalar: numpy → Python, NaN/inf/NA → None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): clean_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_value(v) for v in value]
    return value


def _domain_value(value: Any) -> str | None:
    cleaned = clean_value(value)
    return None if cleaned is None else str(cleaned)


def estimate_records(estimates: pd.DataFrame) -> list[dict[str, Any]]:
    """The estimates as a list of JSON-ready dicts with exactly the keys of :data:`RECORD_FIELDS`.

    Domain values are strings (codes keep their leading zeros), a missing indicator is ``None``, NaN → ``None``,
    ``n`` is an int.

    >>> frame = pd.DataFrame([{"domain": {}, "measure": "P0", "indicator": None, "estimate": 0.25, "se": 0.01,
    ...     "ci_low": 0.23, "ci_high": 0.27, "rse": 0.04, "flag": "reliable", "n": 120, "weighted_n": 5400.0}])
    >>> estimate_records(frame)[0]["domain"], estimate_records(frame)[0]["indicator"]
    ({}, None)
    """
    missing = [f for f in RECORD_FIELDS if f not in estimates.columns and f not in OPTIONAL_FIELDS]
    if missing:
        raise ValueError(f"estimates lack column(s) {', '.join(missing)}")
    columns = {f: estimates[f].tolist() if f in estimates.columns else [None] * len(estimates) for f in RECORD_FIELDS}
    records = []
    for i in range(len(estimates)):  # output records, not data rows: one per estimate
        domain = columns["domain"][i]
        domain = {} if domain is None or (isinstance(domain, float) and math.isnan(domain)) else domain
        record: dict[str, Any] = {
            "domain": {str(k): _domain_value(v) for k, v in dict(domain).items()},
            "measure": str(columns["measure"][i]),
            "indicator": _domain_value(columns["indicator"][i]),
        }
        for f in ("estimate", "se", "ci_low", "ci_high", "rse"):
            record[f] = clean_value(_as_float(columns[f][i]))
        record["flag"] = _domain_value(columns["flag"][i])
        n = clean_value(columns["n"][i])
        record["n"] = None if n is None else int(n)
        n_psu = clean_value(columns["n_psu"][i])
        record["n_psu"] = None if n_psu is None else int(n_psu)
        record["weighted_n"] = clean_value(_as_float(columns["weighted_n"][i]))
        records.append(record)
    return records


def _as_float(value: Any) -> float | None:
    cleaned = clean_value(value)
    return None if cleaned is None else float(cleaned)


def profile_document(estimates: pd.DataFrame, design: Mapping[str, Any], peka_version: str) -> dict[str, Any]:
    """The JSON document: ``{"peka_version": ..., "design": {...}, "estimates": [...]}``."""
    return {"peka_version": peka_version, "design": clean_value(dict(design)), "estimates": estimate_records(estimates)}


def profile_json(estimates: pd.DataFrame, design: Mapping[str, Any], peka_version: str) -> str:
    """The JSON document as text (UTF-8, indented, NaN written as ``null``, never as the invalid ``NaN``)."""
    return json.dumps(profile_document(estimates, design, peka_version), ensure_ascii=False, indent=2,
                      allow_nan=False) + "\n"


def domain_columns(estimates: pd.DataFrame) -> list[str]:
    """The domain variables in order of first appearance (``--by`` order)."""
    seen: dict[str, None] = {}
    for domain in estimates["domain"]:
        for key in dict(domain or {}):
            seen.setdefault(str(key), None)
    return list(seen)


def flat_table(estimates: pd.DataFrame) -> pd.DataFrame:
    """One row per record with the domain flattened into columns (empty for the whole population)."""
    records = estimate_records(estimates)
    keys = domain_columns(estimates)
    clash = [k for k in keys if k in RECORD_FIELDS]
    if clash:
        raise UsageError(f"domain column {clash[0]!r} has the name of an output field; rename it before profiling")
    rows = [{**{k: r["domain"].get(k) for k in keys}, **{f: r[f] for f in RECORD_FIELDS if f != "domain"}}
            for r in records]
    frame = pd.DataFrame(rows, columns=[*keys, *[f for f in RECORD_FIELDS if f != "domain"]])
    for k in keys:
        frame[k] = frame[k].astype("str")
    frame["n"] = frame["n"].astype("Int64")
    for f in NUMBER_FIELDS:
        frame[f] = pd.to_numeric(frame[f]).astype("float64")
    return frame


def profile_csv(estimates: pd.DataFrame, csv_dialect: CsvDialect = CSV_STANDARD) -> str:
    """CSV text in ``csv_dialect`` (the BOM, if any, is added when encoded: ``csv_dialect.encoding``); numbers with
    full precision (repr), missing as empty."""
    buffer = io.StringIO()
    formula_safe_text(flat_table(estimates)).to_csv(
        buffer, index=False, lineterminator="\n", sep=csv_dialect.sep, decimal=csv_dialect.decimal
    )
    return buffer.getvalue()


