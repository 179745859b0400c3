"""The canonical data model: every column peka knows, its type, its allowed values and whether it is personal data.

This module is the single contract between readers, mappings, validation, the sample generator, classify and
profile. Category codes are short lowercase Indonesian tokens (``tanah``, ``listrik_pln``) because the data and
the rules analysts write are Indonesian; display labels in Indonesian and English live in ``peka.present.labels``.

A household table has one row per household (key ``hh_id``); an optional person table has one row per member
(key ``hh_id`` + ``person_no``). Every table read by peka also carries ``_row``: the user's own row number
(file line for CSV/XLSX, case number for SPSS/Stata/SAS/Parquet), used in every message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

Kind = Literal["id", "str", "int", "float", "bool", "category"]
Level = Literal["household", "person"]

ROW = "_row"  # the user's row number, carried through every step


@dataclass(frozen=True)
class Column:
    name: str
    level: Level
    kind: Kind
    group: str
    description: str
    categories: tuple[str, ...] = ()
    ordered: bool = False  # categories listed from lowest to highest
    min: float | None = None
    max: float | None = None
    personal: bool = False  # NIK, names, addresses: never in logs or messages, masked in exports
    unit: str = ""
    required: bool = False


# ---- category vocabularies -------------------------------------------------------------------------------------

URBAN_RURAL = ("perkotaan", "perdesaan")
SEX = ("l", "p")  # laki-laki, perempuan
EDUCATION = (  # highest level completed, ordered
    "tidak_sekolah",
    "tidak_tamat_sd",
    "sd",
    "smp",
    "sma",
    "diploma",
    "sarjana",
)
WORK_STATUS = (  # BPS status pekerjaan utama, condensed
    "tidak_bekerja",
    "berusaha_sendiri",
    "berusaha_dibantu_buruh",
    "buruh_karyawan",
    "pekerja_bebas",
    "pekerja_keluarga",
)
OCCUPATION = (  # main livelihood of the head (BPS-14 criterion 12 names several)
    "tidak_bekerja",
    "petani",
    "buruh_tani",
    "nelayan",
    "buruh_bangunan",
    "buruh_perkebunan",
    "pedagang",
    "jasa",
    "industri_rumahan",
    "pns_tni_polri",
    "karyawan_swasta",
    "lainnya",
)
FLOOR = ("tanah", "bambu", "kayu_murah", "kayu", "semen", "keramik")
WALL = ("bambu", "rumbia", "kayu_murah", "tembok_tanpa_plester", "kayu", "tembok")
ROOF = ("rumbia", "ijuk", "seng", "asbes", "genteng", "beton")
TOILET = ("sendiri", "bersama", "umum", "tidak_ada")  # BAB facility: own, shared, public, none
LIGHTING = ("listrik_pln", "listrik_non_pln", "pelita", "tidak_ada")
WATER = (
    "ledeng",
    "air_kemasan",
    "sumur_bor",
    "sumur_terlindung",
    "sumur_tak_terlindung",
    "mata_air_terlindung",
    "mata_air_tak_terlindung",
    "sungai",
    "air_hujan",
)
COOKING_FUEL = ("listrik", "gas", "minyak_tanah", "arang", "kayu_bakar", "tidak_memasak")
OWNERSHIP = ("milik_sendiri", "sewa", "bebas_sewa", "dinas", "lainnya")
RELATION = ("kepala", "pasangan", "anak", "menantu", "cucu", "orang_tua", "famili_lain", "lainnya")


def _c(name: str, level: Level, kind: Kind, group: str, description: str, **kw: object) -> Column:
    return Column(name, level, kind, group, description, **kw)  # type: ignore[arg-type]


H: Level = "household"
P: Level = "person"

COLUMNS: tuple[Column, ...] = (
    # ids
    _c("hh_id", H, "id", "ids", "Household (family) identifier, unique in the file", required=True),
    _c("kk_no", H, "id", "ids", "Nomor Kartu Keluarga (16 digits)", personal=True),
    _c("head_nik", H, "id", "ids", "NIK of the household head (16 digits)", personal=True),
    _c("head_name", H, "str", "ids", "Name of the household head", personal=True),
    _c("address", H, "str", "ids", "Street address", personal=True),
    # region
    _c("prov_code", H, "id", "region", "Province code (BPS/Kemendagri)"),
    _c("prov_name", H, "str", "region", "Province name"),
    _c("kab_code", H, "id", "region", "Kabupaten/kota code"),
    _c("kab_name", H, "str", "region", "Kabupaten/kota name"),
    _c("kec_code", H, "id", "region", "Kecamatan code"),
    _c("kec_name", H, "str", "region", "Kecamatan name"),
    _c("desa_code", H, "id", "region", "Desa/kelurahan/gampong code"),
    _c("desa_name", H, "str", "region", "Desa/kelurahan/gampong name"),
    _c("urban_rural", H, "category", "region", "Perkotaan or perdesaan", categories=URBAN_RURAL),
    # design
    _c("weight", H, "float", "design", "Household survey weight (households represented)", min=0.0),
    _c("strata", H, "id", "design", "Sampling stratum"),
    _c("psu", H, "id", "design", "Primary sampling unit (census block), read within its stratum"),
    # size and welfare
    _c("hh_size", H, "int", "welfare", "Number of household members", min=1, max=40, required=True),
    _c("exp_hh", H, "float", "welfare", "Monthly household expenditure", min=0, unit="Rp/month"),
    _c("exp_pc", H, "float", "welfare", "Monthly per-capita expenditure", min=0, unit="Rp/capita/month"),
    # head
    _c("head_sex", H, "category", "head", "Sex of the head", categories=SEX),
    _c("head_age", H, "int", "head", "Age of the head in years", min=10, max=120, unit="years"),
    _c("head_educ", H, "category", "head", "Highest education of the head", categories=EDUCATION, ordered=True),
    _c("head_work_status", H, "category", "head", "Work status of the head", categories=WORK_STATUS),
    _c("head_occupation", H, "category", "head", "Main livelihood of the head", categories=OCCUPATION),
    _c("head_income", H, "float", "head", "Monthly income of the head", min=0, unit="Rp/month"),
    # housing and services
    _c("floor_area", H, "float", "housing", "Floor area of the dwelling", min=0, max=5000, unit="m2"),
    _c("floor_material", H, "category", "housing", "Main floor material", categories=FLOOR),
    _c("wall_material", H, "category", "housing", "Main wall material", categories=WALL),
    _c("roof_material", H, "category", "housing", "Main roof material", categories=ROOF),
    _c("toilet", H, "category", "housing", "Toilet (BAB) facility", categories=TOILET),
    _c("lighting", H, "category", "housing", "Main source of lighting", categories=LIGHTING),
    _c("water_source", H, "category", "housing", "Main source of drinking water", categories=WATER),
    _c("water_minutes", H, "float", "housing", "Round trip to fetch drinking water", min=0, max=1440, unit="minutes"),
    _c("cooking_fuel", H, "category", "housing", "Main cooking fuel", categories=COOKING_FUEL),
    _c("house_ownership", H, "category", "housing", "Ownership of the dwelling", categories=OWNERSHIP),
    # consumption
    _c("meat_milk_per_week", H, "int", "consumption", "Days a week meat, chicken or milk is eaten", min=0, max=7),
    _c("new_clothes_per_year", H, "int", "consumption", "Sets of new clothes bought per member a year", min=0, max=50),
    _c("meals_per_day", H, "int", "consumption", "Meals a day", min=0, max=6),
    _c("can_afford_clinic", H, "bool", "consumption", "Can pay for treatment at a puskesmas or clinic"),
    # land, savings and assets
    _c("land_area", H, "float", "assets", "Agricultural land used by the household", min=0, unit="m2"),
    _c("savings_value", H, "float", "assets", "Savings or easily sold goods", min=0, unit="Rp"),
    _c("has_credit_access", H, "bool", "assets", "Has had a loan from a bank, cooperative or LKBB"),
    _c("asset_radio", H, "bool", "assets", "Owns a radio"),
    _c("asset_tv", H, "bool", "assets", "Owns a television"),
    _c("asset_phone", H, "bool", "assets", "Owns a telephone or mobile phone"),
    _c("asset_computer", H, "bool", "assets", "Owns a computer or laptop"),
    _c("asset_fridge", H, "bool", "assets", "Owns a refrigerator"),
    _c("asset_bicycle", H, "bool", "assets", "Owns a bicycle"),
    _c("asset_motorcycle", H, "bool", "assets", "Owns a motorcycle"),
    _c("asset_car", H, "bool", "assets", "Owns a car or truck"),
    _c("asset_boat", H, "bool", "assets", "Owns a motor boat"),
    _c("asset_livestock", H, "bool", "assets", "Owns livestock worth selling"),
    _c("internet_access", H, "bool", "assets", "A member used the internet in the last 3 months"),
    # health of the household
    _c("child_deaths_5y", H, "int", "health", "Children under 18 who died in the 5 years before the survey", min=0, max=20),
    # registry
    _c("desil", H, "int", "registry", "DTSEN/P3KE welfare decile given as input (never recomputed)", min=1, max=10),
    _c("recv_pkh", H, "bool", "registry", "Receives PKH"),
    _c("recv_bpnt", H, "bool", "registry", "Receives BPNT/Sembako"),
    _c("recv_pbi", H, "bool", "registry", "Covered by PBI-JK"),
    _c("recv_pip", H, "bool", "registry", "A member receives KIP/PIP"),
    _c("recv_rtlh", H, "bool", "registry", "Received RTLH/BSPS housing aid"),
    # persons
    _c("hh_id", P, "id", "ids", "Household identifier (links to the household table)", required=True),
    _c("person_no", P, "int", "ids", "Member number within the household", min=1, max=99, required=True),
    _c("nik", P, "id", "ids", "NIK (16 digits)", personal=True),
    _c("name", P, "str", "ids", "Name", personal=True),
    _c("relation", P, "category", "person", "Relation to the head", categories=RELATION),
    _c("sex", P, "category", "person", "Sex", categories=SEX),
    _c("age", P, "int", "person", "Age in completed years", min=0, max=120, unit="years"),
    _c("educ_level", P, "category", "person", "Highest education completed", categories=EDUCATION, ordered=True),
    _c("educ_years", P, "int", "person", "Years of schooling completed", min=0, max=25, unit="years"),
    _c("in_school", P, "bool", "person", "Currently attends school"),
    _c("disability", P, "bool", "person", "Has a severe functional difficulty (disability)"),
    _c("chronic_illness", P, "bool", "person", "Has a chronic illness"),
    _c("works", P, "bool", "person", "Worked in the last week"),
    _c("undernourished", P, "bool", "person", "Undernourished (anthropometry), where measured"),
    _c("literate", P, "bool", "person", "Can read and write"),
)

HOUSEHOLD_COLUMNS: dict[str, Column] = {c.name: c for c in COLUMNS if c.level == "household"}
PERSON_COLUMNS: dict[str, Column] = {c.name: c for c in COLUMNS if c.level == "person"}
PERSONAL_COLUMNS: frozenset[str] = frozenset(c.name for c in COLUMNS if c.personal)
REGION_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.group == "region")  # prov_code … urban_rural
DESIGN_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.group == "design")  # weight, strata, psu


def columns_for(level: Level) -> dict[str, Column]:
    return HOUSEHOLD_COLUMNS if level == "household" else PERSON_COLUMNS


@dataclass
class Survey:
    """A household table and an optional person table in the canonical model, with what the reader learnt.

    ``households`` and ``persons`` hold canonical columns (plus any unmapped source columns the mapping keeps)
    and ``_row``. ``sources`` names the file each table came from (for messages). ``user_missing`` counts SPSS/Stata
    user-missing codes per (table, column, code). ``value_labels`` keeps source value labels per source column.
    """

    households: pd.DataFrame
    persons: pd.DataFrame | None = None
    sources: dict[str, str] = field(default_factory=dict)  # {"household": path, "person": path}
    user_missing: list[dict[str, object]] = field(default_factory=list)
    value_labels: dict[str, dict[str, dict[object, str]]] = field(default_factory=dict)
    rows_read: dict[str, int] = field(default_factory=dict)  # {"household": n, "person": n}: rows in the files
    findings: list[Finding] = field(default_factory=list)  # conversion problems found while reading/mapping
    # the mapping's own columns kept beside the canonical ones ([household.extra]): level → name → Column
    extra_columns: dict[str, dict[str, Column]] = field(default_factory=dict)
    # a chunk of bigger files (the stream engine): a table with no rows here is no error, the files have rows
    # (the stream engine refuses a file without any, as the readers do)
    chunk_of_files: bool = False


from peka.schema.findings import Finding

if TYPE_CHECKING:  # annotations only: reading the schema (and `peka --help`) does not import pandas
    import pandas as pd
