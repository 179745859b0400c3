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

import numpy as np
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
    codes, uniques = pd.factorize(ids.astype(str))
    sha256 = hashlib.sha256
    # the first 15 hex digits are the top 60 bits of the digest's first 8 bytes
    values = np.fromiter((int.from_bytes(sha256(b"peka-tie:" + u.encode("utf-8")).digest()[:8], "big") >> 4
                          for u in uniques), dtype=np.int64, count=len(uniques))
    return pd.Series(values[codes], index=ids.index, dtype="int64")
