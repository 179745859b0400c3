"""Inverting a mapping: canonical tables → the source columns and codes of a mapping (for the sample writer and
round-trip tests), and the value labels to write with them (SPSS/Stata)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from peka.mapping.spec import INTEGER_TEXT, Mapping, load_mapping
from peka.schema.model import Level


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
    cols = mapping.columns(level)
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
            numeric = all(INTEGER_TEXT.fullmatch(k) or k.lstrip("+-").isdigit() for k in spec.values)
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
