"""Mappings from a source file's columns and codes to the canonical model (``peka.schema.model``).

A mapping is a TOML file (format in docs/mappings.md) naming, per canonical column, the source column(s) it comes
from, how source values recode to canonical codes (``values``, matched on the source text or on the value label of
SPSS/Stata files), a unit factor (``scale``) and the source codes that mean "missing" (``missing``). Built-in
presets live in ``peka/presets/mappings/`` (``canonical``, ``susenas``, ``p3ke``).

This module:

* parses and checks mappings (``load_mapping``: unknown keys or canonical names raise ``ConfigError``, exit 4);
* applies them to a raw table (``apply_mapping``): renames, recodes through the *unique* values of each column
  (never per row), converts every column to its canonical kind, and turns each value that does not convert into
  a missing cell plus a ``Finding`` carrying the user's row number;
* inverts them (``to_source`` / ``source_value_labels``) so the sample generator writes canonical data in any
  preset's shape;
* picks a preset from a header (``detect_mapping``).

Proposing a mapping for an unknown file (``peka mapping suggest``) lives in ``peka.io.suggest``.
"""

from __future__ import annotations

import difflib
import logging
import math
import re
import tomllib
from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from peka.errors import ConfigError, InputError
from peka.schema.findings import LONG_DIGITS, MASK, Finding
from peka.schema.model import ROW, Column, Level, columns_for

log = logging.getLogger(__name__)

LEVELS: tuple[Level, ...] = ("household", "person")
PRESET_PACKAGE = "peka.presets.mappings"
TOP_KEYS = {"name", "description", "absent", "household_sheet", "person_sheet", "household", "person"}
SPEC_KEYS = {"from", "values", "labels", "scale", "missing", "optional"}

# Bool columns without ``values`` accept these (after casefolding); "l"/"p" is sex, never bool.
BOOL_WORDS: dict[str, bool] = {
    "1": True, "0": False, "true": True, "false": False, "ya": True, "tidak": False,
    "yes": True, "no": False, "y": True, "n": False, "t": True, "f": False,
}  # fmt: skip

# Detection: share of header names a preset must explain to be chosen without being asked.
DETECT_MIN_SCORE = 0.5
# A numeric id of 16 digits (NIK, No KK) cannot be a number: Excel keeps 15 significant digits.
ID_DIGITS_LOST_AT = 1e15
_SCI_TEXT = r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+"
_INTEGER_TEXT = re.compile(r"[+-]?\d+\.0*")
_COMMA_DECIMAL = r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"


# ---- the mapping objects ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    """How one canonical column is read. ``values``/``labels``/``missing`` keys are kept as written in the TOML
    (for inversion) and looked up through ``value_key`` normalisation (casefolded text, ``1.0`` == ``1``)."""

    canonical: str
    sources: tuple[str, ...]
    values: dict[str, Any] | None = None
    labels: dict[str, str] = field(default_factory=dict)
    scale: float | None = None
    missing: tuple[str, ...] = ()
    optional: bool = False

    def lookup(self) -> dict[str, Any]:
        """Normalised source key → canonical value (``values`` keys, plus the ``labels`` of those keys)."""
        table: dict[str | None, Any] = {}
        if self.values is None:
            return table  # type: ignore[return-value]
        for key, value in self.values.items():
            table.setdefault(value_key(key), value)
        for key, label in self.labels.items():
            if key in self.values:
                table.setdefault(value_key(label), self.values[key])
        table.pop(None, None)
        return table  # type: ignore[return-value]

    def missing_keys(self) -> set[str]:
        keys = {value_key(code) for code in self.missing}
        keys |= {value_key(self.labels[code]) for code in self.missing if code in self.labels}
        return {k for k in keys if k is not None}


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping: one ``ColumnSpec`` per canonical column and level, in file order."""

    name: str
    description: str = ""
    household: dict[str, ColumnSpec] = field(default_factory=dict)
    person: dict[str, ColumnSpec] = field(default_factory=dict)
    absent: str = "error"  # "error": a mapped source column missing from the file is an InputError; "skip"
    household_sheet: str | None = None
    person_sheet: str | None = None
    origin: str = ""  # preset name or file path, for messages

    def specs(self, level: Level) -> dict[str, ColumnSpec]:
        return self.household if level == "household" else self.person

    def source_names(self, level: Level) -> list[str]:
        return [name for spec in self.specs(level).values() for name in spec.sources]

    def kinds_by_source(self, level: Level) -> dict[str, str]:
        """Source column name → canonical kind (first mention wins), used by readers to pick dtypes."""
        cols = columns_for(level)
        out: dict[str, str] = {}
        for spec in self.specs(level).values():
            for name in spec.sources:
                out.setdefault(name, cols[spec.canonical].kind)
        return out


