"""Synthetic household survey of Kota Sabang (and, for big samples, synthetic districts around it).

``generate(households, seed)`` returns a :class:`~peka.schema.model.Survey` whose household and person tables fill
every canonical column of ``peka.schema.model`` with plausible, correlated values. Everything is drawn with numpy
arrays over all households (or all persons) at once: there is no Python loop over households, so 1,000,000
households with about 4 million persons take seconds. The same ``(households, seed, districts, strata, psus)`` gives
the same tables, value for value.

How the values hang together (all synthetic; the numbers are chosen to look like Aceh, not estimated from data):

* One latent welfare score ``z`` per household (about N(0, 1)): higher in urban gampong, lower for large households,
  female and elderly heads. Per-capita expenditure is log-normal around the Aceh poverty line of March 2025
  (Rp676,247/capita/month, docs: domain.md §1.3) so that about 14% of households are poor, about 25% are within
  1-1.5 lines (rentan miskin) and a few % are below the extreme line (about Rp391,000).
* Housing, services, assets, food, savings, credit, the head's occupation and the household's education all read
  ``z`` plus their own noise, so poorer households more often have earth floors, no own toilet, firewood, a head with
  SD or less, fishing or farm-labour work, no savings.
* ``desil`` is a noisy rank of ``z`` (like a proxy-means test) and program receipt follows ``desil`` with inclusion and
  exclusion errors.
* The person roster has exactly ``hh_size`` members, the head first (``relation = kepala``) with the head's sex and
  age; education years agree with education levels; children aged 7-15 are sometimes out of school (more often in
  poor households).
* Design: strata are kecamatan × urban/rural (Sabang) or district × urban/rural (benchmark shape); PSUs are census
  blocks inside one gampong, ids ``01``.. read within their stratum; weights (households represented) differ by
  stratum and PSU.

Personal columns (NIK, No KK, names, addresses) are obviously synthetic: NIK and No KK use the kecamatan digits
``99``/``98``, which no real kecamatan of the district has, and addresses are ``Lorong Sampel``.

``write_sample(survey, out_dir, formats)`` writes the survey as canonical CSV/Parquet and, by running the tables
backwards through the mapping presets, as a P3KE-style workbook and Susenas-style .sav/.dta files (the bundled
``data/samples/sabang`` is ``generate(3000, 2026)`` written in every format; its README describes the files).

>>> survey = generate(200, seed=1)
>>> len(survey.households), int(survey.households["hh_size"].sum()) == len(survey.persons)
(200, True)
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyreadstat
import xlsxwriter
from scipy.special import ndtr

from peka.deliver.files import XLSX_MAX_ROWS, XLSX_OPTIONS, atomic_path, write_table
from peka.errors import UsageError
from peka.mapping import load_mapping, source_value_labels, to_source
from peka.schema import model
from peka.schema.model import HOUSEHOLD_COLUMNS, PERSON_COLUMNS, REGION_COLUMNS, ROW, Survey, columns_for

log = logging.getLogger(__name__)

# Poverty lines the expenditure distribution is drawn around (Rp/capita/month). Only used to shape the synthetic
# data; classification takes its lines from the configuration presets.
POVERTY_LINE = 676_247.0  # Aceh, March 2025 (domain.md §1.3)
# log(expenditure / line) ~ N(LOG_MEAN, LOG_SD) (before the small effects of region and household make-up):
# Φ(-0.546/0.506) ≈ 14% poor, Φ((ln 1.5 - 0.546)/0.506) - 14% ≈ 25% rentan miskin.
LOG_MEAN = 0.546
LOG_SD = 0.506

MEAN_WEIGHT = 3.8  # households represented per sampled household (Sabang: ~11,400 households for 3,000 sampled)
SABANG_MAX_HOUSEHOLDS = 50_000  # up to this size the default sample is Kota Sabang alone
HOUSEHOLDS_PER_DISTRICT = 33_334  # above it, one district per this many households (1,000,000 → 30), at most 30
PSUS_PER_STRATUM_LARGE = 40  # benchmark shape: 60 strata × 40 = 2,400 PSUs
FIRST_SYNTHETIC_KAB = 1119  # Aceh uses 1101-1118 and 1171-1175: 1119-1170 are free for synthetic districts
MAX_DISTRICTS = 1 + (1170 - FIRST_SYNTHETIC_KAB + 1)

MALE_NAMES = (
    "Muhammad",
    "Ahmad",
    "Teuku",
    "Fadli",
    "Rizki",
    "Zulkifli",
    "Mukhlis",
    "Hendra",
    "Iskandar",
    "Syahrul",
    "Muhammad Amin",
    "Nasrullah",
    "Fauzan",
    "Rahmat",
    "Safrizal",
    "Darmawan",
    "Khairul",
    "Irwan",
    "Yusuf",
    "Ilham",
)
FEMALE_NAMES = (
    "Nurul",
    "Siti",
    "Cut",
    "Fitri",
    "Rahmah",
    "Aisyah",
    "Nurhayati",
    "Zahra",
    "Maryam",
    "Ratna",
    "Yuliana",
    "Safrida",
    "Mawaddah",
    "Intan",
    "Rosmiati",
    "Dewi",
    "Nadia",
    "Wati",
    "Khairiah",
    "Husna",
)
SECOND_NAMES = ("Sampel", "Contoh", "Uji", "Data", "Fiktif", "Rekaan", "Simulasi", "Ilustrasi")

_NORMAL = NormalDist()


# ---- regions and design ------------------------------------------------------------------------------------------


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


def _design(shape: Shape, rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, Any]]:
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


# ---- drawing helpers ---------------------------------------------------------------------------------------------


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


def _std_normal_mix(*parts: tuple[float, np.ndarray]) -> np.ndarray:
    """Σ a_i x_i rescaled so that it has unit variance when the x_i are independent with unit variance."""
    total = np.sum([a * x for a, x in parts], axis=0)
    return np.asarray(total / math.sqrt(sum(a * a for a, _ in parts)), dtype="float64")


def _ordered(latent: np.ndarray, categories: tuple[str, ...], shares: tuple[float, ...]) -> Coded:
    """Cut an (about) N(0,1) latent into categories listed worst to best with the given population shares."""
    cuts = np.cumsum(shares)[:-1] / sum(shares)
    cutoffs = np.array([_NORMAL.inv_cdf(c) for c in cuts])
    return Coded(np.searchsorted(cutoffs, latent).astype("int64"), categories)


def _draw(rng: np.random.Generator, probs: tuple[float, ...] | np.ndarray, n: int) -> np.ndarray:
    """n category indices drawn with fixed probabilities."""
    cum = np.cumsum(probs) / np.sum(probs)
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(cum) - 1).astype("int64")


def _draw_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One category index per row of ``weights`` (n × k, non-negative), by inverse CDF."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return (u[:, None] >= cum).sum(axis=1).astype("int64")


def _logistic(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype="float64")))


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _bernoulli(rng: np.random.Generator, p: np.ndarray | float, n: int) -> np.ndarray:
    return rng.random(n) < p


def _blank(
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


def _text(values: np.ndarray) -> pa.Array:
    """Integers as decimal text (ids such as NIK: digits only, no leading zero to lose)."""
    return pc.cast(pa.array(values, type=pa.int64()), pa.string())


def _join(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of text arrays and literal strings."""
    items = [pa.scalar(p, pa.string()) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*items, "")


