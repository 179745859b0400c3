"""Samples larger than one machine's memory: ``generate_pieces`` yields the survey in pieces of at most
``PIECE_HOUSEHOLDS`` households, each a whole ``generate`` call, so ``peka sample --households 10000000`` needs the
memory of one piece (about 2.6 GB for 1,000,000 households with their members), not of the whole survey.

Up to ``PIECE_HOUSEHOLDS`` the one piece *is* ``generate(households, seed, ...)``, value for value. Above it the
survey is ``k = ceil(households / PIECE_HOUSEHOLDS)`` independent pieces of as equal a size as possible, piece ``i``
drawn with its own seed (from ``numpy.random.SeedSequence([seed, i])``) and its own design: the same districts
(their names and codes) with the piece's own strata and PSUs, as if a survey were fielded ``k`` times over the same
districts. So that the pieces form one valid survey, piece ``i`` (0-based) has

* ``hh_id`` prefixed by the piece number (``hh_id + i * 10**11``, still digits; piece 0 unchanged),
* ``kk_no``, ``head_nik`` and the members' ``nik`` shifted by the households / persons of the pieces before it (the
  synthetic "kecamatan" 98/99 digits, never a real KK or NIK, leave 10 digits of room: 10 billion persons),
* strata ``<i+1, 3 digits><stratum>`` (distinct across pieces; PSU codes are nested in strata as in every piece).

``--districts/--strata/--psus`` apply to each piece.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pandas as pd

from peka.sample.generate import generate
from peka.schema.model import Survey

PIECE_HOUSEHOLDS = 1_000_000
_HH_ID_PIECE = 10**11  # hh_id = kab code (4 digits) + 7-digit sequence: the piece number goes in front


def piece_sizes(households: int, piece: int = PIECE_HOUSEHOLDS) -> list[int]:
    """Households per piece: ``ceil(households / piece)`` pieces differing by at most one household.

    >>> piece_sizes(2_500_000)
    [833334, 833333, 833333]
    >>> piece_sizes(3000)
    [3000]
    """
    k = max(1, math.ceil(households / piece))
    base, extra = divmod(households, k)
    return [base + (1 if i < extra else 0) for i in range(k)]


def piece_seed(seed: int, index: int) -> int:
    """The seed of piece ``index`` (piece 0 of a one-piece sample uses ``seed`` itself)."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1, dtype=np.uint32)[0])


def generate_pieces(households: int, seed: int = 2026, *, districts: int | None = None, strata: int | None = None,
                    psus: int | None = None, piece: int = PIECE_HOUSEHOLDS) -> Iterator[Survey]:
    """The survey of ``households`` households in pieces (see the module docstring); one piece when it fits.

    >>> parts = list(generate_pieces(30, seed=3, piece=12))
    >>> [len(p.households) for p in parts], pd.concat([p.households["hh_id"] for p in parts]).is_unique
    ([10, 10, 10], True)
    """
    sizes = piece_sizes(households, piece)
    if len(sizes) == 1:
        yield generate(households, seed, districts=districts, strata=strata, psus=psus)
        return
    households_before = persons_before = 0
    for index, size in enumerate(sizes):
        survey = generate(size, piece_seed(seed, index), districts=districts, strata=strata, psus=psus)
        yield _renumbered(survey, index, households_before, persons_before)
        households_before += len(survey.households)
        persons_before += len(survey.persons) if survey.persons is not None else 0


def _shift(ids: pd.Series, by: int) -> pd.Series:
    """Digit-string ids plus ``by``, as text again (missing stays missing)."""
    numbers = pd.to_numeric(ids, errors="raise").astype("Int64") + by
    return numbers.astype("str").where(ids.notna(), None).astype(ids.dtype)


def _renumbered(survey: Survey, index: int, households_before: int, persons_before: int) -> Survey:
    households = survey.households.copy()
    households["hh_id"] = _shift(households["hh_id"], index * _HH_ID_PIECE)
    households["kk_no"] = _shift(households["kk_no"], households_before)
    households["head_nik"] = _shift(households["head_nik"], persons_before)
    households["strata"] = _prefixed(households["strata"], index)
    persons = survey.persons
    if persons is not None:
        persons = persons.copy()
        persons["hh_id"] = _shift(persons["hh_id"], index * _HH_ID_PIECE)
        persons["nik"] = _shift(persons["nik"], persons_before)
    source = f"{survey.sources['household']}, piece {index + 1}"
    return Survey(households=households, persons=persons, sources={k: source for k in survey.sources},
                  rows_read=dict(survey.rows_read))


def _prefixed(codes: pd.Series, index: int) -> pd.Series:
    prefix = str(index + 1).zfill(3)
    if isinstance(codes.dtype, pd.CategoricalDtype):
        return codes.cat.rename_categories([prefix + str(c) for c in codes.cat.categories])
    return (prefix + codes.astype("str")).where(codes.notna(), None)
