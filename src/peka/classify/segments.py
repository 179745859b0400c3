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

from peka.config.models import Config

POOR_STATUSES: tuple[str, ...] = ("miskin_ganda", "miskin_moneter", "miskin_multidimensi")
STATUSES: tuple[str, ...] = (*POOR_STATUSES, "rentan", "tidak_miskin", "tidak_diketahui")


def _state(series: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(true, false, missing) masks of a nullable boolean column."""
    values = series.astype("boolean")
    missing = values.isna().to_numpy()
    true = values.fillna(False).to_numpy(dtype=bool)
    return true, ~true & ~missing, missing


def classify_segments(monetary: pd.DataFrame, mpi: pd.DataFrame, causes: pd.DataFrame, config: Config) -> pd.DataFrame:
    poor_t, poor_f, _ = _state(monetary["poor"])
    mpi_t, mpi_f, _ = _state(mpi["mpi_poor"])
    vul_t, vul_f, _ = _state(mpi["mpi_vulnerable"])
    level = monetary["level"]
    level_known = level.notna().to_numpy()
    level_vulnerable = level.isin(config.levels.vulnerable).to_numpy(dtype=bool)
    neither = poor_f & mpi_f
    rentan = neither & ((level_known & level_vulnerable) | vul_t)
    tidak = neither & level_known & ~level_vulnerable & vul_f
    status = np.select(
        [poor_t & mpi_t, poor_t & mpi_f, poor_f & mpi_t, rentan, tidak],
        ["miskin_ganda", "miskin_moneter", "miskin_multidimensi", "rentan", "tidak_miskin"],
        default="tidak_diketahui",
    ).astype(object)
    primary = causes["primary_cause"].to_numpy(dtype=object, na_value=None)
    has_cause = causes["primary_cause"].notna().to_numpy()
    is_poor = np.isin(status, POOR_STATUSES)
    segment = status.copy()
    joined = is_poor & has_cause
    if joined.any():
        # the text is built per distinct (status, cause) pair, not per household
        pairs = pd.MultiIndex.from_arrays([status[joined], primary[joined]])
        codes, uniques = pd.factorize(pairs)
        segment[joined] = np.array([f"{s}/{c}" for s, c in uniques], dtype=object)[codes]
    return pd.DataFrame(
        {"poverty_status": pd.array(status, dtype="str"), "segment": pd.array(segment, dtype="str")},
        index=monetary.index,
    )
