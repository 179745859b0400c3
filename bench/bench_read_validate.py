"""Benchmark: read 1,000,000 households (and their ~4 million members) from CSV and validate them.

    python bench/bench_read_validate.py [--households N] [--repeat R] [--no-persons]

The first run writes the sample CSVs once into bench/out/read_validate_<N>/ (``peka.sample.generate`` +
``write_sample``, canonical columns); later runs reuse them. Then, best of ``--repeat`` (default 3):

* households only: ``load_survey(households.csv)`` + ``validate`` — the issue's target (< 10 s on 2 cores);
* households + persons: the same with ``--persons persons.csv``.

Figures go to stdout; record them in bench/README.md. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def ensure_files(households: int, seed: int) -> Path:
    from peka.deliver.sample import write_sample
    from peka.sample import generate

    out = HERE / "out" / f"read_validate_{households}"
    if (out / "households.csv").exists() and (out / "persons.csv").exists():
        return out
    t0 = time.perf_counter()
    survey = generate(households, seed=seed)
    t1 = time.perf_counter()
    write_sample(survey, out, ("csv",))
    t2 = time.perf_counter()
    print(f"generated {households:,} households in {t1 - t0:.1f} s, wrote CSV in {t2 - t1:.1f} s -> {out}")
    return out


def best_of(repeat: int, fn) -> tuple[float, float, float, object]:  # type: ignore[no-untyped-def]
    """Best total time over ``repeat`` runs, with the read and validate parts of that run."""
    best: tuple[float, float, float, object] | None = None
    for _ in range(repeat):
        read, check, report = fn()
        if best is None or read + check < best[0]:
            best = (read + check, read, check, report)
    assert best is not None
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-persons", action="store_true", help="time the households file only")
    args = parser.parse_args()

    import logging

    logging.getLogger("peka").setLevel(logging.WARNING)
    from peka.io import load_survey
    from peka.schema.checks import validate

    folder = ensure_files(args.households, args.seed)
    hh_csv, p_csv = folder / "households.csv", folder / "persons.csv"
    print(f"python {platform.python_version()}, {os.cpu_count()} cores; households.csv "
          f"{hh_csv.stat().st_size / 1e6:.0f} MB, persons.csv {p_csv.stat().st_size / 1e6:.0f} MB")  # fmt: skip

    def run(persons: Path | None):  # type: ignore[no-untyped-def]
        def once():  # type: ignore[no-untyped-def]
            t0 = time.perf_counter()
            survey = load_survey(hh_csv, persons=persons)
            t1 = time.perf_counter()
            report = validate(survey)
            t2 = time.perf_counter()
            return t1 - t0, t2 - t1, report

        return once

    cases = [("households", None)] + ([] if args.no_persons else [("households + persons", p_csv)])
    for label, persons in cases:
        total, read, check, report = best_of(args.repeat, run(persons))
        rows = ", ".join(f"{n:,} {t}s" for t, n in report.rows_in.items())  # type: ignore[attr-defined]
        print(f"{label:<22} best of {args.repeat}: {total:6.2f} s  (load_survey {read:.2f} s + validate {check:.2f} s)"
              f"  [{rows}; {report.errors} errors, {report.warnings} warnings]")  # type: ignore[attr-defined]  # fmt: skip


if __name__ == "__main__":
    main()
