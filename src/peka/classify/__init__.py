"""Classify every household: monetary level, Alkire-Foster MPI, BPS-14 criteria, causes and segment.

``classify(survey, config)`` is a pure function of a household and its members: it reads ``survey.households``
and ``survey.persons`` (never modified) and returns one row per household in input order, with the columns of
docs/architecture.md ("Classification output") and docs/methodology.md. Everything is vectorised; person rules
aggregate with ``groupby``-style bincounts. The one column that is not row-local is ``desil_survei`` (weighted deciles
of the whole input): to classify a file in chunks, compute ``decile_cutpoints`` on the whole file first and pass
them as ``decile_cutpoints=`` to every chunk (or drop the column).

>>> from peka.config import load_config
>>> from peka.schema.model import Survey
>>> import pandas as pd
>>> hh = pd.DataFrame({"_row": [2], "hh_id": ["a"], "prov_code": ["11"], "hh_size": [4], "exp_pc": [500_000.0]})
>>> out = classify(Survey(households=hh), load_config())
>>> out.loc[0, "level"], bool(out.loc[0, "poor"])
('miskin', True)
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from peka.classify.bps14 import classify_bps14
from peka.classify.causes import classify_causes
from peka.classify.derive import columns_read, compute_derived, prepare_members, with_missing_columns
from peka.classify.monetary import (
    DESIL,
    EXPENDITURE,
    NONE,
    assign_deciles,
    classify_from_desil,
    classify_monetary,
    decile_cutpoints,
    monetary_mode,
    monetary_source,
    person_weights,
    survey_deciles,
)
from peka.classify.multidim import classify_mpi
from peka.classify.segments import classify_segments
from peka.config.models import Config
from peka.schema.classified import MPI_ATTR, POOR_STATUSES, STATUSES
from peka.schema.model import DESIGN_COLUMNS, PERSONAL_COLUMNS, REGION_COLUMNS, ROW, Survey

log = logging.getLogger(__name__)

ID_COLUMNS: tuple[str, ...] = ("hh_id",)
PERSONAL_ID_COLUMNS: tuple[str, ...] = ("kk_no", "head_nik", "head_name", "address")
PASSTHROUGH_COLUMNS: tuple[str, ...] = ("hh_size", "desil")

__all__ = [
    "POOR_STATUSES",
    "STATUSES",
    "assign_deciles",
    "classify",
    "decile_cutpoints",
    "person_weights",
    "rules_columns",
]


def rules_columns(config: Config) -> set[str]:
    """Every column any household-level rule of ``config`` reads (canonical, derived or computed)."""
    texts: list[str | None] = [d.value for d in config.active_derive if d.level == "household"]
    texts += [item for d in config.active_derive for item in (d.of or [])]
    texts += [ind.deprived_if for ind in config.mpi.active if ind.level == "household"]
    texts += [c.rule for c in config.bps14.active] + [c.rule for c in config.causes.active]
    return columns_read(texts, config.all_constants())


def classify(
    survey: Survey,
    config: Config,
    *,
    decile_cutpoints: np.ndarray | None = None,
    include_personal: bool = False,
    person_households: np.ndarray | None = None,
) -> pd.DataFrame:
    """The classification table of ``survey`` under ``config`` (see the module docstring).

    ``decile_cutpoints``: the 9 cut points of ``desil_survei`` computed on the whole file (chunked runs); by
    default they come from this input. ``include_personal`` copies NIK, No KK, names and addresses into the output
    (off by default: the output is meant to be shared). ``person_households``: for each person row, the position
    of its household row, as ``validate`` of this same survey matched them (``ValidationReport.person_households``,
    set when it found no error); by default the ids are matched here.
    """
    households = survey.households
    persons = survey.persons
    if persons is not None and len(persons) == 0:
        persons = None

    skip = set(config.classify.skip)
    mode = monetary_mode(households)
    monetary = classify_from_desil(households, config) if mode == DESIL else classify_monetary(households, config)
    work = with_missing_columns(households, rules_columns(config), "household")
    work = work.assign(
        exp_pc=monetary["exp_pc"],
        poverty_line=monetary["poverty_line"],
        welfare_ratio=monetary["welfare_ratio"],
        extreme_line=monetary["extreme_line"],
    )
    if mode == DESIL:
        log.info("registry mode: no expenditure column, the monetary side comes from the desil ([desil] classes)")
    elif mode == NONE and "money" not in skip:
        # neither expenditure nor a registry desil: say so rather than print a table of "no data"
        log.warning(
            "the household table has no exp_pc, exp_hh or desil values: monetary poverty (level, poor, extreme, gap, "
            "desil survei) cannot be computed; map an expenditure or desil column, or accept it with --skip money"
        )
    members = prepare_members(households, persons, config, person_households=person_households)
    # a chunk of files (stream engine) may hold no member while the person file has rows: no warning for a chunk
    # (a run without a person file is refused by jobs.classify.check_measures once, not once a chunk)
    if members is None and any(i.level == "person" for i in config.mpi.active) and not survey.chunk_of_files:
        log.warning("no person table: the member-level MPI indicators and derived values are missing")
    work = compute_derived(work, members, config)
    mpi = classify_mpi(work, members, config)
    bps14 = classify_bps14(work, config)
    causes = classify_causes(work, config)
    segments = classify_segments(
        monetary, mpi, causes, config,
        vulnerable_levels=config.desil.vulnerable if mode == DESIL else None,
        use_money="money" not in skip, use_mpi="mpi" not in skip,
    )  # fmt: skip

    exp_pc = monetary["exp_pc"].to_numpy()
    if decile_cutpoints is None:
        desil = survey_deciles(households, exp_pc)
    else:
        desil = assign_deciles(exp_pc, np.asarray(decile_cutpoints, dtype="float64"))
    position = list(monetary.columns).index("poverty_gap") + 1
    monetary.insert(position, "desil_survei", pd.Series(desil, index=monetary.index))
    monetary.insert(position + 1, "monetary_source", monetary_source(mode, monetary["poor"]))

    keep = [ROW, *ID_COLUMNS]
    if include_personal:
        keep += list(PERSONAL_ID_COLUMNS)
    keep += [*REGION_COLUMNS, *DESIGN_COLUMNS, *PASSTHROUGH_COLUMNS]
    base = households[[c for c in keep if c in households.columns]]
    out = pd.concat([base, monetary, mpi, bps14, causes, segments], axis=1)
    out = pd.concat([out, work[kept_columns(config, households, out, include_personal=include_personal)]], axis=1)
    # the survey's own questions ([household.extra] of the mapping) pass through, personal ones only when asked
    extras = [c.name for c in survey.extra_columns.get("household", {}).values()
              if c.name in households.columns and c.name not in out.columns and (include_personal or not c.personal)]
    out = pd.concat([out, households[extras]], axis=1)
    unresolved = int(out["poverty_line"].isna().sum()) if mode == EXPENDITURE else 0  # registry mode has no line
    if unresolved:
        log.warning(
            "%d households have no applicable poverty line for period %s: their monetary columns are missing",
            unresolved,
            config.lines.period,
        )
    out = out.reset_index(drop=True)
    # the indicator set travels with the table (schema.classified): profile uses these weights, not the defaults
    out.attrs[MPI_ATTR] = mpi_spec_record(config)
    return out


def kept_columns(
    config: Config, households: pd.DataFrame, out: pd.DataFrame, *, include_personal: bool = False
) -> list[str]:
    """The ``[classify] keep`` characteristics this input has (its own columns or ``[[derive]]`` values), in the
    configured order, not already in the table; personal columns only with ``include_personal``."""
    derived = {d.name for d in config.active_derive}
    return [
        c for c in dict.fromkeys(config.classify.keep)
        if (c in households.columns or c in derived) and c not in out.columns
        and (include_personal or c not in PERSONAL_COLUMNS)
    ]  # fmt: skip


def mpi_spec_record(config: Config) -> dict[str, object]:
    """The active Alkire-Foster indicator set of ``config`` as plain data: ``k`` and name, dimension, weight."""
    return {
        "k": config.mpi.k,
        "indicators": [{"name": i.name, "dimension": i.dimension, "weight": i.weight} for i in config.mpi.active],
    }
