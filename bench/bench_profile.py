"""Benchmark: `peka profile` estimation on 1,000,000 households, side by side with `svy` in the same run.

    python bench/bench_profile.py [--households N] [--seed S] [--record]

1. Data: ``peka.sample.generate`` (1,000,000 households → 30 districts ``kab_code``, 60 strata, 2,400 PSUs, about
   4 million persons), classified with ``peka.classify.classify`` under the default configuration. Not timed as
   part of the estimate (printed separately); cached in ``bench/out/`` so reruns skip it.
2. peka: ``peka.estimate.profile`` — every measure (households, persons, P0/P1/P2, extreme, H/A/M0, censored and
   uncensored headcounts, contributions, pop shares, BPS-14, cause shares and ratios) with Taylor SEs, CIs and
   flags, for the whole population and by district (segments off: the district margin only). Target < 5 s.
   Also timed with the ``poverty_status`` and ``segment`` margins added, as ``peka profile`` does by default.
3. svy (Rust/Polars survey package, validated against R `survey`): P0 with SE by district on the same households
   (person weight = weight × hh_size, PSU key nested in stratum) — one measure, one margin.
4. The P0 estimates and SEs of both must agree to 1e-8 relative; both times and their ratio are printed, and with
   ``--record`` appended to bench/README.md.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
CACHE = HERE / "out"


def classified_sample(households: int, seed: int) -> tuple[pd.DataFrame, float]:
    """The classified benchmark survey (from the cache when it exists) and the seconds it took to make."""
    path = CACHE / f"profile_classified_{households}_{seed}.parquet"
    if path.exists():
        return pd.read_parquet(path), float("nan")
    from peka.classify import classify
    from peka.config import load_config
    from peka.sample import generate

    start = time.perf_counter()
    survey = generate(households, seed)
    classified = classify(survey, load_config())
    seconds = time.perf_counter() - start
    CACHE.mkdir(exist_ok=True)
    classified.to_parquet(path, index=False)
    return classified, seconds


def run_peka(classified: pd.DataFrame, *, segments: bool = False) -> tuple[pd.DataFrame, float]:
    """peka, every measure by district; ``segments=True`` adds the poverty_status and segment margins, as
    ``peka profile`` does for a classified file."""
    import peka.config  # noqa: F401 - imported before the clock, as svy's import is (profile reads the MPI weights)
    from peka.estimate import Design, ProfileOptions, profile

    design = Design(weight="weight", strata="strata", psu="psu")
    start = time.perf_counter()
    result = profile(classified, design=design, by=["kab_code"], options=ProfileOptions(segments=segments))
    return result.estimates, time.perf_counter() - start


def run_peka_fgt(classified: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """peka on the columns FGT needs only (P0/P1/P2 + counts and shares): the like-for-like comparison with svy."""
    from peka.estimate import Design, ProfileOptions, profile

    columns = ["weight", "strata", "psu", "hh_size", "exp_pc", "poverty_line", "kab_code"]
    frame = classified[columns]
    start = time.perf_counter()
    result = profile(frame, design=Design(weight="weight", strata="strata", psu="psu"), by=["kab_code"],
                     options=ProfileOptions(segments=False))
    return result.estimates, time.perf_counter() - start


def run_svy(classified: pd.DataFrame) -> tuple[pd.DataFrame, float, float]:
    """svy's P0 by district; returns (table, seconds estimating, seconds building its Polars input)."""
    import polars as pl
    import svy

    start = time.perf_counter()
    size = classified["hh_size"].to_numpy(dtype="float64", na_value=np.nan)
    y = classified["exp_pc"].to_numpy(dtype="float64", na_value=np.nan)
    z = classified["poverty_line"].to_numpy(dtype="float64", na_value=np.nan)
    frame = pl.DataFrame({
        "strata": classified["strata"].astype(str).to_numpy(),
        "psu": (classified["strata"].astype(str) + "|" + classified["psu"].astype(str)).to_numpy(),
        "pw": classified["weight"].to_numpy(dtype="float64") * size,
        "fgt0": (y < z).astype("float64"),
        "kab_code": classified["kab_code"].astype(str).to_numpy(),
    })
    built = time.perf_counter() - start
    start = time.perf_counter()
    sample = svy.Sample(frame, svy.Design(stratum="strata", psu="psu", wgt="pw", wr=True))
    whole = sample.estimation.mean("fgt0").to_polars().to_pandas().assign(kab_code="")
    by = sample.estimation.mean("fgt0", by="kab_code").to_polars().to_pandas()
    seconds = time.perf_counter() - start
    return pd.concat([whole, by], ignore_index=True)[["kab_code", "est", "se"]], seconds, built


