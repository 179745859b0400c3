"""Applying a mapping to a raw table: rename, recode, convert every column to its canonical kind.

Recoding works through the *unique* values of each column (never per row); each value that does not convert
becomes a missing cell plus a ``Finding`` carrying the user's row number. Numbers must be finite: ``inf``,
``Infinity`` or an overflow such as ``1e400`` is refused like any other invalid number.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from peka.mapping.detect import resolve_sources
from peka.mapping.spec import ColumnSpec, Mapping, value_key
from peka.schema.findings import LONG_DIGITS, Finding
from peka.schema.model import ROW, Column, Level
from peka.schema.privacy import MASK, shown_values

log = logging.getLogger(__name__)

# Bool columns without ``values`` accept these (after casefolding); "l"/"p" is sex, never bool.
BOOL_WORDS: dict[str, bool] = {
    "1": True, "0": False, "true": True, "false": False, "ya": True, "tidak": False,
    "yes": True, "no": False, "y": True, "n": False, "t": True, "f": False,
}  # fmt: skip

# A numeric id of 16 digits (NIK, No KK) cannot be a number: Excel keeps 15 significant digits.
ID_DIGITS_LOST_AT = 1e15
_SCI_TEXT = r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+"
_COMMA_DECIMAL = r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"


@dataclass
class MappedTable:
    """The canonical frame of one table, what did not convert, and the user-missing / ``missing`` codes counted."""

    frame: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    missing_counts: list[dict[str, object]] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # canonical → source column


@dataclass
class _Converted:
    values: Any  # a pandas array / Series for the canonical column
    problems: list[tuple[np.ndarray, str, str]] = field(default_factory=list)  # (positions, check, message)
    missing: dict[str, int] = field(default_factory=dict)  # source code (text) → cells turned missing


def apply_mapping(
    frame: pd.DataFrame,
    mapping: Mapping,
    level: Level,
    *,
    file: str = "",
    value_labels: MappingABC[str, MappingABC[object, str]] | None = None,
    user_missing: MappingABC[str, Sequence[tuple[float, float]]] | None = None,
    decimal: str = ".",
    keep_unmapped: bool = False,
) -> MappedTable:
    """Rename, recode and convert ``frame`` (a raw table with ``_row``) to canonical ``level`` columns.

    ``value_labels`` are the file's labels per source column (SPSS/Stata), ``user_missing`` the file's declared
    user-missing ranges per source column: they are counted; those the mapping lists in ``missing`` become missing,
    the others stay values and get a ``user_missing`` warning. ``decimal=","`` says text numbers use a decimal
    comma and dot thousands (``1.250.000,50``).

    >>> from peka.mapping import load_mapping
    >>> raw = pd.DataFrame({"_row": [2, 3], "URUT": ["001", "002"], "R301": [4, 2], "R105": [1, 3]})
    >>> out = apply_mapping(raw, load_mapping("susenas"), "household", file="kor.csv")
    >>> out.frame["urban_rural"].tolist(), [f.check for f in out.findings]
    (['perkotaan', nan], ['unknown_category'])
    """
    value_labels = value_labels or {}
    user_missing = user_missing or {}
    if ROW not in frame.columns:
        raise ValueError("frame needs a _row column (added by the peka.io readers)")
    resolved = resolve_sources(mapping, level, [c for c in frame.columns if c != ROW], file=file)
    cols = mapping.columns(level)
    specs = mapping.specs(level)
    rows = frame[ROW].to_numpy()
    out: dict[str, Any] = {ROW: frame[ROW].astype("int64").to_numpy()}
    result = MappedTable(frame=pd.DataFrame(), sources=dict(resolved))
    for canonical, source in resolved.items():
        spec, column = specs[canonical], cols[canonical]
        series = frame[source]
        declared = user_missing.get(source, ())
        if declared:
            result.findings.extend(
                _count_user_missing(
                    series, declared, spec, level, source, canonical, file, value_labels.get(source), result
                )
            )
        converted = convert_column(series, spec, column, labels=value_labels.get(source), decimal=decimal)
        out[canonical] = converted.values
        for code, count in converted.missing.items():
            if not any(m["column"] == source and m["code"] == code for m in result.missing_counts):
                label = _label_of(code, value_labels.get(source), spec)
                result.missing_counts.append(
                    {"table": level, "column": source, "canonical": canonical, "code": code, "label": label,
                     "count": count, "action": "missing"}
                )  # fmt: skip
        for positions, check, message in converted.problems:
            result.findings.extend(
                _cell_findings(series, positions, rows, check, message, level, source, canonical, column, file)
            )
    used = set(resolved.values())
    extra = [c for c in frame.columns if c != ROW and c not in used]
    if extra and keep_unmapped:
        for name in extra:
            out.setdefault(str(name), frame[name].array)
    elif extra:
        log.debug("%s: %d source column(s) not in mapping %r dropped: %s", file, len(extra), mapping.name, extra)
    # a fresh RangeIndex: messages use _row, never the index; the converted arrays are new, so not copied again
    result.frame = pd.DataFrame(out, copy=False)
    return result


def convert_column(
    series: pd.Series,
    spec: ColumnSpec,
    column: Column,
    *,
    labels: MappingABC[object, str] | None = None,
    decimal: str = ".",
) -> _Converted:
    """Convert one source column to ``column``'s canonical kind (dtype table in docs/architecture.md)."""
    if column.kind in ("category", "bool") or spec.values is not None:
        return _convert_coded(series, spec, column, labels)
    if column.kind in ("int", "float"):
        return _convert_number(series, spec, column, decimal)
    if column.kind == "id":
        return _convert_id(series, spec)
    return _convert_text(series, spec)


