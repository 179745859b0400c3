"""Which poverty line applies to each household: the most specific configured line of the chosen period.

Precedence, most specific first (docs/config.md):

    kab_code + urban_rural  >  kab_code  >  prov_code + urban_rural  >  prov_code  >  national + urban_rural  >  national

Region codes are compared on their digits only, so ``"11.72"`` (Kemendagri style) and ``"1172"`` (BPS style) are
the same kabupaten/kota. A household no line applies to keeps a missing line; the caller counts and reports it.
The loop runs over configured lines (a handful), never over households.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peka.config.models import LinesConfig, PovertyLine

# (needs kab, needs prov, needs urban_rural), most specific first
TIERS: tuple[tuple[str, bool], ...] = (
    ("kab", True),
    ("kab", False),
    ("prov", True),
    ("prov", False),
    ("national", True),
    ("national", False),
)


class _Codes:
    """A region column as (codes, distinct values): comparisons run on the few distinct values, not on every row."""

    def __init__(self, series: pd.Series, digits: bool):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        self.codes = codes
        self.values = [_code(str(u)) if digits else str(u) for u in uniques]

    def __eq__(self, other: object) -> np.ndarray:  # type: ignore[override]
        hit = np.array([v == other for v in self.values] + [False], dtype=bool)  # the extra slot: missing (-1)
        return hit[self.codes]

    def isna(self) -> np.ndarray:
        return self.codes < 0


def _code(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def resolve_lines(households: pd.DataFrame, lines: LinesConfig) -> tuple[pd.Series, pd.Series]:
    """Return (poverty line value, line id) per household, aligned to ``households.index``.

    >>> from peka.config.models import LinesConfig, PovertyLine
    >>> cfg = LinesConfig(period="p", entries=[PovertyLine(period="p", value=100, source="s"),
    ...                                        PovertyLine(period="p", value=120, prov_code="11", source="s")])
    >>> value, ident = resolve_lines(pd.DataFrame({"prov_code": ["11", "12"]}), cfg)
    >>> value.tolist(), ident.tolist()
    ([120.0, 100.0], ['p/prov:11', 'p/nasional'])
    """
    n = len(households)
    value = np.full(n, np.nan)
    ident = np.full(n, -1, dtype=np.intp)  # position in `candidates`
    unresolved = np.ones(n, dtype=bool)
    candidates = [line for line in lines.entries if line.period == lines.period]
    kab = _Codes(households["kab_code"], digits=True) if "kab_code" in households else None
    prov = _Codes(households["prov_code"], digits=True) if "prov_code" in households else None
    ur = _Codes(households["urban_rural"], digits=False) if "urban_rural" in households else None
    for tier, with_ur in TIERS:
        for position, line in enumerate(candidates):
            if line.tier != tier or (line.urban_rural is not None) != with_ur:
                continue
            mask = unresolved & _area_mask(line, kab, prov, n)
            if with_ur:
                if ur is None:
                    continue
                mask = mask & (ur == line.urban_rural)
            value[mask] = line.value
            ident[mask] = position
            unresolved &= ~mask
        if not unresolved.any():
            break
    ids = pd.array([line.line_id for line in candidates] or [""], dtype="str").take(ident, allow_fill=True)
    return (
        pd.Series(value, index=households.index, name="poverty_line"),
        pd.Series(ids, index=households.index, name="poverty_line_id"),
    )


def _area_mask(line: PovertyLine, kab: _Codes | None, prov: _Codes | None, n: int) -> np.ndarray:
    if line.kab_code:
        if kab is None:
            return np.zeros(n, dtype=bool)
        mask = kab == _code(line.kab_code)
        if line.prov_code and prov is not None:  # a kab code given with its province must agree with it
            mask = mask & ((prov == _code(line.prov_code)) | prov.isna() | (prov == ""))
        return mask
    if line.prov_code:
        if prov is None:
            return np.zeros(n, dtype=bool)
        return prov == _code(line.prov_code)
    return np.ones(n, dtype=bool)
