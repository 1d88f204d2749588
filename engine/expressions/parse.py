"""Parse expression text into a tree holding only what the language allows.

:mod:`.grammar` reads the text; the tree is then walked and every node kind
(and node argument) not on the allow-list is refused, with the character
offset of the offending text.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from ..errors import ExpressionError
from ..suggest import did_you_mean
from ._nodes import offset, span
from .functions import FUNCTIONS, REFUSED_FUNCTIONS
from .grammar import read

_ALLOWED = (
    exp.Column, exp.Literal, exp.Boolean, exp.Null, exp.Paren, exp.Neg, exp.Not, exp.And, exp.Or,
    exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod,
    exp.DPipe, exp.In, exp.Between, exp.Is, exp.Like, exp.Case, exp.Anonymous, exp.Interval,
)  # fmt: skip

_ARGS = {
    "this", "expression", "expressions", "low", "high", "ifs", "default", "true", "table", "to",
    "is_string", "quoted", "safe", "db", "catalog",
}  # fmt: skip
"""The arguments an allowed node may carry; any other (e.g. ``between symmetric``) changes its meaning."""

_REFUSED = {
    exp.Star: ("'*' is not allowed in an expression", ""),
    exp.Window: ("window functions (over …) are not allowed", ""),
    exp.Cast: ("casts are not allowed", "use date(x), or a literal like date '2026-01-31'"),
    exp.Bracket: ("indexing with [ ] is not allowed", "use contains(list, x) or cardinality(list)"),
    exp.Array: ("list literals [ … ] are not allowed", "write x in (a, b) instead"),
    exp.ILike: ("ilike is not allowed", "write lower(x) like 'pattern'"),
    exp.Escape: ("like … escape is not allowed", ""),
    exp.NullSafeEQ: ("<=> is not allowed", "compare with = and handle null with is null"),
    exp.Subquery: ("subqueries are not allowed", ""),
    exp.Dot: ("a name has at most four parts, e.g. source.device.client.name", ""),
}


@dataclass(frozen=True, eq=False)
class Expression:
    """A parsed expression: its source ``text`` and its sqlglot ``tree``.

    :func:`check` annotates the tree with types, which :func:`to_sql` needs.
    """

    text: str
    tree: exp.Expr

    def __str__(self) -> str:
        return self.text


def parse(text: str) -> Expression:
    """Parse an expression, refusing anything outside the language.

    >>> parse("age_at_issue < 18 and stage = 'later'").tree.sql()
    "age_at_issue < 18 AND stage = 'later'"
    >>> parse("1; drop table x")
    Traceback (most recent call last):
    ...
    ruledeck.engine.errors.ExpressionError: only one expression is allowed: ';' is not part of the language
    """
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty", 0, "E-EXPR-SYNTAX")
    tree = _normalize(read(text))
    _check_tree(text, tree)
    return Expression(text, tree)


def names_used(expr: Expression) -> set[tuple[str | None, str]]:
    """Every ``(namespace, name)`` the expression reads; namespace is None for bare names.

    A longer name is split at its first dot: ``device.client.name`` reads
    ``('device', 'client.name')`` (a namespace's field, or refs followed).

    >>> sorted(names_used(parse("user_id = source.user_id and x > 1")), key=lambda n: (n[0] or "", n[1]))
    [(None, 'user_id'), (None, 'x'), ('source', 'user_id')]
    """
    found = set()
    for col in expr.tree.find_all(exp.Column):
        names = [part.name for part in col.parts]
        found.add((None, names[0]) if len(names) == 1 else (names[0], ".".join(names[1:])))
    return found


def _normalize(tree: exp.Expr) -> exp.Expr:
    """``a not like b`` arrives as ``Like(negate=True)``: make it ``Not(Like)`` like every other negation."""
    for like in list(tree.find_all(exp.Like)):
        if like.args.get("negate"):
            like.set("negate", None)
            negated = exp.Not(this=like.copy())
            if like is tree:
                return negated
            like.replace(negated)
    return tree


def _check_tree(text: str, tree: exp.Expr) -> None:
    for node in tree.walk():
        if not _is_part(node):
            _check_kind(text, node)
        unknown = [
            key for key, value in node.args.items() if value not in (None, False, []) and key not in _ARGS
        ]
        if unknown:
            _raise(
                f"{_snippet(text, node)} is not allowed in an expression ({unknown[0]})",
                offset(node),
                "E-EXPR-FORBIDDEN",
                "see docs/expressions.md for the language",
            )


def _is_part(node: exp.Expr) -> bool:
    """Nodes that are pieces of an allowed node: a column's name, a case's branch, a literal's type."""
    parent = node.parent
    if isinstance(node, exp.Identifier):
        return isinstance(parent, exp.Column)
    if isinstance(node, exp.If):
        return isinstance(parent, exp.Case)
    if isinstance(node, exp.DataType):
        return parent is not None and bool(parent.meta.get("typed_literal"))
    return isinstance(node, exp.Cast) and bool(node.meta.get("typed_literal"))


def _check_kind(text: str, node: exp.Expr) -> None:
    if isinstance(node, exp.Alias):
        alias = node.args["alias"]
        _raise(
            f"unexpected '{alias.name}'",
            offset(alias),
            "E-EXPR-SYNTAX",
            "an operator is missing between two values",
        )
    if type(node) in _REFUSED:
        message, hint = _REFUSED[type(node)]
        _raise(message, offset(node), "E-EXPR-FORBIDDEN", hint)
    if not isinstance(node, _ALLOWED):
        _raise(
            f"{_snippet(text, node)} is not allowed in an expression",
            offset(node),
            "E-EXPR-FORBIDDEN",
            "see docs/expressions.md for the language",
        )
    _CHECKS.get(type(node), _no_check)(text, node)


def _no_check(text: str, node: exp.Expr) -> None:
    return None


def _check_is(text: str, node: exp.Is) -> None:
    if not isinstance(node.expression, exp.Null):
        _raise(
            "only 'is null' and 'is not null' are allowed",
            offset(node.expression),
            "E-EXPR-FORBIDDEN",
            "compare with = instead, e.g. is_child = true",
        )


def _check_in(text: str, node: exp.In) -> None:
    extra = [key for key, value in node.args.items() if value and key not in ("this", "expressions")]
    if extra or not node.expressions:
        _raise(
            "'in' needs a list of values in parentheses, e.g. x in ('a', 'b')", offset(node), "E-EXPR-SYNTAX"
        )


def _check_call(text: str, node: exp.Anonymous) -> None:
    name = node.this
    where = node.meta.get("start", offset(node))
    if not isinstance(name, str):
        _raise("a function name cannot be quoted", where, "E-EXPR-SYNTAX")
    key = name.lower()
    if key in FUNCTIONS:
        return
    hint = (
        REFUSED_FUNCTIONS.get(key)
        or did_you_mean(key, FUNCTIONS)
        or "see docs/expressions.md for the functions"
    )
    _raise(f"unknown function '{name}'", where, "E-EXPR-UNKNOWN-FUNCTION", hint)


_CHECKS = {exp.Is: _check_is, exp.In: _check_in, exp.Anonymous: _check_call}


def _snippet(text: str, node: exp.Expr) -> str:
    found = span(node)
    if not found:
        return f"'{node.sql()}'"
    return repr(text[found[0] : found[1] + 1])


def _raise(message: str, where: int, code: str, hint: str = ""):
    raise ExpressionError(message, where, code, hint)