# ---- the generator -----------------------------------------------------------------------------------------------


def generate(
    households: int = 3000,
    seed: int = 2026,
    *,
    districts: int | None = None,
    strata: int | None = None,
    psus: int | None = None,
) -> Survey:
    """A synthetic survey: ``households`` households with their members, every canonical column filled.

    ``districts``, ``strata`` and ``psus`` default to Kota Sabang (1 district, kecamatan × urban/rural strata,
    ~10 households per PSU) up to 50,000 households and to the benchmark shape above (1,000,000 households →
    30 districts, 60 strata, 2,400 PSUs); see :func:`default_shape`. Deterministic for a given seed.

    >>> s = generate(50, seed=7)
    >>> s.households["hh_id"].is_unique, len(s.persons) == int(s.households["hh_size"].sum())
    (True, True)
    """
    shape = default_shape(households, districts, strata, psus)
    rng = np.random.default_rng(seed)
    regions, design = _design(shape, rng)
    n = shape.households
    region = design["region"]
    urban = (regions["urban_rural"] == "perkotaan").to_numpy()[region]

    # -- size and head ------------------------------------------------------------------------------------------
    hh_size = _draw(rng, (0.07, 0.13, 0.19, 0.23, 0.17, 0.10, 0.05, 0.03, 0.02, 0.01), n) + 1  # mean ≈ 4.0
    hh_size = np.where(~urban & (hh_size < 10) & (rng.random(n) < 0.08), hh_size + 1, hh_size)  # rural a bit larger
    head_age = np.clip(np.round(rng.normal(46, 12.5, n) + np.where(hh_size == 1, 9, 0)), 20, 90).astype("int64")
    head_female = _bernoulli(rng, 0.10 + np.where(hh_size == 1, 0.30, 0) + np.where(head_age >= 60, 0.12, 0), n)
    elderly = head_age >= 65

    # -- welfare ------------------------------------------------------------------------------------------------
    z = (
        0.93 * rng.standard_normal(n)
        + np.where(urban, 0.25, -0.3)
        - 0.16 * (hh_size - 4)
        - 0.2 * head_female
        - 0.25 * elderly
    )
    log_ratio = LOG_MEAN + LOG_SD * _std_normal_mix((0.9, z), (0.44, rng.standard_normal(n)))
    exp_hh = np.round(POVERTY_LINE * np.exp(log_ratio) * hh_size, -2)
    exp_pc = np.round(exp_hh / hh_size, 2)

    # -- head's work --------------------------------------------------------------------------------------------
    not_working = _bernoulli(rng, _logistic(_logit(0.05) + 1.9 * elderly + 0.9 * head_female - 0.3 * z), n)
    # occupations after tidak_bekerja, in model order: shares, welfare gradient, extra weight in rural gampong
    base = np.array([0.10, 0.06, 0.14, 0.08, 0.02, 0.14, 0.14, 0.05, 0.09, 0.12, 0.06])
    slope = np.array([-0.3, -0.8, -0.7, -0.8, -0.6, 0.2, 0.0, -0.3, 1.0, 0.8, 0.0])
    rural_boost = np.array([0.8, 0.6, 0.3, 0.0, 0.4, -0.3, -0.2, 0.0, -0.3, -0.3, 0.0])
    logits = (
        np.log(base)[None, :] + slope[None, :] * z[:, None] + (~urban).astype("float64")[:, None] * rural_boost[None, :]
    )
    occupation = Coded(np.where(not_working, 0, _draw_rows(rng, np.exp(logits)) + 1), model.OCCUPATION)
    u = rng.random(n)
    ws = model.WORK_STATUS.index
    own_account = np.where(u < _logistic(-1.2 + 0.8 * z), ws("berusaha_dibantu_buruh"), ws("berusaha_sendiri"))
    work_status = Coded(
        np.select(
            [
                occupation.eq("tidak_bekerja"),
                occupation.isin(["pns_tni_polri", "karyawan_swasta"]),
                occupation.isin(["buruh_tani", "buruh_bangunan", "buruh_perkebunan"]),
                occupation.isin(["petani", "nelayan", "pedagang", "industri_rumahan"]),
            ],
            [
                ws("tidak_bekerja"),
                ws("buruh_karyawan"),
                np.where(u < 0.75, ws("pekerja_bebas"), ws("buruh_karyawan")),
                own_account,
            ],
            default=np.where(
                u < 0.4, ws("berusaha_sendiri"), np.where(u < 0.8, ws("buruh_karyawan"), ws("pekerja_bebas"))
            ),
        ),
        model.WORK_STATUS,
    )
    head_income = np.where(not_working, 0.0, np.round(exp_hh * 0.75 * rng.lognormal(0, 0.35, n), -3))

    # -- housing and services -----------------------------------------------------------------------------------
    def quality(noise: float = 0.75) -> np.ndarray:
        return _std_normal_mix((0.8, z), (noise, rng.standard_normal(n)))

    floor_material = _ordered(quality(), model.FLOOR, (3.5, 1.0, 4.0, 9.0, 36.0, 46.5))
    wall_material = _ordered(quality(), model.WALL, (1.5, 1.0, 6.0, 6.0, 12.0, 73.5))
    roof_material = _ordered(quality(1.2), model.ROOF, (2.0, 0.5, 80.0, 5.0, 7.0, 5.5))
    toilet = _ordered(quality(), ("tidak_ada", "umum", "bersama", "sendiri"), (5.0, 3.0, 9.0, 83.0))
    lighting = _ordered(quality(1.2), ("tidak_ada", "pelita", "listrik_non_pln", "listrik_pln"), (0.4, 0.8, 1.3, 97.5))
    water_order = (
        "sungai",
        "mata_air_tak_terlindung",
        "sumur_tak_terlindung",
        "air_hujan",
        "mata_air_terlindung",
        "sumur_terlindung",
        "sumur_bor",
        "ledeng",
        "air_kemasan",
    )
    water_source = _ordered(quality(1.0), water_order, (1.0, 2.0, 6.0, 2.0, 6.0, 18.0, 15.0, 20.0, 30.0))
    fetched = water_source.isin(["sungai", "mata_air_tak_terlindung", "mata_air_terlindung", "air_hujan"])
    water_minutes = np.where(fetched | (rng.random(n) < 0.05), np.round(rng.gamma(2.0, 12.0, n)), 0.0)
    fuel_order = ("kayu_bakar", "arang", "minyak_tanah", "gas", "listrik", "tidak_memasak")
    cooking_fuel = _ordered(quality(), fuel_order[:-1], (12.0, 0.5, 2.0, 83.0, 2.5))
    cooking_fuel = Coded(np.where((hh_size == 1) & (rng.random(n) < 0.2), 5, cooking_fuel.codes), fuel_order)
    ownership_p = np.column_stack(
        [
            np.where(urban, 0.72, 0.86),
            np.where(urban, 0.14, 0.04),
            np.full(n, 0.09),
            np.full(n, 0.03),
            np.full(n, 0.02),
        ]
    )
    house_ownership = Coded(_draw_rows(rng, ownership_p), model.OWNERSHIP)
    floor_area = np.round(np.clip(rng.lognormal(np.log(30 + 7 * hh_size) + 0.2 * z, 0.3), 9, 400))

    # -- consumption --------------------------------------------------------------------------------------------
    food = _std_normal_mix((0.8, z), (0.6, rng.standard_normal(n)))
    meat_milk = np.clip(np.round(2.6 + 1.6 * food), 0, 7)
    clothes = np.clip(np.round(1.8 + 1.0 * food + rng.normal(0, 0.4, n)), 0, 10)
    meals = np.where(food < -1.9, 1, np.where(food < -0.9, 2, 3))
    can_afford_clinic = _bernoulli(rng, _logistic(1.8 + 1.5 * z), n)

    # -- land, savings, assets ----------------------------------------------------------------------------------
    farming = occupation.isin(["petani", "buruh_perkebunan"])
    has_land = farming | (~urban & (rng.random(n) < 0.12))
    land_area = np.where(has_land, np.round(rng.lognormal(np.log(2500) + 0.4 * z, 0.8), -1), 0.0)
    has_savings = _bernoulli(rng, _logistic(0.4 + 1.5 * z), n)
    savings_value = np.where(has_savings, np.round(rng.lognormal(np.log(3_000_000) + 0.8 * z, 1.0), -3), 0.0)
    has_credit_access = _bernoulli(rng, _logistic(-0.9 + 0.7 * z), n)

    def owns(p_mean: float, gradient: float, extra: np.ndarray | float = 0.0) -> np.ndarray:
        return _bernoulli(rng, _logistic(_logit(p_mean) + gradient * z + extra), n)

    assets = {
        "asset_radio": owns(0.12, 0.3),
        "asset_tv": owns(0.88, 1.2),
        "asset_phone": owns(0.93, 1.3),
        "asset_computer": owns(0.15, 1.4),
        "asset_fridge": owns(0.62, 1.3),
        "asset_bicycle": owns(0.22, 0.2),
        "asset_motorcycle": owns(0.82, 1.1),
        "asset_car": owns(0.06, 1.3),
        "asset_boat": owns(0.02, 0.3, np.where(occupation.eq("nelayan"), 3.5, 0.0)),
        "asset_livestock": owns(0.08, 0.2, np.where(urban, -0.8, 0.8)),
    }
    internet_access = owns(0.7, 1.1, -0.04 * (head_age - 45))
    child_deaths = (rng.random(n) < _logistic(_logit(0.012) - 0.4 * z)).astype("int64")

    # -- registry: desil is a noisy rank of welfare (like a proxy-means test) ----------------------------------
    pmt = _std_normal_mix((0.85, z), (0.53, rng.standard_normal(n)))
    desil = np.clip(np.ceil(10 * ndtr(pmt - 0.25)), 1, 10).astype("int64")

    # -- persons ------------------------------------------------------------------------------------------------
    persons, member_of = _persons(rng, hh_size, head_age, head_female, not_working, z, urban)
    head_rows = np.flatnonzero(persons["person_no"] == 1)
    age = persons["age"]

    def any_member(mask: np.ndarray) -> np.ndarray:
        return np.bincount(member_of[mask], minlength=n) > 0

    has_pupil = any_member(persons["in_school"] & (age >= 6) & (age <= 21))
    pkh_eligible = any_member(age < 18) | any_member(age >= 70) | any_member(persons["disability"])
    bad_house = floor_material.isin(["tanah", "bambu"]) | wall_material.isin(["bambu", "rumbia", "kayu_murah"])

    def by_desil(rates: tuple[float, ...]) -> np.ndarray:
        return np.asarray(rates)[desil - 1]

    # receipt follows desil (PKH D1-4, BPNT ≤ D5, PBI D1-5: domain.md §2.4) with inclusion and exclusion errors
    pkh_p = by_desil((0.55, 0.45, 0.35, 0.25, 0.08, 0.05, 0.03, 0.02, 0.01, 0.01)) * np.where(pkh_eligible, 1.0, 0.25)
    recv_pkh = _bernoulli(rng, pkh_p, n)
    recv_bpnt = _bernoulli(rng, by_desil((0.65, 0.55, 0.45, 0.35, 0.22, 0.06, 0.04, 0.02, 0.01, 0.01)), n)
    recv_pbi = _bernoulli(rng, by_desil((0.85, 0.80, 0.70, 0.60, 0.50, 0.20, 0.15, 0.10, 0.08, 0.05)), n)
    recv_pip = has_pupil & _bernoulli(rng, by_desil((0.60, 0.50, 0.40, 0.30, 0.20, 0.05, 0.04, 0.03, 0.02, 0.01)), n)
    rtlh_p = np.where(bad_house, by_desil((0.2, 0.15, 0.1, 0.08, 0.05, 0.02, 0.01, 0.01, 0.0, 0.0)), 0.005)
    recv_rtlh = _bernoulli(rng, rtlh_p, n)

    # -- identifiers and personal columns (obviously synthetic) ---------------------------------------------------
    kab_int = regions["kab_code"].astype("int64").to_numpy()[region]
    seq = np.arange(1, n + 1, dtype="int64")
    hh_id = _text(kab_int * 10**7 + seq)  # kab code + 7-digit sequence
    kk_no = _text(kab_int * 10**12 + 98 * 10**10 + seq)  # "kecamatan" 98 exists nowhere: never a real KK
    address = _join(
        "Lorong Sampel ",
        _text(rng.integers(1, 40, n)),
        " No. ",
        _text(rng.integers(1, 120, n)),
        ", ",
        pa.array(regions["desa_name"].to_numpy(), type=pa.string()).take(pa.array(region)),
    )
    person_seq = np.arange(1, len(member_of) + 1, dtype="int64")
    nik = _text(kab_int[member_of] * 10**12 + 99 * 10**10 + person_seq)  # "kecamatan" 99: never a real NIK
    names = _names(rng, persons["female"])
    head_rows_pa = pa.array(head_rows)

    def region_col(col: str) -> Coded:
        return Coded(region, tuple(regions[col]))

    hh: dict[str, object] = {
        "hh_id": hh_id,
        "kk_no": kk_no,
        "head_nik": nik.take(head_rows_pa),
        "head_name": names.take(head_rows_pa),
        "address": address,
        **{col: region_col(col) for col in REGION_COLUMNS},
        "weight": design["weight"],
        "strata": design["strata"],
        "psu": design["psu"],
        "hh_size": hh_size,
        "exp_hh": exp_hh,
        "exp_pc": exp_pc,
        "head_sex": Coded(head_female.astype("int64"), model.SEX),
        "head_age": head_age,
        "head_educ": Coded(persons["educ_level"][head_rows], model.EDUCATION),
        "head_work_status": work_status,
        "head_occupation": occupation,
        "head_income": _blank(rng, head_income, 0.03),
        "floor_area": _blank(rng, floor_area, 0.02),
        "floor_material": floor_material,
        "wall_material": wall_material,
        "roof_material": roof_material,
        "toilet": toilet,
        "lighting": lighting,
        "water_source": _blank(rng, water_source, 0.005),
        "water_minutes": _blank(rng, water_minutes, 0.02),
        "cooking_fuel": cooking_fuel,
        "house_ownership": house_ownership,
        "meat_milk_per_week": _blank(rng, meat_milk, 0.01),
        "new_clothes_per_year": clothes,
        "meals_per_day": meals,
        "can_afford_clinic": _blank(rng, can_afford_clinic, 0.01),
        "land_area": land_area,
        "savings_value": _blank(rng, savings_value, 0.04),
        "has_credit_access": has_credit_access,
        **assets,
        "internet_access": _blank(rng, internet_access, 0.01),
        "child_deaths_5y": child_deaths,
        "desil": _blank(rng, desil, 0.01),
        "recv_pkh": recv_pkh,
        "recv_bpnt": recv_bpnt,
        "recv_pbi": recv_pbi,
        "recv_pip": recv_pip,
        "recv_rtlh": recv_rtlh,
    }
    person_columns: dict[str, object] = {
        "hh_id": hh_id.take(pa.array(member_of)),
        "person_no": persons["person_no"],
        "nik": nik,
        "name": names,
        "relation": Coded(persons["relation"], model.RELATION),
        "sex": Coded(persons["female"].astype("int64"), model.SEX),
        "age": age,
        "educ_level": Coded(persons["educ_level"], model.EDUCATION),
        "educ_years": persons["educ_years"],
        "in_school": persons["in_school"],
        "disability": persons["disability"],
        "chronic_illness": _blank(rng, persons["chronic_illness"], 0.01),
        "works": persons["works"],
        "undernourished": persons["undernourished"],
        "literate": _blank(rng, persons["literate"], 0.005),
    }
    households_frame = canonical_frame(hh, "household")
    persons_frame = canonical_frame(person_columns, "person")
    log.info("generated %d households and %d persons (seed %d)", n, len(persons_frame), seed)
    source = f"peka.sample(households={n}, seed={seed})"
    return Survey(
        households=households_frame,
        persons=persons_frame,
        sources={"household": source, "person": source},
        rows_read={"household": n, "person": len(persons_frame)},
    )


