"""The small synthetic survey that R `survey` also read (r/survey_small.csv), and its MPI spec.

A module of its own (not conftest.py) so that test files can import it by a name no other test folder uses.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

R_DIR = Path(__file__).parent / "r"
MPI_SPEC = {
    "k": 0.4,
    "indicators": [
        {"name": "a", "dimension": "edu", "weight": 0.25},
        {"name": "b", "dimension": "edu", "weight": 0.25},
        {"name": "c", "dimension": "hidup", "weight": 0.2},
        {"name": "d", "dimension": "hidup", "weight": 0.3},
    ],
}


def read_small_survey(path: Path = R_DIR / "survey_small.csv") -> pd.DataFrame:
    """survey_small.csv in peka's canonical kinds (ids as text, flags as nullable booleans)."""
    frame = pd.read_csv(path, dtype={"stratum": str, "psu": str, "hh_id": str, "district": str, "poverty_status": str})
    for column in ("mpi_poor", "miskin_14k", "cause_x", "cause_y"):
        frame[column] = frame[column].map({True: True, False: False, "true": True, "false": False}).astype("boolean")
    for column in ("mpi_d_a", "mpi_d_b", "mpi_d_c", "mpi_d_d"):
        frame[column] = frame[column].astype("Int8")
    frame["psu_u"] = frame["stratum"] + "-" + frame["psu"]
    return frame
