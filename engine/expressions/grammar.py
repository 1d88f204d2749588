"""Read expression text into a sqlglot tree: DuckDB's grammar, with the language's limits.

Every function call is kept as a plain call (``Anonymous``) so that only our
allow-list decides what a name means. Comments, statements, parameters and
casts are refused here, at the token level, with the offset of the offending
text; sqlglot's parse errors are turned into short messages with offsets.
"""

from __future__ import annotations

import bisect

from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from ..errors import ExpressionError

_INTERVAL_NEEDS_STRING = "write an interval as a quoted duration, e.g. interval '5d' or interval '1 month'"


def _with_position(build):
    def wrapped(parser, token):
        node = build(parser, token)
        if isinstance(node, exp.Expr) and "start" not in node.meta:
            node.update_positions(token)
        return node

    return wrapped


def _typed_literal(parser, this, data_type):
    node = exp.Cast(this=this, to=data_type)
    node.meta["typed_literal"] = True
    return node


class _Grammar(DuckDB):
    """DuckDB's grammar with no built-in function semantics (every call is a plain call)."""

    class Parser(DuckDB.Parser):
        FUNCTIONS = {}
        FUNCTION_PARSERS = {}
        NO_PAREN_FUNCTIONS = {}
        NO_PAREN_FUNCTION_PARSERS = {"CASE": DuckDB.Parser.NO_PAREN_FUNCTION_PARSERS["CASE"]}
        PRIMARY_PARSERS = {k: _with_position(v) for k, v in DuckDB.Parser.PRIMARY_PARSERS.items()}
        TYPE_LITERAL_PARSERS = {
            exp.DType.DATE: _typed_literal,
            exp.DType.TIMESTAMP: _typed_literal,
            exp.DType.TIMESTAMPNTZ: _typed_literal,
        }

        def _parse_interval(self, require_interval: bool = True, parse_function_unit: bool = True):
            if not self._match(TokenType.INTERVAL):
                return None
            if not self._match(TokenType.STRING):
                self.raise_error(_INTERVAL_NEEDS_STRING, self._curr)
                return None
            return exp.Interval(this=exp.Literal.string(self._prev.text)).update_positions(self._prev)


_DIALECT = _Grammar()

_STATEMENT_TOKENS = {
    getattr(TokenType, name)
    for name in (
        "SELECT", "WITH", "FROM", "INSERT", "UPDATE", "DELETE", "DROP", "CREATE", "ALTER", "MERGE",
        "UNION", "INTERSECT", "EXCEPT", "TRUNCATE", "COMMAND", "PRAGMA", "ATTACH", "DETACH", "INSTALL",
        "LOAD", "COPY", "GRANT", "EXECUTE", "VALUES", "WHERE", "ORDER_BY", "GROUP_BY", "EXISTS",
    )
    if hasattr(TokenType, name)
}  # fmt: skip
_PARAMETER_TOKENS = {TokenType.PLACEHOLDER, TokenType.PARAMETER, TokenType.SESSION_PARAMETER, TokenType.COLON}

_T = TokenType
_OPERATORS = {
    _T.EQ,
    _T.NEQ,
    _T.LT,
    _T.LTE,
    _T.GT,
    _T.GTE,
    _T.STAR,
    _T.SLASH,
    _T.MOD,
    _T.DPIPE,
    _T.AND,
    _T.OR,
    _T.LIKE,
    _T.IS,
    _T.IN,
    _T.BETWEEN,
}
_NEEDS_VALUE_AFTER = _OPERATORS | {_T.PLUS, _T.DASH, _T.NOT, _T.THEN, _T.WHEN, _T.ELSE, _T.COMMA, _T.L_PAREN}
_CANNOT_START_VALUE = _OPERATORS | {_T.THEN, _T.ELSE, _T.END, _T.COMMA, _T.R_PAREN, _T.WHEN}
_MAY_FOLLOW = {_T.NOT: {_T.IN, _T.LIKE, _T.BETWEEN}, _T.IS: {_T.NOT}, _T.L_PAREN: {_T.R_PAREN, _T.STAR}}

_VALUES = {_T.VAR, _T.NUMBER, _T.STRING, _T.IDENTIFIER, _T.NULL, _T.TRUE, _T.FALSE}


def read(text: str) -> exp.Expr:
    """The sqlglot tree of ``text``, or :class:`ExpressionError` with the offset of the problem.

    >>> read("x in (1, 2)").sql()
    'x IN (1, 2)'
    """
    tokens = _tokenize(text)
    _check_tokens(text, tokens)
    _check_sequence(text, tokens)
    try:
        trees = _DIALECT.parser().parse_into(exp.Condition, tokens, text)
    except ParseError as error:
        raise _syntax_error(text, tokens, error) from None
    if trees[0] is None:
        raise ExpressionError("the expression is empty", 0, "E-EXPR-SYNTAX")
    return trees[0]


def _tokenize(text: str) -> list[Token]:
    try:
        return _DIALECT.tokenize(text)
    except TokenError:
        quote = _unclosed_quote(text)
        if quote is not None:
            return _raise(f"unterminated string: {text[quote]} is never closed", quote, "E-EXPR-SYNTAX")
        return _raise("the expression cannot be read", 0, "E-EXPR-SYNTAX")


