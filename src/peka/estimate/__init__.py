"""Design-based estimation: partial sums per (domain, stratum, PSU), Taylor linearisation, FGT/AF measures.

>>> from peka.estimate import Design, profile
"""

from peka.estimate.design import Design
from peka.estimate.linearize import DifferenceOfRatios, Ratio, RatioOfRatios, Total
from peka.estimate.measures import MpiSpec, measure_columns
from peka.estimate.profile import (
    ProfileOptions,
    ProfilePlan,
    ProfileResult,
    estimates_from_sums,
    plan_profile,
    profile,
    profile_chunks,
)
from peka.estimate.rank import Ranking, rank_domains
from peka.estimate.sums import PartialSums, sum_partials

__all__ = [
    "Design",
    "DifferenceOfRatios",
    "MpiSpec",
    "PartialSums",
    "ProfileOptions",
    "ProfilePlan",
    "ProfileResult",
    "Ranking",
    "Ratio",
    "RatioOfRatios",
    "Total",
    "estimates_from_sums",
    "measure_columns",
    "plan_profile",
    "profile",
    "profile_chunks",
    "rank_domains",
    "sum_partials",
]
