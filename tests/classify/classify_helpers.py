"""Helpers to build tiny canonical tables for classification tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from peka.schema.model import Survey, columns_for

DTYPES = {"bool": "boolean", "int": "Int64", "float": "float64", "category": "str", "str": "str", "id": "str"}

# A household that meets none of the 14 BPS criteria and no MPI deprivation of the Indonesia preset
NOT_POOR: dict[str, object] = {
    "prov_code": "11", "kab_code": "1172", "urban_rural": "perkotaan", "weight": 1.0,
    "hh_size": 4, "exp_pc": 1_000_000.0, "floor_area": 100.0, "floor_material": "keramik",
    "wall_material": "tembok", "roof_material": "genteng", "toilet": "sendiri", "lighting": "listrik_pln",
    "water_source": "ledeng", "water_minutes": 5.0, "cooking_fuel": "gas", "meat_milk_per_week": 3,
    "new_clothes_per_year": 2, "meals_per_day": 3, "can_afford_clinic": True, "head_occupation": "pns_tni_polri",
    "head_work_status": "buruh_karyawan", "head_income": 5_000_000.0, "land_area": 0.0, "head_educ": "sma",
    "head_sex": "l", "head_age": 45, "savings_value": 1_000_000.0, "has_credit_access": True, "recv_pbi": False,
    "asset_radio": True, "asset_tv": True, "asset_phone": True, "asset_computer": False, "asset_fridge": True,
    "asset_bicycle": False, "asset_motorcycle": True, "asset_car": False, "internet_access": True,
    "child_deaths_5y": 0,
}  # fmt: skip


def frame(rows: Sequence[Mapping[str, object]], level: str = "household") -> pd.DataFrame:
    """A canonical table from row dicts (columns typed by the model, ``_row`` numbered from 2 like a CSV)."""
    model = columns_for(level)  # type: ignore[arg-type]
    df = pd.DataFrame(list(rows))
    for name in df.columns:
        if name in model:
            df[name] = df[name].astype(DTYPES[model[name].kind])
    df.insert(0, "_row", range(2, len(df) + 2))
    if level == "household" and "hh_id" not in df:
        df.insert(1, "hh_id", [f"h{i}" for i in range(len(df))])
    return df


def households(*changes: Mapping[str, object], base: Mapping[str, object] = NOT_POOR) -> pd.DataFrame:
    """One household per mapping of changes applied to ``base``."""
    return frame([{**base, **change} for change in changes])


def survey(hh: pd.DataFrame, persons: Sequence[Mapping[str, object]] | None = None) -> Survey:
    return Survey(households=hh, persons=frame(persons, "person") if persons is not None else None)