def _unclosed_quote(text: str) -> int | None:
    opened: int | None = None
    for index, char in enumerate(text):
        if opened is None and char in "'\"":
            opened = index
        elif opened is not None and char == text[opened]:
            opened = None  # a doubled quote closes and reopens: same result
    return opened


def _check_tokens(text: str, tokens: list[Token]) -> None:
    previous_end = -1
    for token in tokens:
        gap = text[previous_end + 1 : token.start]
        if gap.strip():
            _refuse_comment(text, previous_end + 1 + (len(gap) - len(gap.lstrip())))
        previous_end = token.end
        kind = token.token_type
        if kind == TokenType.SEMICOLON:
            _raise(
                "only one expression is allowed: ';' is not part of the language",
                token.start,
                "E-EXPR-FORBIDDEN",
            )
        if kind == TokenType.DCOLON:
            _raise(
                "casts are not allowed",
                token.start,
                "E-EXPR-FORBIDDEN",
                "use date(x), or a literal like date '2026-01-31'",
            )
        if kind in _PARAMETER_TOKENS:
            _raise(
                "parameters ($1, ?, :name) are not allowed",
                token.start,
                "E-EXPR-FORBIDDEN",
                "use field names and literals",
            )
        if kind in _STATEMENT_TOKENS:
            word = text[token.start : token.end + 1]
            hint = f'if {word} is a field, write it in double quotes: "{word}"' if word.isidentifier() else ""
            _raise(
                f"'{word}' is not allowed: an expression cannot hold queries or statements",
                token.start,
                "E-EXPR-FORBIDDEN",
                hint,
            )
    tail = text[previous_end + 1 :]
    if tail.strip():
        _refuse_comment(text, previous_end + 1 + len(tail) - len(tail.lstrip()))


def _refuse_comment(text: str, where: int) -> None:
    hint = "'--' starts a comment: write - -1 with a space" if text.startswith("--", where) else ""
    _raise("comments are not allowed in expressions", where, "E-EXPR-FORBIDDEN", hint)


def _check_sequence(text: str, tokens: list[Token]) -> None:
    """Catch a missing value between operators early: sqlglot reports those at a later token."""
    for index, (token, following) in enumerate(zip(tokens, tokens[1:], strict=False)):
        kind, after = token.token_type, following.token_type
        if kind == _T.STAR and index and tokens[index - 1].token_type in (_T.DOT, _T.L_PAREN):
            continue  # t.* or count(*): a star, not a multiplication (refused later with its own message)
        if (
            kind in _NEEDS_VALUE_AFTER
            and after in _CANNOT_START_VALUE
            and after not in _MAY_FOLLOW.get(kind, ())
        ):
            shown = text[following.start : following.end + 1]
            _raise(
                f"unexpected '{shown}'",
                following.start,
                "E-EXPR-SYNTAX",
                f"a value is missing after '{text[token.start : token.end + 1]}'",
            )
    last = tokens[-1]
    if last.token_type in _NEEDS_VALUE_AFTER:
        _raise(
            f"the expression ends too early after '{text[last.start : last.end + 1]}'",
            last.start,
            "E-EXPR-SYNTAX",
        )


def _syntax_error(text: str, tokens: list[Token], error: ParseError) -> ExpressionError:
    detail = error.errors[0] if error.errors else {}
    description = detail.get("description", "")
    token = _token_at(tokens, detail.get("line"), detail.get("col"))
    if token is None:
        where, shown, last = len(text.rstrip()), "", True
    else:
        where, shown, last = token.start, text[token.start : token.end + 1], token is tokens[-1]
    if description == _INTERVAL_NEEDS_STRING:
        return ExpressionError(description, where, "E-EXPR-SYNTAX")
    if description.startswith("Expecting )"):
        opened = _unclosed_paren(tokens)
        if opened is not None:
            return ExpressionError("'(' is never closed", opened, "E-EXPR-SYNTAX", "add the missing ')'")
        return ExpressionError(f"expected ')' before '{shown}'", where, "E-EXPR-SYNTAX")
    if last and description.startswith("Required keyword"):
        return ExpressionError(f"the expression ends too early after '{shown}'", where, "E-EXPR-SYNTAX")
    hint = (
        "an operator is missing between two values"
        if token is not None and token.token_type in _VALUES
        else ""
    )
    return ExpressionError(f"unexpected '{shown}'", where, "E-EXPR-SYNTAX", hint)


def _unclosed_paren(tokens: list[Token]) -> int | None:
    opened: list[int] = []
    for token in tokens:
        if token.token_type == TokenType.L_PAREN:
            opened.append(token.start)
        elif token.token_type == TokenType.R_PAREN and opened:
            opened.pop()
    return opened[-1] if opened else None


def _token_at(tokens: list[Token], line: int | None, col: int | None) -> Token | None:
    if line is None or col is None:
        return None
    for token in tokens:
        if token.line == line and token.col == col:
            return token
    keys = [(token.line, token.col) for token in tokens]
    index = bisect.bisect_left(keys, (line, col))
    return tokens[min(index, len(tokens) - 1)] if tokens else None


def _raise(message: str, where: int, code: str, hint: str = ""):
    raise ExpressionError(message, where, code, hint)
