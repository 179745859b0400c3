"""The BPS 14 criteria of poor households: each criterion met (1/0/missing), counts, and ``miskin_14k``.

``miskin_14k`` is true when at least ``cutoff`` criteria are met, false when even counting every unanswered
criterion as met stays below the cutoff, and missing ("indeterminate") otherwise: the missing answers could flip
the verdict (docs/methodology.md §4).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peka.classify.derive import ensure_columns, rule
from peka.config.models import Config


def classify_bps14(households: pd.DataFrame, config: Config) -> pd.DataFrame:
    """``bps14_<code>`` (Int8) per enabled criterion, ``bps14_count``, ``bps14_missing`` and ``miskin_14k``.

    >>> from peka.config import load_config
    >>> out = classify_bps14(pd.DataFrame({"meals_per_day": [2]}), load_config())
    >>> int(out.loc[0, "bps14_c10"]), int(out.loc[0, "bps14_missing"]), out.loc[0, "miskin_14k"] is pd.NA
    (1, 13, True)
    """
    constants = config.all_constants()
    households = ensure_columns(households, [c.rule for c in config.bps14.active], config)
    columns: dict[str, pd.Series] = {}
    met = np.zeros(len(households), dtype="int64")
    unanswered = np.zeros(len(households), dtype="int64")
    for i, criterion in enumerate(config.bps14.criteria):
        if not criterion.enabled:
            continue
        result = rule(criterion.rule, f"bps14.criteria[{i}].rule").evaluate(households, constants)
        columns[f"bps14_{criterion.code}"] = result.astype("Int8")
        met += result.fillna(False).to_numpy(dtype=bool)
        unanswered += result.isna().to_numpy()
    cutoff = config.bps14.cutoff
    yes = met >= cutoff
    no = met + unanswered < cutoff
    out = pd.DataFrame(columns, index=households.index)
    out["bps14_count"] = pd.array(met, dtype="Int64")
    out["bps14_missing"] = pd.array(unanswered, dtype="Int64")
    out["miskin_14k"] = pd.arrays.BooleanArray(yes, ~yes & ~no)
    return out
