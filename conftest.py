"""The suite runs the docstring examples of src/peka too (--doctest-modules in pyproject.toml).

CI installs peka into a fresh virtual environment (`pip install '.[test]'`, not editable), so the modules under
src/peka are imported from site-packages while pytest collects their files from src/: the same code in two places.
PY_IGNORE_IMPORTMISMATCH lets pytest run the doctests of the installed copy instead of refusing the mismatch.
The helper scripts beside the tests are not modules with examples: scripts that make fixtures, and oracles that
need tools (R, samplics) the suite does not install."""

import logging
import os

import pytest

os.environ["PY_IGNORE_IMPORTMISMATCH"] = "1"

collect_ignore_glob = ["tests/fixtures/*.py", "tests/data/*", "tests/estimate/r/*", "tests/io/data/*", "tests/*/conftest.py"]



@pytest.fixture(autouse=True)
def _peka_logging_as_imported():
    """A CLI run configures the ``peka`` logger for a console (own handlers, no propagation, a level); a
    module-scoped fixture may do so before this runs. Put the logger back as ``import peka`` leaves it (a
    NullHandler, propagating, no level) before and after each test, so that ``caplog`` sees peka's records
    whatever ran before."""

    def reset() -> None:
        logger = logging.getLogger("peka")
        logger.handlers[:] = [logging.NullHandler()]
        logger.propagate, logger.level = True, logging.NOTSET

    reset()
    yield
    reset()
