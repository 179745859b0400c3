"""Causes of poverty: every catalogue rule per household, the list of causes that apply, and the primary cause.

Primary cause (``[causes] primary_rule``, docs/methodology.md §5): ``priority`` picks the applying cause with the
lowest ``priority`` number; ``cluster_order`` the applying cause of the lowest intervention cluster, then the lowest
priority. Ties keep catalogue order. A cause whose rule is missing (unknown) for a household does not apply.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peka.classify.derive import ensure_columns, rule, text_from_codes
from peka.config.models import Cause, Config


def primary_order(config: Config) -> list[Cause]:
    """The enabled causes in the order the primary-cause rule tries them."""
    active = config.causes.active
    position = {c.code: i for i, c in enumerate(active)}
    if config.causes.primary_rule == "cluster_order":
        return sorted(active, key=lambda c: (c.cluster, c.priority, position[c.code]))
    return sorted(active, key=lambda c: (c.priority, position[c.code]))


def classify_causes(households: pd.DataFrame, config: Config) -> pd.DataFrame:
    """``cause_<code>`` (boolean) per enabled cause, ``causes`` (``;``-separated codes, catalogue order, ``""``
    when none applies) and ``primary_cause`` (missing when none applies)."""
    constants = config.all_constants()
    households = ensure_columns(households, [c.rule for c in config.causes.active], config)
    n = len(households)
    flags: dict[str, pd.Series] = {}
    applies: dict[str, np.ndarray] = {}
    for i, cause in enumerate(config.causes.catalogue):
        if not cause.enabled:
            continue
        result = rule(cause.rule, f"causes.catalogue[{i}].rule").evaluate(households, constants)
        flags[f"cause_{cause.code}"] = result
        applies[cause.code] = result.fillna(False).to_numpy(dtype=bool)
    codes = list(applies)
    # each household's set of causes as a bit pattern; the text is built once per distinct pattern (a few
    # hundred), not once per household
    pattern = np.zeros(n, dtype=np.int64)
    for bit, code in enumerate(codes):
        pattern |= applies[code].astype(np.int64) << bit
    distinct, inverse = np.unique(pattern, return_inverse=True)
    texts = [";".join(c for bit, c in enumerate(codes) if p >> bit & 1) for p in distinct.tolist()]
    order = [codes.index(c.code) for c in primary_order(config)]
    first = np.array([next((b for b in order if p >> b & 1), -1) for p in distinct.tolist()], dtype=np.intp)
    inverse = inverse.reshape(-1)
    out = pd.DataFrame(flags, index=households.index)
    out["causes"] = text_from_codes(inverse, texts or [""])
    out["primary_cause"] = text_from_codes(first[inverse] if n else inverse, codes or [""])
    return out
