"""Every code peka shows has an Indonesian and an English label."""

from __future__ import annotations

import pytest
from classify_helpers import households, survey

from peka.classify import STATUSES, classify
from peka.config import load_config
from peka.present.labels import LANGS, catalogue, category_label, column_label, label
from peka.schema.model import COLUMNS


@pytest.mark.parametrize("lang", LANGS)
def test_levels_statuses_and_sources(lang):
    for scheme in ("bps_classes", "ppls_0812"):
        for cls in load_config(overrides=[f"levels.scheme={scheme}"]).levels.classes:
            assert label("level", cls.code, lang) != cls.code
    for status in STATUSES:
        assert label("poverty_status", status, lang) != status
    for status in ("confirmed", "single_source", "unconfirmed"):
        assert catalogue()["source_status"][status][lang]


def test_every_category_code_has_both_labels():
    for col in COLUMNS:
        for code in col.categories:
            for lang in LANGS:
                assert category_label(col.name, code, lang) != code, (col.name, code, lang)


def test_every_output_column_has_a_header(config):
    out = classify(survey(households({})), config)
    for lang in LANGS:
        for column in out.columns:
            assert column_label(column, lang, config=config) != column, (column, lang)
    assert column_label("cause_kepala_perempuan", "en", config=config) == "Cause: Female household head"
    # without a configuration the labels of configurable codes are not guessed from the built-in presets
    assert column_label("cause_kepala_perempuan", "en") == "Cause: kepala_perempuan"


def test_config_defined_labels():
    global_ = load_config(overrides=["mpi.preset=global"])
    assert label("indicator", "assets", "id", config=global_) == "Aset"
    assert label("bps14", "c06", "en", config=global_).startswith("Drinking water")
    for dim in {i.dimension for i in global_.mpi.indicators} | {i.dimension for i in load_config().mpi.indicators}:
        assert dim in catalogue()["dimension"]
    for cause in load_config().causes.catalogue:
        assert label("cause", cause.code, "en", config=load_config()) == cause.label_en
