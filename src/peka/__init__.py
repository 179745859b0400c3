"""peka: poverty-characteristic household survey analysis (read → map → validate → classify → estimate → deliver).

The public API, each a plain function on pandas frames (the CLI is a thin layer over these)::

    import peka
    survey = peka.load_survey("households.csv", persons="persons.csv")      # read + map
    report = peka.validate(survey)                                          # data-quality findings
    clean, rejects = peka.apply_on_invalid(survey, report, "skip")
    config = peka.load_config()                                             # built-in presets (+ peka.toml)
    classified = peka.classify_survey(clean, config)                        # one row per household
    result = peka.profile(classified, by=["kec_name"])                      # tidy estimates with SEs

Names are imported lazily so that ``peka --help`` does not pay for pandas. The classifier is exported as
``classify_survey`` because ``peka.classify`` is the subpackage that holds it (``peka.classify.classify``).
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

__version__ = "0.1.0"

logging.getLogger("peka").addHandler(logging.NullHandler())

_EXPORTS = {
    "load_survey": "peka.io",
    "validate": "peka.schema.checks",
    "apply_on_invalid": "peka.schema.rejects",
    "load_config": "peka.config",
    "classify_survey": ("peka.classify", "classify"),
    "profile": "peka.estimate",
    "profile_chunks": "peka.estimate",
    "Design": "peka.estimate",
    "compile_rule": "peka.rules",
    "generate_sample": ("peka.sample", "generate"),
}

__all__ = [
    "Design",
    "__version__",
    "apply_on_invalid",
    "classify_survey",
    "compile_rule",
    "generate_sample",
    "load_config",
    "load_survey",
    "profile",
    "profile_chunks",
    "validate",
]


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'peka' has no attribute {name!r}")
    module, attr = target if isinstance(target, tuple) else (target, name)
    return getattr(importlib.import_module(module), attr)
