"""Readers: CSV/TSV/TXT, XLSX/XLSM, SPSS, Stata, SAS, Parquet → raw tables with ``_row``; ``load_survey`` maps them
to the canonical model (see docs/readers.md)."""

from peka.io.load import load_survey
from peka.io.raw import RawTable
from peka.io.readers import FORMATS, Source, open_source

__all__ = ["FORMATS", "RawTable", "Source", "load_survey", "open_source"]
