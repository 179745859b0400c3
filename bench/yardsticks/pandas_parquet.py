"""Yardstick for bench/bench_vs_svy.py: what `peka classify` is measured against — pandas reading the two CSVs and
writing them as Parquet, nothing else, in one process.

    python bench/yardsticks/pandas_parquet.py HOUSEHOLDS.csv PERSONS.csv OUT_FOLDER
"""

import sys
from pathlib import Path

import pandas as pd

households, persons, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
out.mkdir(parents=True, exist_ok=True)
pd.read_csv(households).to_parquet(out / "households.parquet")
pd.read_csv(persons).to_parquet(out / "persons.parquet")
