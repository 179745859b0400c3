"""Typed data-quality findings: what every reader, mapping and check reports, with the user's own row numbers."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from peka.schema.privacy import LONG_DIGITS, MASK, mask_text

Severity = Literal["error", "warning", "info"]

# MASK (what a masked value is shown as) and LONG_DIGITS (the plain spelling of a NIK) are defined in
# peka.schema.privacy, the one masking module, and stay importable from here for the readers
__all__ = ["LONG_DIGITS", "MASK", "Finding", "Severity"]


@dataclass(frozen=True)
class Finding:
    """One problem in one place. ``row`` is the user's row number (file line or case number), ``None`` for a
    problem of a whole column or file. ``value`` is already masked
    (``peka.schema.privacy``). ``check`` is a stable code
    listed in docs/checks.md (e.g. ``type``, ``range``, ``duplicate_id``, ``orphan_person``)."""

    file: str
    table: Literal["household", "person"]
    row: int | None
    column: str | None
    check: str
    severity: Severity
    message: str
    value: str | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def one_line(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        shown = f" (value {self.value!r})" if self.value is not None else ""
        return mask_text(f"{', '.join(where)}: {self.message}{shown}")
