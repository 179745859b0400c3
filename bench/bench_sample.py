"""Benchmark: generate a synthetic survey of 1,000,000 households (about 4.2 million persons) and write it.

    python bench/bench_sample.py [--households N] [--seed S] [--formats csv,parquet] [--no-write]

Runs in one fresh process so that the peak resident set size (``ru_maxrss``) belongs to this job alone:

1. ``peka.sample.generate(N, seed)``: wall and CPU time (CPU time is the fairer figure on a shared, loaded
   machine), and peak RSS once the survey is in memory;
2. ``peka.sample.write_sample`` for each format asked (default csv and parquet) into ``bench/out/sample_<N>/<format>/``:
   wall time per format and the files' sizes; then the final peak RSS.

The issue's target is generation "well under a minute" for 1,000,000 households. Figures go to stdout; record them
in bench/README.md. Not a test: timings depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--formats", default="csv,parquet")
    parser.add_argument("--no-write", action="store_true", help="Only time the generator.")
    args = parser.parse_args()

    t0 = time.perf_counter()
    from peka.deliver.sample import parse_formats, sample_files, write_sample
    from peka.sample import generate

    import_s = time.perf_counter() - t0
    rss_import = peak_rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    survey = generate(args.households, args.seed)
    gen_s, gen_cpu = time.perf_counter() - t0, time.process_time() - c0
    rss_gen = peak_rss_mb()
    hh, persons = survey.households, survey.persons
    assert persons is not None
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"import peka.sample: {import_s:.2f} s (peak RSS {rss_import:,.0f} MB)")
    print(
        f"generate: {len(hh):,} households, {len(persons):,} persons, {hh['kab_code'].nunique()} districts, "
        f"{hh['strata'].nunique()} strata, {hh.groupby(['strata', 'psu']).ngroups:,} PSUs: {gen_s:.2f} s wall, "
        f"{gen_cpu:.2f} s CPU, peak RSS {rss_gen:,.0f} MB (load average {os.getloadavg()[0]:.1f})"
    )
    if args.no_write:
        return
    for fmt in parse_formats(args.formats):
        out = HERE / "out" / f"sample_{args.households}" / fmt  # one folder per format: a write replaces the set
        t0, c0 = time.perf_counter(), time.process_time()
        write_sample(survey, out, (fmt,))
        took, cpu = time.perf_counter() - t0, time.process_time() - c0
        sizes = ", ".join(f"{name} {(out / name).stat().st_size / 1e6:,.0f} MB" for name in sample_files((fmt,)))
        print(f"write {fmt}: {took:.2f} s wall, {cpu:.2f} s CPU ({sizes})")
    print(f"peak RSS overall: {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