def value_key(value: object) -> str | None:
    """The text a source value is matched on: casefolded, inner spaces collapsed, ``1``/``1.0``/``"1.0"`` → ``"1"``.

    >>> value_key(" Tanah  Liat"), value_key(2.0), value_key("02"), value_key(None)
    ('tanah liat', '2', '02', None)
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return None
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    text = " ".join(str(value).split()).casefold()
    if not text:
        return None
    if _INTEGER_TEXT.fullmatch(text):
        return text.split(".")[0]
    return text


def name_key(name: str) -> str:
    """A column name as matched against a mapping: casefolded, inner spaces collapsed."""
    return " ".join(str(name).split()).casefold()


# ---- loading and checking ----------------------------------------------------------------------------------------


def preset_names() -> list[str]:
    """Names of the built-in mapping presets, e.g. ``['canonical', 'p3ke', 'susenas']``."""
    files = resources.files(PRESET_PACKAGE).iterdir()
    return sorted(f.name[: -len(".toml")] for f in files if f.name.endswith(".toml"))


def preset_text(name: str) -> str:
    """The TOML text of a built-in preset (what ``peka mapping show NAME`` prints)."""
    if name not in preset_names():
        raise ConfigError(f"no mapping preset {name!r}; presets: {', '.join(preset_names())}", key="mapping")
    return resources.files(PRESET_PACKAGE).joinpath(f"{name}.toml").read_text(encoding="utf-8")


def load_mapping(spec: str | Path | Mapping) -> Mapping:
    """A preset name (``"susenas"``), a path to a TOML file, or an already parsed ``Mapping``.

    >>> load_mapping("p3ke").household["hh_id"].sources
    ('ID Keluarga P3KE',)
    """
    if isinstance(spec, Mapping):
        return spec
    text_spec = str(spec)
    if isinstance(spec, str) and spec in preset_names():
        return _load_preset(spec)
    path = Path(text_spec)
    if not path.is_file():
        raise ConfigError(
            f"{text_spec!r} is neither a preset ({', '.join(preset_names())}) nor a TOML file", key="mapping"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read mapping file ({type(exc).__name__})", file=str(path)) from None
    return parse_mapping(text, origin=str(path))


@cache
def _load_preset(name: str) -> Mapping:
    return parse_mapping(preset_text(name), origin=name)


def parse_mapping(text: str, *, origin: str = "<string>") -> Mapping:
    """Parse and check mapping TOML; every problem is a ``ConfigError`` naming the dotted key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=origin) from None
    for key in data:
        if key not in TOP_KEYS:
            raise ConfigError(f"unknown key (allowed: {', '.join(sorted(TOP_KEYS))})", file=origin, key=key)
    absent = data.get("absent", "error")
    if absent not in ("error", "skip"):
        raise ConfigError("must be 'error' or 'skip'", file=origin, key="absent")
    for key in ("name", "description", "household_sheet", "person_sheet"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError("must be a string", file=origin, key=key)
    if "household" not in data:
        raise ConfigError("a mapping needs a [household] table", file=origin, key="household")
    levels: dict[str, dict[str, ColumnSpec]] = {}
    for level in LEVELS:
        table = data.get(level, {})
        if not isinstance(table, dict):
            raise ConfigError("must be a table", file=origin, key=level)
        levels[level] = {name: _parse_spec(level, name, entry, origin) for name, entry in table.items()}
    return Mapping(
        name=data.get("name", Path(origin).stem),
        description=data.get("description", ""),
        household=levels["household"],
        person=levels["person"],
        absent=absent,
        household_sheet=data.get("household_sheet"),
        person_sheet=data.get("person_sheet"),
        origin=origin,
    )


def _parse_spec(level: Level, name: str, entry: object, origin: str) -> ColumnSpec:
    key = f"{level}.{name}"
    cols = columns_for(level)
    if name not in cols:
        close = difflib.get_close_matches(name, list(cols), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"not a canonical {level} column{hint}", file=origin, key=key)
    column = cols[name]
    if isinstance(entry, str):
        entry = {"from": entry}
    if not isinstance(entry, dict):
        raise ConfigError("must be a source column name or a table with 'from'", file=origin, key=key)
    for sub in entry:
        if sub not in SPEC_KEYS:
            raise ConfigError(f"unknown key (allowed: {', '.join(sorted(SPEC_KEYS))})", file=origin, key=f"{key}.{sub}")
    sources = entry.get("from")
    if isinstance(sources, str):
        sources = [sources]
    if not sources or not isinstance(sources, list) or not all(isinstance(s, str) and s for s in sources):
        raise ConfigError(
            "'from' must name a source column (or a list of alternatives)", file=origin, key=f"{key}.from"
        )
    values = entry.get("values")
    if values is not None:
        if not isinstance(values, dict) or not values:
            raise ConfigError("must be a table of source value = canonical value", file=origin, key=f"{key}.values")
        for src, target in values.items():
            _check_target(column, target, origin, f"{key}.values.{src}")
    labels = entry.get("labels", {})
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise ConfigError("must be a table of source code = label text", file=origin, key=f"{key}.labels")
    scale = entry.get("scale")
    if scale is not None:
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not math.isfinite(scale) or scale == 0:
            raise ConfigError("must be a non-zero number", file=origin, key=f"{key}.scale")
        if column.kind not in ("int", "float"):
            raise ConfigError(
                f"only numeric columns take a scale ({name} is {column.kind})", file=origin, key=f"{key}.scale"
            )
    missing = entry.get("missing", [])
    if not isinstance(missing, list) or not all(
        isinstance(m, (str, int, float)) and not isinstance(m, bool) for m in missing
    ):
        raise ConfigError("must be a list of source codes", file=origin, key=f"{key}.missing")
    optional = entry.get("optional", False)
    if not isinstance(optional, bool):
        raise ConfigError("must be true or false", file=origin, key=f"{key}.optional")
    return ColumnSpec(
        canonical=name,
        sources=tuple(sources),
        values=dict(values) if values is not None else None,
        labels={str(k): v for k, v in labels.items()},
        scale=float(scale) if scale is not None else None,
        missing=tuple(code_text(m) for m in missing),
        optional=optional,
    )


def code_text(code: object) -> str:
    """A code as TOML key text: ``1.0`` → ``"1"``."""
    return str(int(code)) if isinstance(code, float) and code.is_integer() else str(code)


def _check_target(column: Column, target: object, origin: str, key: str) -> None:
    kind = column.kind
    ok = {
        "category": isinstance(target, str) and target in column.categories,
        "bool": isinstance(target, bool),
        "int": isinstance(target, int) and not isinstance(target, bool),
        "float": isinstance(target, (int, float)) and not isinstance(target, bool),
        "id": isinstance(target, str),
        "str": isinstance(target, str),
    }[kind]
    if not ok:
        expected = f"one of {', '.join(column.categories)}" if kind == "category" else f"a {kind} value"
        raise ConfigError(f"{target!r} is not valid for {column.name}: expected {expected}", file=origin, key=key)


# ---- resolving against a file's header ---------------------------------------------------------------------------


def resolve_sources(mapping: Mapping, level: Level, header: Sequence[str], *, file: str = "") -> dict[str, str]:
    """Canonical name → the file's own column name, matching names exactly first, then case- and space-blind.

    A mapped source absent from the file raises ``InputError`` naming it (unless the mapping says
    ``absent = "skip"`` or the column is ``optional``); a *required* canonical column always must be present.
    """
    exact = {str(h): str(h) for h in header}
    folded: dict[str, str] = {}
    for h in header:
        folded.setdefault(name_key(h), str(h))
    resolved: dict[str, str] = {}
    cols = columns_for(level)
    for canonical, spec in mapping.specs(level).items():
        found = next((exact[s] for s in spec.sources if s in exact), None)
        if found is None:
            found = next((folded[name_key(s)] for s in spec.sources if name_key(s) in folded), None)
        if found is not None:
            resolved[canonical] = found
            continue
        wanted = " or ".join(repr(s) for s in spec.sources)
        if cols[canonical].required or not (spec.optional or mapping.absent == "skip"):
            raise InputError(
                f"{level} column {wanted} (canonical {canonical}) named in mapping {mapping.name!r} is not in the file",
                file=file or None,
            )
        log.debug("mapping %s: %s (%s) not in %s; skipped", mapping.name, wanted, canonical, file)
    for column in cols.values():
        if column.required and column.name not in resolved:
            raise InputError(
                f"required {level} column {column.name} has no source in mapping {mapping.name!r}", file=file or None
            )
    used = list(resolved.values())
    duplicated = {s for s in used if used.count(s) > 1}
    if duplicated:
        log.debug("mapping %s: source columns used twice: %s", mapping.name, sorted(duplicated))
    return resolved


def detect_mapping(header: Sequence[str], person_header: Sequence[str] | None = None) -> tuple[Mapping, float]:
    """Pick the preset whose source names best explain the header(s); ``ConfigError`` (exit 4) if none fits.

    The score is the share of names matched, out of the smaller of (file columns, preset columns): a file with
    only the core Susenas columns and a P3KE workbook with dozens of extra columns both score high for their preset.
    """
    scores: list[tuple[float, str, Mapping]] = []
    for name in preset_names():
        mapping = load_mapping(name)
        score = _match_score(mapping, "household", header)
        if person_header is not None and mapping.person:
            score = (score + _match_score(mapping, "person", person_header)) / 2
        scores.append((score, name, mapping))
    scores.sort(key=lambda item: (-item[0], item[1]))
    best_score, best_name, best = scores[0]
    shown = ", ".join(f"{name} {score:.0%}" for score, name, _ in scores)
    if best_score < DETECT_MIN_SCORE:
        raise ConfigError(
            f"no mapping preset matches the file's columns (best: {shown}); pass --mapping or write one with "
            "`peka mapping suggest`",
            key="mapping",
        )
    log.info("mapping: detected preset %r from the header (match %s)", best_name, shown)
    return best, best_score


def _match_score(mapping: Mapping, level: Level, header: Sequence[str]) -> float:
    """Share of names matched, out of the smaller of (file columns, preset columns). A missing required column does
    not lower the score: the preset that fits best is still chosen, so that loading can name the missing column
    (exit 3) instead of claiming that no preset fits (exit 4)."""
    names = {name_key(h) for h in header if str(h) != ROW}
    sources = {name_key(s) for s in mapping.source_names(level)}
    if not names or not sources:
        return 0.0
    return len(names & sources) / min(len(names), len(sources))


# ---- applying: rename, recode, convert ---------------------------------------------------------------------------


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
    cols = columns_for(level)
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
    result.frame = pd.DataFrame(out)  # a fresh RangeIndex: messages use _row, never the index
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
        arr = arr * spec.scale
    if column.kind == "int":
        fractional = np.isfinite(arr) & (arr != np.round(arr))
        infinite = np.isinf(arr)
        if fractional.any() or infinite.any():
            conv.problems.append((np.flatnonzero(fractional | infinite), "type", "not a whole number (int expected)"))
            arr = np.where(fractional | infinite, np.nan, arr)
        mask = np.isnan(arr)
        conv.values = pd.arrays.IntegerArray(np.where(mask, 0, arr).astype("int64"), mask)
    else:
        conv.values = arr
    return conv


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
    take = np.where(status[codes] == 0, codes, -1)
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


def _shown_value(value: object) -> str | None:
    """A raw value as a finding shows it: a long digit run (a NIK typed into the wrong column) is masked, and a
    huge cell is cut so that messages stay one short line."""
    text = cell_text(value)
    if text is None:
        return None
    text = _LONG_DIGITS.sub(MASK, text)
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
    raw = np.asarray(series.iloc[positions], dtype=object)
    shown = [MASK] * len(raw) if column.personal else [_shown_value(v) for v in raw]
    # the finding names the source column; say which canonical column it feeds only when the names differ
    text = message if source == canonical else f"{message}; maps to {canonical}"
    return [
        Finding(file, level, int(row), source, check, "error", text, value)
        for row, value in zip(rows[positions], shown, strict=True)
    ]


# ---- inverting: canonical → source (for the sample generator and round-trip tests) -------------------------------


def to_source(frame: pd.DataFrame, mapping: Mapping | str, level: Level) -> pd.DataFrame:
    """Turn a canonical table into the source columns and codes of ``mapping`` (the inverse of ``apply_mapping``).

    Each canonical column present in ``frame`` and in the mapping is written under its first ``from`` name;
    ``values`` are inverted (the first source key listed for a canonical value wins), ``scale`` is divided out,
    codes whose keys are all whole numbers come out as ``Int64`` (so SPSS/Stata get numeric codes with
    ``source_value_labels``), and bools without ``values`` come out as ``Int8`` 1/0. ``_row`` is dropped.

    >>> canon = pd.DataFrame({"hh_id": ["001"], "hh_size": [3], "urban_rural": ["perdesaan"]})
    >>> to_source(canon, "susenas", "household").to_dict("list")
    {'URUT': ['001'], 'R105': [2], 'R301': [3]}
    """
    mapping = load_mapping(mapping)
    cols = columns_for(level)
    out: dict[str, Any] = {}
    for canonical, spec in mapping.specs(level).items():
        if canonical not in frame.columns:
            continue
        series = frame[canonical]
        kind = cols[canonical].kind
        target = spec.sources[0]
        if spec.values is not None:
            inverse: dict[object, str] = {}
            for key, value in spec.values.items():
                inverse.setdefault(value, key)
            numeric = all(_INTEGER_TEXT.fullmatch(k) or k.lstrip("+-").isdigit() for k in spec.values)
            keyed = series.astype(object).map(inverse)  # dict lookup per distinct value; unknown/missing → NaN
            if numeric:
                out[target] = pd.to_numeric(keyed, errors="coerce").astype("Int64")
            else:
                out[target] = keyed.astype("str")
        elif kind == "bool":
            out[target] = series.astype("boolean").astype("Int8")
        elif spec.scale is not None:
            out[target] = series.astype("float64") / spec.scale
        else:
            out[target] = series
    return pd.DataFrame(out, index=frame.index)


def source_value_labels(mapping: Mapping | str, level: Level) -> dict[str, dict[object, str]]:
    """Value labels per source column from the mapping's ``labels`` (numeric codes as ``int``), for
    ``pyreadstat.write_sav(..., variable_value_labels=...)``.

    >>> source_value_labels("susenas", "household")["R105"]
    {1: 'Perkotaan', 2: 'Perdesaan'}
    """
    mapping = load_mapping(mapping)
    out: dict[str, dict[object, str]] = {}
    for spec in mapping.specs(level).values():
        if spec.labels:
            out[spec.sources[0]] = {(int(k) if k.lstrip("+-").isdigit() else k): v for k, v in spec.labels.items()}
    return out
