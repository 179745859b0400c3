"""Benchmark: whole `peka profile` and `peka classify` commands against svy, R `survey` and pandas, in one run.

    python bench/bench_vs_svy.py [--households N] [--seed S] [--runs R] [--skip-r] [--skip-classify]

Every figure is a whole process, timed from outside (start-up, imports and reading the CSV included), the
commands run in turn (A B C A B C ...) so that a machine whose speed drifts slows all of them alike:

1. Data (once, cached in ``bench/out/vs_svy_<N>_<S>/``): ``peka sample`` (1,000,000 households → 30 districts,
   60 strata, 2,400 PSUs, ~4.2 million persons) as CSV, then ``peka classify`` to ``classified.csv``.
2. Profile (issue 12 target: peka ≤ 0.7 × svy):
   * ``peka profile classified.csv --by kab_code -o profile.csv`` — every measure with SEs, CIs and flags, whole
     population + 30 districts + the poverty_status/segment margins it adds by default;
   * ``bench/yardsticks/svy_p0.py`` — svy (PyPI) reading the CSV with Polars, P0 with SE by district;
   * ``bench/yardsticks/survey_p0.R`` — R ``survey``: ``svyby(~poor, ~kab_code, design, svymean)`` after
     ``data.table::fread`` (``read.csv`` without data.table).
   * ``bench/yardsticks/polars_read_columns.py`` — the floor: Polars reading only the columns peka profile's
     estimates use (``peka.jobs.profile.classified_columns``), nothing else. Its ratio to svy is the least any
     profile from this CSV can reach.
   The P0 estimates and SEs by district of the three must agree (max relative difference printed; > 1e-8 fails).
3. Classify (target: peka ≤ 1.0 × pandas): ``peka classify households.csv --persons persons.csv -o out.parquet``
   against ``bench/yardsticks/pandas_parquet.py`` (``pd.read_csv`` of both CSVs, ``to_parquet`` of both), and
   ``bench/yardsticks/pyarrow_parquet.py``, the I/O alone with the reader and codec peka uses (pyarrow's
   multi-threaded ``read_csv`` of both files, zstd Parquet), nothing in between.

Printed per command: wall seconds min / median / max over ``--runs`` (after one untimed warm-up run that fills
the page cache), the median of the per-round ratios to the yardstick, and the peak RSS of the process
(``wait4`` rusage). Not a test: timings depend on the machine; record them in bench/README.md with the load.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
YARDSTICKS = HERE / "yardsticks"
PEKA = [sys.executable, "-m", "peka"]


@dataclass
class Timed:
    """One command and what its runs measured."""

    name: str
    argv: list[str]
    walls: list[float] = field(default_factory=list)
    peaks_mib: list[float] = field(default_factory=list)

    def run(self) -> None:
        with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a chatty child cannot block on it
            start = time.perf_counter()
            process = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=errors)
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - start
            process.returncode = os.waitstatus_to_exitcode(status)
            errors.seek(0)
            stderr = errors.read().decode(errors="replace")
        if process.returncode != 0:
            raise SystemExit(f"{self.name} failed (exit {process.returncode}): {' '.join(self.argv)}\n{stderr}")
        self.walls.append(wall)
        self.peaks_mib.append(usage.ru_maxrss / 1024)  # Linux: KiB


def rounds(commands: list[Timed], runs: int) -> None:
    """One warm-up round (not counted), then ``runs`` rounds of every command in turn."""
    for command in commands:
        command.run()
        command.walls.clear()
        command.peaks_mib.clear()
    for _ in range(runs):
        for command in commands:
            command.run()


def report(commands: list[Timed], yardstick: Timed) -> None:
    print(f"{'command':<34} {'wall s: min':>11} {'median':>7} {'max':>7}  {'ratio to ' + yardstick.name:>22}"
          f"  {'peak RSS MiB':>12}")
    for command in commands:
        ratio = statistics.median(a / b for a, b in zip(command.walls, yardstick.walls))
        print(f"{command.name:<34} {min(command.walls):>11.2f} {statistics.median(command.walls):>7.2f} "
              f"{max(command.walls):>7.2f}  {ratio:>22.2f}  {statistics.median(command.peaks_mib):>12.0f}")


def prepare(households: int, seed: int) -> Path:
    """The sample CSVs and the classified CSV, made once."""
    folder = HERE / "out" / f"vs_svy_{households}_{seed}"
    classified = folder / "classified.csv"
    if classified.exists():
        return folder
    sample = folder / "sample"
    start = time.perf_counter()
    subprocess.run([*PEKA, "-q", "sample", "--households", str(households), "--seed", str(seed), "--out",
                    str(sample), "--formats", "csv"], check=True)
    subprocess.run([*PEKA, "-q", "classify", str(sample / "households.csv"), "--persons", str(sample / "persons.csv"),
                    "-o", str(folder / "classified.tmp.csv")], check=True, stdout=subprocess.DEVNULL)
    (folder / "classified.tmp.csv.peka.toml").replace(folder / "classified.csv.peka.toml")
    (folder / "classified.tmp.csv").replace(classified)
    print(f"data: generated and classified {households:,} households in {time.perf_counter() - start:.0f} s "
          f"-> {folder}")
    return folder


def read_p0(path: Path, *, peka: bool) -> dict[str, tuple[float, float]]:
    """District → (P0, SE) from peka's profile CSV or a yardstick's kab_code,est,se CSV."""
    found = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if peka:
                if row["measure"] != "P0" or not row["kab_code"] or row.get("poverty_status") or row.get("segment"):
                    continue
                found[row["kab_code"]] = (float(row["estimate"]), float(row["se"]))
            else:
                found[row["kab_code"]] = (float(row["est"]), float(row["se"]))
    return found


def profile_columns(classified: Path) -> list[str]:
    """The columns `peka profile classified.csv --by kab_code` reads (the header, filtered as peka filters it)."""
    from peka.jobs.profile import ProfileRequest, classified_columns
    from peka.jobs.inputs import InputSpec

    with classified.open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    return classified_columns(ProfileRequest(InputSpec(classified), by=("kab_code",)), header)


def largest_difference(ours: dict[str, tuple[float, float]], theirs: dict[str, tuple[float, float]]) -> float:
    if sorted(ours) != sorted(theirs):
        raise SystemExit(f"the districts differ: peka {len(ours)}, other {len(theirs)}")
    return max(max(abs(a - b) / abs(b) for a, b in zip(ours[k], theirs[k])) for k in ours)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help="timed rounds after the warm-up (default 3)")
    parser.add_argument("--skip-r", action="store_true", help="leave out R survey")
    parser.add_argument("--skip-classify", action="store_true", help="leave out the classify comparison")
    args = parser.parse_args()

    folder = prepare(args.households, args.seed)
    out = folder / "results"
    out.mkdir(exist_ok=True)
    classified = folder / "classified.csv"
    print(f"machine: {os.cpu_count()} CPU, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"(before), Python {sys.version.split()[0]}")

    peka = Timed("peka profile (all measures)",
                 [*PEKA, "-q", "profile", str(classified), "--by", "kab_code", "-o", str(out / "peka_profile.csv")])
    svy = Timed("svy (P0)", [sys.executable, str(YARDSTICKS / "svy_p0.py"), str(classified), str(out / "svy_p0.csv")])
    floor = Timed(f"floor: Polars reads the {len(profile_columns(classified))} columns",
                  [sys.executable, str(YARDSTICKS / "polars_read_columns.py"), str(classified),
                   *profile_columns(classified)])
    commands = [peka, svy, floor]
    rscript = shutil.which("Rscript")
    if rscript and not args.skip_r:
        commands.append(Timed("R survey (P0)", [rscript, str(YARDSTICKS / "survey_p0.R"), str(classified),
                                                 str(out / "r_p0.csv")]))
    rounds(commands, args.runs)
    print(f"\nprofile of {args.households:,} households by district from CSV, {args.runs} runs each:")
    report(commands, svy)
    ours = read_p0(out / "peka_profile.csv", peka=True)
    worst = {"svy": largest_difference(ours, read_p0(out / "svy_p0.csv", peka=False))}
    if len(commands) > 3:
        worst["R survey"] = largest_difference(ours, read_p0(out / "r_p0.csv", peka=False))
    print("P0 and SE by district, max relative difference to peka: "
          + ", ".join(f"{k} {v:.1e}" for k, v in worst.items()) + f" ({len(ours)} districts)")
    if max(worst.values()) > 1e-8:
        raise SystemExit("peka and a yardstick disagree on P0 or its SE")

    if not args.skip_classify:
        sample = folder / "sample"
        classify = Timed("peka classify -> Parquet",
                         [*PEKA, "-q", "classify", str(sample / "households.csv"), "--persons",
                          str(sample / "persons.csv"), "-o", str(out / "classified.parquet")])
        pandas = Timed("pandas read_csv + to_parquet",
                       [sys.executable, str(YARDSTICKS / "pandas_parquet.py"), str(sample / "households.csv"),
                        str(sample / "persons.csv"), str(out / "pandas")])
        io_floor = Timed("I/O floor: pyarrow read_csv + zstd Parquet",
                         [sys.executable, str(YARDSTICKS / "pyarrow_parquet.py"), str(sample / "households.csv"),
                          str(sample / "persons.csv"), str(out / "pyarrow")])
        rounds([classify, pandas, io_floor], args.runs)
        print(f"\nclassify {args.households:,} households + persons from CSV to Parquet, {args.runs} runs each:")
        report([classify, pandas, io_floor], pandas)
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
