"""Samples shared by the generator tests (generated once per session: the generator is deterministic)."""

from __future__ import annotations

import pytest

from peka.sample import generate
from peka.schema.model import Survey


@pytest.fixture(scope="session")
def sabang() -> Survey:
    """The bundled sample's size and seed: 3,000 households, seed 2026."""
    return generate(3000, 2026)


@pytest.fixture(scope="session")
def large() -> Survey:
    """Big enough for shares to be tight: 40,000 households (still Kota Sabang)."""
    return generate(40_000, 11)
