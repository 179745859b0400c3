"""Floor for bench/bench_vs_svy.py: the least any `peka profile` of a classified CSV must do — read the columns its
estimates use — with the fastest CSV reader at hand (Polars, multi-threaded, reading only those columns), and
nothing else: no estimation, no output. If this alone takes longer than a target, no estimator reaching it from
the CSV exists on this machine.

    python bench/yardsticks/polars_read_columns.py CLASSIFIED.csv COLUMN [COLUMN ...]
"""

import sys

import polars as pl

source, columns = sys.argv[1], sys.argv[2:]
text = {c: pl.Utf8 for c in ("kab_code", "strata", "psu", "poverty_status", "segment") if c in columns}
frame = pl.read_csv(source, columns=columns, schema_overrides=text)
print(frame.shape)
