"""peka: poverty-characteristic household survey analysis (read → map → validate → classify → estimate → deliver)."""

from __future__ import annotations

import logging

__version__ = "0.1.0"

logging.getLogger("peka").addHandler(logging.NullHandler())
