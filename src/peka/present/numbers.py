"""Numbers as people read them, in Bahasa Indonesia (``1.234.567,5``) or English (``1,234,567.5``).

>>> format_count(12345, "id"), format_count(12345, "en")
('12.345', '12,345')
>>> format_percent(0.1523, "id"), format_number(1234567.891, 2, "id"), format_rupiah(609160, "id")
('15,2%', '1.234.567,89', 'Rp609.160')
"""

from __future__ import annotations

import math
from typing import Literal

Lang = Literal["id", "en"]
LANGS: tuple[str, ...] = ("id", "en")
SEPARATORS: dict[str, tuple[str, str]] = {"id": (".", ","), "en": (",", ".")}  # (thousands, decimal)
MISSING = "–"


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def format_number(value: float | None, decimals: int, lang: str = "id") -> str:
    """A number with the language's separators; ``–`` for a missing or non-finite value."""
    if _missing(value):
        return MISSING
    thousands, decimal = SEPARATORS[lang]
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def format_count(n: int | None, lang: str = "id") -> str:
    """A whole number with the language's thousands separator."""
    return format_number(None if n is None else float(n), 0, lang)


def format_percent(share: float | None, lang: str = "id", digits: int = 1) -> str:
    """A share (0.1523) as a percentage (``15,2%``)."""
    return MISSING if _missing(share) else format_number(100 * share, digits, lang) + "%"  # type: ignore[operator]


def format_rupiah(value: float | None, lang: str = "id") -> str:
    """Rupiah without decimals: ``Rp609.160``."""
    return MISSING if _missing(value) else "Rp" + format_number(value, 0, lang)
