"""Tokenizer of the rule language: text → a list of tokens with their 1-based column.

The tokenizer already refuses what the language never contains (``;``, a single ``=``, ``**``, ``%``, ``.`` for
attribute access, ``{``, backslashes outside strings, …) so that the error points at the offending character.
Keywords are case-insensitive; identifiers keep their case (constants such as ``FLOOR_M2_PER_PERSON`` are upper case).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from peka.errors import RuleError

TokenType = Literal["number", "string", "name", "keyword", "op", "end"]

# Words with a meaning in the language, matched case-insensitively.
KEYWORDS = frozenset({"and", "or", "not", "in", "is", "missing", "true", "false", "between"})

# Python words that someone may try to smuggle in; refused by name so the message says what was refused.
FORBIDDEN_WORDS = frozenset(
    {
        "lambda", "import", "from", "def", "class", "return", "yield", "await", "async", "exec", "eval",
        "global", "nonlocal", "del", "pass", "raise", "try", "except", "finally", "with", "as", "assert",
        "if", "else", "elif", "for", "while", "break", "continue", "none", "null", "nan",
    }
)  # fmt: skip

MAX_LENGTH = 20_000  # characters; a rule is one line of config (a long 'in' list of codes fits), not a program

_NUMBER = re.compile(r"(?:\d[\d_]*(?:\.\d[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = ("<=", ">=", "==", "!=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", ",")

# Characters and sequences that are refused with a specific reason (checked before the plain operators).
_REFUSED: tuple[tuple[str, str], ...] = (
    ("**", "the power operator '**' is not allowed"),
    ("//", "floor division '//' is not allowed; use '/'"),
    (":=", "assignment is not allowed"),
    ("<>", "'<>' is not an operator; use '!='"),
    ("=>", "'=>' is not an operator; use '>='"),
    ("=<", "'=<' is not an operator; use '<='"),
    ("&&", "'&&' is not an operator; use 'and'"),
    ("||", "'||' is not an operator; use 'or'"),
    (";", "semicolons are not allowed: a rule is a single expression"),
    ("=", "assignment is not allowed; use '==' to compare"),
    (".", "attribute access is not allowed"),
    ("%", "the operator '%' is not allowed"),
    ("&", "'&' is not an operator; use 'and'"),
    ("|", "'|' is not an operator; use 'or'"),
    ("~", "'~' is not an operator; use 'not'"),
    ("^", "the operator '^' is not allowed"),
    ("@", "the operator '@' is not allowed"),
    ("!", "'!' is not an operator; use 'not' or '!='"),
    ("{", "braces are not allowed"),
    ("}", "braces are not allowed"),
    (":", "':' is not allowed"),
    ("\\", "backslashes are only allowed inside strings"),
    ("`", "backquotes are not allowed; quote text with ' or \""),
    ("$", "'$' is not allowed"),
    ("#", "comments are not allowed inside a rule"),
)


@dataclass(frozen=True, slots=True)
class Token:
    type: TokenType
    text: str  # the source text (for keywords: lower-cased)
    value: object  # parsed value: float for numbers, str for strings and names
    col: int  # 1-based column of the first character

    def describe(self) -> str:
        return "end of expression" if self.type == "end" else repr(self.text)


def rule_error(key: str, message: str, source: str | None = None, col: int | None = None, width: int = 0) -> RuleError:
    """A ``RuleError`` naming the config key and, when known, the column and a snippet of the expression."""
    if col is not None and source is not None:
        start = col - 1
        snippet = source[start : start + max(width, 1)] if width else source[start : start + 12]
        snippet = snippet.strip() or source[start : start + 12]
        message = f"{message} (at column {col}: {snippet!r})"
    elif col is not None:
        message = f"{message} (at column {col})"
    return RuleError(message, key=key)


def tokenize(source: str, *, key: str) -> list[Token]:
    """Split ``source`` into tokens, ending with an ``end`` token.

    >>> [t.text for t in tokenize("age >= 7 and x in ['a']", key="k")]
    ['age', '>=', '7', 'and', 'x', 'in', '[', "'a'", ']', '']
    """
    if len(source) > MAX_LENGTH:
        raise rule_error(key, f"expression is too long ({len(source)} characters, at most {MAX_LENGTH})")
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        col = i + 1
        if ch in " \t\r\n":
            i += 1
            continue
        if ch.isdigit() or (ch == "." and i + 1 < n and source[i + 1].isdigit()):
            i = _number(source, i, key, tokens)
            continue
        if ch.isalpha() or ch == "_":
            m = _NAME.match(source, i)
            assert m is not None
            word = m.group(0)
            lower = word.lower()
            if lower in KEYWORDS:
                tokens.append(Token("keyword", lower, lower, col))
            elif lower in FORBIDDEN_WORDS:
                raise rule_error(key, f"{word!r} is not allowed in a rule", source, col, len(word))
            elif "__" in word:
                raise rule_error(key, "names with double underscores are not allowed", source, col, len(word))
            else:
                tokens.append(Token("name", word, word, col))
            i = m.end()
            continue
        if ch in "'\"":
            i = _string(source, i, key, tokens)
            continue
        if not ch.isascii() or not ch.isprintable():
            raise rule_error(key, f"unexpected character {ch!r}", source, col, 1)
        for text, reason in _REFUSED:
            if source.startswith(text, i) and not any(source.startswith(op, i) for op in _OPERATORS if len(op) > 1):
                width = len(text) + (_name_len(source, i + len(text)) if text == "." else 0)
                if text == "." and tokens:  # show what the dot is attached to: 'a.b', "x'.join"
                    prev = tokens[-1]
                    raise rule_error(key, reason, source, prev.col, i + width - prev.col + 1)
                raise rule_error(key, reason, source, col, width)
        for op in _OPERATORS:
            if source.startswith(op, i):
                tokens.append(Token("op", op, op, col))
                i += len(op)
                break
        else:
            raise rule_error(key, f"unknown symbol {ch!r}", source, col, 1)
    tokens.append(Token("end", "", None, n + 1))
    return tokens


def _name_len(source: str, i: int) -> int:
    m = _NAME.match(source, i)
    return len(m.group(0)) if m else 0


def _number(source: str, i: int, key: str, tokens: list[Token]) -> int:
    m = _NUMBER.match(source, i)
    assert m is not None
    text = m.group(0)
    end = m.end()
    col = i + 1
    # '1.2.3', '3x', '1_' and '1__0' are typos, not something to guess about.
    if end < len(source) and (source[end].isalnum() or source[end] in "_."):
        tail = _NAME.match(source, end)
        width = end - i + (len(tail.group(0)) if tail else 1)
        raise rule_error(key, "invalid number", source, col, width)
    if text.endswith("_") or "__" in text or "_." in text or "._" in text or re.search(r"_[eE]|[eE][+-]?_", text):
        raise rule_error(key, "invalid number: '_' may only separate digits", source, col, len(text))
    value = float(text.replace("_", ""))
    tokens.append(Token("number", text, value, col))
    return end


def _string(source: str, i: int, key: str, tokens: list[Token]) -> int:
    quote = source[i]
    j = i + 1
    chars: list[str] = []
    while j < len(source):
        ch = source[j]
        if ch == "\\" and j + 1 < len(source):  # \' \" \\ : the next character is taken literally
            chars.append(source[j + 1])
            j += 2
            continue
        if ch == quote:
            tokens.append(Token("string", source[i : j + 1], "".join(chars), i + 1))
            return j + 1
        chars.append(ch)
        j += 1
    raise rule_error(key, "unterminated string", source, i + 1, len(source) - i)
