"""Memory vs stream engine: wall time and peak RSS of `peka classify` (CSV in, Parquet out) at several sizes.

`python bench/bench_stream.py [--households 200000 2000000] [--chunk-rows 100000]`: generates each survey once as
canonical CSVs into `bench/out/stream_<N>/` (git-ignored), then runs `peka classify FILE --persons PERSONS -o
OUT.parquet --engine memory|stream` in a fresh subprocess each, and reads the child's peak RSS from
`resource.getrusage(RUSAGE_CHILDREN)` (ru_maxrss, KiB on Linux). The stream engine's figure should hardly grow with
the survey (target: peak RSS at 2M ≤ 1.3 × at 200k); the memory engine's grows with it.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def survey(households: int) -> Path:
    folder = OUT / f"stream_{households}"
    if not (folder / "persons.csv").exists():
        from peka.deliver.sample import write_sample
        from peka.sample import generate

        t0 = time.perf_counter()
        write_sample(generate(households, seed=2026), folder, ("csv",))
        print(f"generated {households:,} households in {time.perf_counter() - t0:.1f} s", flush=True)
    return folder


def measure(folder: Path, engine: str, chunk_rows: int) -> tuple[float, float]:
    helper = (
        "import resource, subprocess, sys, time; t0 = time.perf_counter(); "
        f"subprocess.run([sys.executable, {str(Path(__file__))!r}, '--child', {str(folder)!r}, {engine!r}, "
        f"'{chunk_rows}'], check=True); "
        "print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", helper], check=True, capture_output=True, text=True).stdout.split()
    return float(out[-2]), float(out[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        folder, engine, chunk_rows = Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
        from peka.jobs.classify import run_classify
        from peka.jobs.inputs import InputSpec

        run_classify(InputSpec(folder / "households.csv", persons=folder / "persons.csv"),
                     output=folder / f"out_{engine}.parquet", engine=engine, chunk_rows=chunk_rows)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, nargs="+", default=[200_000, 2_000_000])
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    parser.add_argument("--engines", nargs="+", default=["memory", "stream"])
    args = parser.parse_args()
    print("| households | engine | wall (s) | peak RSS (MiB) |")
    print("|---|---|---|---|")
    for n in args.households:
        folder = survey(n)
        for engine in args.engines:
            wall, rss = measure(folder, engine, args.chunk_rows)
            print(f"| {n:,} | {engine} | {wall:.1f} | {rss:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
