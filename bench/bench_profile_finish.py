"""Benchmark: the steps of `peka profile` after the partial sums — estimates from the sums, and the CSV, JSON and
XLSX renderings — on the classified file that `bench/bench_vs_svy.py` writes.

    python bench/bench_profile_finish.py [CLASSIFIED] [--by kab_code] [--runs 3]

The file is read and reduced to partial sums once, as ``peka profile CLASSIFIED --by kab_code`` does (same job code:
``peka.jobs.profile.prepare`` and ``peka.estimate.plan_profile``); then ``ProfilePlan.finish`` (variances,
intervals and flags of every estimate) and each rendering are timed ``--runs`` times (the best and the worst run
are printed). Default input: ``bench/out/vs_svy_1000000_1/classified.csv`` (1,000,000 households, 7,307 estimates
by district with the poverty-status and segment margins).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT = HERE / "out" / "vs_svy_1000000_1" / "classified.csv"


def timed(runs: int, step):  # type: ignore[no-untyped-def]
    """The result of ``step()`` and the best and worst of ``runs`` wall times."""
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        result = step()
        seconds.append(time.perf_counter() - start)
    return result, min(seconds), max(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("classified", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--by", action="append", default=None)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from peka import __version__
    from peka.deliver.profile import render_profile
    from peka.estimate import ProfileOptions, plan_profile
    from peka.jobs.inputs import InputSpec
    from peka.jobs.profile import ProfileRequest, prepare

    if not args.classified.exists():
        raise SystemExit(f"{args.classified} does not exist: run bench/bench_vs_svy.py first, or name a classified CSV")
    start = time.perf_counter()
    request = ProfileRequest(inputs=InputSpec(args.classified), by=tuple(args.by or ["kab_code"]))
    frame, kwargs, _ = prepare(request)
    plan = plan_profile(frame, options=ProfileOptions(), **kwargs)
    sums = plan.partial(frame)
    print(f"read and partial sums of {len(frame):,} rows: {time.perf_counter() - start:.2f} s (not compared)")
    del frame

    result, best, worst = timed(args.runs, lambda: plan.finish(sums))
    print(f"finish (estimates, SEs, intervals, flags) of {len(result.estimates):,} estimates: "
          f"{best:.3f}–{worst:.3f} s")
    for fmt in ("csv", "json", "xlsx"):
        rendered, best, worst = timed(
            args.runs, lambda fmt=fmt: render_profile(result.estimates, result.design, __version__, fmt)
        )
        print(f"render {fmt} ({len(rendered):,} bytes): {best:.3f}–{worst:.3f} s")


if __name__ == "__main__":
    main()
