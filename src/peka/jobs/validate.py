"""``peka validate`` as one library call: read and map the survey, check the configuration, run the data checks.

>>> run = run_validate(InputSpec("data/samples/sabang/households.csv",  # doctest: +SKIP
...                              persons="data/samples/sabang/persons.csv"))
>>> run.report.ok  # doctest: +SKIP
True
"""

from __future__ import annotations

from dataclasses import dataclass

from peka.config.models import Config
from peka.jobs.inputs import ConfigSpec, InputSpec, load_input, validated
from peka.schema.report import ValidationReport


@dataclass
class ValidateRun:
    report: ValidationReport
    config: Config


def run_validate(inputs: InputSpec, *, config: ConfigSpec | None = None) -> ValidateRun:
    """The data-quality report of ``inputs``. The configuration is loaded first, so that a survey that validates
    is one that classifies under the same ``--config``/``--set`` (a bad configuration fails here, exit 4)."""
    cfg = (config or ConfigSpec()).load(inputs=inputs)
    survey = load_input(inputs)
    return ValidateRun(validated(survey), cfg)
