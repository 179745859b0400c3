"""A display: titled tables of text and notes, neutral about where they are drawn (terminal, XLSX, HTML).

>>> table = DisplayTable("Tingkat", ["Kategori", "Jumlah"], [["Miskin", "12"]], align=["left", "right"])
>>> Display(tables=[table], notes=["catatan"]).tables[0].rows
[['Miskin', '12']]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Align = Literal["left", "right"]


@dataclass
class DisplayTable:
    title: str
    headers: list[str]
    rows: list[list[str]]
    align: list[Align] | None = None  # per column; default: the last two (counts, shares) right, the rest left
    styles: list[str | None] | None = None  # per row: None, "error", "warning", "muted"

    def alignment(self) -> list[Align]:
        if self.align is not None:
            return self.align
        n = len(self.headers)
        return ["right" if i >= n - 2 else "left" for i in range(n)]


@dataclass
class Display:
    """What a command shows: lines before the tables, the tables, notes after them."""

    lines: list[str] = field(default_factory=list)
    tables: list[DisplayTable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
