"""The one place that decides what of a survey's data may be shown: masking for messages, reports, rejects and logs.

Survey files hold personal data. Every value peka quotes back to the user — in a finding, the ``peka validate``
table and ``--json``, the one-line error, a rejects file, a log line — goes through this module first. Three rules
(docs/privacy.md says why each exists):

1. **Personal columns** (``PERSONAL_COLUMNS`` of the model: NIK, No KK, names, addresses): the value is never shown,
   whatever it holds; it becomes ``MASK``.
2. **NIK / No KK in any spelling, in any column or text**: a number of 12 or more digits written plainly
   (``1172010101010001``), in groups (``1172 0101 0101 0001``, ``1172-0101-…``, ``1172.0101.…``, ``/``), or in
   scientific notation with an exponent of 11 or more and 4 or more digits (``1.17201E+15``, what Excel makes of a
   16-digit id) is replaced by ``MASK`` where it stands; the text around it is kept.
3. **Free text where a number or a code was expected**: a value of a number column (``int``/``float``) that holds
   two or more letters in a row (a name typed into ``head_age``), or a value of a code column (category, yes/no, id)
   that holds two words of letters or is longer than ``CODE_CHARS``, is replaced by ``MASK`` as a whole; the finding's
   message still says what was wrong (``not a number``). Short placeholders such as ``NA`` or ``tidak tahu`` stay.

Functions work on whole columns (pyarrow kernels pick the few cells that need a regular expression), so a report
of a million findings is masked in well under a second. pandas, numpy and pyarrow are imported inside those
functions: ``mask_text`` and ``MaskingFilter`` serve the CLI's logging and error line, which must not pay for pandas
on ``peka --help``.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

Expected = Literal["number", "code", "text"]

MASK = "***"  # what a masked value, or a masked part of a text, is shown as
# the fewest digits a masked number has: a NIK or No KK has 16; 12 also covers one cut short or with digits lost,
# and no count, amount or code peka quotes comes near it
NIK_MIN_DIGITS = 12
LONG_DIGITS = rf"\d{{{NIK_MIN_DIGITS},}}"  # the plain spelling only (kept for the readers that import it)
# a code (category, yes/no, id) longer than this is free text, whatever it holds
CODE_CHARS = 40
# what a number column may hold that is not a number and is worth showing: how "missing" is often written
PLACEHOLDERS: frozenset[str] = frozenset(
    {"na", "n/a", "nan", "null", "none", "nil", "inf", "-inf", "tt", "tidak tahu", "tidak ada", "kosong"}
)

# e-notation of a number of 12+ digits (exponent 11 and up) that keeps 4 or more of its digits (1.17201E+15,
# 3,1712E+015); with 3 or fewer it shows no more than a province code, so examples such as "3.17E+15" stay readable
_SCIENTIFIC = r"[+-]?(?=(?:\d[.,]?){4})\d+(?:[.,]\d+)?[eE]\+?0*(?:1[1-9]|[2-9]\d|\d{3,})(?!\d)"
# digit groups joined by single separators (space, dash, dot, slash): masked when they hold 12+ digits in all
_GROUPED = r"\d+(?:[ .\-/]\d+)*"
_NUMBER = re.compile(f"{_SCIENTIFIC}|{_GROUPED}")
_KIND_EXPECTED: dict[str, Expected] = {
    "int": "number",
    "float": "number",
    "category": "code",
    "bool": "code",
    "id": "code",
    "str": "text",
}


@functools.cache
def _model() -> tuple[frozenset[str], dict[str, Expected]]:
    """The personal columns and what each canonical column holds, from the model (imported on first use: the model
    imports ``findings``, which takes ``MASK`` from here)."""
    from peka.schema.model import COLUMNS, PERSONAL_COLUMNS

    return PERSONAL_COLUMNS, {c.name: _KIND_EXPECTED[c.kind] for c in COLUMNS}


def _mask_match(match: re.Match[str]) -> str:
    text = match.group(0)
    if "e" in text or "E" in text:
        return MASK  # the scientific alternative matched
    return MASK if sum(ch.isdigit() for ch in text) >= NIK_MIN_DIGITS else text


def mask_text(text: str) -> str:
    """Any text with every NIK / No KK spelling in it replaced by ``MASK``.

    >>> mask_text("KK 1172 0101 0101 0001, lama 1.17201E+15; row 12, Rp 1.250.000, e.g. 3.17E+15")
    'KK ***, lama ***; row 12, Rp 1.250.000, e.g. 3.17E+15'
    """
    return _NUMBER.sub(_mask_match, text)


def _candidates(arrow: object) -> np.ndarray:
    """Cells that may hold a NIK: 12+ digits in all, or an e-notation (cheap vectorised pre-filter)."""
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    digits = pc.count_substring_regex(arrow, r"\d").fill_null(0).to_numpy(zero_copy_only=False)
    scientific = pc.match_substring_regex(arrow, r"\d[eE]\+?\d").fill_null(False).to_numpy(zero_copy_only=False)
    return (digits >= NIK_MIN_DIGITS) | scientific


def _as_text(values: pd.Series) -> pd.Series:
    """Values as text (object dtype, None for missing); integers stored as floats without '.0'."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_float_dtype(values.dtype):
        v = values.to_numpy(dtype=np.float64, na_value=np.nan)
        whole = np.isfinite(v) & (v == np.round(v)) & (np.abs(v) < 1e15)
        text = values.astype(str).to_numpy(dtype=object)
        text[whole] = v[whole].astype(np.int64).astype(str)
        text[np.isnan(v)] = None
        return pd.Series(text, index=values.index, dtype=object)
    text = values.astype("str").to_numpy(dtype=object)
    text[values.isna().to_numpy()] = None
    return pd.Series(text, index=values.index, dtype=object)


