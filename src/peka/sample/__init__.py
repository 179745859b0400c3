"""Synthetic household survey of Kota Sabang (and, for big samples, synthetic districts around it): ``peka sample``.

One job per module: ``design`` (regions, the sample's shape, strata/PSU/weight draws), ``generate`` (the household
and person tables, ``generate``), ``write`` (the files in every format, ``write_sample``) and ``draw`` (the array
helpers they share). The public names are re-exported here.

>>> survey = generate(200, seed=1)
>>> files = sample_files(("csv", "parquet"))  # write_sample(survey, "out", ("csv", "parquet")) writes these
>>> len(survey.households), files
(200, ['households.csv', 'persons.csv', 'households.parquet', 'persons.parquet'])
"""

from __future__ import annotations

from peka.deliver.sample import FORMATS, check_formats, parse_formats, sample_files, write_sample
from peka.sample.design import Shape, default_shape, region_frame, sabang_regions
from peka.sample.generate import canonical_frame, generate

__all__ = [
    "FORMATS",
    "Shape",
    "canonical_frame",
    "check_formats",
    "default_shape",
    "generate",
    "parse_formats",
    "region_frame",
    "sabang_regions",
    "sample_files",
    "write_sample",
]
