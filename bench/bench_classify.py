"""Benchmark: classify 1,000,000 households (~4 million members) from CSV to Parquet.

    python bench/bench_classify.py [--households N] [--repeat R] [--validate]

Uses the CSVs of bench/bench_read_validate.py (bench/out/read_validate_<N>/, written once with
``peka.sample.generate`` + ``write_sample`` if absent). Timed, best of ``--repeat`` (default 1: the machine is
shared): ``load_survey`` (households + persons CSV) → ``classify`` with the built-in configuration (Indonesia MPI,
BPS-14, 15 causes, 4 person aggregates) → ``write_table`` to Parquet. ``--validate`` also times ``validate`` +
``apply_on_invalid`` as ``peka classify`` runs them. The issue's target: read + classify + write < 15 s on 2 cores.

Figures go to stdout; record them in bench/README.md. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import logging
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
    write_sample(survey, out, ("csv",))
    print(f"generated and wrote {households:,} households in {time.perf_counter() - t0:.1f} s -> {out}")
    return out


def run_once(folder: Path, validate_too: bool) -> dict[str, float]:
    from peka.classify import classify
    from peka.config import load_config
    from peka.deliver.files import write_table
    from peka.io import load_survey
    from peka.schema.checks import validate
    from peka.schema.rejects import apply_on_invalid

    times: dict[str, float] = {}
    t = time.perf_counter()
    config = load_config()
    survey = load_survey(folder / "households.csv", persons=folder / "persons.csv")
    times["read"] = time.perf_counter() - t
    if validate_too:
        t = time.perf_counter()
        survey, _ = apply_on_invalid(survey, validate(survey), mode="skip")
        times["validate"] = time.perf_counter() - t
    t = time.perf_counter()
    table = classify(survey, config)
    times["classify"] = time.perf_counter() - t
    t = time.perf_counter()
    write_table(table, HERE / "out" / "classified.parquet")
    times["write"] = time.perf_counter() - t
    times["households"] = float(len(survey.households))
    times["persons"] = float(len(survey.persons) if survey.persons is not None else 0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--validate", action="store_true", help="also time validate + apply_on_invalid")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    folder = ensure_files(args.households, args.seed)
    best: dict[str, float] | None = None
    for _ in range(args.repeat):
        times = run_once(folder, args.validate)
        total = sum(v for k, v in times.items() if k not in ("households", "persons"))
        if best is None or total < best["total"]:
            best = {**times, "total": total}
    assert best is not None
    parts = ", ".join(f"{k} {best[k]:.1f} s" for k in ("read", "validate", "classify", "write") if k in best)
    print(
        f"{platform.node()} ({platform.processor() or platform.machine()}, {__import__('os').cpu_count()} cores): "
        f"{best['households']:,.0f} households, {best['persons']:,.0f} persons: {parts}; total {best['total']:.1f} s"
    )


if __name__ == "__main__":
    main()
