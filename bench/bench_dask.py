"""Memory vs Dask engine: wall time of `peka classify` (CSV in, Parquet out) and `peka profile --by kab_code`.

`python bench/bench_dask.py [--households 200000] [--chunk-rows 50000] [--engines memory dask]
[--scheduler tcp://HOST:8786]`: generates the survey once as canonical CSVs into `bench/out/stream_<N>/`
(git-ignored; shared with bench_stream.py), then runs each job in a fresh subprocess per engine: memory (stream if
asked), and dask on a `distributed.LocalCluster` started by the job (one single-threaded worker process per core;
its start-up and shut-down are inside the wall time), or on `--scheduler`. "largest RSS" is the largest peak
resident size of any one process of the run (driver or a local worker: `getrusage(RUSAGE_CHILDREN).ru_maxrss`,
which takes the maximum over the waited-for descendants).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from bench_stream import survey


def measure(folder: Path, job: str, engine: str, chunk_rows: int, scheduler: str | None) -> tuple[float, float]:
    argv = [sys.executable, str(Path(__file__)), "--child", str(folder), job, engine, str(chunk_rows),
            scheduler or ""]
    helper = (
        "import resource, subprocess, sys, time; t0 = time.perf_counter(); "
        f"subprocess.run({argv!r}, check=True); "
        "print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", helper], check=True, capture_output=True, text=True).stdout.split()
    return float(out[-2]), float(out[-1])


def child(folder: Path, job: str, engine: str, chunk_rows: int, scheduler: str | None) -> None:
    from peka.jobs.inputs import InputSpec

    spec = InputSpec(folder / "households.csv", persons=folder / "persons.csv")
    if job == "classify":
        from peka.jobs.classify import run_classify

        run_classify(spec, output=folder / f"out_{engine}.parquet", engine=engine, chunk_rows=chunk_rows,
                     scheduler=scheduler)
    else:
        from peka.jobs.profile import ProfileRequest, run_profile

        run_profile(ProfileRequest(spec, by=("kab_code",), engine=engine, chunk_rows=chunk_rows, scheduler=scheduler))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6] or None)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, nargs="+", default=[200_000])
    parser.add_argument("--chunk-rows", type=int, default=50_000)
    parser.add_argument("--scheduler", default=None)
    parser.add_argument("--engines", nargs="+", default=["memory", "dask"])
    args = parser.parse_args()
    print("| households | job | engine | wall (s) | largest RSS (MiB) | load before |")
    print("|---|---|---|---|---|---|")
    for n in args.households:
        folder = survey(n)
        for job in ("classify", "profile"):
            for engine in args.engines:
                load = Path("/proc/loadavg").read_text().split()[0]
                wall, rss = measure(folder, job, engine, args.chunk_rows, args.scheduler if engine == "dask" else None)
                print(f"| {n:,} | {job} | {engine} | {wall:.1f} | {rss:,.0f} | {load} |", flush=True)


if __name__ == "__main__":
    main()
