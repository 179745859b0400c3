"""Drawing helpers of the synthetic survey: categorical columns held as integer codes, category draws, latent scores
cut into ordered categories, and text columns built as Arrow arrays (ids, names, addresses) without per-value Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_NORMAL = NormalDist()


@dataclass(frozen=True)
class Coded:
    """A categorical column held as integer codes into ``categories`` (-1 = missing): comparisons on integers are
    far cheaper than on millions of Python strings, and the text is built once, by pyarrow, at the end."""

    codes: np.ndarray
    categories: tuple[str, ...]

    def isin(self, values: tuple[str, ...] | list[str]) -> np.ndarray:
        return np.isin(self.codes, [self.categories.index(v) for v in values])

    def eq(self, value: str) -> np.ndarray:
        return self.codes == self.categories.index(value)

    def to_arrow(self) -> pa.Array:
        codes = pa.array(self.codes, mask=self.codes < 0)
        return pa.array(self.categories, type=pa.string()).take(codes)


def std_normal_mix(*parts: tuple[float, np.ndarray]) -> np.ndarray:
    """Σ a_i x_i rescaled so that it has unit variance when the x_i are independent with unit variance."""
    total = np.sum([a * x for a, x in parts], axis=0)
    return np.asarray(total / math.sqrt(sum(a * a for a, _ in parts)), dtype="float64")


def ordered(latent: np.ndarray, categories: tuple[str, ...], shares: tuple[float, ...]) -> Coded:
    """Cut an (about) N(0,1) latent into categories listed worst to best with the given population shares."""
    cuts = np.cumsum(shares)[:-1] / sum(shares)
    cutoffs = np.array([_NORMAL.inv_cdf(c) for c in cuts])
    return Coded(np.searchsorted(cutoffs, latent).astype("int64"), categories)


def draw(rng: np.random.Generator, probs: tuple[float, ...] | np.ndarray, n: int) -> np.ndarray:
    """n category indices drawn with fixed probabilities."""
    cum = np.cumsum(probs) / np.sum(probs)
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(cum) - 1).astype("int64")


def draw_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One category index per row of ``weights`` (n × k, non-negative), by inverse CDF."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return (u[:, None] >= cum).sum(axis=1).astype("int64")


def logistic(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype="float64")))


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def bernoulli(rng: np.random.Generator, p: np.ndarray | float, n: int) -> np.ndarray:
    return rng.random(n) < p


def blank(
    rng: np.random.Generator, values: np.ndarray | Coded, rate: float
) -> np.ndarray | pd.api.extensions.ExtensionArray | Coded:
    """Make about ``rate`` of the values missing (optional columns only: data as it comes from the field)."""
    n = len(values.codes) if isinstance(values, Coded) else len(values)
    mask = rng.random(n) < rate
    if isinstance(values, Coded):
        return Coded(np.where(mask, -1, values.codes), values.categories)
    if values.dtype == bool:
        out = pd.array(values, dtype="boolean")
        out[mask] = pd.NA
        return out
    out_f = values.astype("float64")
    out_f[mask] = np.nan
    return out_f


def int_text(values: np.ndarray) -> pa.Array:
    """Integers as decimal text (ids such as NIK: digits only, no leading zero to lose)."""
    return pc.cast(pa.array(values, type=pa.int64()), pa.string())


def join_text(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of text arrays and literal strings."""
    items = [pa.scalar(p, pa.string()) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*items, "")
