"""The report document drawn as an XLSX workbook (``xlsx``) or one self-contained HTML page (``html``, with SVG
charts from ``charts``); ``write_report`` picks by suffix and writes atomically."""

from __future__ import annotations

import os
from pathlib import Path

from peka.deliver.files import write_bytes
from peka.errors import UsageError


def render_report(document, suffix: str) -> bytes:
    """The bytes of the workbook (``.xlsx``) or the page (``.html``)."""
    if suffix == ".xlsx":
        from peka.deliver.report.xlsx import report_xlsx

        return report_xlsx(document)
    if suffix == ".html":
        from peka.deliver.report.html import report_html

        return report_html(document).encode("utf-8")
    raise UsageError(f"a report is .xlsx or .html, not {suffix!r}")


def write_report(document, target: str | os.PathLike[str]) -> Path:
    """Write ``document`` to ``target`` (its suffix chooses the drawing); atomic."""
    return write_bytes(render_report(document, Path(target).suffix.lower()), target)
