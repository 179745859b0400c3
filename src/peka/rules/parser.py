"""Recursive-descent parser of the rule language: tokens → AST (``peka.rules.nodes``).

Grammar (EBNF; keywords case-insensitive, precedence from loosest to tightest)::

    expression = or_expr ;
    or_expr    = and_expr { "or" and_expr } ;
    and_expr   = not_expr { "and" not_expr } ;
    not_expr   = "not" not_expr | comparison ;
    comparison = sum [ compare_op sum { compare_op sum }
                     | [ "not" ] "in" list
                     | [ "not" ] "between" sum "and" sum
                     | "is" [ "not" ] "missing" ] ;
    compare_op = "<" | "<=" | ">" | ">=" | "==" | "!=" ;
    sum        = product { ( "+" | "-" ) product } ;
    product    = unary { ( "*" | "/" ) unary } ;
    unary      = ( "-" | "+" ) unary | primary ;
    primary    = number | string | "true" | "false" | name | "(" expression ")" ;
    list       = "[" [ item { "," item } [ "," ] ] "]" ;
    item       = [ "-" | "+" ] number | string | "true" | "false" ;

Nothing else exists: a name followed by ``(`` (a call), ``[`` after a value (a subscript) and ``.`` (attribute
access) are refused with a message naming the config key and the column. Nesting is limited to ``MAX_DEPTH``.
"""

from __future__ import annotations

from peka.errors import RuleError
from peka.rules import nodes as n
from peka.rules.tokens import Token, rule_error, tokenize

MAX_DEPTH = 64  # nesting of the syntax tree; far beyond any real rule, well below Python's recursion limit

COMPARE_OPS = frozenset({"<", "<=", ">", ">=", "==", "!="})


def parse(source: str, *, key: str) -> n.Node:
    """Parse ``source`` into an AST, raising ``RuleError`` (naming ``key``) on anything outside the grammar.

    >>> parse("not a and b or c", key="k").op
    'or'
    """
    if not source.strip():
        raise RuleError("empty expression", key=key)
    tree = _Parser(source, key).parse()
    _check_depth(tree, source, key)
    return tree