def _names(rng: np.random.Generator, female: np.ndarray) -> pa.Array:
    """Two-part names: a common Acehnese/Indonesian given name and an obviously synthetic second part."""
    m = len(female)
    first = np.where(
        female, len(MALE_NAMES) + rng.integers(0, len(FEMALE_NAMES), m), rng.integers(0, len(MALE_NAMES), m)
    )
    second = rng.integers(0, len(SECOND_NAMES), m)
    return _join(Coded(first, MALE_NAMES + FEMALE_NAMES).to_arrow(), " ", Coded(second, SECOND_NAMES).to_arrow())


def _persons(
    rng: np.random.Generator,
    hh_size: np.ndarray,
    head_age: np.ndarray,
    head_female: np.ndarray,
    head_not_working: np.ndarray,
    z: np.ndarray,
    urban: np.ndarray,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The member roster: ``hh_size`` rows per household, the head first. Returns person columns (categories as
    integer codes into the model's vocabularies, ``female`` as bool) and each person's household position."""
    n = len(hh_size)
    hh = np.repeat(np.arange(n), hh_size)
    m = len(hh)
    starts = np.concatenate([[0], np.cumsum(hh_size)[:-1]])
    person_no = np.arange(m) - np.repeat(starts, hh_size) + 1
    is_head = person_no == 1
    h_age = head_age[hh]
    h_female = head_female[hh]
    z_p = z[hh]
    rel = model.RELATION.index

    # Relation: the head, a spouse for most male heads (rarely for female heads), then children and others.
    has_spouse = (hh_size >= 2) & _bernoulli(rng, np.where(head_female, 0.08, 0.9), n)
    is_spouse = (person_no == 2) & has_spouse[hh]
    others = np.array([rel("anak"), rel("cucu"), rel("orang_tua"), rel("menantu"), rel("famili_lain"), rel("lainnya")])
    relation = others[_draw(rng, (0.80, 0.06, 0.04, 0.03, 0.05, 0.02), m)]
    relation = np.where((relation == rel("cucu")) & (h_age < 45), rel("anak"), relation)
    relation = np.where((relation == rel("orang_tua")) & (h_age > 60), rel("famili_lain"), relation)
    relation = np.where(is_head, rel("kepala"), np.where(is_spouse, rel("pasangan"), relation))

    female = np.where(is_head, h_female, np.where(is_spouse, ~h_female, rng.random(m) < 0.5))
    female = np.where(relation == rel("menantu"), rng.random(m) < 0.8, female)

    u = rng.random(m)
    age_by_relation = {
        "pasangan": h_age + np.where(h_female, 3, -4) + np.round(rng.normal(0, 3, m)),
        "anak": h_age - 18 - np.floor(u * 28),
        "cucu": np.floor(u * np.maximum(h_age - 42, 1)),
        "orang_tua": h_age + 22 + np.floor(u * 12),
        "menantu": h_age - 24 - np.floor(u * 8),
        "famili_lain": 5 + np.floor(u * 60),
        "lainnya": 15 + np.floor(u * 45),
    }
    age_f = h_age.astype("float64")
    for rel_name, values in age_by_relation.items():  # a loop over 7 relation codes, not over persons
        age_f = np.where(relation == rel(rel_name), values, age_f)
    adult_relation = (relation == rel("pasangan")) | (relation == rel("menantu"))
    age = np.clip(age_f, np.where(adult_relation, 17, 0), 98).astype("int64")

    # Education: a target attainment from household welfare, own noise and cohort (younger cohorts study longer);
    # people below the age of finishing it are still at school, and their level is what they completed so far.
    cohort = np.clip((45 - np.maximum(age, 20)) * 0.025, -0.9, 0.6) + np.where(age < 20, 0.55, 0.0)
    latent = _std_normal_mix((0.6, z_p), (0.8, rng.standard_normal(m))) + cohort + np.where(urban[hh], 0.15, -0.15)
    target = _ordered(latent, model.EDUCATION, (3.0, 9.0, 26.0, 20.0, 30.0, 5.0, 7.0)).codes
    level_years = np.array([0, -1, 6, 9, 12, 15, 16])  # years each level stands for; -1: tidak_tamat_sd, 1-5 drawn
    target_years = np.where(target == 1, rng.integers(1, 6, m), level_years[target])
    years = np.where(age >= 7, np.minimum(target_years, np.maximum(age - 7, 0)), 0)
    years = np.where(age >= 24, target_years, years)
    in_school = (age >= 7) & (age <= 24) & (years < target_years)
    # poorer teenagers leave school more often even when they would have gone on (ages 13-15)
    dropout = (age >= 13) & (age <= 15) & in_school & (rng.random(m) < _logistic(-3.6 - 0.8 * z_p))
    in_school &= ~dropout
    educ_level = np.select(
        [years == 0, years <= 5, years <= 8, years <= 11, years <= 14, years == 15],
        [0, 1, 2, 3, 4, np.where(target_years == 15, 5, 4)],  # 15 years: diploma done, or still at university
        default=6,
    )

    # Health: disability and chronic illness rise with age and a little with poverty.
    disability = rng.random(m) < (0.012 + 0.07 * (age >= 60) + 0.08 * (age >= 75) + 0.01 * (z_p < -1))
    disability = np.where(is_head & head_not_working[hh], rng.random(m) < 0.12, disability)
    chronic = rng.random(m) < (0.02 + 0.004 * np.maximum(age - 30, 0) + 0.02 * (z_p < -1))

    out_of_school_adult = (age >= 15) & ~in_school
    p_work = np.where(female, 0.5, 0.86) * np.where(age >= 65, 0.45, 1.0) * np.where(disability, 0.4, 1.0)
    works = np.where(out_of_school_adult, rng.random(m) < p_work, (age >= 10) & (rng.random(m) < 0.04))
    works = np.where(is_head, ~head_not_working[hh], works)

    measured = age < 5  # anthropometry is taken for under-fives only: missing for everyone else
    undernourished = pd.array(rng.random(m) < _logistic(_logit(0.2) - 0.6 * z_p), dtype="boolean")
    undernourished[~measured] = pd.NA
    literate = (years >= 3) | ((age >= 7) & (rng.random(m) < 0.2))

    columns = {
        "person_no": person_no,
        "relation": relation,
        "female": female,
        "age": age,
        "educ_level": educ_level,
        "educ_years": years,
        "in_school": in_school,
        "disability": disability,
        "chronic_illness": chronic,
        "works": works,
        "undernourished": undernourished,
        "literate": literate,
    }
    return columns, hh


# ---- canonical dtypes ----------------------------------------------------------------------------------------------


def canonical_frame(columns: dict[str, object], level: model.Level) -> pd.DataFrame:
    """Columns in model order with the canonical dtypes (id/str/category → str, int → Int64, float → float64,
    bool → boolean), plus ``_row`` = case number 1..n first."""
    spec = HOUSEHOLD_COLUMNS if level == "household" else PERSON_COLUMNS
    out: dict[str, object] = {}
    for name, col in spec.items():
        values = columns[name]
        if isinstance(values, Coded):
            values = values.to_arrow()
        if col.kind in ("id", "str", "category"):
            text = values if isinstance(values, pa.Array) else np.asarray(values, dtype=object)
            out[name] = pd.array(text, dtype="str")  # type: ignore[call-overload]
        elif col.kind == "int":
            out[name] = pd.array(np.asarray(values, dtype="float64").round(), dtype="Int64")
        elif col.kind == "float":
            out[name] = np.asarray(values, dtype="float64")
        else:
            out[name] = pd.array(values, dtype="boolean")  # type: ignore[call-overload]
    n = len(next(iter(out.values())))  # type: ignore[arg-type]
    return pd.DataFrame({ROW: np.arange(1, n + 1, dtype="int64"), **out})


# ---- writing the sample in source formats --------------------------------------------------------------------------

FORMATS = ("csv", "csv-id", "parquet", "xlsx", "sav", "dta")
FIXED_TIMESTAMP = datetime(2026, 1, 1)  # stamped into XLSX/SAV/DTA headers so the same seed gives the same bytes
# .sav: the sample declares these Susenas-style variables' 98/99 as user-missing ("tidak tahu"/"tidak menjawab") and
# codes the households whose answer is missing as 98, so readers must count user-missing codes.
SAV_USER_MISSING = {"R1901": "meat_milk_per_week", "R1810A": "water_source"}
USER_MISSING_LABELS: dict[int | float, str] = {98: "Tidak tahu", 99: "Tidak menjawab"}


def sample_files(formats: tuple[str, ...] | list[str]) -> list[str]:
    """The file names ``write_sample`` writes for these formats, in order."""
    names = {
        "csv": ["households.csv", "persons.csv"],
        "csv-id": ["households_id.csv"],
        "parquet": ["households.parquet", "persons.parquet"],
        "xlsx": ["p3ke_sabang.xlsx"],
        "sav": ["susenas_kor_rt.sav", "susenas_kor_ind.sav"],
        "dta": ["susenas_kor_rt.dta", "susenas_kor_ind.dta"],
    }
    return [name for fmt in formats for name in names[fmt]]


def parse_formats(text: str) -> tuple[str, ...]:
    """``"csv,parquet"`` → ``("csv", "parquet")``; UsageError naming an unknown format."""
    formats = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(
            f"--formats: unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}"
        )
    return formats


def check_formats(survey: Survey, formats: tuple[str, ...]) -> None:
    """Refuse, before anything is written, what a format cannot hold (an XLSX sheet has at most 1,048,575 rows)."""
    if "xlsx" in formats:
        rows = max(len(survey.households), len(survey.persons) if survey.persons is not None else 0)
        if rows + 1 > XLSX_MAX_ROWS:
            raise UsageError(
                f"--formats xlsx: the sample has {rows:,} rows in one sheet, an XLSX sheet holds at most "
                f"{XLSX_MAX_ROWS - 1:,}; use --formats csv or parquet for samples this large"
            )


def write_sample(survey: Survey, out_dir: str | Path, formats: tuple[str, ...] | list[str] = ("csv",)) -> list[Path]:
    """Write a generated survey into ``out_dir`` in the given formats (see ``FORMATS`` and ``sample_files``).

    The source formats are the canonical tables run backwards through the mapping presets
    (``peka.mapping.to_source``): ``xlsx`` = P3KE-style sheets ``Keluarga``/``Individu`` with Indonesian
    headers and text values; ``sav``/``dta`` = Susenas-style names with numeric codes, value labels and variable
    labels; ``csv-id`` = the households with ``;``, decimal commas and dot thousands, UTF-8 with BOM (Indonesian
    Excel). Every file is written atomically; the same survey gives byte-identical files.
    """
    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UsageError(f"unknown sample format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    check_formats(survey, formats)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; give a folder to write the sample into")
    out.mkdir(parents=True, exist_ok=True)
    households = survey.households.drop(columns=[ROW], errors="ignore")
    persons = survey.persons.drop(columns=[ROW], errors="ignore") if survey.persons is not None else None
    written: list[Path] = []
    for fmt in formats:
        if fmt == "csv":
            written.append(_write_csv(households, out / "households.csv"))
            if persons is not None:
                written.append(_write_csv(persons, out / "persons.csv"))
        elif fmt == "csv-id":
            written.append(_write_indonesian_csv(households, out / "households_id.csv"))
        elif fmt == "parquet":
            written.append(write_table(households, out / "households.parquet"))
            if persons is not None:
                written.append(write_table(persons, out / "persons.parquet"))
        elif fmt == "xlsx":
            written.append(_write_p3ke_xlsx(households, persons, out / "p3ke_sabang.xlsx"))
        else:
            written.extend(_write_susenas(households, persons, out, fmt))
        log.info("wrote %s sample files in %s", fmt, out)
    return written


def _indonesian_numbers(values: np.ndarray) -> pa.Array:
    """Numbers as Indonesian Excel shows them: ``1.250.000,5`` → text ``1.250.000,50`` (2 decimals kept only when
    not whole), missing → null. Built with array arithmetic, no per-value formatting."""
    missing = np.isnan(values)
    cents = np.round(np.abs(np.where(missing, 0.0, values)) * 100).astype("int64")
    whole, frac = cents // 100, cents % 100
    groups = [whole // 10**9, (whole // 10**6) % 1000, (whole // 1000) % 1000, whole % 1000]
    text: pa.Array = _text(groups[0])
    started = groups[0] > 0
    for group in groups[1:]:
        padded = pc.utf8_lpad(_text(group), 3, "0")
        text = pc.if_else(pa.array(started), _join(text, ".", padded), _text(group))
        started = started | (group > 0)
    fraction = pc.if_else(pa.array(frac > 0), _join(",", pc.utf8_lpad(_text(frac), 2, "0")), pa.scalar(""))
    sign = pc.if_else(pa.array(values < 0), pa.scalar("-"), pa.scalar(""))
    return pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), _join(sign, text, fraction))


def _write_csv(frame: pd.DataFrame, target: Path, *, sep: str = ",", bom: bool = False, quote: bool = True) -> Path:
    """CSV through pyarrow's writer (about ten times faster than ``DataFrame.to_csv`` at a million rows): UTF-8,
    text quoted (``quote=False``: nothing quoted, as Indonesian Excel writes ``;`` files — the synthetic text
    holds no ``;``, quote or line break), missing = empty, booleans ``true``/``false``."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        if bom:
            fh.write("\ufeff".encode("utf-8"))  # Excel on Windows reads UTF-8 only with a BOM
        if not quote:  # pyarrow quotes the header whatever the style: write it plainly
            fh.write((sep.join(frame.columns) + "\n").encode("utf-8"))
        options = pacsv.WriteOptions(delimiter=sep, quoting_style="needed" if quote else "none", include_header=quote)
        pacsv.write_csv(table, fh, write_options=options)
    return target


def _write_indonesian_csv(households: pd.DataFrame, target: Path) -> Path:
    columns = {
        name: pd.array(_indonesian_numbers(households[name].to_numpy()), dtype="str")
        if households[name].dtype == "float64"
        else households[name]
        for name in households.columns
    }
    return _write_csv(pd.DataFrame(columns), target, sep=";", bom=True, quote=False)


def _write_p3ke_xlsx(households: pd.DataFrame, persons: pd.DataFrame | None, target: Path) -> Path:
    mapping = load_mapping("p3ke")
    sheets = {mapping.household_sheet or "Keluarga": to_source(households, mapping, "household")}
    if persons is not None:
        sheets[mapping.person_sheet or "Individu"] = to_source(persons, mapping, "person")
    with atomic_path(target) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {**XLSX_OPTIONS, "constant_memory": False})
        book.set_properties({"created": FIXED_TIMESTAMP, "title": "Synthetic P3KE-style sample (peka)"})
        header = book.add_format({"bold": True})
        for name, frame in sheets.items():
            sheet = book.add_worksheet(name)
            sheet.write_row(0, 0, list(frame.columns), header)
            for j, col in enumerate(frame.columns):  # a loop over columns; xlsxwriter writes the cells
                values = frame[col].astype(object)
                sheet.write_column(1, j, values.where(values.notna(), None).tolist())  # ids are str: NIK stays text
            sheet.freeze_panes(1, 0)
        book.close()
    return target


def _write_susenas(households: pd.DataFrame, persons: pd.DataFrame | None, out: Path, fmt: str) -> list[Path]:
    mapping = load_mapping("susenas")
    written = []
    tables: tuple[tuple[model.Level, pd.DataFrame | None, str], ...] = (
        ("household", households, "susenas_kor_rt"),
        ("person", persons, "susenas_kor_ind"),
    )
    for level, frame, stem in tables:
        if frame is None:
            continue
        source = to_source(frame, mapping, level)
        labels: dict[str, dict[int | float, str]] = {
            col: {code: text for code, text in codes.items() if isinstance(code, (int, float))}
            for col, codes in source_value_labels(mapping, level).items()
        }
        canonical_of = {spec.sources[0]: name for name, spec in mapping.specs(level).items()}
        column_labels: dict[str, str | None] = {
            col: columns_for(level)[canonical_of[col]].description[:80] for col in source.columns
        }
        for col in source.columns:
            if source[col].dtype == "Int64" or source[col].dtype == "Int8":  # SPSS/Stata numbers are doubles
                source[col] = source[col].astype("float64")
            elif source[col].dtype == "str":  # pyreadstat iterates cells: Python strings are 3x faster than Arrow's
                source[col] = source[col].astype(object)
        target = out / f"{stem}.{fmt}"
        with atomic_path(target) as tmp:
            if fmt == "sav":
                missing_ranges: dict[str, list[Any]] = {}
                for col in SAV_USER_MISSING:
                    if col in source.columns:
                        source[col] = source[col].fillna(98.0)
                        labels[col] = {**labels.get(col, {}), **USER_MISSING_LABELS}
                        missing_ranges[col] = [98, 99]
                pyreadstat.write_sav(
                    source,
                    tmp,
                    file_label="Synthetic Susenas-style sample (peka)",
                    column_labels=column_labels,
                    variable_value_labels=labels,
                    missing_ranges=missing_ranges,
                    row_compress=True,
                )
            else:
                pyreadstat.write_dta(
                    source,
                    tmp,
                    file_label="Synthetic Susenas-style sample (peka)",
                    column_labels=column_labels,
                    variable_value_labels=labels,
                )
            _fix_timestamp(tmp, fmt)
        written.append(target)
    return written


def _fix_timestamp(path: Path, fmt: str) -> None:
    """Overwrite the creation time ReadStat writes into a .sav/.dta header with FIXED_TIMESTAMP, so that the same
    sample gives byte-identical files (a committed sample does not change when regenerated)."""
    data = bytearray(path.read_bytes())
    if fmt == "sav":  # header: creation date (9 bytes "dd Mon yy") at offset 92, time (8 bytes "hh:mm:ss") at 101
        stamp = FIXED_TIMESTAMP.strftime("%d %b %y").encode("ascii") + FIXED_TIMESTAMP.strftime("%H:%M:%S").encode(
            "ascii"
        )
        data[92:109] = stamp
    else:  # <timestamp> + 1 length byte + "dd Mon yyyy hh:mm"
        start = data.find(b"<timestamp>") + len(b"<timestamp>")
        length = data[start]
        data[start + 1 : start + 1 + length] = FIXED_TIMESTAMP.strftime("%d %b %Y %H:%M").encode("ascii")[:length]
    path.write_bytes(bytes(data))
