"""The joint monetary × multidimensional status and the segment that profiles and targeting group by.

| poor (monetary) | mpi_poor | status |
|---|---|---|
| true  | true  | ``miskin_ganda`` |
| true  | false | ``miskin_moneter`` |
| false | true  | ``miskin_multidimensi`` |
| false | false | ``rentan`` if the level is a vulnerable class (``rentan_miskin``) or ``mpi_vulnerable``, else ``tidak_miskin`` |

A missing input that could change the status gives ``tidak_diketahui`` (e.g. monetary poor with an indeterminate
MPI). ``segment`` = status + "/" + primary cause for the three poor statuses when a cause applies, else the status.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peka.classify.derive import text_from_codes
from peka.config.models import Config
from peka.schema.classified import POOR_STATUSES, STATUSES


def _state(series: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(true, false, missing) masks of a nullable boolean column."""
    values = series.astype("boolean")
    missing = values.isna().to_numpy()
    true = values.fillna(False).to_numpy(dtype=bool)
    return true, ~true & ~missing, missing


def classify_segments(
    monetary: pd.DataFrame,
    mpi: pd.DataFrame,
    causes: pd.DataFrame,
    config: Config,
    *,
    vulnerable_levels: list[str] | None = None,
    use_money: bool = True,
    use_mpi: bool = True,
) -> pd.DataFrame:
    """Status and segment. ``vulnerable_levels``: the level codes that make a non-poor household ``rentan``
    (default ``[levels] vulnerable``; registry mode passes ``[desil] vulnerable``). Without the monetary side
    (``use_money=False``, ``--skip money``) the status comes from the MPI alone, without the MPI from money alone."""
    n = len(monetary)
    poor_t, poor_f, _ = _state(monetary["poor"])
    mpi_t, mpi_f, _ = _state(mpi["mpi_poor"])
    vul_t, vul_f, _ = _state(mpi["mpi_vulnerable"])
    level = monetary["level"]
    level_known = level.notna().to_numpy()
    vulnerable = config.levels.vulnerable if vulnerable_levels is None else vulnerable_levels
    level_vulnerable = level.isin(vulnerable).to_numpy(dtype=bool)
    if not use_money:  # the side left out decides nothing: known, never poor, never vulnerable
        poor_t, poor_f = np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
        level_known, level_vulnerable = np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
    if not use_mpi:
        mpi_t, mpi_f = np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
        vul_t, vul_f = np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
    neither = poor_f & mpi_f
    rentan = neither & ((level_known & level_vulnerable) | vul_t)
    tidak = neither & level_known & ~level_vulnerable & vul_f
    status_code = np.select(
        [poor_t & mpi_t, poor_t & mpi_f, poor_f & mpi_t, rentan, tidak], [0, 1, 2, 3, 4], default=5
    )  # positions in STATUSES
    # segment: a status alone (codes 0-5) or a poor status with its primary cause (built per distinct pair)
    cause = causes["primary_cause"]
    cause_code, cause_names = pd.factorize(cause, use_na_sentinel=True)
    joined = (status_code < len(POOR_STATUSES)) & (cause_code >= 0)
    segment_code = status_code.astype(np.int64)
    segment_names = list(STATUSES)
    if joined.any():
        pair = status_code[joined].astype(np.int64) * len(cause_names) + cause_code[joined]
        pairs, pair_code = np.unique(pair, return_inverse=True)
        segment_names += [
            f"{STATUSES[p // len(cause_names)]}/{cause_names[p % len(cause_names)]}" for p in pairs.tolist()
        ]
        segment_code[joined] = len(STATUSES) + pair_code.reshape(-1)
    return pd.DataFrame(
        {
            "poverty_status": text_from_codes(status_code, list(STATUSES)),
            "segment": text_from_codes(segment_code, segment_names),
        },
        index=monetary.index,
    )