class _Parser:
    def __init__(self, source: str, key: str):
        self.source = source
        self.key = key
        self.tokens = tokenize(source, key=key)
        self.pos = 0
        self.depth = 0

    # ---- helpers -------------------------------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def at(self, type_: str, *texts: str) -> bool:
        return self.tok.type == type_ and (not texts or self.tok.text in texts)

    def error(self, message: str, tok: Token | None = None, width: int = 0) -> RuleError:
        tok = tok or self.tok
        if tok.type == "end":
            return rule_error(self.key, message + " (at the end of the expression)")
        return rule_error(self.key, message, self.source, tok.col, width or len(tok.text))

    def expect_op(self, text: str, what: str) -> Token:
        if not self.at("op", text):
            raise self.error(f"expected {text!r} {what}, found {self.tok.describe()}")
        return self.advance()

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"expression is nested too deeply (more than {MAX_DEPTH} levels)")

    # ---- grammar -------------------------------------------------------------------------------------------------
    def parse(self) -> n.Node:
        node = self.or_expr()
        if self.tok.type != "end":
            tok = self.tok
            if tok.type in ("name", "number", "string") or (tok.type == "keyword" and tok.text in ("true", "false")):
                raise self.error(f"unexpected {tok.describe()}: an operator is missing before it")
            if tok.type == "op" and tok.text == ")":
                raise self.error("unbalanced ')': no '(' to close")
            if tok.type == "op" and tok.text in COMPARE_OPS:
                raise self.error(f"unexpected {tok.describe()}: 'in', 'between' and 'is missing' cannot be chained "
                                 "with another comparison; join them with 'and'")  # fmt: skip
            if tok.type == "keyword" and tok.text in ("in", "is", "between", "not"):
                raise self.error(f"unexpected {tok.describe()}: a comparison cannot be followed by "
                                 f"'{tok.text}'; put the part before it in parentheses")  # fmt: skip
            raise self.error(f"unexpected {tok.describe()}")
        return node

    def or_expr(self) -> n.Node:
        first = self.and_expr()
        operands = [first]
        while self.at("keyword", "or"):
            self.advance()
            operands.append(self.and_expr())
        return first if len(operands) == 1 else n.BoolOp("or", tuple(operands), _col(first))

    def and_expr(self) -> n.Node:
        first = self.not_expr()
        operands = [first]
        while self.at("keyword", "and"):
            self.advance()
            operands.append(self.not_expr())
        return first if len(operands) == 1 else n.BoolOp("and", tuple(operands), _col(first))

    def not_expr(self) -> n.Node:
        if self.at("keyword", "not"):
            tok = self.advance()
            self.enter()
            operand = self.not_expr()
            self.depth -= 1
            return n.Not(operand, tok.col)
        return self.comparison()

    def comparison(self) -> n.Node:
        left = self.sum()
        col = _col(left)
        if self.at("op") and self.tok.text in COMPARE_OPS:
            operands, ops = [left], []
            while self.at("op") and self.tok.text in COMPARE_OPS:
                ops.append(self.advance().text)
                operands.append(self.sum())
            return n.Compare(tuple(operands), tuple(ops), col)
        negated = False
        if self.at("keyword", "not") and self.peek().type == "keyword" and self.peek().text in ("in", "between"):
            self.advance()
            negated = True
        if self.at("keyword", "in"):
            self.advance()
            return n.InList(left, self.literal_list(), negated, col)
        if self.at("keyword", "between"):
            self.advance()
            low = self.sum()
            if not self.at("keyword", "and"):
                raise self.error(f"expected 'and' in 'between … and …', found {self.tok.describe()}")
            self.advance()
            high = self.sum()
            return n.Between(left, low, high, negated, col)
        if self.at("keyword", "is"):
            self.advance()
            is_not = False
            if self.at("keyword", "not"):
                self.advance()
                is_not = True
            if not self.at("keyword", "missing"):
                raise self.error(f"expected 'missing' after 'is', found {self.tok.describe()} "
                                 "(only 'is missing' and 'is not missing' exist; compare values with '==')")  # fmt: skip
            self.advance()
            return n.IsMissing(left, is_not, col)
        return left

    def sum(self) -> n.Node:
        node = self.product()
        while self.at("op", "+", "-"):
            op = self.advance().text
            node = n.Arith(op, node, self.product(), _col(node))
        return node

    def product(self) -> n.Node:
        node = self.unary()
        while self.at("op", "*", "/"):
            op = self.advance().text
            node = n.Arith(op, node, self.unary(), _col(node))
        return node

    def unary(self) -> n.Node:
        if self.at("op", "-", "+"):
            tok = self.advance()
            self.enter()
            operand = self.unary()
            self.depth -= 1
            if tok.text == "+":
                return operand
            if isinstance(operand, n.Literal) and isinstance(operand.value, float):
                return n.Literal(-operand.value, tok.col)  # fold '-3' into a literal
            return n.Negate(operand, tok.col)
        return self.primary()

    def primary(self) -> n.Node:
        tok = self.tok
        node: n.Node
        if tok.type == "number":
            self.advance()
            node = n.Literal(float(tok.value), tok.col)  # type: ignore[arg-type]
        elif tok.type == "string":
            self.advance()
            node = n.Literal(str(tok.value), tok.col)
        elif tok.type == "keyword" and tok.text in ("true", "false"):
            self.advance()
            node = n.Literal(tok.text == "true", tok.col)
        elif tok.type == "name":
            self.advance()
            if self.at("op", "("):
                raise self.error("function calls are not allowed", tok, self.tok.col - tok.col + 1)
            node = n.Name(str(tok.value), tok.col)
        elif tok.type == "op" and tok.text == "(":
            self.advance()
            self.enter()
            if self.at("op", ")"):
                raise self.error("empty parentheses", tok, 2)
            node = self.or_expr()
            self.depth -= 1
            self.expect_op(")", f"to close the '(' at column {tok.col}")
        elif tok.type == "op" and tok.text == "[":
            raise self.error("a list [...] is only allowed after 'in'")
        elif tok.type == "keyword" and tok.text == "missing":
            raise self.error("'missing' is only allowed in 'is missing' or 'is not missing'")
        elif tok.type == "end":
            raise self.error("expression ends too early: a value is missing")
        else:
            raise self.error(f"unexpected {tok.describe()}: expected a value")
        if self.at("op", "["):
            raise self.error("subscripts are not allowed", tok, self.tok.col - tok.col + 1)
        if self.at("op", "("):
            raise self.error("function calls are not allowed", tok, self.tok.col - tok.col + 1)
        return node

    def literal_list(self) -> tuple[n.LiteralValue, ...]:
        self.expect_op("[", "after 'in' (a list of values such as ['a', 'b'])")
        values: list[n.LiteralValue] = []
        while not self.at("op", "]"):
            sign = 1.0
            if self.at("op", "-", "+"):
                sign = -1.0 if self.advance().text == "-" else 1.0
                if self.tok.type != "number":
                    raise self.error("expected a number after the sign in the list")
            tok = self.tok
            if tok.type == "number":
                values.append(sign * float(tok.value))  # type: ignore[arg-type]
            elif tok.type == "string":
                values.append(str(tok.value))
            elif tok.type == "keyword" and tok.text in ("true", "false"):
                values.append(tok.text == "true")
            elif tok.type == "end":
                raise self.error("unterminated list: ']' is missing")
            else:
                raise self.error(f"a list after 'in' may only hold literal values, found {tok.describe()}")
            self.advance()
            if self.at("op", ","):
                self.advance()
            elif self.tok.type == "end":
                raise self.error("unterminated list: ']' is missing")
            elif not self.at("op", "]"):
                raise self.error(f"expected ',' or ']' in the list, found {self.tok.describe()}")
        self.advance()
        kinds = {_literal_kind(v) for v in values}
        if len(kinds) > 1:
            raise self.error("a list after 'in' must not mix text, numbers and true/false",
                             self.tokens[self.pos - 1])  # fmt: skip
        return tuple(values)


def _literal_kind(value: n.LiteralValue) -> str:
    return "bool" if isinstance(value, bool) else "text" if isinstance(value, str) else "number"


def _col(node: n.Node) -> int:
    return node.col


def _check_depth(tree: n.Node, source: str, key: str) -> None:
    """Left-deep chains such as ``a + a + a + …`` are built without recursion; refuse them here when too deep."""
    stack: list[tuple[n.Node, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise rule_error(key, f"expression is nested too deeply (more than {MAX_DEPTH} levels)", source, node.col)
        stack.extend((child, depth + 1) for child in n.children(node))