def compare_p0(peka: pd.DataFrame, svy_table: pd.DataFrame) -> float:
    """Largest relative difference between peka's and svy's P0 estimates and SEs (whole + every district)."""
    p0 = peka[(peka["measure"] == "P0")]
    ours = {dict(d).get("kab_code", ""): (e, s) for d, e, s in zip(p0["domain"], p0["estimate"], p0["se"])}
    worst = 0.0
    for kab, est, se in zip(svy_table["kab_code"], svy_table["est"], svy_table["se"]):
        e, s = ours[kab]
        worst = max(worst, abs(e - est) / abs(est), abs(s - se) / abs(se))
    if len(ours) != len(svy_table):
        raise SystemExit(f"domain count differs: peka {len(ours)}, svy {len(svy_table)}")
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--record", action="store_true", help="append the result to bench/README.md")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    print(f"machine: {os.cpu_count()} CPU, load average {os.getloadavg()[0]:.1f} (other work slows both timings)")
    classified, prep = classified_sample(args.households, args.seed)
    n_strata = classified["strata"].nunique()
    n_psu = (classified["strata"].astype(str) + "|" + classified["psu"].astype(str)).nunique()
    n_kab = classified["kab_code"].nunique()
    print(f"data: {len(classified):,} households, {n_kab} districts, {n_strata} strata, {n_psu:,} PSUs"
          + ("" if np.isnan(prep) else f" (generate + classify {prep:.1f} s)"))

    estimates, peka_s = run_peka(classified)
    measures = estimates["measure"].nunique()
    print(f"peka profile: {len(estimates):,} estimates ({measures} measures, with SEs) by district in {peka_s:.2f} s")
    with_segments, segments_s = run_peka(classified, segments=True)
    print(f"peka profile + poverty_status and segment margins (the CLI default): {len(with_segments):,} estimates "
          f"in {segments_s:.2f} s")
    fgt, fgt_s = run_peka_fgt(classified)
    print(f"peka profile, FGT columns only: {len(fgt):,} estimates ({fgt['measure'].nunique()} measures) "
          f"in {fgt_s:.2f} s")
    svy_table, svy_s, svy_build = run_svy(classified)
    print(f"svy: P0 with SE by district in {svy_s:.2f} s (+ {svy_build:.2f} s building its Polars frame)")
    worst = max(compare_p0(estimates, svy_table), compare_p0(fgt, svy_table))
    print(f"P0 agreement peka vs svy (whole + {len(svy_table) - 1} districts): max relative difference {worst:.1e}")
    ratio = svy_s / peka_s
    print(f"ratio svy/peka: {ratio:.2f} (svy does 1 measure, peka {measures} measures and {len(estimates):,} estimates)")
    print(f"ratio svy/peka FGT-only: {svy_s / fgt_s:.2f}")
    if worst > 1e-8:
        raise SystemExit("peka and svy disagree on P0")
    if args.record:
        line = (f"| {datetime.now(UTC):%Y-%m-%d %H:%M} | {len(classified):,} hh, {n_kab} districts, "
                f"{n_strata} strata, {n_psu:,} PSUs | {peka_s:.2f} s ({len(estimates):,} estimates, {measures} "
                f"measures) | {fgt_s:.2f} s | {svy_s:.2f} s (P0 only) | {ratio:.2f} / {svy_s / fgt_s:.2f} | "
                f"{worst:.0e} | {os.cpu_count()} CPU, load {os.getloadavg()[0]:.1f}, Python "
                f"{platform.python_version()} |\n")
        readme = HERE / "README.md"
        header = ("\n## bench_profile.py — profile estimation vs svy\n\n"
                  "`python bench/bench_profile.py --record`: peka `profile()` (all measures with SEs by district) "
                  "against `svy` 0.35 (P0 with SE by district), same households, same run. Data preparation "
                  "(generate + classify) is not included in either time.\n\n"
                  "Columns: peka with every measure; peka on the FGT columns only (P0/P1/P2, counts, shares); svy "
                  "P0 only; the ratio svy time / peka time for both; the largest relative difference between "
                  "peka's and svy's P0 estimates and SEs (whole population and 30 districts).\n\n"
                  "| when (UTC) | data | peka, all measures | peka, FGT only | svy | svy/peka (all / FGT) | "
                  "P0 max rel. diff | machine |\n"
                  "|---|---|---|---|---|---|---|---|\n")
        text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
        if "## bench_profile.py" not in text:
            text += header
        readme.write_text(text + line, encoding="utf-8")


if __name__ == "__main__":
    main()
