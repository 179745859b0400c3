"""Reading a user's TOML file (peka.toml, a mapping, an indicator spec) so that every failure is a ``ConfigError``
naming the file: missing, unreadable, not TOML, or nested deeper than any peka file is.

``tomllib`` parses nested arrays and inline tables recursively: ``a = [[[[…]]]]`` 10,000 deep exhausts Python's
stack (``RecursionError``, which the CLI can only report as an unexpected exit 1), and a document just shallow
enough to parse can still exhaust it later, in the merging and checking code. The file is refused before parsing
when its brackets and braces open more than ``MAX_DEPTH`` levels deep, and the parsed document is measured again
(tables written as ``[a.b.c]`` headers nest without brackets).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from peka.errors import ConfigError

# peka's own files nest at most 5 levels ([[mpi.indicators]] → table → inline table); 64 leaves room for any
# hand-written file and stays far below the stack tomllib and the checks need.
MAX_DEPTH = 64
# What can open a level outside strings and comments; strings are removed before counting (see _bracket_depth).
_STRINGS_AND_COMMENTS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*', re.DOTALL
)


def read_toml_file(path: str | Path, *, what: str = "configuration") -> dict[str, Any]:
    """The parsed TOML document at ``path``; any problem is a ``ConfigError`` (exit 4) naming the file. ``what``
    names the kind of file in the messages ("configuration", "mapping")."""
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError("file not found", file=file) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the {what} file ({type(exc).__name__})", file=file) from None
    return parse_toml_text(text, file=file, what=what)


def parse_toml_text(text: str, *, file: str, what: str = "configuration") -> dict[str, Any]:
    """Parse TOML ``text`` read from ``file`` (named in the messages), refusing documents nested too deeply."""
    too_deep = ConfigError(f"nested more than {MAX_DEPTH} levels deep: not a peka {what} file", file=file)
    if _bracket_depth(text) > MAX_DEPTH:
        raise too_deep
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=file) from None
    except RecursionError:  # not expected after the bracket count; kept so no input can end in exit 1
        raise too_deep from None
    if _value_depth(document) > MAX_DEPTH:
        raise too_deep
    return document


def _bracket_depth(text: str) -> int:
    """The deepest nesting of ``[``/``{`` outside strings and comments (``a = [[1]]`` → 2; a table header counts 1)."""
    code = _STRINGS_AND_COMMENTS.sub("", text)
    depth = deepest = 0
    for match in re.finditer(r"[\[\]{}]", code):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest


def _value_depth(document: dict[str, Any]) -> int:
    """How many tables and arrays nest below the document (``a = [[1]]`` → 2, ``[t.u]`` → 2), without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        children: Iterable[object] = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest
