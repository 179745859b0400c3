"""Partial sums: everything the estimator needs from the microdata, in a form that adds up across chunks.

For every domain cell (the values of a set of ``by`` columns; the whole population is the cell of the empty set
``()``) the estimator needs the weighted totals ``Σ w·y_j`` of a few base variables, per PSU within its stratum,
plus the list of all PSUs in each stratum of the whole sample (a PSU with no member of a domain still counts, as a
zero, in that domain's variance: domain estimation without dropping rows).

Two layouts, chosen by the design:

* **PSU totals** (a PSU column is given): one row per (domain set, cell, stratum, PSU) with the weighted sums and
  the unweighted counts. The PSUs of the whole sample are the rows of the population cell.
* **Stratum moments** (every row is its own PSU: weighted SRS, or strata without PSUs): keeping one row per
  household would grow with the file, so per (domain set, cell, stratum) we keep Σ t and the cross-product matrix
  Σ t tᵀ of the rows' weighted values ``t = w·y``, and the number of rows. These add up over chunks, and the
  variance of any linear combination ``z = gᵀt`` is ``gᵀ(Σ t tᵀ)g − (gᵀΣ t)²/n_h`` summed over strata.

``PartialSums.from_frame`` builds them from one frame (the hot path: one grouped sum of a float matrix per domain
set); ``combine``/``sum_partials`` add partial sums from chunks, so that a chunked or Dask run equals the
in-memory one up to floating-point rounding.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from peka.errors import InputError, UsageError
from peka.estimate.design import Design, design_arrays

BLOCK_ROWS = (
    16_000  # rows per block: 16,000 float64 = 125 KiB per variable, under malloc's mmap threshold (no page faults)
)
ROWS = "_rows"  # counter added to every PartialSums: unweighted rows (households) in the group
DomainSet = tuple[str, ...]


def _python_value(value: Any) -> Any:
    """A by-column value as a plain JSON-able Python value (missing → None)."""
    if value is None:
        return None
    if not isinstance(value, str) and pd.isna(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def cell_key(values: Sequence[Any]) -> str:
    """The stable text key of a domain cell (JSON list of its values): equal cells from two chunks share it."""
    return json.dumps([_python_value(v) for v in values], ensure_ascii=False)


def _group_sum(group_index: np.ndarray, n_groups: int, matrix: np.ndarray) -> np.ndarray:
    """Σ of ``matrix`` rows per group, as one sparse-dense product (a single pass over the rows; measured ten times
    faster than sorting the rows and summing runs along the first axis)."""
    n = len(group_index)
    indicator = sparse.csr_matrix((np.ones(n, dtype=np.float64), (group_index, np.arange(n))), shape=(n_groups, n))
    return np.asarray(indicator @ matrix)


def _cell_codes(frame: pd.DataFrame, columns: DomainSet) -> tuple[np.ndarray, list[str]]:
    """Per row the index of its cell, and each cell's key (missing by-values form their own cell)."""
    if not columns:
        return np.zeros(len(frame), dtype=np.int64), [cell_key(())]
    combined = np.zeros(len(frame), dtype=np.int64)
    uniques_per_column = []
    for column in columns:
        codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        uniques_per_column.append(np.asarray(uniques, dtype=object))
        combined = combined * len(uniques) + codes
    cell_index, cell_uniques = pd.factorize(combined)
    keys = []
    for cell_code in cell_uniques:
        rest, values = int(cell_code), []
        for uniques in reversed(uniques_per_column):
            rest, position = divmod(rest, len(uniques))
            values.append(uniques[position])
        keys.append(cell_key(list(reversed(values))))
    return cell_index.astype(np.int64), keys


