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
* The design (regions, strata, PSUs, weights) is drawn first, by ``peka.sample.design``.

Personal columns (NIK, No KK, names, addresses) are obviously synthetic: NIK and No KK use the kecamatan digits
``99``/``98``, which no real kecamatan of the district has, and addresses are ``Lorong Sampel``.

>>> survey = generate(200, seed=1)
>>> len(survey.households), int(survey.households["hh_size"].sum()) == len(survey.persons)
(200, True)
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.special import ndtr

from peka.sample.design import default_shape, draw_design
from peka.sample.draw import (
    Coded,
    bernoulli,
    blank,
    draw,
    draw_rows,
    int_text,
    join_text,
    logistic,
    logit,
    ordered,
    std_normal_mix,
)
from peka.schema import model
from peka.schema.model import HOUSEHOLD_COLUMNS, PERSON_COLUMNS, REGION_COLUMNS, ROW, Survey

log = logging.getLogger(__name__)

# Poverty lines the expenditure distribution is drawn around (Rp/capita/month). Only used to shape the synthetic
# data; classification takes its lines from the configuration presets.
POVERTY_LINE = 676_247.0  # Aceh, March 2025 (domain.md §1.3)
# log(expenditure / line) ~ N(LOG_MEAN, LOG_SD) (before the small effects of region and household make-up):
# Φ(-0.546/0.506) ≈ 14% poor, Φ((ln 1.5 - 0.546)/0.506) - 14% ≈ 25% rentan miskin.
LOG_MEAN = 0.546
LOG_SD = 0.506

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
    regions, design = draw_design(shape, rng)
    n = shape.households
    region = design["region"]
    urban = (regions["urban_rural"] == "perkotaan").to_numpy()[region]

    # -- size and head ------------------------------------------------------------------------------------------
    hh_size = draw(rng, (0.07, 0.13, 0.19, 0.23, 0.17, 0.10, 0.05, 0.03, 0.02, 0.01), n) + 1  # mean ≈ 4.0
    hh_size = np.where(~urban & (hh_size < 10) & (rng.random(n) < 0.08), hh_size + 1, hh_size)  # rural a bit larger
    head_age = np.clip(np.round(rng.normal(46, 12.5, n) + np.where(hh_size == 1, 9, 0)), 20, 90).astype("int64")
    head_female = bernoulli(rng, 0.10 + np.where(hh_size == 1, 0.30, 0) + np.where(head_age >= 60, 0.12, 0), n)
    elderly = head_age >= 65

    # -- welfare ------------------------------------------------------------------------------------------------
    z = (
        0.93 * rng.standard_normal(n)
        + np.where(urban, 0.25, -0.3)
        - 0.16 * (hh_size - 4)
        - 0.2 * head_female
        - 0.25 * elderly
    )
    log_ratio = LOG_MEAN + LOG_SD * std_normal_mix((0.9, z), (0.44, rng.standard_normal(n)))
    exp_hh = np.round(POVERTY_LINE * np.exp(log_ratio) * hh_size, -2)
    exp_pc = np.round(exp_hh / hh_size, 2)

    # -- head's work --------------------------------------------------------------------------------------------
    not_working = bernoulli(rng, logistic(logit(0.05) + 1.9 * elderly + 0.9 * head_female - 0.3 * z), n)
    # occupations after tidak_bekerja, in model order: shares, welfare gradient, extra weight in rural gampong
    base = np.array([0.10, 0.06, 0.14, 0.08, 0.02, 0.14, 0.14, 0.05, 0.09, 0.12, 0.06])
    slope = np.array([-0.3, -0.8, -0.7, -0.8, -0.6, 0.2, 0.0, -0.3, 1.0, 0.8, 0.0])
    rural_boost = np.array([0.8, 0.6, 0.3, 0.0, 0.4, -0.3, -0.2, 0.0, -0.3, -0.3, 0.0])
    logits = (
        np.log(base)[None, :] + slope[None, :] * z[:, None] + (~urban).astype("float64")[:, None] * rural_boost[None, :]
    )
    occupation = Coded(np.where(not_working, 0, draw_rows(rng, np.exp(logits)) + 1), model.OCCUPATION)
    u = rng.random(n)
    ws = model.WORK_STATUS.index
    own_account = np.where(u < logistic(-1.2 + 0.8 * z), ws("berusaha_dibantu_buruh"), ws("berusaha_sendiri"))
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
        return std_normal_mix((0.8, z), (noise, rng.standard_normal(n)))

    floor_material = ordered(quality(), model.FLOOR, (3.5, 1.0, 4.0, 9.0, 36.0, 46.5))
    wall_material = ordered(quality(), model.WALL, (1.5, 1.0, 6.0, 6.0, 12.0, 73.5))
    roof_material = ordered(quality(1.2), model.ROOF, (2.0, 0.5, 80.0, 5.0, 7.0, 5.5))
    toilet = ordered(quality(), ("tidak_ada", "umum", "bersama", "sendiri"), (5.0, 3.0, 9.0, 83.0))
    lighting = ordered(quality(1.2), ("tidak_ada", "pelita", "listrik_non_pln", "listrik_pln"), (0.4, 0.8, 1.3, 97.5))
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
    water_source = ordered(quality(1.0), water_order, (1.0, 2.0, 6.0, 2.0, 6.0, 18.0, 15.0, 20.0, 30.0))
    fetched = water_source.isin(["sungai", "mata_air_tak_terlindung", "mata_air_terlindung", "air_hujan"])
    water_minutes = np.where(fetched | (rng.random(n) < 0.05), np.round(rng.gamma(2.0, 12.0, n)), 0.0)
    fuel_order = ("kayu_bakar", "arang", "minyak_tanah", "gas", "listrik", "tidak_memasak")
    cooking_fuel = ordered(quality(), fuel_order[:-1], (12.0, 0.5, 2.0, 83.0, 2.5))
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
    house_ownership = Coded(draw_rows(rng, ownership_p), model.OWNERSHIP)
    floor_area = np.round(np.clip(rng.lognormal(np.log(30 + 7 * hh_size) + 0.2 * z, 0.3), 9, 400))

    # -- consumption --------------------------------------------------------------------------------------------
    food = std_normal_mix((0.8, z), (0.6, rng.standard_normal(n)))
    meat_milk = np.clip(np.round(2.6 + 1.6 * food), 0, 7)
    clothes = np.clip(np.round(1.8 + 1.0 * food + rng.normal(0, 0.4, n)), 0, 10)
    meals = np.where(food < -1.9, 1, np.where(food < -0.9, 2, 3))
    can_afford_clinic = bernoulli(rng, logistic(1.8 + 1.5 * z), n)

    # -- land, savings, assets ----------------------------------------------------------------------------------
    farming = occupation.isin(["petani", "buruh_perkebunan"])
    has_land = farming | (~urban & (rng.random(n) < 0.12))
    land_area = np.where(has_land, np.round(rng.lognormal(np.log(2500) + 0.4 * z, 0.8), -1), 0.0)
    has_savings = bernoulli(rng, logistic(0.4 + 1.5 * z), n)
    savings_value = np.where(has_savings, np.round(rng.lognormal(np.log(3_000_000) + 0.8 * z, 1.0), -3), 0.0)
    has_credit_access = bernoulli(rng, logistic(-0.9 + 0.7 * z), n)

    def owns(p_mean: float, gradient: float, extra: np.ndarray | float = 0.0) -> np.ndarray:
        return bernoulli(rng, logistic(logit(p_mean) + gradient * z + extra), n)

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
    child_deaths = (rng.random(n) < logistic(logit(0.012) - 0.4 * z)).astype("int64")

    # -- registry: desil is a noisy rank of welfare (like a proxy-means test) ----------------------------------
    pmt = std_normal_mix((0.85, z), (0.53, rng.standard_normal(n)))
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
    recv_pkh = bernoulli(rng, pkh_p, n)
    recv_bpnt = bernoulli(rng, by_desil((0.65, 0.55, 0.45, 0.35, 0.22, 0.06, 0.04, 0.02, 0.01, 0.01)), n)
    recv_pbi = bernoulli(rng, by_desil((0.85, 0.80, 0.70, 0.60, 0.50, 0.20, 0.15, 0.10, 0.08, 0.05)), n)
    recv_pip = has_pupil & bernoulli(rng, by_desil((0.60, 0.50, 0.40, 0.30, 0.20, 0.05, 0.04, 0.03, 0.02, 0.01)), n)
    rtlh_p = np.where(bad_house, by_desil((0.2, 0.15, 0.1, 0.08, 0.05, 0.02, 0.01, 0.01, 0.0, 0.0)), 0.005)
    recv_rtlh = bernoulli(rng, rtlh_p, n)

    # -- identifiers and personal columns (obviously synthetic) ---------------------------------------------------
    kab_int = regions["kab_code"].astype("int64").to_numpy()[region]
    seq = np.arange(1, n + 1, dtype="int64")
    hh_id = int_text(kab_int * 10**7 + seq)  # kab code + 7-digit sequence
    kk_no = int_text(kab_int * 10**12 + 98 * 10**10 + seq)  # "kecamatan" 98 exists nowhere: never a real KK
    address = join_text(
        "Lorong Sampel ",
        int_text(rng.integers(1, 40, n)),
        " No. ",
        int_text(rng.integers(1, 120, n)),
        ", ",
        pa.array(regions["desa_name"].to_numpy(), type=pa.string()).take(pa.array(region)),
    )
    person_seq = np.arange(1, len(member_of) + 1, dtype="int64")
    nik = int_text(kab_int[member_of] * 10**12 + 99 * 10**10 + person_seq)  # "kecamatan" 99: never a real NIK
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
        "head_income": blank(rng, head_income, 0.03),
        "floor_area": blank(rng, floor_area, 0.02),
        "floor_material": floor_material,
        "wall_material": wall_material,
        "roof_material": roof_material,
        "toilet": toilet,
        "lighting": lighting,
        "water_source": blank(rng, water_source, 0.005),
        "water_minutes": blank(rng, water_minutes, 0.02),
        "cooking_fuel": cooking_fuel,
        "house_ownership": house_ownership,
        "meat_milk_per_week": blank(rng, meat_milk, 0.01),
        "new_clothes_per_year": clothes,
        "meals_per_day": meals,
        "can_afford_clinic": blank(rng, can_afford_clinic, 0.01),
        "land_area": land_area,
        "savings_value": blank(rng, savings_value, 0.04),
        "has_credit_access": has_credit_access,
        **assets,
        "internet_access": blank(rng, internet_access, 0.01),
        "child_deaths_5y": child_deaths,
        "desil": blank(rng, desil, 0.01),
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
        "chronic_illness": blank(rng, persons["chronic_illness"], 0.01),
        "works": persons["works"],
        "undernourished": persons["undernourished"],
        "literate": blank(rng, persons["literate"], 0.005),
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
    return join_text(Coded(first, MALE_NAMES + FEMALE_NAMES).to_arrow(), " ", Coded(second, SECOND_NAMES).to_arrow())


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
    has_spouse = (hh_size >= 2) & bernoulli(rng, np.where(head_female, 0.08, 0.9), n)
    is_spouse = (person_no == 2) & has_spouse[hh]
    others = np.array([rel("anak"), rel("cucu"), rel("orang_tua"), rel("menantu"), rel("famili_lain"), rel("lainnya")])
    relation = others[draw(rng, (0.80, 0.06, 0.04, 0.03, 0.05, 0.02), m)]
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
    latent = std_normal_mix((0.6, z_p), (0.8, rng.standard_normal(m))) + cohort + np.where(urban[hh], 0.15, -0.15)
    target = ordered(latent, model.EDUCATION, (3.0, 9.0, 26.0, 20.0, 30.0, 5.0, 7.0)).codes
    level_years = np.array([0, -1, 6, 9, 12, 15, 16])  # years each level stands for; -1: tidak_tamat_sd, 1-5 drawn
    target_years = np.where(target == 1, rng.integers(1, 6, m), level_years[target])
    years = np.where(age >= 7, np.minimum(target_years, np.maximum(age - 7, 0)), 0)
    years = np.where(age >= 24, target_years, years)
    in_school = (age >= 7) & (age <= 24) & (years < target_years)
    # poorer teenagers leave school more often even when they would have gone on (ages 13-15)
    dropout = (age >= 13) & (age <= 15) & in_school & (rng.random(m) < logistic(-3.6 - 0.8 * z_p))
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
    undernourished = pd.array(rng.random(m) < logistic(logit(0.2) - 0.6 * z_p), dtype="boolean")
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
