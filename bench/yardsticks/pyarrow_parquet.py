"""I/O floor for bench/bench_vs_svy.py: the two CSVs read with pyarrow's multi-threaded reader (the reader peka uses
for large files) and written as zstd Parquet (peka's codec), nothing in between: what `peka classify` would cost if
mapping, validation, linkage and classification were free.

    python bench/yardsticks/pyarrow_parquet.py HOUSEHOLDS.csv PERSONS.csv OUT_FOLDER
"""

import sys
from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

households, persons, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
out.mkdir(parents=True, exist_ok=True)
for source in (households, persons):
    pq.write_table(pa_csv.read_csv(source), out / f"{source.stem}.parquet", compression="zstd")
