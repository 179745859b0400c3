"""Writes survey_small.csv, the synthetic survey that survey_reference.R and peka's tests both read.

Run once (``python tests/estimate/r/make_data.py``); the CSV is committed. Uses numpy only (not peka), seeded.
Design: 6 strata with 3-6 PSUs each, PSU codes repeated across strata ("1", "2", ... read within stratum),
districts that cut across PSUs, household sizes 1-8, a poverty line that differs by stratum, four MPI
indicators (weights 0.25/0.25/0.2/0.3, k = 0.4) with a few missing values (indeterminate households),
a BPS-14 flag with missing values, two causes and a poverty status.
"""

from pathlib import Path

import numpy as np

rng = np.random.default_rng(20261122)
rows = []
hh = 0
for s in range(1, 7):
    for p in range(1, int(rng.integers(3, 7)) + 1):
        base_district = ["d1", "d2", "d3"][(s + p) % 3]
        for _ in range(int(rng.integers(8, 16))):
            hh += 1
            district = base_district if rng.random() < 0.8 else ["d1", "d2", "d3"][int(rng.integers(0, 3))]
            rows.append(
                {
                    "hh_id": f"H{hh:04d}",
                    "_row": hh + 1,
                    "stratum": f"S{s}",
                    "psu": str(p),
                    "weight": round(float(rng.uniform(50, 400)), 3),
                    "hh_size": int(rng.integers(1, 9)),
                    "exp_pc": round(float(np.exp(rng.normal(13.3, 0.45))), 2),
                    "poverty_line": 560000.0 if s <= 3 else 610000.0,
                    "extreme_line": 420000.0,
                    "district": district,
                }
            )
n = len(rows)
g = (rng.random((n, 4)) < np.array([0.35, 0.25, 0.3, 0.4])).astype(float)
g[rng.random((n, 4)) < 0.03] = np.nan
weights = np.array([0.25, 0.25, 0.2, 0.3])
score = (g * weights).sum(axis=1)  # NaN when any indicator is missing: indeterminate
bps_count = rng.integers(3, 14, n)
bps_missing = rng.random(n) < 0.08
lines = []
header = list(rows[0]) + [
    "mpi_d_a",
    "mpi_d_b",
    "mpi_d_c",
    "mpi_d_d",
    "mpi_score",
    "mpi_poor",
    "miskin_14k",
    "poverty_status",
    "cause_x",
    "cause_y",
]
lines.append(",".join(header))
for i, r in enumerate(rows):
    mon = r["exp_pc"] < r["poverty_line"]
    det = not np.isnan(score[i])
    mp = det and score[i] >= 0.4 - 1e-9
    if mon and mp:
        status = "miskin_ganda"
    elif mon:
        status = "miskin_moneter"
    elif mp:
        status = "miskin_multidimensi"
    elif not det:
        status = "tidak_diketahui"
    elif r["exp_pc"] < 1.5 * r["poverty_line"]:
        status = "rentan"
    else:
        status = "tidak_miskin"
    cx = rng.random() < (0.5 if status.startswith("miskin") else 0.2)
    cy = rng.random() < 0.3
    cy_text = "" if rng.random() < 0.05 else str(cy).lower()
    values = (
        list(r.values())
        + ["" if np.isnan(v) else str(int(v)) for v in g[i]]
        + [
            "" if not det else repr(float(score[i])),
            "" if not det else str(bool(mp)).lower(),
            "" if bps_missing[i] else str(bool(bps_count[i] >= 9)).lower(),
            status,
            str(bool(cx)).lower(),
            cy_text,
        ]
    )
    lines.append(",".join(str(v) for v in values))
Path(__file__).with_name("survey_small.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
print(n, "households")
