"""peka.toml loading: presets, merging, and every kind of bad config → ConfigError naming the key (exit 4)."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peka.cli.app import app
from peka.config import load_config
from peka.config.show import init_text, render_config
from peka.errors import ConfigError, ExitCode, RuleError


def write(tmp_path, text, name="peka.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path, text) -> ConfigError:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)  # the message names the file
    return info.value


def test_builtin_presets():
    config = load_config()
    assert config.lines.period == "2025-03"
    assert [c.below for c in config.levels.classes] == [1.0, 1.5, 3.5, 17.0, None]
    assert config.bps14.cutoff == 9 and len(config.bps14.criteria) == 14
    assert len(config.causes.catalogue) >= 14
    global_ = load_config(overrides=["mpi.preset=global"]).mpi
    assert len(global_.active) == 10 and global_.k == pytest.approx(1 / 3)
    # OPHI nested weights: 4 × 1/6 + 6 × 1/18 = 1, each dimension 1/3
    assert sorted({round(i.weight, 12) for i in global_.active}) == [round(1 / 18, 12), round(1 / 6, 12)]
    for dim in ("health", "education", "living_standards"):
        assert math.fsum(i.weight for i in global_.active if i.dimension == dim) == pytest.approx(1 / 3)
    indonesia = config.mpi
    for dim in {i.dimension for i in indonesia.active}:
        assert math.fsum(i.weight for i in indonesia.active if i.dimension == dim) == pytest.approx(0.25)


def test_every_line_has_a_source_and_status():
    for line in load_config().lines.entries:
        assert line.source and line.status in ("confirmed", "single_source", "unconfirmed")
    sabang = [line for line in load_config().lines.entries if line.kab_code == "1172"]
    assert [(s.period, s.value, s.status) for s in sabang] == [("2019", 563_100, "single_source")]


def test_unknown_key_top_level(tmp_path):
    exc = error_of(tmp_path, "[mpii]\nk = 0.3\n")
    assert exc.key == "mpii" and "unknown key" in str(exc)


def test_unknown_key_nested_in_an_entry(tmp_path):
    exc = error_of(tmp_path, '[mpi]\npreset = "global"\n[[mpi.indicators]]\nname = "nutrition"\nwieght = 0.2\n')
    assert exc.key == "mpi.indicators[0].wieght"


def test_weights_must_sum_to_one(tmp_path):
    exc = error_of(tmp_path, '[mpi]\npreset = "global"\n[[mpi.indicators]]\nname = "assets"\nweight = 0.1\n')
    assert exc.key == "mpi.indicators"
    # 9 × their weights (1 − 1/18) + 0.1 = 1.0444...
    assert "sum to 1.04444444444" in str(exc)


def test_k_range(tmp_path):
    assert error_of(tmp_path, "[mpi]\nk = 0\n").key == "mpi.k"
    assert error_of(tmp_path, "[mpi]\nk = 1.5\n").key == "mpi.k"
    assert load_config(write(tmp_path, "[mpi]\nk = 1\n")).mpi.k == 1.0  # k = 1 is allowed: (0, 1]


def test_rule_typo_names_the_key(tmp_path):
    exc = error_of(tmp_path, '[[causes.catalogue]]\ncode = "kepala_lansia"\nrule = "head_agee >= 60"\n')
    assert isinstance(exc, RuleError)
    assert exc.key == "causes.catalogue[1].rule" and "head_agee" in str(exc) and "head_age" in str(exc)


@pytest.mark.parametrize(
    "rule",
    [
        "__import__('os').system('true')",  # a function call
        "len(head_name) > 3",  # a call
        "head_age.real > 3",  # attribute access
        "hh_size.__class__ == 1",  # dunder attribute
        "head_age >= 60; import os",  # statement separator
    ],
)
def test_calls_and_attributes_are_refused(tmp_path, rule):
    exc = error_of(tmp_path, f'[[bps14.criteria]]\ncode = "c13"\nrule = "{rule}"\n')
    assert isinstance(exc, RuleError) and exc.key == "bps14.criteria[12].rule"


def test_rule_must_be_a_condition(tmp_path):
    exc = error_of(tmp_path, '[[bps14.criteria]]\ncode = "c01"\nrule = "floor_area / hh_size"\n')
    assert exc.key == "bps14.criteria[0].rule"


def test_person_rule_cannot_read_household_columns(tmp_path):
    text = '[[derive]]\nname = "n_x"\nlevel = "person"\naggregate = "count"\nwhere = "head_age > 3"\n'
    assert error_of(tmp_path, text).key == "derive[10].where"  # after the 10 built-in [[derive]] entries


def test_level_thresholds_must_increase(tmp_path):
    text = """[levels]
scheme = "mine"
[[levels.classes]]
code = "a"
below = 1.0
[[levels.classes]]
code = "b"
below = 0.9
[[levels.classes]]
code = "c"
"""
    assert error_of(tmp_path, text).key == "levels.classes[1].below"


def test_lines_must_be_positive(tmp_path):
    text = '[[lines.entries]]\nperiod = "2025-03"\nvalue = -5\nsource = "x"\n'
    # the user's entries come after the built-in ones (presets/lines/*.toml): the key points at the user's entry
    n_builtin = len(load_config().lines.entries)
    assert error_of(tmp_path, text).key == f"lines.entries[{n_builtin}].value"


def test_unknown_preset_and_bad_toml(tmp_path):
    assert error_of(tmp_path, '[mpi]\npreset = "oecd"\n').key == "mpi.preset"
    assert error_of(tmp_path, '[levels]\nscheme = "x"\n').key == "levels.scheme"
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[mpi\n"))
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


def test_keyed_merge_changes_one_entry(tmp_path):
    text = """[mpi]