@dataclass
class PartialSums:
    """Weighted sums of base variables and unweighted counts per (domain set, cell, stratum[, PSU]).

    ``keys`` has columns ``set`` (index into ``domain_sets``; set 0 is ``()``, the whole population), ``cell``
    (:func:`cell_key`), ``stratum`` and ``psu`` (``None`` in the moments layout). ``sums`` holds Σ w·y per variable,
    ``counts`` the unweighted counts per counter (the first counter is ``_rows``), ``cross`` (moments layout only)
    Σ (w·y)(w·y)ᵀ per row of ``keys``.

    >>> frame = pd.DataFrame({"w": [1.0, 2.0, 3.0], "s": ["a", "a", "b"], "p": ["1", "2", "1"], "y": [1.0, 0, 1]})
    >>> ps = PartialSums.from_frame(frame, Design("w", "s", "p"), {"y": frame["y"]}, by=[])
    >>> float(ps.sums[:, 0].sum())
    4.0
    """

    variables: tuple[str, ...]
    counters: tuple[str, ...]
    domain_sets: tuple[DomainSet, ...]
    rows_are_psus: bool
    keys: pd.DataFrame
    sums: np.ndarray
    counts: np.ndarray
    cross: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    # ---- building ----------------------------------------------------------------------------------------------

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        design: Design,
        variables: Mapping[str, Any] | Callable[[np.ndarray], tuple[Mapping[str, Any], Mapping[str, Any]]],
        by: Iterable[Sequence[str] | str] = (),
        counters: Mapping[str, Any] | None = None,
        *,
        block_rows: int = BLOCK_ROWS,
    ) -> PartialSums:
        """Partial sums of one frame (or one chunk of a larger file).

        ``variables`` maps a base-variable name to its per-row values y (array-like, aligned to ``frame``; NaN is
        not allowed: a row outside a measure's population has y = 0), and ``counters`` maps a name to a per-row
        0/1 mask counted unweighted. Or ``variables`` is a function ``rows → (variables, counters)`` of those rows
        (an integer position array), called on blocks of ``block_rows`` rows, which keeps memory small on big
        frames.
        ``by`` lists domain sets: a column name, or a sequence of names crossed together; the whole population
        ``()`` is always set 0.
        """
        domain_sets = normalise_domain_sets(by)
        for columns in domain_sets:
            for column in columns:
                if column not in frame.columns:
                    raise InputError(f"domain column {column!r} is not in the data", column=column)
        n = len(frame)
        make_block = _block_maker(frame, variables, counters)
        codes = design_arrays(frame, design)

        if codes.psu_codes is not None:
            n_labels = len(codes.psu_labels)  # type: ignore[arg-type]
            unit_codes, unit_uniques = pd.factorize(codes.stratum_codes * n_labels + codes.psu_codes)
            unit_stratum = codes.stratum_labels[unit_uniques // n_labels]
            unit_psu = codes.psu_labels[unit_uniques % n_labels]  # type: ignore[index]
        else:  # rows are PSUs: group by stratum only, keep moments
            unit_codes = codes.stratum_codes
            unit_stratum = codes.stratum_labels
            unit_psu = np.full(len(unit_stratum), None, dtype=object)
        n_units = len(unit_stratum)

        # the finest groups (the cells of the domain sets × unit): the only pass over the rows; sets are then
        # summed from the fine groups, which are few. Crossing many sets (districts × head's sex × age × education
        # …) makes fine groups as many as rows, so the sets are split into chains whose crossing stays small
        cells = [_cell_codes(frame, columns) for columns in domain_sets]
        chains = _chains(np.asarray(unit_codes, dtype=np.int64), cells, n_units)

        # rows in the first chain's fine-group order, so that every block sums contiguous runs (small results, no
        # scatter); the other chains sort each block's rows by their own fine groups
        order = np.argsort(chains[0].fine, kind="stable")
        first_block = make_block(order[: min(n, block_rows)])
        names = tuple(first_block[0])
        counter_names = (ROWS, *first_block[1])
        p, k = len(names), len(names) + len(counter_names)
        for chain in chains:
            chain.sums = np.zeros((chain.n_fine, k), dtype=np.float64)
        rows_are_psus = codes.psu_codes is None
        set_groups = {set_id: groups for chain in chains for set_id, groups in zip(chain.sets, chain.groups)}
        cross = (
            {set_id: np.zeros((len(set_groups[set_id][1]), p, p), dtype=np.float64) for set_id in set_groups}
            if rows_are_psus
            else {}
        )
        buffer = np.empty((k, min(n, block_rows)), dtype=np.float64)
        for start in range(0, n, block_rows):
            rows = order[start : start + block_rows]
            block_vars, block_counts = first_block if start == 0 else make_block(rows)
            if tuple(block_vars) != names or (ROWS, *block_counts) != counter_names:
                raise UsageError("every block must give the same base variables and counters")
            matrix = buffer[:, : len(rows)]  # variables × rows: every variable is written contiguously
            weights = codes.weights[rows]
            for j, name in enumerate(names):  # a float copy first: measured faster than a cast inside the ufunc
                np.multiply(np.asarray(block_vars[name], dtype=np.float64), weights, out=matrix[j])
            matrix[p] = 1.0
            for j, name in enumerate(counter_names[1:], start=p + 1):
                matrix[j] = np.asarray(block_counts[name], dtype=np.float64)
            for number, chain in enumerate(chains):
                block_fine = chain.fine[rows]
                runs = matrix
                if number:  # the first chain's rows are already in order
                    local = np.argsort(block_fine, kind="stable")
                    block_fine, runs = block_fine[local], np.take(matrix, local, axis=1)
                # rows are in fine-group order: every group is one run of the block, so += loses no sums
                starts = np.flatnonzero(np.r_[True, block_fine[1:] != block_fine[:-1]])
                chain.sums[block_fine[starts]] += np.add.reduceat(runs, starts, axis=1).T
                if rows_are_psus:  # the moments layout: Σ t tᵀ per set group, rows in the matrix's order
                    for set_id, (group_index, _) in zip(chain.sets, chain.groups):
                        _add_group_cross(group_index[chain.fine[rows]], matrix[:p], cross[set_id])

        if any(np.isnan(chain.sums[:, :p]).any() for chain in chains):  # a missing value leaves NaN in its sums
            raise UsageError("base variables must not be missing; use 0 outside a measure's population")
        key_parts, sum_parts = [], []
        sums_of_set = {set_id: chain.sums for chain in chains for set_id in chain.sets}
        for set_id, (_, cell_keys) in enumerate(cells):
            group_index, group_uniques = set_groups[set_id]
            totals = _group_sum(group_index, len(group_uniques), sums_of_set[set_id])
            key_parts.append(
                pd.DataFrame(
                    {
                        "set": np.full(len(group_uniques), set_id, dtype=np.int64),
                        "cell": np.asarray(cell_keys, dtype=object)[group_uniques // n_units],
                        "stratum": unit_stratum[group_uniques % n_units],
                        "psu": unit_psu[group_uniques % n_units],
                    }
                )
            )
            sum_parts.append(totals)
        all_totals = np.vstack(sum_parts)
        return cls(
            variables=names,
            counters=counter_names,
            domain_sets=domain_sets,
            rows_are_psus=rows_are_psus,
            keys=pd.concat(key_parts, ignore_index=True),
            sums=all_totals[:, :p],
            counts=all_totals[:, p:],
            cross=np.concatenate([cross[set_id] for set_id in range(len(cells))]) if rows_are_psus else None,
            meta={"design": design},
        )

    # ---- combining ---------------------------------------------------------------------------------------------

    def combine(self, other: PartialSums) -> PartialSums:
        """The partial sums of both inputs together (e.g. two chunks of one file)."""
        return sum_partials([self, other])

    # ---- reading -----------------------------------------------------------------------------------------------

    def set_id(self, columns: Sequence[str] | str) -> int:
        """Index of a domain set (``()`` is the whole population)."""
        wanted = normalise_domain_sets([columns])[-1] if columns else ()
        try:
            return self.domain_sets.index(wanted)
        except ValueError:
            raise UsageError(f"domain set {wanted!r} was not summed") from None

    def population_units(self) -> pd.DataFrame:
        """The PSUs of the whole sample: one row per (stratum, PSU), or per stratum with its row count ``n``."""
        rows = self.keys["set"].to_numpy() == 0
        units = self.keys.loc[rows, ["stratum", "psu"]].reset_index(drop=True)
        units["n"] = self.counts[rows, 0]
        return units

    def psus_per_stratum(self) -> pd.Series:
        """Number of PSUs in each stratum of the whole sample (rows, when every row is its own PSU)."""
        units = self.population_units()
        if self.rows_are_psus:
            return units.set_index("stratum")["n"].astype(np.int64)
        return units.groupby("stratum", sort=True).size()


# a chain of domain sets is crossed into fine groups only while they stay under this share of the rows: past it a
# block's rows are nearly all in groups of their own and the fine sums as large as the data
FINE_GROUPS_SHARE = 8


@dataclass
class _Chain:
    """Domain sets summed from the same fine groups: ``fine`` gives each row its fine group (unit × the cells of
    every set of the chain); per set, ``groups`` maps fine groups to the set's (cell, unit) groups."""

    fine: np.ndarray
    n_fine: int
    sets: list[int]
    groups: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    sums: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))


