"""The built-in poverty lines resolve as docs/config.md says: the most specific published line of the chosen period.
Expected values are the published figures as quoted in the sources named in presets/lines/aceh.toml."""

from __future__ import annotations

import pandas as pd

from peka.config import load_config
from peka.config.lines import resolve_lines

HOUSEHOLDS = pd.DataFrame(
    {
        "prov_code": ["11", "11", "11", "11", "11", "11"],
        "kab_code": ["1172", "1172", "1110", "11.73", "1172", "1174"],
        "urban_rural": ["perkotaan", "perdesaan", "perdesaan", "perkotaan", None, "perkotaan"],
    }
)


def lines_of(period: str) -> tuple[list[float], list[str]]:
    value, ident = resolve_lines(HOUSEHOLDS, load_config(overrides=[f"lines.period={period}"]).lines)
    return value.tolist(), ident.tolist()


def test_september_2024_uses_the_aceh_urban_and_rural_lines():
    # no kab/kota line exists for a September period; Aceh's urban/rural lines (Rp704,200 / Rp654,687) apply by
    # village class, and a household without urban_rural gets the province line (Rp665,855)
    value, ident = lines_of("2024-09")
    assert value == [704_200, 654_687, 654_687, 704_200, 665_855, 704_200]
    assert ident[:2] == ["2024-09/prov:11/perkotaan", "2024-09/prov:11/perdesaan"]
    assert ident[4] == "2024-09/prov:11"


def test_march_2024_uses_a_kab_kota_line_where_one_is_published():
    # Bireuen (1110) Rp494,866 and Langsa (1173, written Kemendagri-style "11.73") Rp546,363; Sabang and
    # Lhokseumawe have no 2024 line here → Aceh's March 2024 line, Rp661,227 (no urban/rural line for March 2024)
    value, ident = lines_of("2024-03")
    assert value == [661_227, 661_227, 494_866, 546_363, 661_227, 661_227]
    assert ident[2:4] == ["2024-03/kab:1110", "2024-03/kab:1173"]


def test_default_period_2025_03_gives_sabang_the_aceh_line():
    # no Sabang and no Aceh urban/rural line of March 2025 was found: every Sabang household gets Rp676,247
    assert load_config().lines.period == "2025-03"
    value, ident = lines_of("2025-03")
    assert value == [676_247] * 6 and set(ident) == {"2025-03/prov:11"}