preset = "global"
[[mpi.indicators]]
name = "nutrition"
enabled = false
[[mpi.indicators]]
name = "child_mortality"
weight = "1/3"
"""
    config = load_config(write(tmp_path, text))
    names = [i.name for i in config.mpi.active]
    assert "nutrition" not in names and len(names) == 9
    assert config.mpi.active[0].weight == pytest.approx(1 / 3)
    assert config.mpi.active[0].deprived_if == "child_deaths_5y > 0"  # the rest of the entry is the preset's
    assert config.sources[("mpi", "indicators", 1, "weight")] == str(tmp_path / "peka.toml")
    assert config.sources[("mpi", "indicators", 1, "deprived_if")] == "built-in presets/mpi/global.toml"


def test_overrides_win_over_the_file(tmp_path):
    path = write(tmp_path, '[lines]\nperiod = "2024-03"\n')
    assert load_config(path).lines.period == "2024-03"
    assert load_config(path, overrides=["lines.period=2024-09"]).lines.period == "2024-09"


def test_show_round_trips(tmp_path):
    config = load_config(overrides=["levels.scheme=ppls_0812", "mpi.preset=global"])
    text = render_config(config)
    assert "# WARNING: UNCONFIRMED" in text and "single source" in text
    again = load_config(write(tmp_path, text, "shown.toml"))
    a, b = config.model_dump(), again.model_dump()
    a["lines"].pop("include"), b["lines"].pop("include")
    assert a == b


def test_init_file_is_valid_and_commented(tmp_path):
    text = init_text()
    assert text.count("#") > 50
    tomllib.loads(text)
    load_config(write(tmp_path, text))


runner = CliRunner()


def test_cli_bad_config_exits_4(tmp_path):
    path = write(tmp_path, '[[causes.catalogue]]\ncode = "kepala_lansia"\nrule = "open(x)"\n')
    result = runner.invoke(app, ["config", "show", "--config", str(path)])
    assert result.exit_code == ExitCode.CONFIG_INVALID
    assert "causes.catalogue[1].rule" in result.output
    # classify loads the config before it reads any data
    result = runner.invoke(app, ["classify", str(tmp_path / "households.csv"), "--config", str(path)])
    assert result.exit_code == ExitCode.CONFIG_INVALID and "causes.catalogue[1].rule" in result.output
    bad_weights = write(tmp_path, '[[mpi.indicators]]\nname = "internet"\nweight = 0.5\n', "w.toml")
    result = runner.invoke(app, ["classify", str(tmp_path / "households.csv"), "--config", str(bad_weights)])
    assert result.exit_code == ExitCode.CONFIG_INVALID and "mpi.indicators" in result.output


def test_cli_show_and_init(tmp_path):
    result = runner.invoke(app, ["config", "show", "--set", "levels.scheme=ppls_0812"])
    assert result.exit_code == 0 and "UNCONFIRMED" in result.output and "# --set" in result.output
    target = tmp_path / "peka.toml"
    assert runner.invoke(app, ["config", "init", "-o", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8") == init_text()
    again = runner.invoke(app, ["config", "init", "-o", str(target)])
    assert again.exit_code == ExitCode.USAGE and "--force" in again.output
    assert runner.invoke(app, ["config", "init", "-o", str(target), "--force"]).exit_code == 0


def test_documented_example_loads(tmp_path):
    docs = (Path(__file__).resolve().parents[2] / "docs" / "config.md").read_text(encoding="utf-8")
    example = docs.split("```toml\n", 1)[1].split("```", 1)[0]
    config = load_config(write(tmp_path, example))
    assert config.causes.primary_rule == "cluster_order" and config.bps14.constants["LAND_M2"] == 5000
    assert [e.value for e in config.lines.entries if e.kab_code == "1172"] == [700000]
    assert "tabungan" not in [i.name for i in config.mpi.active]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[mpi]\npreset = "global"\nwieght = 1\n', "mpi.wieght"),  # unknown key
        ('[[mpi.indicators]]\nname = "internet"\nweight = 0.5\n', "mpi.indicators"),  # weights sum to 1.41667
        ('[[causes.catalogue]]\ncode = "kepala_lansia"\nrule = "head_age >= = 60"\n', "causes.catalogue[1].rule"),
        ('[[causes.catalogue]]\ncode = "kepala_lansia"\nrule = "eval(head_age)"\n', "causes.catalogue[1].rule"),
        ('[[causes.catalogue]]\ncode = "kepala_lansia"\nrule = "head_age.__class__"\n', "causes.catalogue[1].rule"),
    ],
    ids=["unknown-key", "weights", "typo", "call", "attribute"],
)
def test_cli_classify_rejects_bad_config_with_exit_4(tmp_path, text, key):
    path = write(tmp_path, text)
    result = runner.invoke(app, ["classify", "households.csv", "--config", str(path)])
    assert result.exit_code == ExitCode.CONFIG_INVALID
    assert f"{path}: {key}" in result.output
    assert "Traceback" not in result.output


def test_unknown_key_inside_a_constant_table(tmp_path):
    # a constant is a number or a {value, source, status} table: the error names the key inside the table
    exc = error_of(tmp_path, '[constants]\nMY_X = { value = 5, sorce = "x" }\n')
    assert exc.key == "constants.MY_X.sorce" and "unknown key" in str(exc)
    exc = error_of(tmp_path, "[bps14.constants.LAND_M2]\nvalu = 5000\n")
    assert exc.key == "bps14.constants.LAND_M2.valu"
    assert error_of(tmp_path, '[constants]\nMY_X = { source = "x" }\n').key == "constants.MY_X.value"
