"""A synthetic P3KE-style registry extract: what a Bappeda gets from P3KE/DTSEN, not a survey.

A registry lists families ranked into desil by a proxy-means test: no expenditure, no weight/strata/PSU, mostly
desil 1–4 (P3KE covers about the lowest 40 %, domain notes §2.4), with the recipient flags (``recv_*``). It is cut
from the synthetic Sabang survey (``peka.sample.generate``, same seed → same file): every family of desil 1–4, a
tenth of desil 5–10 (drawn with a fixed seed), none without a desil; expenditure and design columns dropped.
Written as ``p3ke_registry.xlsx`` with the P3KE sheets ``Keluarga`` and ``Individu`` (Indonesian headers and text
values of the ``p3ke`` mapping preset).

    python -m peka.sample.registry data/samples/sabang      # writes data/samples/sabang/p3ke_registry.xlsx

>>> survey = registry_survey(300)
>>> "exp_pc" in survey.households, "weight" in survey.households, bool(survey.households["desil"].notna().all())
(False, False, True)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from peka.schema.model import DESIGN_COLUMNS, ROW, Survey

FILE_NAME = "p3ke_registry.xlsx"
UPPER_DESIL_SHARE = 0.1  # the share of desil 5-10 families kept (a registry is mostly the lowest 40 %)
DROPPED = ("exp_hh", "exp_pc", *DESIGN_COLUMNS)


def registry_survey(households: int = 3000, seed: int = 2026) -> Survey:
    """The registry cut of ``peka.sample.generate(households, seed)`` (see the module docstring)."""
    from peka.sample.generate import generate

    survey = generate(households, seed)
    hh = survey.households
    desil = hh["desil"].to_numpy(dtype="float64", na_value=np.nan)
    draw = np.random.default_rng(seed + 1).random(len(hh))
    keep = (desil <= 4) | ((desil >= 5) & (draw < UPPER_DESIL_SHARE))  # NaN desil compares false: left out
    hh = hh.loc[keep].drop(columns=[c for c in DROPPED if c in hh.columns]).reset_index(drop=True)
    persons = survey.persons
    if persons is not None:
        persons = persons.loc[persons["hh_id"].isin(hh["hh_id"])].reset_index(drop=True)
    return Survey(households=hh, persons=persons)


def write_registry_sample(out_dir: str | Path, households: int = 3000, seed: int = 2026) -> Path:
    """Write ``p3ke_registry.xlsx`` into the folder ``out_dir`` (byte-identical for the same arguments)."""
    from peka.deliver.sample import write_p3ke_xlsx

    survey = registry_survey(households, seed)
    out = Path(out_dir)
    persons = survey.persons.drop(columns=[ROW], errors="ignore") if survey.persons is not None else None
    return write_p3ke_xlsx(survey.households.drop(columns=[ROW], errors="ignore"), persons, out / FILE_NAME)


if __name__ == "__main__":  # pragma: no cover - the script entry
    print(write_registry_sample(sys.argv[1] if len(sys.argv) > 1 else "."))
