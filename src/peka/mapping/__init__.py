"""Mappings from a source file's columns and codes to the canonical model (``peka.schema.model``).

One job per module:

* ``spec``: the ``Mapping``/``ColumnSpec`` objects, parsing and checking mapping TOML, the built-in presets;
* ``detect``: which preset fits a header (``detect_mapping``), which file column feeds each canonical column
  (``resolve_sources``, which refuses ambiguous headers);
* ``apply``: rename, recode and convert a raw table (``apply_mapping``, ``convert_column``);
* ``invert``: canonical tables back to a mapping's source shape (``to_source``, ``source_value_labels``);
* ``suggest``: propose mapping TOML for a file peka does not know (``peka mapping suggest``).
"""

from peka.mapping.apply import MappedTable, apply_mapping, cell_text, convert_column
from peka.mapping.detect import detect_mapping, resolve_sources
from peka.mapping.invert import source_value_labels, to_source
from peka.mapping.spec import (
    ColumnSpec,
    Mapping,
    load_mapping,
    name_key,
    parse_mapping,
    preset_names,
    preset_text,
    value_key,
)
from peka.mapping.suggest import suggest_for_files, suggest_mapping

__all__ = [
    "ColumnSpec",
    "MappedTable",
    "Mapping",
    "apply_mapping",
    "cell_text",
    "convert_column",
    "detect_mapping",
    "load_mapping",
    "name_key",
    "parse_mapping",
    "preset_names",
    "preset_text",
    "resolve_sources",
    "source_value_labels",
    "suggest_for_files",
    "suggest_mapping",
    "to_source",
    "value_key",
]
