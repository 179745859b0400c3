"""Synthetic household survey of Kota Sabang (and, for big samples, synthetic districts around it): ``peka sample``.

One job per module: ``design`` (regions, the sample's shape, strata/PSU/weight draws), ``generate`` (the household
and person tables, ``generate``), ``pieces`` (samples bigger than memory, piece by piece), ``registry`` (a P3KE-style registry cut of a sample) and ``draw`` (the array
helpers they share). Writing the files in every format is ``peka.deliver.sample.write_sample`` (only deliver writes
files). The public names are re-exported here.

>>> survey = generate(200, seed=1)
>>> len(survey.households), sorted(survey.households["kec_name"].unique())
(200, ['Sukajaya', 'Sukakarya'])
"""

from __future__ import annotations

from peka.sample.design import Shape, default_shape, region_frame, sabang_regions
from peka.sample.generate import canonical_frame, generate
from peka.sample.pieces import PIECE_HOUSEHOLDS, generate_pieces

__all__ = [
    "PIECE_HOUSEHOLDS",
    "Shape",
    "canonical_frame",
    "default_shape",
    "generate",
    "generate_pieces",
    "region_frame",
    "sabang_regions",
]