def _convert_text(series: pd.Series, spec: ColumnSpec) -> _Converted:
    text = _as_text(series, strip=False)  # free text (names, addresses) is kept as typed
    missing = _missing_mask_text(text, spec)
    conv = _Converted(values=None)
    if missing is not None:
        conv.missing = _count_codes(text[missing])
        text = text.mask(missing)
    conv.values = text.array
    return conv


def _as_text(series: pd.Series, *, strip: bool = True) -> pd.Series:
    """Source values as stripped ``str`` (empty → missing); whole-number floats without ``.0``."""
    if pd.api.types.is_float_dtype(series.dtype):
        arr = series.to_numpy(dtype="float64", na_value=np.nan)
        whole = np.isfinite(arr) & (arr == np.round(arr))
        text = pd.Series(series.astype("str").to_numpy(), index=series.index, dtype="str")
        ints = pd.Series(np.where(whole, arr, 0).astype("int64"), index=series.index).astype("str")
        text = text.where(~whole, ints).mask(np.isnan(arr))
        return text
    if pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("str").mask(series.isna())
    if series.dtype == object or isinstance(series.dtype, pd.CategoricalDtype):
        # mixed cells (XLSX: numbers and text in one column): convert each distinct value once
        codes, uniques = pd.factorize(series)
        texts = pd.array([cell_text(u) for u in uniques], dtype="str")
        return pd.Series(texts.take(codes, allow_fill=True), index=series.index)
    text = series.astype("str")
    if strip:
        text = text.str.strip()
    return text.mask(text == "")


