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
from json.encoder import encode_basestring as encode_json_text  # the C encoder json.dumps uses for text
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
    columns = record_columns(estimates)
    columns["domain"] = [dict(domain) for domain in columns["domain"]]  # each record owns its domain dict
    return [dict(zip(RECORD_FIELDS, values)) for values in zip(*(columns[f] for f in RECORD_FIELDS))]


def record_columns(estimates: pd.DataFrame) -> dict[str, list[Any]]:
    """The fields of :func:`estimate_records`, column by column (one list per field, JSON-ready values); records
    of the same domain share one domain dict."""
    missing = [f for f in RECORD_FIELDS if f not in estimates.columns and f not in OPTIONAL_FIELDS]
    if missing:
        raise ValueError(f"estimates lack column(s) {', '.join(missing)}")
    columns: dict[str, list[Any]] = {
        "domain": _domains(estimates["domain"]),
        "measure": [str(v) for v in estimates["measure"].tolist()],
        "indicator": _texts(estimates["indicator"]),
    }
    for f in ("estimate", "se", "ci_low", "ci_high", "rse"):
        columns[f] = _floats(estimates[f])
    columns["flag"] = _texts(estimates["flag"])
    columns["n"] = _ints(estimates["n"])
    columns["n_psu"] = _ints(estimates["n_psu"]) if "n_psu" in estimates.columns else [None] * len(estimates)
    columns["weighted_n"] = _floats(estimates["weighted_n"])
    return columns


def _domains(values: pd.Series) -> list[dict[str, str | None]]:
    """Each row's domain as ``{variable: text or None}`` (``{}`` for none); cleaned once per domain object, as the
    estimates frame repeats one dict over all measures of a domain."""
    cleaned: dict[int, dict[str, str | None]] = {}
    out = []
    for domain in values.tolist():  # the list keeps every object alive, so ids stay unique
        found = cleaned.get(id(domain))
        if found is None:
            plain = {} if domain is None or (isinstance(domain, float) and math.isnan(domain)) else domain
            found = cleaned[id(domain)] = {str(k): _domain_value(v) for k, v in dict(plain).items()}
        out.append(found)
    return out


def _texts(values: pd.Series) -> list[str | None]:
    """Text or ``None`` per value (missing → ``None``, numbers as their Python text)."""
    return [v if type(v) is str else _domain_value(v) for v in values.tolist()]


def _floats(values: pd.Series) -> list[float | None]:
    """Python floats, ``None`` for missing, NaN and ±inf."""
    if isinstance(values.dtype, np.dtype) and values.dtype.kind == "f":
        array = values.to_numpy(dtype=np.float64)
        out: list[float | None] = array.tolist()
        for i in np.flatnonzero(~np.isfinite(array)).tolist():
            out[i] = None
        return out
    return [_as_float(v) for v in values.tolist()]


def _ints(values: pd.Series) -> list[int | None]:
    """Python ints (floats truncated, as ``int()`` does), ``None`` for missing."""
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu":
        return values.to_numpy().tolist()  # type: ignore[no-any-return]
    out = []
    for value in values.tolist():
        cleaned = clean_value(value)
        out.append(None if cleaned is None else int(cleaned))
    return out


def _as_float(value: Any) -> float | None:
    cleaned = clean_value(value)
    return None if cleaned is None else float(cleaned)


def profile_document(estimates: pd.DataFrame, design: Mapping[str, Any], peka_version: str) -> dict[str, Any]:
    """The JSON document: ``{"peka_version": ..., "design": {...}, "estimates": [...]}``."""
    return {"peka_version": peka_version, "design": clean_value(dict(design)), "estimates": estimate_records(estimates)}


def profile_json(estimates: pd.DataFrame, design: Mapping[str, Any], peka_version: str) -> str:
    """The JSON document as text (UTF-8, indented, NaN written as ``null``, never as the invalid ``NaN``): the text
    ``json.dumps(profile_document(...), ensure_ascii=False, indent=2)`` gives, with the estimates list written
    column by column (the standard encoder's pure-Python indented mode takes ~30 µs per value)."""
    head = json.dumps({"peka_version": peka_version, "design": clean_value(dict(design))}, ensure_ascii=False,
                      indent=2, allow_nan=False)
    return head[: -len("\n}")] + ',\n  "estimates": ' + _records_json(record_columns(estimates)) + "\n}\n"


def _records_json(columns: dict[str, list[Any]]) -> str:
    """The estimate records as the indented JSON list at depth 1 of the document (as ``json.dumps(indent=2)``)."""
    if not columns["measure"]:
        return "[]"
    domain_text: dict[int, str] = {}
    for domain in columns["domain"]:
        if id(domain) not in domain_text:
            domain_text[id(domain)] = "{\n" + ",\n".join(
                f"        {_json_scalar(k)}: {_json_scalar(v)}" for k, v in domain.items()
            ) + "\n      }" if domain else "{}"
    encoded = [[domain_text[id(d)] for d in columns["domain"]]]
    encoded += [[_json_scalar(v) for v in columns[f]] for f in RECORD_FIELDS[1:]]
    names = [f"      {_json_scalar(f)}: " for f in RECORD_FIELDS]
    records = ("    {\n" + ",\n".join(name + value for name, value in zip(names, values)) + "\n    }"
               for values in zip(*encoded))
    return "[\n" + ",\n".join(records) + "\n  ]"


def _json_scalar(value: Any) -> str:
    """One JSON-ready scalar as ``json.dumps`` writes it (``ensure_ascii=False``; no NaN: records hold ``None``)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return encode_json_text(value)
    if isinstance(value, int):
        return int.__repr__(value)
    return float.__repr__(value)


def domain_columns(estimates: pd.DataFrame) -> list[str]:
    """The domain variables in order of first appearance (``--by`` order)."""
    seen: dict[str, None] = {}
    for domain in estimates["domain"]:
        for key in dict(domain or {}):
            seen.setdefault(str(key), None)
    return list(seen)


def flat_table(estimates: pd.DataFrame) -> pd.DataFrame:
    """One row per record with the domain flattened into columns (empty for the whole population)."""
    columns = record_columns(estimates)
    keys = domain_columns(estimates)
    clash = [k for k in keys if k in RECORD_FIELDS]
    if clash:
        raise UsageError(f"domain column {clash[0]!r} has the name of an output field; rename it before profiling")
    domains = columns.pop("domain")
    data = {k: [domain.get(k) for domain in domains] for k in keys}
    frame = pd.DataFrame({**data, **columns}, columns=[*keys, *[f for f in RECORD_FIELDS if f != "domain"]])
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


