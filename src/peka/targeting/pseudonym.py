"""Pseudonymous household ids: a keyed hash (HMAC-SHA256) of the id, so that lists can be shared and joined back to
the registry by whoever holds the key, without NIK or No KK.

``pseudonym = "p" + first 16 hex digits of HMAC-SHA256(key, hh_id as UTF-8 text)`` (64 bits: collisions are
checked, not assumed away). The key is the bytes of the ``--pseudonym-key`` file (keep it like a password: with
it, anyone can test a guessed NIK). Without a key file the key is the SHA-256 of the input files' bytes: stable for
reruns on the same data, but not joinable across data updates.

>>> pseudonymise(pd.Series(["1172990000000001"]), b"secret").tolist()
['p42f62777fce77b27']
>>> is_personal_id(pd.Series(["1172990000000001", "1172990000000002"]))
True
"""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd

from peka.errors import InputError

PREFIX = "p"
HEX_DIGITS = 16
# a NIK or No KK: 16 digits (Dukcapil); an id made of them is itself personal data
PERSONAL_ID = r"^\d{16}$"


def is_personal_id(ids: pd.Series) -> bool:
    """True when any id looks like a NIK / No KK (16 digits): then lists carry pseudonyms, not ids."""
    text = ids.dropna().astype(str)
    return bool(text.str.fullmatch(PERSONAL_ID).any())


def pseudonymise(ids: pd.Series, key: bytes) -> pd.Series:
    """The keyed pseudonym of every id (same index); raises ``InputError`` on the (2⁻⁶⁴-unlikely) collision."""
    text = ids.astype(str)
    uniques = pd.unique(text)
    mapping = {u: PREFIX + hmac.new(key, u.encode("utf-8"), hashlib.sha256).hexdigest()[:HEX_DIGITS] for u in uniques}
    if len(set(mapping.values())) != len(mapping):
        raise InputError("two household ids share a pseudonym: use another --pseudonym-key")
    return text.map(mapping)


def tie_breaker(ids: pd.Series) -> pd.Series:
    """A number per id that orders ties independently of the input order: the first 15 hex digits of
    SHA-256("peka-tie:" + id), as an integer (the same for the same id on every run and machine)."""
    text = ids.astype(str)
    uniques = pd.unique(text)
    mapping = {u: int(hashlib.sha256(b"peka-tie:" + u.encode("utf-8")).hexdigest()[:15], 16) for u in uniques}
    return text.map(mapping).astype("int64")
