"""Memory vs stream engine: wall time and peak RSS of `peka classify` (CSV in, Parquet out) at several sizes.

`python bench/bench_stream.py [--households 200000 2000000] [--chunk-rows 100000] [--engines memory stream]
[--delete]`: generates each survey once as canonical CSVs into `bench/out/stream_<N>/` (git-ignored), then runs
`peka classify FILE --persons PERSONS -o OUT.parquet --engine memory|stream` in a fresh subprocess each, and reads
the child's peak RSS from `resource.getrusage(RUSAGE_CHILDREN)` (ru_maxrss, KiB on Linux). Surveys above
1,000,000 households are generated and appended in pieces of at most 1,000,000 (`peka.sample.generate` holds a
whole piece in memory: ~2.6 GB for 1M), piece k with seed 2026 + k and household ids prefixed by k (two digits), so
ids are distinct and persons stay in household order; PSU codes repeat across pieces, which classify does not use.
`--delete` removes each generated survey after its runs (10M households are ~10 GB of CSV). The stream engine's
figure should hardly grow with the survey (targets: peak RSS at 2M ≤ 1.3 × at 200k, 10M under 1.5 GB); the memory
engine's grows with it. `--shuffle-persons` also runs every engine on `persons_shuffled.csv`, the person lines in a
random order (seed 1): the stream engine then puts them in the household file's order on disk first
(`peka.engine.person_order`), and the table shows what that costs.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"


PIECE = 1_000_000  # households generated at once


def survey(households: int) -> Path:
    folder = OUT / f"stream_{households}"
    if not (folder / "persons.csv").exists():
        from peka.deliver.sample import write_sample
        from peka.sample import generate

        t0 = time.perf_counter()
        if households <= PIECE:
            write_sample(generate(households, seed=2026), folder, ("csv",))
        else:
            _pieced(households, folder, write_sample, generate)
        print(f"generated {households:,} households in {time.perf_counter() - t0:.1f} s", flush=True)
    return folder


def _pieced(households: int, folder: Path, write_sample: Any, generate: Any) -> None:
    """households.csv and persons.csv of ``households`` households, written a piece at a time (header once)."""
    staging = OUT / f"stream_{households}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    piece_dir = OUT / f"stream_{households}.piece"
    for k, start in enumerate(range(0, households, PIECE)):
        piece = generate(min(PIECE, households - start), seed=2026 + k)
        prefix = f"{k:02d}"
        piece.households["hh_id"] = prefix + piece.households["hh_id"]
        piece.persons["hh_id"] = prefix + piece.persons["hh_id"]
        write_sample(piece, piece_dir, ("csv",))
        del piece
        for name in ("households.csv", "persons.csv"):
            with (piece_dir / name).open("rb") as src, (staging / name).open("ab") as dst:
                header = src.readline()
                if k == 0:
                    dst.write(header)
                shutil.copyfileobj(src, dst, 16 * 1024 * 1024)
        print(f"  piece {k + 1}: {min(start + PIECE, households):,} households", flush=True)
    shutil.rmtree(piece_dir)
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)


def shuffled(folder: Path) -> str:
    """``persons_shuffled.csv`` beside ``persons.csv``: the same lines after the header in a random order."""
    target = folder / "persons_shuffled.csv"
    if not target.exists():
        import numpy as np

        with (folder / "persons.csv").open("rb") as fh:
            header, *lines = fh.readlines()
        order = np.random.default_rng(1).permutation(len(lines))
        with target.open("wb") as fh:
            fh.write(header)
            fh.writelines(lines[i] for i in order)
    return target.name


def measure(folder: Path, engine: str, chunk_rows: int, persons: str = "persons.csv") -> tuple[float, float]:
    helper = (
        "import resource, subprocess, sys, time; t0 = time.perf_counter(); "
        f"subprocess.run([sys.executable, {str(Path(__file__))!r}, '--child', {str(folder)!r}, {engine!r}, "
        f"'{chunk_rows}', {persons!r}], check=True); "
        "print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", helper], check=True, capture_output=True, text=True).stdout.split()
    return float(out[-2]), float(out[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        folder, engine, chunk_rows, persons = Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
        from peka.jobs.classify import run_classify
        from peka.jobs.inputs import InputSpec

        run_classify(InputSpec(folder / "households.csv", persons=folder / persons),
                     output=folder / f"out_{engine}.parquet", engine=engine, chunk_rows=chunk_rows)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, nargs="+", default=[200_000, 2_000_000])
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    parser.add_argument("--engines", nargs="+", default=["memory", "stream"])
    parser.add_argument("--delete", action="store_true", help="remove each generated survey after its runs")
    parser.add_argument("--shuffle-persons", action="store_true",
                        help="also run every engine on the person file in a random order")
    args = parser.parse_args()
    print("| households | engine | persons | wall (s) | µs / household | peak RSS (MiB) | load before |")
    print("|---|---|---|---|---|---|---|")
    for n in args.households:
        folder = survey(n)
        person_files = ["persons.csv", shuffled(folder)] if args.shuffle_persons else ["persons.csv"]
        for persons in person_files:
            order = "shuffled" if persons != "persons.csv" else "in order"
            for engine in args.engines:
                load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
                wall, rss = measure(folder, engine, args.chunk_rows, persons)
                print(f"| {n:,} | {engine} | {order} | {wall:.1f} | {wall / n * 1e6:.1f} | {rss:,.0f} | {load} |",
                      flush=True)
                (folder / f"out_{engine}.parquet").unlink(missing_ok=True)
        if args.delete:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
