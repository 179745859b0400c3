"""peka's configuration (``peka.toml``): pydantic models, preset loading with precedence, and poverty lines.

>>> from peka.config import load_config
>>> load_config().lines.period
'2025-03'
"""

from typing import Any

from peka.config.loader import load_config, preset_names, preset_text
from peka.config.models import Config

__all__ = ["Config", "load_config", "preset_names", "preset_text", "resolve_lines"]


def __getattr__(name: str) -> Any:
    # resolve_lines needs pandas: imported on first use, so reading a configuration (and `peka --help`) does not
    if name == "resolve_lines":
        from peka.config.lines import resolve_lines

        return resolve_lines
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
