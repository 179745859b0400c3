"""The sample design of the synthetic survey: regions (Kota Sabang and synthetic districts), the shape (districts,
strata, PSUs) a sample of a given size gets, and each household's gampong, stratum, PSU and weight.

Strata are kecamatan × urban/rural (Sabang) or district × urban/rural (benchmark shape); PSUs are census blocks
inside one gampong, ids ``01``.. read within their stratum; weights (households represented) differ by stratum and
PSU.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from peka.errors import UsageError
from peka.sample.draw import Coded

MEAN_WEIGHT = 3.8  # households represented per sampled household (Sabang: ~11,400 households for 3,000 sampled)
SABANG_MAX_HOUSEHOLDS = 50_000  # up to this size the default sample is Kota Sabang alone
HOUSEHOLDS_PER_DISTRICT = 33_334  # above it, one district per this many households (1,000,000 → 30), at most 30
PSUS_PER_STRATUM_LARGE = 40  # benchmark shape: 60 strata × 40 = 2,400 PSUs
FIRST_SYNTHETIC_KAB = 1119  # Aceh uses 1101-1118 and 1171-1175: 1119-1170 are free for synthetic districts
MAX_DISTRICTS = 1 + (1170 - FIRST_SYNTHETIC_KAB + 1)


def sabang_regions() -> pd.DataFrame:
    """The 18 gampong of Kota Sabang with their kecamatan, from ``peka/data/sabang_regions.csv`` (all codes as
    text). Gampong codes are placeholders (kecamatan code + sequence), never official codes; ``urban_rural`` and
    ``relative_size`` are assumptions of the synthetic sample."""
    with (resources.files("peka") / "data" / "sabang_regions.csv").open("r", encoding="utf-8") as fh:
        frame = pd.read_csv(fh, dtype=str)
    frame["relative_size"] = frame["relative_size"].astype("float64")
    return frame


@dataclass(frozen=True)
class Shape:
    """How many districts, strata and PSUs a sample of ``households`` households has."""

    households: int
    districts: int
    strata: int
    psus: int

    @property
    def strata_per_district(self) -> int:
        return self.strata // self.districts


def default_shape(
    households: int, districts: int | None = None, strata: int | None = None, psus: int | None = None
) -> Shape:
    """Fill in what the caller left out. Up to 50,000 households: Kota Sabang alone, strata = kecamatan ×
    urban/rural (4), about 10 households per PSU. Larger: one district per ~33,334 households (30 for 1,000,000),
    strata = district × urban/rural, 40 PSUs per stratum (1,000,000 → 30 districts, 60 strata, 2,400 PSUs).
    Raises UsageError for shapes that cannot be built."""
    if households < 1:
        raise UsageError(f"--households must be at least 1, got {households}")
    if districts is None:
        districts = (
            1 if households <= SABANG_MAX_HOUSEHOLDS else min(30, math.ceil(households / HOUSEHOLDS_PER_DISTRICT))
        )
    if not 1 <= districts <= MAX_DISTRICTS:
        raise UsageError(f"--districts must be between 1 and {MAX_DISTRICTS}, got {districts}")
    if strata is None:
        strata = (4 if households >= 8 else 1) * districts if districts == 1 else 2 * districts
    if strata % districts or strata // districts not in (1, 2, 4):
        raise UsageError(
            f"--strata must be 1, 2 or 4 times --districts (district, district × urban/rural, or kecamatan × "
            f"urban/rural), got {strata} strata for {districts} districts"
        )
    if strata > households:
        raise UsageError(f"--strata ({strata}) cannot exceed the number of households ({households})")
    if psus is None:
        # two PSUs per stratum at least (a stratum needs two for a variance), never more PSUs than households
        wanted = round(households / 10) if districts == 1 else PSUS_PER_STRATUM_LARGE * strata
        psus = min(max(wanted, 2 * strata), households)
    if psus < strata or psus > households:
        raise UsageError(
            f"--psus must be between {strata} (one per stratum; two give standard errors) and the number of "
            f"households ({households}), got {psus}"
        )
    return Shape(households, districts, strata, psus)


def region_frame(districts: int) -> pd.DataFrame:
    """Gampong of Kota Sabang plus, for ``districts`` > 1, synthetic districts built on the same pattern (kab codes
    1119.., two kecamatan ``…010``/``…020``, 18 gampong each, names ``Sintetis``)."""
    sabang = sabang_regions()
    sabang["district"] = 0
    frames = [sabang]
    for d in range(1, districts):
        kab = str(FIRST_SYNTHETIC_KAB + d - 1)
        clone = sabang.copy()
        clone["district"] = d
        clone["kab_code"] = kab
        clone["kab_name"] = f"Kabupaten Sintetis {kab}"
        clone["kec_code"] = kab + clone["kec_code"].str[4:]
        clone["kec_code_kemendagri"] = f"11.{kab[2:]}." + clone["kec_code_kemendagri"].str[-2:]
        clone["kec_name"] = "Kecamatan Sintetis " + clone["kec_code"].str[-3:]
        clone["desa_code"] = clone["kec_code"] + clone["desa_code"].str[-3:]
        clone["desa_name"] = "Gampong Sintetis " + clone["desa_code"].str[-5:]
        clone["mukim"] = ""
        frames.append(clone)
    regions = pd.concat(frames, ignore_index=True)
    return regions


def _largest_remainder(total: int, shares: np.ndarray, minimum: int = 0) -> np.ndarray:
    """Split ``total`` into integers proportional to ``shares``, each at least ``minimum`` (deterministic)."""
    shares = np.asarray(shares, dtype="float64")
    base = np.full(len(shares), minimum, dtype="int64")
    rest = total - base.sum()
    if rest < 0:
        raise UsageError(f"cannot split {total} into {len(shares)} parts of at least {minimum}")
    exact = rest * shares / shares.sum()
    floor = np.floor(exact).astype("int64")
    left = rest - floor.sum()
    order = np.argsort(-(exact - floor), kind="stable")
    floor[order[:left]] += 1
    return base + floor


def draw_design(shape: Shape, rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Regions with their stratum numbers, and per household: its gampong (row of the regions), weight, stratum
    and PSU (households are numbered PSU by PSU, PSUs stratum by stratum)."""
    regions = region_frame(shape.districts)
    per = shape.strata_per_district
    urban = (regions["urban_rural"] == "perkotaan").to_numpy()
    second_kec = (regions["kec_code"].str[-3:] == "010").to_numpy().astype("int64")
    rural = (~urban).astype("int64")
    within = {1: np.zeros(len(regions), "int64"), 2: rural, 4: second_kec * 2 + rural}[per]
    stratum_of_region = regions["district"].to_numpy() * per + within
    regions["stratum_no"] = stratum_of_region

    # Districts differ in size (synthetic ones by a fixed random factor), gampong by relative_size.
    district_size = np.concatenate([[1.0], rng.uniform(0.6, 1.6, shape.districts - 1)])
    size = regions["relative_size"].to_numpy() * district_size[regions["district"].to_numpy()]
    stratum_size = np.bincount(stratum_of_region, weights=size, minlength=shape.strata)
    psus_per_stratum = _largest_remainder(shape.psus, stratum_size, minimum=2 if shape.psus >= 2 * shape.strata else 1)

    # PSUs of a stratum go to its gampong in proportion to size, each gampong at least one when there are enough.
    psu_region_parts: list[np.ndarray] = []
    for s in range(shape.strata):  # a loop over strata (at most a few hundred), not over households
        members = np.flatnonzero(stratum_of_region == s)
        minimum = 1 if psus_per_stratum[s] >= len(members) else 0
        counts = _largest_remainder(int(psus_per_stratum[s]), size[members], minimum=minimum)
        psu_region_parts.append(np.repeat(members, counts))
    psu_region = np.concatenate(psu_region_parts)
    psu_stratum = stratum_of_region[psu_region]
    first = np.concatenate([[0], np.cumsum(psus_per_stratum)[:-1]])
    psu_no = np.arange(len(psu_region)) - np.repeat(first, psus_per_stratum)  # 0-based within the stratum

    # Households per PSU: PSUs of larger gampong are somewhat larger; every PSU has at least one household.
    psus_in_region = np.bincount(psu_region, minlength=len(regions))[psu_region]
    psu_size = size[psu_region] / psus_in_region * rng.uniform(0.7, 1.3, len(psu_region))
    hh_per_psu = _largest_remainder(shape.households, psu_size, minimum=1)

    # Weight: urban strata are sampled more thinly (bigger weights), strata differ, PSUs vary a little; the mean
    # weight is MEAN_WEIGHT households represented per sampled household.
    stratum_urban = np.bincount(stratum_of_region, weights=urban, minlength=shape.strata) > 0
    stratum_factor = np.where(stratum_urban, 1.2, 0.85) * rng.uniform(0.8, 1.25, shape.strata)
    raw = stratum_factor[psu_stratum] * rng.lognormal(0.0, 0.1, len(psu_region))
    psu_weight = np.round(raw * MEAN_WEIGHT * shape.households / float((raw * hh_per_psu).sum()), 2)

    swidth = max(2, len(str(shape.strata)))
    pwidth = max(2, len(str(int(psus_per_stratum.max()))))
    strata_ids = tuple(str(i + 1).zfill(swidth) for i in range(shape.strata))
    psu_ids = tuple(str(i + 1).zfill(pwidth) for i in range(int(psus_per_stratum.max())))
    hh_psu = np.repeat(np.arange(len(psu_region)), hh_per_psu)
    design = {
        "region": psu_region[hh_psu],
        "weight": psu_weight[hh_psu],
        "strata": Coded(psu_stratum[hh_psu], strata_ids),
        "psu": Coded(psu_no[hh_psu], psu_ids),
    }
    return regions, design
