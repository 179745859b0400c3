"""Rendering the tidy profile estimates of ``peka.estimate.profile``: records (JSON, CSV), files (XLSX, atomic
writes) and the terminal tables."""

from peka.deliver.profile.files import format_from_suffix, profile_xlsx, render_profile, write_profile
from peka.deliver.profile.records import (
    FORMATS,
    MEASURE_GROUPS,
    MEASURE_KIND,
    RECORD_FIELDS,
    estimate_records,
    flat_table,
    profile_csv,
    profile_document,
    profile_json,
)
from peka.deliver.profile.terminal import configuration_text, format_cell, format_value, profile_tables

__all__ = [
    "FORMATS",
    "MEASURE_GROUPS",
    "MEASURE_KIND",
    "RECORD_FIELDS",
    "configuration_text",
    "estimate_records",
    "flat_table",
    "format_cell",
    "format_from_suffix",
    "format_value",
    "profile_csv",
    "profile_document",
    "profile_json",
    "profile_tables",
    "profile_xlsx",
    "render_profile",
    "write_profile",
]
