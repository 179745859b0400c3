"""Everything outside the grammar is refused at compile time with the config key and the column in the message."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from peka.errors import ConfigError, ExitCode, RuleError
from peka.rules import compile_rule

KEY = "mpi.indicators[3].deprived_if"


def refused(text: str) -> str:
    with pytest.raises(RuleError) as info:
        compile_rule(text, key=KEY)
    message = str(info.value)
    assert message.startswith(KEY + ": "), message
    return message


@pytest.mark.parametrize(
    ("text", "reason", "column", "snippet"),
    [
        # function calls, including ones hidden behind spaces or after an operator
        ("open('/etc/passwd')", "function calls are not allowed", 1, "open("),
        ("x + open ('f')", "function calls are not allowed", 5, "open ("),
        ("len(x) > 2", "function calls are not allowed", 1, "len("),
        ("(x)(1)", "function calls are not allowed", None, None),
        # attribute access
        ("a.b", "attribute access is not allowed", 1, "a.b"),
        ("x.__class__", "attribute access is not allowed", 1, "x.__class__"),
        ("'abc'.upper", "attribute access is not allowed", 1, None),
        ("(a).b", "attribute access is not allowed", None, None),
        # subscripts
        ("x[0]", "subscripts are not allowed", 1, "x["),
        ("x [0] > 1", "subscripts are not allowed", 1, "x ["),
        ("(x)[0]", "subscripts are not allowed", None, None),
        # dunder names and Python keywords
        ("__import__", "names with double underscores are not allowed", 1, "__import__"),
        ("x + __builtins__", "names with double underscores are not allowed", 5, "__builtins__"),
        ("a__b > 1", "names with double underscores are not allowed", 1, "a__b"),
        ("lambda: 1", "'lambda' is not allowed", 1, "lambda"),
        ("x if y else z", "'if' is not allowed", 3, "if"),
        ("import os", "'import' is not allowed", 1, "import"),
        ("x == None", "'None' is not allowed", 6, "None"),
        # statements and assignment
        ("a > 1; b > 2", "semicolons are not allowed", 6, ";"),
        ("a = 1", "assignment is not allowed", 3, "="),
        ("(a := 1)", "assignment is not allowed", 4, ":="),
        # unknown or unsupported operators and symbols
        ("a ** 2", "the power operator '**' is not allowed", 3, "**"),
        ("a // 2", "floor division '//' is not allowed", 3, "//"),
        ("a % 2", "the operator '%' is not allowed", 3, "%"),
        ("a & b", "'&' is not an operator; use 'and'", 3, "&"),
        ("a | b", "'|' is not an operator; use 'or'", 3, "|"),
        ("~a", "'~' is not an operator; use 'not'", 1, "~"),
        ("!a", "'!' is not an operator", 1, "!"),
        ("a <> b", "'<>' is not an operator", 3, "<>"),
        ("a @ b", "the operator '@' is not allowed", 3, "@"),
        ("{1: 2}", "braces are not allowed", 1, "{"),
        ("a $ b", "'$' is not allowed", 3, "$"),
        ("`ls`", "backquotes are not allowed", 1, "`"),
        ("a # comment", "comments are not allowed", 3, "#"),
        ("x ≥ 1", "unexpected character '≥'", 3, "≥"),
        ("a \\ b", "backslashes are only allowed inside strings", 3, "\\"),
        # strings and numbers
        ("x == 'tanah", "unterminated string", 6, "'tanah"),
        ('x == "tanah', "unterminated string", 6, '"tanah'),
        ("3x > 1", "invalid number", 1, "3x"),
        ("1.2.3", "invalid number", 1, None),
        ("1__000", "invalid number", 1, "1__000"),
        ("1000_", "invalid number", 1, "1000_"),
        # lists only after 'in', and only of literals of one kind
        ("[1, 2]", "a list [...] is only allowed after 'in'", 1, "["),
        ("x in [y]", "a list after 'in' may only hold literal values", 7, "y"),
        ("x in [1, 'a']", "must not mix text, numbers and true/false", None, None),
        ("x in y", "expected '[' after 'in'", 6, "y"),
        ("x in [1, 2", "unterminated list", None, None),
        # structure
        ("a b", "an operator is missing", 3, "b"),
        ("'a' 'b'", "an operator is missing", 5, "'b'"),
        ("(a > 1", "expected ')'", None, None),
        ("a > 1)", "unbalanced ')'", 6, ")"),
        ("()", "empty parentheses", 1, "()"),
        ("a and", "expression ends too early", None, None),
        ("not", "expression ends too early", None, None),
        ("x in ['a'] < 3", "cannot be chained", 12, "<"),
        ("a < b is missing", "a comparison cannot be followed by 'is'", 7, "is"),
        ("a == b in [1]", "a comparison cannot be followed by 'in'", 8, "in"),
        ("x == missing", "'missing' is only allowed in 'is missing'", 6, "missing"),
        ("x is 3", "expected 'missing' after 'is'", 6, "3"),
        ("x between 1 or 2", "expected 'and' in 'between", 13, "or"),
    ],
)
def test_forbidden_construct(text: str, reason: str, column: int | None, snippet: str | None) -> None:
    message = refused(text)
    assert reason in message
    if column is not None:
        assert f"(at column {column}: " in message
    if snippet is not None:
        assert f": {snippet!r})" in message


def test_function_call_message_matches_the_documented_form() -> None:
    assert refused("x + open('f')") == f"{KEY}: function calls are not allowed (at column 5: 'open(')"


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_expression(text: str) -> None:
    assert refused(text) == f"{KEY}: empty expression"


def test_non_text_rule() -> None:
    with pytest.raises(RuleError, match=re.escape(f"{KEY}: a rule must be text, got int")):
        compile_rule(5, key=KEY)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "(" * 100 + "a" + ")" * 100,
        "not " * 100 + "a",
        "-" * 100 + "1",
        " + ".join(["a"] * 100),  # a left-deep chain: built without recursion, refused by the depth check
    ],
)
def test_too_deep_nesting_is_refused_not_a_recursion_error(text: str) -> None:
    assert "nested too deeply" in refused(text)


def test_deep_but_reasonable_rules_are_fine() -> None:
    compile_rule("(" * 30 + "a > 1" + ")" * 30, key=KEY)
    compile_rule(" or ".join(f"x == {i}" for i in range(500)), key=KEY)  # n-ary 'or': not deep


def test_very_long_expression_is_refused() -> None:
    assert "expression is too long" in refused("x == 1 or " * 2500 + "x == 2")


def test_rule_error_is_a_config_error_with_exit_code_4() -> None:
    with pytest.raises(ConfigError) as info:
        compile_rule("a.b", key=KEY)
    assert info.value.exit_code == ExitCode.CONFIG_INVALID == 4
    assert info.value.key == KEY


def test_nothing_is_executed_while_refusing() -> None:
    """A refused rule must not run any of its code: the frame stays untouched and no name is looked up."""
    frame = pd.DataFrame({"x": [1, 2]})
    for text in ["__import__('os').system('echo hacked')", "x.drop(columns=['x'])", "exec('x=1')"]:
        with pytest.raises(RuleError):
            compile_rule(text, key=KEY).evaluate(frame)
    assert frame.columns.tolist() == ["x"]
