"""Writing the rejects frame of ``--on-invalid skip`` (``peka.schema.rejects``) to a file."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from peka.deliver.files import CSV_STANDARD, CsvDialect, write_table


def write_rejects(
    rejects: pd.DataFrame, path: str | os.PathLike[str], csv_dialect: CsvDialect = CSV_STANDARD
) -> Path:
    """Write the rejects frame by the path's suffix (.csv, .parquet, .xlsx, .json), atomically: the file appears
    complete or not at all; a CSV in ``csv_dialect``. Personal values and ids in it are already masked
    (``peka.schema.privacy``)."""
    return write_table(rejects, path, csv_dialect=csv_dialect)


__all__ = ["write_rejects"]