def cell_text(value: object) -> str | None:
    """One cell as stripped text (whole-number floats without ``.0``); ``None`` for missing or empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer() and abs(float(value)) < 1e18:
        return str(int(value))
    text = str(value).strip()
    return text or None


def _missing_mask_text(text: pd.Series, spec: ColumnSpec) -> pd.Series | None:
    if not spec.missing:
        return None
    keys = spec.missing_keys()
    mask = text.str.casefold().isin(keys)
    return mask if bool(mask.any()) else None


def _count_codes(values: pd.Series) -> dict[str, int]:
    counts = values.value_counts(dropna=True)
    return {str(value_key(k) if value_key(k) is not None else k): int(v) for k, v in counts.items()}


def _is_big_number(value: object) -> bool:
    """A number with more digits than Excel keeps (a NIK or No KK typed as a number)."""
    return (
        isinstance(value, (int, float, np.number))
        and not isinstance(value, bool)
        and abs(float(value)) >= ID_DIGITS_LOST_AT
    )


def _convert_id(series: pd.Series, spec: ColumnSpec) -> _Converted:
    conv = _Converted(values=None)
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        big = (series.abs() >= ID_DIGITS_LOST_AT).fillna(False).to_numpy(dtype=bool)
    elif series.dtype == object:  # XLSX: numbers and text mixed in one column
        codes, uniques = pd.factorize(series)
        flags = np.array([_is_big_number(u) for u in uniques] + [False], dtype=bool)
        big = flags[codes]
    else:
        big = np.zeros(len(series), dtype=bool)
    if big.any():
        conv.problems.append(
            (np.flatnonzero(big), "id_as_number",
             "id stored as a number (e.g. Excel 3.17E+15): digits may be lost; store it as text")
        )  # fmt: skip
        series = series.mask(big)
    if series.dtype == "str" and _all_digits(series):
        # ids as most files hold them (hh_id, NIK): digits only, so nothing to strip, no empty cell and no
        # scientific notation; stripping millions of ids was most of the time of the mapping
        text, sci = series, np.zeros(len(series), dtype=bool)
    else:
        text = _as_text(series)
        sci = _scientific(text)
    if sci.any():
        conv.problems.append(
            (np.flatnonzero(sci), "id_as_number",
             "id written in scientific notation (e.g. 3,17E+15): digits are lost; store it as text")
        )  # fmt: skip
        text = text.mask(sci)
    missing = _missing_mask_text(text, spec)
    if missing is not None:
        conv.missing = _count_codes(text[missing])
        text = text.mask(missing)
    conv.values = text.array
    return conv


def _all_digits(text: pd.Series) -> bool:
    """Every present cell is ASCII digits only (a cheap Arrow kernel; missing cells do not count)."""
    arrow = pa.array(text.array, from_pandas=True)  # as stored (large_string): no cast
    return bool(pc.ascii_is_decimal(arrow).fill_null(True).to_numpy(zero_copy_only=False).all())


def _scientific(text: pd.Series) -> np.ndarray:
    """Cells written in scientific notation (``3,17E+15``). Most ids are plain digits, which cannot be: a cheap
    Arrow kernel finds those, and the regular expression runs on the rest only (4 million NIKs: 0.3 s → 0.05 s)."""
    arrow = pa.array(text, type=pa.string(), from_pandas=True)
    digits = pc.ascii_is_decimal(arrow).fill_null(True).to_numpy(zero_copy_only=False)
    sci = np.zeros(len(text), dtype=bool)
    if not digits.all():
        others = ~digits
        sci[others] = text[others].str.fullmatch(_SCI_TEXT).fillna(False).to_numpy(dtype=bool)
    return sci


def _convert_number(series: pd.Series, spec: ColumnSpec, column: Column, decimal: str) -> _Converted:
    conv = _Converted(values=None)
    if column.kind == "int" and not spec.missing and spec.scale is None and _exact_ints(series):
        # whole numbers read as int64 (counts, ages, sizes): nothing to check or convert; the float round trip
        # below gives the same values (all within 2**53) at the cost of two conversions per column
        values = series.to_numpy(dtype=np.int64, copy=True)
        conv.values = pd.arrays.IntegerArray(values, np.zeros(len(values), dtype=bool))
        return conv
    if pd.api.types.is_bool_dtype(series.dtype):
        series = series.astype("float64")
    if pd.api.types.is_numeric_dtype(series.dtype):
        arr = series.to_numpy(dtype="float64", na_value=np.nan)
    else:
        text = _as_text(series)
        missing = _missing_mask_text(text, spec)
        if missing is not None:
            conv.missing = _count_codes(text[missing])
            text = text.mask(missing)
        if decimal == ",":
            # strict: dots only as thousands groups of 3 ("1.250.000,50"); "2100000.50" is not read as 210000050
            valid = text.str.fullmatch(_COMMA_DECIMAL).fillna(False).astype(bool)
            cleaned = text.where(valid).str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
            expected = f"not a number in the file's format ({column.kind} expected; decimal comma: 1.250.000,50)"
        else:
            cleaned, expected = text, f"not a number ({column.kind} expected)"
        number = pd.to_numeric(cleaned, errors="coerce")
        arr = number.to_numpy(dtype="float64", na_value=np.nan)
        bad = text.notna().to_numpy() & np.isnan(arr)
        if bad.any():
            conv.problems.append((np.flatnonzero(bad), "type", expected))
    if spec.missing and pd.api.types.is_numeric_dtype(series.dtype):
        codes = np.array([float(m) for m in spec.missing if _is_number_text(m)], dtype="float64")
        if codes.size:
            hit = np.isin(arr, codes)
            if hit.any():
                conv.missing = _count_codes(pd.Series(arr[hit]))
                arr = np.where(hit, np.nan, arr)
    if spec.scale is not None:
        with np.errstate(over="ignore"):  # a product too large for a float is inf, refused just below
            arr = arr * spec.scale
    # inf, -inf, "Infinity", an overflow such as "1e400", or a float file (Parquet, SAV, DTA) holding inf: no survey
    # figure is infinite, and one such weight or expenditure would turn every weighted total into inf or NaN
    infinite = np.isinf(arr)
    if infinite.any():
        conv.problems.append((np.flatnonzero(infinite), "type", f"not a finite number ({column.kind} expected)"))
        arr = np.where(infinite, np.nan, arr)
    if column.kind == "int":
        fractional = np.isfinite(arr) & (arr != np.round(arr))
        if fractional.any():
            conv.problems.append((np.flatnonzero(fractional), "type", "not a whole number (int expected)"))
            arr = np.where(fractional, np.nan, arr)
        mask = np.isnan(arr)
        conv.values = pd.arrays.IntegerArray(np.where(mask, 0, arr).astype("int64"), mask)
    else:
        conv.values = arr
    return conv


_FLOAT_EXACT = 2**53  # integers a float64 holds exactly


def _exact_ints(series: pd.Series) -> bool:
    """A numpy signed-integer column whose values a float64 holds exactly (no missing cell is possible)."""
    if not (isinstance(series.dtype, np.dtype) and series.dtype.kind == "i"):
        return False
    values = series.to_numpy()
    return len(values) == 0 or (int(values.min()) > -_FLOAT_EXACT and int(values.max()) < _FLOAT_EXACT)


def _is_number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_MISSING, _UNKNOWN = object(), object()


def _convert_coded(
    series: pd.Series, spec: ColumnSpec, column: Column, labels: MappingABC[object, str] | None
) -> _Converted:
    """Category, bool, or any column with ``values``: recode the distinct values, then take by code (vectorised)."""
    conv = _Converted(values=None)
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        uniques = list(series.cat.categories)
    elif isinstance(series.dtype, pd.BooleanDtype):
        # true/false read as such (most bool columns of a CSV): the codes are the values, no hashing (pd.factorize
        # of a nullable boolean array costs a hash pass over millions of cells)
        codes = np.where(series.isna().to_numpy(), -1, series.to_numpy(dtype=bool, na_value=False).astype(np.int8))
        uniques = [False, True]
    else:
        codes, uniq = pd.factorize(series, use_na_sentinel=True)
        uniques = list(uniq)
    lookup = spec.lookup()
    missing_keys = spec.missing_keys()
    label_keys = {value_key(k): value_key(v) for k, v in (labels or {}).items()}
    if column.kind == "category" and spec.values is None:
        lookup = {code: code for code in column.categories}
    elif column.kind == "bool" and spec.values is None:
        lookup = dict(BOOL_WORDS)
    targets: list[object] = []
    for raw in uniques:
        key = value_key(raw)
        label = label_keys.get(key)
        if key in missing_keys or (label is not None and label in missing_keys):
            targets.append(_MISSING)
        elif key in lookup:
            targets.append(lookup[key])
        elif label is not None and label in lookup:
            targets.append(lookup[label])
        else:
            targets.append(_UNKNOWN)
    status = np.array([1 if t is _MISSING else 2 if t is _UNKNOWN else 0 for t in targets] + [0], dtype="int8")
    cell_status = status[codes]  # code -1 (missing cell) picks the appended 0
    if (cell_status == 1).any():
        hit = cell_status == 1
        conv.missing = _count_codes(pd.Series(np.asarray(series, dtype=object)[hit]))
    if (cell_status == 2).any():
        check = "unknown_category" if column.kind == "category" else "type"
        expected = _expected_text(spec, column)
        conv.problems.append((np.flatnonzero(cell_status == 2), check, f"code not in the mapping ({expected})"))
    clean = [None if t is _MISSING or t is _UNKNOWN else t for t in targets]
    if column.kind in ("category", "id", "str") and _is_identity(uniques, clean) and series.dtype == "str":
        conv.values = series.array  # already canonical text (e.g. the canonical preset): nothing to recode
        return conv
    take = np.where(cell_status == 0, codes, -1)
    conv.values = _typed_take(clean, take, column.kind)
    return conv


def _is_identity(uniques: list[object], targets: list[object]) -> bool:
    return all(isinstance(u, str) and u == t for u, t in zip(uniques, targets, strict=True))


def _expected_text(spec: ColumnSpec, column: Column) -> str:
    if spec.values is not None:
        keys = list(spec.values)
    elif column.kind == "category":
        keys = list(column.categories)
    else:
        keys = ["1/0", "ya/tidak", "true/false"]
    shown = ", ".join(keys[:8]) + (", ..." if len(keys) > 8 else "")
    return f"expected {shown}"


def _typed_take(values: list[object], take: np.ndarray, kind: str) -> Any:
    if kind == "bool":
        table = np.array([1 if v is True else 0 if v is False else -1 for v in values] + [-1], dtype="int8")
        picked = table[take]
        return pd.arrays.BooleanArray(picked == 1, picked < 0)
    if kind == "int":
        table = np.array([np.nan if v is None else float(v) for v in values] + [np.nan])  # type: ignore[arg-type]
        picked = table[take]
        mask = np.isnan(picked)
        return pd.arrays.IntegerArray(np.where(mask, 0, picked).astype("int64"), mask)
    if kind == "float":
        table = np.array([np.nan if v is None else float(v) for v in values] + [np.nan])  # type: ignore[arg-type]
        return table[take]
    return pd.array([None if v is None else str(v) for v in values], dtype="str").take(take, allow_fill=True)


def _count_user_missing(
    series: pd.Series,
    declared: Sequence[tuple[float, float]],
    spec: ColumnSpec,
    level: Level,
    source: str,
    canonical: str,
    file: str,
    labels: MappingABC[object, str] | None,
    result: MappedTable,
) -> list[Finding]:
    """Count the cells holding a declared user-missing code; warn about codes the mapping does not call missing."""
    if not pd.api.types.is_numeric_dtype(series.dtype):
        return []
    arr = series.to_numpy(dtype="float64", na_value=np.nan)
    hit = np.zeros(arr.shape, dtype=bool)
    for lo, hi in declared:
        hit |= (arr >= lo) & (arr <= hi)
    if not hit.any():
        return []
    values, counts = np.unique(arr[hit], return_counts=True)
    missing_keys = spec.missing_keys()
    findings: list[Finding] = []
    for value, count in zip(values, counts, strict=True):
        code = value_key(float(value)) or ""
        label = _label_of(code, labels, spec)
        action = "missing" if code in missing_keys or (label and value_key(label) in missing_keys) else "kept"
        result.missing_counts.append(
            {"table": level, "column": source, "canonical": canonical, "code": code, "label": label,
             "count": int(count), "action": action}
        )  # fmt: skip
        if action == "kept":
            findings.append(
                Finding(file, level, None, source,
                        "user_missing", "warning",
                        f"{int(count)} cell(s) hold user-missing code {code} ({label or 'no label'}) of {canonical}; "
                        f"kept as a value: add missing = [{code}] to the mapping to treat it as missing")
            )  # fmt: skip
    return findings


def _label_of(code: str, labels: MappingABC[object, str] | None, spec: ColumnSpec) -> str:
    for raw, label in (labels or {}).items():
        if value_key(raw) == code:
            return str(label)
    return spec.labels.get(code, "")


_LONG_DIGITS = re.compile(LONG_DIGITS)
SHOWN_CHARS = 40


def _shortened(text: object) -> str | None:
    """A shown value cut so that messages stay one short line (after masking: a NIK is never cut in half)."""
    if text is None:
        return None
    text = str(text)
    return text if len(text) <= SHOWN_CHARS else f"{text[:SHOWN_CHARS]}… ({len(text)} characters)"


def _cell_findings(
    series: pd.Series,
    positions: np.ndarray,
    rows: np.ndarray,
    check: str,
    message: str,
    level: Level,
    source: str,
    canonical: str,
    column: Column,
    file: str,
) -> list[Finding]:
    # the one masking function (schema.privacy): personal columns, NIK spellings, free text in a number column
    if column.personal:  # a personal column of the model or a mapping's extra column marked personal
        shown: list[str | None] = [MASK] * len(positions)
    else:
        shown = [_shortened(v) for v in shown_values(series.iloc[positions], canonical).tolist()]
    # the finding names the source column; say which canonical column it feeds only when the names differ
    text = message if source == canonical else f"{message}; maps to {canonical}"
    return [
        Finding(file, level, int(row), source, check, "error", text, value)
        for row, value in zip(rows[positions], shown, strict=True)
    ]
