"""Yardstick for bench/bench_vs_svy.py: P0 with its SE by district with `svy` (PyPI), the whole job in one process.

    python bench/yardsticks/svy_p0.py CLASSIFIED.csv OUT.csv

Reads the columns it needs from the CSV `peka classify` wrote (with Polars, which svy is built on), makes the
person weight (weight × hh_size) and the PSU key nested in its stratum, and writes kab_code, est, se.
"""

import sys

import polars as pl
import svy

source, target = sys.argv[1], sys.argv[2]
text = {"kab_code": pl.Utf8, "strata": pl.Utf8, "psu": pl.Utf8}
frame = pl.read_csv(source, columns=["kab_code", "strata", "psu", "weight", "hh_size", "poor"], schema_overrides=text)
frame = frame.select(
    "kab_code",
    "strata",
    psu_key=pl.col("strata") + "|" + pl.col("psu"),
    pw=pl.col("weight") * pl.col("hh_size"),
    poor=pl.col("poor").cast(pl.Float64),
)
sample = svy.Sample(frame, svy.Design(stratum="strata", psu="psu_key", wgt="pw", wr=True))
table = sample.estimation.mean("poor", by="kab_code").to_polars()
table.select("kab_code", "est", "se").write_csv(target)
