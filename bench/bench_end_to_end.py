"""The whole job as a Bappeda runs it, command by command: `peka sample`, `peka classify`, `peka profile`,
`peka report`, `peka target` on N households, each a fresh process, with wall time and peak RSS; and the whole
job as one `peka run` pipeline (step ``pipeline``: validate → classify → profile → report → target in one process,
the steps sharing one read of the survey and the report taking the classify step's table).

`python bench/bench_end_to_end.py [--households 1000000] [--engine memory] [--data DIR] [--steps ...]`

Each command is started with ``subprocess.Popen`` and reaped with ``os.wait4``, which returns that child's own
resource usage (``ru_maxrss``, KiB on Linux): the peak RSS of one command, not of the benchmark. The sample is
written once into ``DIR`` (default ``bench/out/e2e_<N>``, git-ignored) and reused; ``--fresh`` regenerates it (the
`peka sample` row then has figures). Issue 12's target: classify + profile + report of 1,000,000 households under
30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
STEPS = ("sample", "classify", "profile", "report", "target", "pipeline")


def peka() -> list[str]:
    exe = shutil.which("peka", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "peka"]


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one command; raises if it fails."""
    t0 = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t0
    child.returncode = os.waitstatus_to_exitcode(status)
    err = child.stderr.read().decode() if child.stderr else ""
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {child.returncode}:\n{err[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def commands(data: Path, households: int, engine: str) -> dict[str, list[str]]:
    hh, persons, classified = data / "households.csv", data / "persons.csv", data / f"classified_{engine}.parquet"
    engine_opt = ["--engine", engine]
    return {
        "sample": [*peka(), "sample", "-n", str(households), "--seed", "1", "--formats", "csv", "--out", str(data)],
        "classify": [*peka(), "classify", str(hh), "--persons", str(persons), "-o", str(classified), *engine_opt],
        "profile": [*peka(), "profile", str(classified), "--by", "kab_name", "-o", str(data / f"profile_{engine}.json"),
                    *engine_opt],
        "report": [*peka(), "report", str(classified), "--by", "kab_name", "--by", "kec_name",
                   "-o", str(data / f"report_{engine}.xlsx"), "-o", str(data / f"report_{engine}.html")],
        "target": [*peka(), "target", str(hh), "--persons", str(persons), "--program", "pkh", "--quota", "10",
                   "-o", str(data / f"target_{engine}")],
        "pipeline": [*peka(), "run", str(pipeline_file(data, engine))],
    }


def pipeline_file(data: Path, engine: str) -> Path:
    """validate → classify → profile → report → target as one `peka run` file beside the sample (written each time:
    it is tiny)."""
    path = data / f"pipeline_{engine}.toml"
    path.write_text(f"""output = "run_{engine}"
engine = "{engine}"

[input]
households = "households.csv"
persons = "persons.csv"

[[steps]]
step = "validate"

[[steps]]
step = "classify"
output = "klasifikasi.parquet"

[[steps]]
step = "profile"
by = ["kab_name"]
output = "profil.json"

[[steps]]
step = "report"
by = ["kab_name", "kec_name"]
output = "laporan.html"
also = "laporan.xlsx"

[[steps]]
step = "target"
programs = ["pkh"]
quota = 10
""", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--engine", default="memory")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--steps", nargs="+", default=list(STEPS), choices=STEPS)
    parser.add_argument("--fresh", action="store_true", help="regenerate the sample even if it exists")
    args = parser.parse_args()
    data = args.data or OUT / f"e2e_{args.households}"
    argv = commands(data, args.households, args.engine)
    steps = list(args.steps)
    if "sample" in steps and (data / "persons.csv").exists() and not args.fresh:
        steps.remove("sample")
        print(f"(reusing the sample in {data}; --fresh regenerates it)")
    elif "sample" not in steps and not (data / "persons.csv").exists():
        steps.insert(0, "sample")
    with open("/proc/loadavg") as fh:
        load = fh.read().split()[0]
    print(f"{args.households:,} households, engine {args.engine}, load average {load} at the start\n")
    print("| command | wall (s) | peak RSS (MiB) |\n|---|---|---|")
    total = 0.0
    for step in steps:
        wall, rss = timed(argv[step])
        if step in ("classify", "profile", "report"):
            total += wall
        print(f"| peka {step} | {wall:.1f} | {rss:,.0f} |", flush=True)
    print(f"\nclassify + profile + report: {total:.1f} s (target < 30 s for 1,000,000 households)")


if __name__ == "__main__":
    main()
