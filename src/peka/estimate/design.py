"""The sampling design: which columns hold the weight, the strata and the PSUs, and how singleton strata are treated.

peka's variance estimator is the "ultimate cluster" one of Stata ``svy`` and R ``survey``: PSUs drawn with
replacement within strata, no finite-population correction. The design only names columns; ``design_arrays``
reads them from a frame (one chunk at a time when streaming) and checks them.

Three layouts are accepted:

* strata and PSU: a stratified cluster design; PSU ids are read *within* their stratum, so PSU ``"01"`` in stratum
  ``A`` and PSU ``"01"`` in stratum ``B`` are two PSUs;
* PSU without strata: one stratum;
* strata without PSU, or neither: every row is its own PSU (for neither, a weighted simple random sample, what R
  gives for ``svydesign(ids=~1, weights=~w)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from peka.errors import InputError, UsageError

LonelyPsu = Literal["fail", "adjust", "certainty"]
LONELY_PSU_OPTIONS: tuple[str, ...] = ("fail", "adjust", "certainty")

# label of the single stratum when the design has none (never shown as a domain)
ONE_STRATUM = "__all__"


@dataclass(frozen=True)
class Design:
    """Names of the design columns and the singleton-stratum rule.

    ``weight=None`` means every row has weight 1 (stated in the design description). ``psu=None`` makes every row
    its own PSU. ``lonely_psu`` says what a stratum with a single PSU contributes to the variance: ``fail`` raises
    :class:`~peka.errors.DesignError`, ``adjust`` centres the PSU at the grand mean (R
    ``options(survey.lonely.psu="adjust")``), ``certainty`` counts it as a certainty unit (zero variance).

    >>> Design(weight="weight", strata="strata", psu="psu").rows_are_psus
    False
    """

    weight: str | None = "weight"
    strata: str | None = None
    psu: str | None = None
    lonely_psu: LonelyPsu = "fail"

    def __post_init__(self) -> None:
        if self.lonely_psu not in LONELY_PSU_OPTIONS:
            raise UsageError(f"lonely_psu must be one of {', '.join(LONELY_PSU_OPTIONS)}, not {self.lonely_psu!r}")

    @property
    def rows_are_psus(self) -> bool:
        """True when every row is its own PSU (no PSU column): partial sums keep moments, not PSU totals."""
        return self.psu is None

    @property
    def kind(self) -> str:
        """``stratified_cluster``, ``cluster``, ``stratified`` or ``srs`` (weighted simple random sample)."""
        if self.psu is not None:
            return "stratified_cluster" if self.strata is not None else "cluster"
        return "stratified" if self.strata is not None else "srs"

    @property
    def columns(self) -> tuple[str, ...]:
        """The frame columns this design reads."""
        return tuple(c for c in (self.weight, self.strata, self.psu) if c is not None)

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        weight: str | None = "weight",
        strata: str | None = "strata",
        psu: str | None = "psu",
        lonely_psu: LonelyPsu = "fail",
    ) -> Design:
        """The design made of those of the named columns that ``frame`` has (a missing one counts as absent).

        >>> Design.from_frame(pd.DataFrame({"weight": [1.0], "psu": ["1"]})).kind
        'cluster'
        """
        present = set(frame.columns)
        return cls(
            weight=weight if weight in present else None,
            strata=strata if strata in present else None,
            psu=psu if psu in present else None,
            lonely_psu=lonely_psu,
        )

    def describe(self) -> dict[str, Any]:
        """The static part of the design description (counts are added by the estimator)."""
        texts = {
            "stratified_cluster": "stratified cluster sample; PSUs with replacement within strata",
            "cluster": "cluster sample in one stratum; PSUs with replacement",
            "stratified": "stratified sample; every household its own PSU, with replacement within strata",
            "srs": "weighted simple random sample (no strata or PSU given): every household its own PSU, one stratum",
        }
        return {
            "type": self.kind,
            "srs": self.kind == "srs",
            "weight": self.weight,
            "weighted": self.weight is not None,
            "strata": self.strata,
            "psu": self.psu,
            "lonely_psu": self.lonely_psu,
            "variance": "Taylor linearisation; PSUs with replacement within strata; no finite-population correction",
            "description": texts[self.kind] + ("" if self.weight else "; unweighted (every weight 1)"),
        }


def _first_row(frame: pd.DataFrame, bad: np.ndarray) -> int | None:
    """The user's row number (``_row``) of the first flagged row, for messages."""
    if "_row" not in frame.columns or not bad.any():
        return None
    return int(frame["_row"].to_numpy()[np.flatnonzero(bad)[0]])


def _codes(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """A design id column as integer codes and their labels (text: ids are strings; a float column holding whole
    numbers, as foreign files give, is read as integers first so that 3.0 is PSU "3")."""
    values = frame[column]
    missing = values.isna().to_numpy()
    if missing.any():
        raise InputError(
            f"{int(missing.sum())} row(s) have no {column!r} value; every household needs one for standard errors",
            row=_first_row(frame, missing),
            column=column,
        )
    if pd.api.types.is_float_dtype(values.dtype):
        numbers = values.to_numpy(dtype=np.float64)
        if np.all(numbers == np.round(numbers)):
            values = pd.Series(numbers.astype(np.int64), index=values.index)
    codes, uniques = pd.factorize(values)
    labels = np.asarray([str(u) for u in uniques], dtype=object)
    # two source values with the same text (e.g. 1 and "1") are one id
    labels_unique, relabel = np.unique(labels.astype(str), return_inverse=True)
    if len(labels_unique) < len(labels):
        return relabel[codes], labels_unique.astype(object)
    return codes.astype(np.int64), labels


@dataclass(frozen=True)
class DesignCodes:
    """A frame's design as arrays: weights, stratum codes and labels, PSU codes and labels (``None``: rows are
    PSUs)."""

    weights: np.ndarray
    stratum_codes: np.ndarray
    stratum_labels: np.ndarray
    psu_codes: np.ndarray | None
    psu_labels: np.ndarray | None


def design_arrays(frame: pd.DataFrame, design: Design) -> DesignCodes:
    """Weights (float64), strata and PSUs of ``frame``'s rows as codes with labels.

    Raises :class:`~peka.errors.InputError` naming the column and the first row for a missing column, a missing
    or negative weight, or a missing stratum/PSU id.
    """
    for column in design.columns:
        if column not in frame.columns:
            raise InputError(f"design column {column!r} is not in the data", column=column)
    if design.weight is None:
        weights = np.ones(len(frame), dtype=np.float64)
    else:
        weights = pd.to_numeric(frame[design.weight], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(weights) | (weights < 0)
        if bad.any():
            raise InputError(
                f"{int(bad.sum())} row(s) have a missing, infinite or negative weight",
                row=_first_row(frame, bad),
                column=design.weight,
            )
    if design.strata is not None:
        stratum_codes, stratum_labels = _codes(frame, design.strata)
    else:
        stratum_codes = np.zeros(len(frame), dtype=np.int64)
        stratum_labels = np.asarray([ONE_STRATUM], dtype=object)
    psu_codes, psu_labels = _codes(frame, design.psu) if design.psu is not None else (None, None)
    return DesignCodes(weights, stratum_codes, stratum_labels, psu_codes, psu_labels)