def _chains(
    unit_codes: np.ndarray, cells: list[tuple[np.ndarray, list[str]]], n_units: int
) -> list[_Chain]:
    """The domain sets (``cells[0]`` is the whole population) split into chains, crossing each set into the current
    chain while its fine groups stay under ``len(rows) / FINE_GROUPS_SHARE`` (or as few as the units)."""
    n = len(unit_codes)
    limit = max(n // FINE_GROUPS_SHARE, n_units)
    chains = [_Chain(unit_codes, int(unit_codes.max()) + 1 if n else 0, [0])]
    for set_id, (cell_index, cell_keys) in enumerate(cells[1:], start=1):
        chain = chains[-1]
        fine = pd.factorize(chain.fine * len(cell_keys) + cell_index)[0].astype(np.int64)
        n_fine = int(fine.max()) + 1 if n else 0
        if n_fine > limit and chain.sets != [0]:
            fine = pd.factorize(unit_codes * len(cell_keys) + cell_index)[0].astype(np.int64)
            chains.append(_Chain(fine, int(fine.max()) + 1 if n else 0, [set_id]))
        else:
            chain.fine, chain.n_fine = fine, n_fine
            chain.sets.append(set_id)
    for chain in chains:
        first = np.empty(chain.n_fine, dtype=np.int64)
        first[chain.fine[::-1]] = np.arange(n)[::-1]  # a row of every fine group
        for set_id in chain.sets:
            cell_index = cells[set_id][0]
            group_index, group_uniques = pd.factorize(cell_index[first] * n_units + unit_codes[first])
            chain.groups.append((group_index.astype(np.int64), group_uniques))
    return chains


def _add_group_cross(group_index: np.ndarray, weighted: np.ndarray, out: np.ndarray) -> None:
    """Add Σ t tᵀ per group of rows (``weighted`` is variables × rows) to ``out``: one matrix product per group
    present (groups are cells × strata, never rows)."""
    order = np.argsort(group_index, kind="stable")
    sorted_groups = group_index[order]
    present = np.unique(sorted_groups)
    bounds = np.searchsorted(sorted_groups, np.append(present, present[-1] + 1) if len(present) else present)
    for g, lo, hi in zip(present, bounds[:-1], bounds[1:]):
        block = weighted[:, order[lo:hi]]
        out[g] += block @ block.T


def _numbers(values: Any) -> np.ndarray:
    """Per-row values as a numpy array: booleans and numbers as they are (each block becomes float64 when it is
    summed: no full-length float copy of every 0/1 variable), anything else as float64."""
    array = np.asarray(values)
    return array if array.dtype.kind in "biuf" else np.asarray(values, dtype=np.float64)


def _block_maker(
    frame: pd.DataFrame,
    variables: Mapping[str, Any] | Callable[[np.ndarray], tuple[Mapping[str, Any], Mapping[str, Any]]],
    counters: Mapping[str, Any] | None,
) -> Callable[[np.ndarray], tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """A function rows → (variables, counters) of those rows, from arrays or a per-block function."""
    if callable(variables):
        return variables
    n = len(frame)
    arrays = {name: _numbers(values) for name, values in variables.items()}
    counted = {name: _numbers(values) for name, values in (counters or {}).items()}
    for name, values in {**arrays, **counted}.items():
        if values.shape != (n,):
            raise UsageError(f"base variable {name!r} has {values.shape} values for {n} rows")
    return lambda rows: (
        {name: values[rows] for name, values in arrays.items()},
        {name: values[rows] for name, values in counted.items()},
    )


def normalise_domain_sets(by: Iterable[Sequence[str] | str]) -> tuple[DomainSet, ...]:
    """``["kec", ("kec", "urban_rural")]`` → ``((), ("kec",), ("kec", "urban_rural"))``, duplicates removed."""
    sets: list[DomainSet] = [()]
    for entry in by:
        columns: DomainSet = (entry,) if isinstance(entry, str) else tuple(entry)
        if columns not in sets:
            sets.append(columns)
    return tuple(sets)


def sum_partials(parts: Iterable[PartialSums]) -> PartialSums:
    """Add partial sums of several chunks: rows with the same (set, cell, stratum, PSU) are summed.

    Raises :class:`~peka.errors.UsageError` when the parts were built with different variables, domain sets or
    design layouts (they could not describe the same survey).
    """
    parts = list(parts)
    if not parts:
        raise UsageError("no partial sums to add (empty input)")
    first = parts[0]
    for part in parts[1:]:
        if (part.variables, part.counters, part.domain_sets, part.rows_are_psus) != (
            first.variables,
            first.counters,
            first.domain_sets,
            first.rows_are_psus,
        ):
            raise UsageError("partial sums built with different variables, domains or designs cannot be added")
    if len(parts) == 1:
        return first
    keys = pd.concat([p.keys for p in parts], ignore_index=True)
    psu_text = keys["psu"].fillna("\x00").astype(str)
    group_index, uniques = pd.MultiIndex.from_arrays(
        [keys["set"], keys["cell"].astype(str), keys["stratum"].astype(str), psu_text]
    ).factorize()
    first_row = np.full(len(uniques), -1, dtype=np.int64)
    first_row[group_index[::-1]] = np.arange(len(group_index))[::-1]  # first occurrence of every group
    sums = _group_sum(group_index, len(uniques), np.vstack([p.sums for p in parts]))
    counts = _group_sum(group_index, len(uniques), np.vstack([p.counts for p in parts]))
    cross = None
    if first.rows_are_psus:
        stacked = np.concatenate([p.cross for p in parts])  # type: ignore[misc]
        cross = np.zeros((len(uniques),) + stacked.shape[1:], dtype=np.float64)
        np.add.at(cross, group_index, stacked)
    combined = PartialSums(
        variables=first.variables,
        counters=first.counters,
        domain_sets=first.domain_sets,
        rows_are_psus=first.rows_are_psus,
        keys=keys.iloc[first_row].reset_index(drop=True),
        sums=sums,
        counts=counts,
        cross=cross,
        meta=dict(first.meta),
    )
    return combined
