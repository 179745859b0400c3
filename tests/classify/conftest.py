import pytest

from peka.config import load_config


@pytest.fixture(scope="session")
def config():
    """The built-in configuration (presets only)."""
    return load_config()