def mask_texts(values: pd.Series) -> pd.Series:
    """``mask_text`` over a column of text (missing stays missing); object dtype, same index."""
    import pyarrow as pa  # type: ignore[import-untyped]

    text = _as_text(values)
    if not len(text):
        return text
    arrow = pa.array(text.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    hit = _candidates(arrow)
    if hit.any():
        text = text.copy()
        text[hit] = [mask_text(t) for t in text[hit]]  # only the few cells with 12+ digits
    return text


def free_text(values: pd.Series, expected: Expected) -> np.ndarray:
    """Which cells look like free text (a name, a sentence) where a number or a code was expected."""
    import numpy as np
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    if expected == "text" or not len(values):
        return np.zeros(len(values), dtype=bool)
    text = _as_text(values)
    arrow = pa.array(text.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    if expected == "number":
        letters = pc.match_substring_regex(arrow, r"\pL\pL").fill_null(False).to_numpy(zero_copy_only=False)
        placeholder = text.str.strip().str.lower().isin(PLACEHOLDERS).to_numpy(dtype=bool)
        return letters & ~placeholder
    words = pc.match_substring_regex(arrow, r"\pL\pL\S*\s+\S*\pL\pL").fill_null(False).to_numpy(zero_copy_only=False)
    long = pc.utf8_length(arrow).fill_null(0).to_numpy(zero_copy_only=False) > CODE_CHARS
    return words | long


def expected_of(column: str | None, default: Expected = "text") -> Expected:
    """What a column is meant to hold: ``number``, ``code`` or ``text`` (from its kind in the model)."""
    return _model()[1].get(column or "", default)


def shown_values(values: pd.Series, column: str | None, *, expected: Expected | None = None) -> pd.Series:
    """Cell values of one column as a report may show them (object dtype, None for missing, same index):
    ``MASK`` for a personal column or free text where a number or code was expected, NIK spellings masked in the
    rest. ``expected`` overrides what the column's kind says (for a source column the model does not name).

    >>> import pandas as pd
    >>> shown_values(pd.Series(["12", "Iskandar Uji", "1172-0101-0101-0001", "NA"]), "head_age").tolist()
    ['12', '***', '***', 'NA']
    >>> shown_values(pd.Series(["Siti"]), "head_name").tolist()
    ['***']
    """
    import numpy as np
    import pandas as pd

    if column in _model()[0]:
        shown_mask = np.where(values.notna().to_numpy(dtype=bool), MASK, "")
        return pd.Series(shown_mask, index=values.index, dtype=object).where(values.notna(), None)
    shown = mask_texts(values)
    prose = free_text(shown, expected or expected_of(column))
    if prose.any():
        shown = shown.copy()
        shown[prose] = MASK
    return shown


def shown_value(value: object, column: str | None, *, expected: Expected | None = None) -> str | None:
    """``shown_values`` for one cell (for code that reports cells one at a time).

    >>> shown_value("Iskandar Uji", "head_age"), shown_value(3.0, "hh_size"), shown_value(None, "hh_size")
    ('***', '3', None)
    """
    import numpy as np
    import pandas as pd

    if isinstance(value, (float, np.floating)):
        cell = pd.Series([value], dtype=np.float64)  # 3.0 shown as 3, as in a column of numbers
    else:
        cell = pd.Series([value], dtype=object)
    return shown_values(cell, column, expected=expected).iloc[0]


def mask_ids(ids: pd.Series) -> pd.Series:
    """Ids as a rejects file may carry them: an id that holds a NIK / No KK (in any spelling) is masked — not
    pseudonymised, see docs/privacy.md; every other id is kept so the user can find the row.

    >>> import pandas as pd
    >>> mask_ids(pd.Series(["h1", "1172010101010001", None])).tolist()
    ['h1', '***', None]
    """
    return mask_texts(ids)


class MaskingFilter(logging.Filter):
    """A logging filter that masks NIK spellings in every record it passes (console and --log-file handlers)."""

    def __init__(self, mask: Callable[[str], str] = mask_text):
        super().__init__()
        self._mask = mask

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self._mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


__all__ = [
    "CODE_CHARS",
    "LONG_DIGITS",
    "MASK",
    "NIK_MIN_DIGITS",
    "PLACEHOLDERS",
    "MaskingFilter",
    "expected_of",
    "free_text",
    "mask_ids",
    "mask_text",
    "mask_texts",
    "shown_value",
    "shown_values",
]
