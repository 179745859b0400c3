"""The safe rule language of peka config files: parse → AST → vectorised evaluation, and person aggregation.

Rules such as ``floor_material in ['tanah', 'bambu']`` or ``exp_pc < poverty_line * 1.5`` are parsed by a small
hand-written parser (never Python ``eval``) and evaluated on whole columns with Kleene three-valued logic for
missing data. See ``docs/rules.md`` for the grammar and semantics.

>>> import pandas as pd
>>> rule = compile_rule("savings_value < 500000 or savings_value is missing", key="causes.no_savings.rule")
>>> rule.evaluate(pd.DataFrame({"savings_value": [0.0, 2e6, None]})).tolist()
[True, False, True]
"""

from peka.rules.aggregate import AGGREGATIONS, PersonLink, aggregate_persons, link_persons
from peka.rules.evaluate import Kind
from peka.rules.rule import Rule, compile_rule

__all__ = ["AGGREGATIONS", "Kind", "PersonLink", "Rule", "aggregate_persons", "compile_rule", "link_persons"]
