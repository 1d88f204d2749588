"""Compile a simple title template to one SQL expression that prints exactly what :func:`render` prints.

The compiler reads the Jinja2 tree of a template and the DuckDB types of the
columns it reads (the values :func:`render` would be given, as DuckDB hands
them to Python). A node, filter or column type without an exact SQL
counterpart makes the whole template uncompilable: :func:`title_sql` returns
None and the caller renders in Python.

Every compiled expression is a :class:`Value`: how it prints in ``{{ }}``
(``finalize``: None prints as nothing), how ``str()`` shows it (``~`` joins
that: None shows as ``None``) and its Python truth (``if``, ``default(x,
true)``). Each is an SQL expression that is never NULL.

>>> print(title_sql("{{ n }} · {{ '👶' if kid else '🧑' }}", (("n", "BIGINT"), ("kid", "BOOLEAN"))))
COALESCE(CAST(v."n" AS VARCHAR), '') || ' · ' || CASE WHEN COALESCE(v."kid", FALSE) THEN '👶' ELSE '🧑' END
>>> title_sql("{% for x in xs %}{{ x }}{% endfor %}", (("xs", "VARCHAR[]"),)) is None
True
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from jinja2 import TemplateSyntaxError, nodes
from sqlglot import exp

from ..store.names import quote
from ..templating import environment


class Uncompilable(Exception):
    """The template uses a node, a filter or a value type with no exact SQL counterpart."""


@dataclass(frozen=True)
class Value:
    """A compiled Jinja expression: three SQL expressions, none of them ever NULL."""

    out: str
    """How ``{{ value }}`` prints it: ``str(finalize(value))``, None as ''."""
    text: str
    """How ``str(value)`` shows it: None as 'None'."""
    truth: str
    """Its Python truth."""
    date: str | None = None
    """The DATE column itself, when the value is one (the ``date`` filter formats it)."""
    maybe_date: bool = False
    """Whether it may be a date without being known as one (the ``date`` filter gives up)."""


def literal(text: str) -> str:
    """A safely quoted SQL string literal; text DuckDB cannot hold makes the template uncompilable.

    >>> literal("it's")
    "'it''s'"
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Uncompilable("a lone surrogate in the text") from None
    return exp.Literal.string(text).sql("duckdb")


def _case(test: str, then: str, otherwise: str) -> str:
    return f"CASE WHEN {test} THEN {then} ELSE {otherwise} END"


def _string(text: str) -> Value:
    """A value that is a Python ``str`` (never None)."""
    return Value(text, text, f"(({text}) <> '')")


_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
             "UHUGEINT"}
_DECIMAL = re.compile(r"^DECIMAL\((\d+),(\d+)\)$")
_MAX_DECIMAL_SCALE = 6
"""``str(Decimal)`` switches to exponents below 1e-6 (``0E-7``); DuckDB never does."""
_DATE_RANGE = "BETWEEN DATE '0001-01-01' AND DATE '9999-12-31'"


def column_value(sql: str, duck_type: str) -> Value:
    """How a column of type ``duck_type`` prints once fetched into Python, as SQL.

    >>> print(column_value('v."a"', "BOOLEAN").out)
    CASE WHEN v."a" THEN 'True' WHEN NOT v."a" THEN 'False' ELSE '' END
    """
    if duck_type == "VARCHAR":
        return Value(f"COALESCE({sql}, '')", f"COALESCE({sql}, 'None')", f"COALESCE({sql} <> '', FALSE)")
    if duck_type in _INTEGERS or _decimal_scale(duck_type) is not None:
        shown = f"CAST({sql} AS VARCHAR)"
        return Value(f"COALESCE({shown}, '')", f"COALESCE({shown}, 'None')", f"COALESCE({sql} <> 0, FALSE)")
    if duck_type == "BOOLEAN":
        def shown(none: str) -> str:
            return f"CASE WHEN {sql} THEN 'True' WHEN NOT {sql} THEN 'False' ELSE {none} END"
        return Value(shown("''"), shown("'None'"), f"COALESCE({sql}, FALSE)")
    if duck_type == "DATE":
        # DuckDB hands infinities over as date.max/date.min and dates Python cannot hold as their text.
        shown = (f"CASE WHEN {sql} = 'infinity'::DATE THEN {literal(str(dt.date.max))} "
                 f"WHEN {sql} = '-infinity'::DATE THEN {literal(str(dt.date.min))} ELSE CAST({sql} AS VARCHAR) END")
        return Value(f"COALESCE({shown}, '')", f"COALESCE({shown}, 'None')", f"({sql} IS NOT NULL)", date=sql)
    raise Uncompilable(f"a column of type {duck_type}")


def _decimal_scale(duck_type: str) -> int | None:
    match = _DECIMAL.match(duck_type)
    if match is None or int(match.group(2)) > _MAX_DECIMAL_SCALE:
        return None
    return int(match.group(2))


def _choose(test: str, then: Value, otherwise: Value) -> Value:
    """``then if test else otherwise``, field by field."""
    date = None
    if then.date is not None and otherwise.date is not None:
        date = _case(test, then.date, otherwise.date)
    maybe_date = date is None and (then.date is not None or otherwise.date is not None
                                   or then.maybe_date or otherwise.maybe_date)
    return Value(_case(test, then.out, otherwise.out), _case(test, then.text, otherwise.text),
                 _case(test, then.truth, otherwise.truth), date, maybe_date)


def _concat(pieces: list[str]) -> str:
    """SQL text pieces joined with ``||``, empty literals left out."""
    return " || ".join(piece for piece in pieces if piece != "''") or "''"


_DIRECTIVE = re.compile(r"%(.?)", re.DOTALL)


def _year_sql(sql: str) -> str:
    """``%Y`` as this platform's ``strftime`` writes it (glibc does not pad years before 1000)."""
    if dt.date(5, 1, 1).strftime("%Y") == "0005":
        return f"lpad(CAST(year({sql}) AS VARCHAR), 4, '0')"
    if dt.date(5, 1, 1).strftime("%Y") == "5":
        return f"CAST(year({sql}) AS VARCHAR)"
    raise Uncompilable("an unknown %Y")


_DATE_PARTS: dict[str, Callable[[str], str]] = {
    "d": lambda sql: f"strftime({sql}, '%d')",
    "m": lambda sql: f"strftime({sql}, '%m')",
    "Y": _year_sql,
    "y": lambda sql: f"lpad(CAST(year({sql}) % 100 AS VARCHAR), 2, '0')",
    "%": lambda sql: "'%'",
}


def format_date_sql(sql: str, pattern: str) -> str:
    """``date.strftime(pattern)`` of an in-range DATE, for the directives ``%d %m %Y %y %%`` only.

    >>> format_date_sql("d", "%d.%m")
    "strftime(d, '%d') || '.' || strftime(d, '%m')"
    """
    parts, last = [], 0
    for match in _DIRECTIVE.finditer(pattern):
        if match.group(1) not in _DATE_PARTS:
            raise Uncompilable(f"the date directive %{match.group(1)}")
        if match.start() > last:
            parts.append(literal(pattern[last:match.start()]))
        parts.append(_DATE_PARTS[match.group(1)](sql))
        last = match.end()
    if last < len(pattern):
        parts.append(literal(pattern[last:]))
    return " || ".join(parts) or "''"


class _Compiler:
    """Jinja2 nodes to SQL, one method per node kind (:data:`_STATEMENTS`, :data:`_EXPRESSIONS`)."""

    def __init__(self, columns: dict[str, str], alias: str):
        self.columns, self.alias = columns, alias

    def body(self, statements: list[nodes.Node]) -> str:
        return _concat([self.statement(node) for node in statements])

    def statement(self, node: nodes.Node) -> str:
        method = _STATEMENTS.get(type(node))
        if method is None:
            raise Uncompilable(f"the statement {type(node).__name__}")
        return method(self, node)

    def output(self, node: nodes.Output) -> str:
        return _concat([literal(child.data) if isinstance(child, nodes.TemplateData) else self.value(child).out
                        for child in node.nodes])

    def if_(self, node: nodes.If) -> str:
        branches = [node, *node.elif_]
        whens = " ".join(f"WHEN {self.value(b.test).truth} THEN {self.body(b.body)}" for b in branches)
        return f"CASE {whens} ELSE {self.body(node.else_)} END"

    def value(self, node: nodes.Node) -> Value:
        method = _EXPRESSIONS.get(type(node))
        if method is None:
            raise Uncompilable(f"the expression {type(node).__name__}")
        return method(self, node)

    def name(self, node: nodes.Name) -> Value:
        if node.ctx != "load" or node.name not in self.columns:
            raise Uncompilable(f"the name {node.name}")
        return column_value(f"{self.alias}.{quote(node.name)}", self.columns[node.name])

    def const(self, node: nodes.Const) -> Value:
        value = node.value
        if value is not None and not isinstance(value, str | int | float | bool):
            raise Uncompilable(f"the constant {value!r}")
        out = "" if value is None else str(value)
        return Value(literal(out), literal(str(value)), "TRUE" if value else "FALSE")

    def cond_expr(self, node: nodes.CondExpr) -> Value:
        if node.expr2 is None:
            raise Uncompilable("an inline if without else")  # prints an Undefined: StrictUndefined raises
        return _choose(self.value(node.test).truth, self.value(node.expr1), self.value(node.expr2))

    def concat(self, node: nodes.Concat) -> Value:
        return _string(" || ".join(self.value(child).text for child in node.nodes) or "''")

    def not_(self, node: nodes.Not) -> Value:
        truth = self.value(node.node).truth
        shown = _case(truth, "'False'", "'True'")
        return Value(shown, shown, f"(NOT {truth})")

    def and_(self, node: nodes.And) -> Value:
        left, right = self.value(node.left), self.value(node.right)
        return _choose(left.truth, right, left)

    def or_(self, node: nodes.Or) -> Value:
        left, right = self.value(node.left), self.value(node.right)
        return _choose(left.truth, left, right)

    def filter(self, node: nodes.Filter) -> Value:
        if node.node is None or node.dyn_args is not None or node.dyn_kwargs is not None:
            raise Uncompilable("a filter block or dynamic filter arguments")
        method = _FILTERS.get(node.name)
        if method is None:
            raise Uncompilable(f"the filter {node.name}")
        return method(self, node)

    def default(self, node: nodes.Filter) -> Value:
        """``default(value, default_value='', boolean=False)``: a defined name is only replaced when falsy."""
        args = _arguments(node, ("default_value", "boolean"))
        boolean = args.get("boolean")
        if boolean is not None and not isinstance(boolean, nodes.Const):
            raise Uncompilable("a computed boolean argument of default")
        value = self.value(node.node)
        if boolean is None or not boolean.value:
            return value  # only an Undefined is replaced, and a name here is always defined
        fallback = self.value(args["default_value"]) if "default_value" in args else self.const(nodes.Const(""))
        return _choose(value.truth, value, fallback)

    def date(self, node: nodes.Filter) -> Value:
        """``_format_date``: a date formatted by the pattern, None as '', anything else as ``str()``."""
        args = _arguments(node, ("pattern",))
        pattern = args.get("pattern", nodes.Const("%d.%m.%Y"))
        if not isinstance(pattern, nodes.Const) or not isinstance(pattern.value, str):
            raise Uncompilable("a computed date pattern")
        value = self.value(node.node)
        if value.maybe_date:
            raise Uncompilable("the date filter on what may or may not be a date")
        if value.date is None:
            return _string(value.out)
        sql, text = value.date, pattern.value
        formatted = (f"CASE WHEN {sql} IS NULL THEN '' WHEN {sql} {_DATE_RANGE} THEN {format_date_sql(sql, text)} "
                     f"WHEN {sql} = 'infinity'::DATE THEN {literal(dt.date.max.strftime(text))} "
                     f"WHEN {sql} = '-infinity'::DATE THEN {literal(dt.date.min.strftime(text))} "
                     f"ELSE CAST({sql} AS VARCHAR) END")
        return _string(formatted)


def _arguments(node: nodes.Filter, names: tuple[str, ...]) -> dict[str, nodes.Expr]:
    """A filter's arguments after the filtered value, by parameter name."""
    if len(node.args) > len(names):
        raise Uncompilable(f"too many arguments to {node.name}")
    args = dict(zip(names, node.args, strict=False))
    for keyword in node.kwargs:
        if keyword.key not in names or keyword.key in args:
            raise Uncompilable(f"the argument {keyword.key} of {node.name}")
        args[keyword.key] = keyword.value
    return args


_STATEMENTS: dict[type, Callable[[_Compiler, nodes.Node], str]] = {
    nodes.Output: _Compiler.output,
    nodes.If: _Compiler.if_,
}
_EXPRESSIONS: dict[type, Callable[[_Compiler, nodes.Node], Value]] = {
    nodes.Name: _Compiler.name,
    nodes.Const: _Compiler.const,
    nodes.CondExpr: _Compiler.cond_expr,
    nodes.Concat: _Compiler.concat,
    nodes.Not: _Compiler.not_,
    nodes.And: _Compiler.and_,
    nodes.Or: _Compiler.or_,
    nodes.Filter: _Compiler.filter,
}
_FILTERS: dict[str, Callable[[_Compiler, nodes.Filter], Value]] = {
    "default": _Compiler.default,
    "d": _Compiler.default,
    "date": _Compiler.date,
}


@cache
def _tree(text: str) -> nodes.Template | None:
    """The parsed template, or None when it does not even parse (rendering reports that)."""
    try:
        return environment().parse(text)
    except TemplateSyntaxError:
        return None


@cache
def may_compile(text: str) -> bool:
    """Whether a template can compile for some column types (its shape alone), to skip asking for them.

    >>> may_compile("{{ a }}{% if b %}!{% endif %}"), may_compile("{% for x in xs %}{{ x }}{% endfor %}")
    (True, False)
    """
    tree = _tree(text)
    if tree is None:
        return False
    try:
        _Compiler(_AnyColumns(), "v").body(tree.body)
    except Uncompilable:
        return False
    return True


class _AnyColumns(dict):
    """Every name is a VARCHAR column (for :func:`may_compile`)."""

    def __contains__(self, key: object) -> bool:
        return True

    def __missing__(self, key: str) -> str:
        return "VARCHAR"


@lru_cache(maxsize=1024)
def title_sql(text: str, columns: tuple[tuple[str, str], ...], alias: str = "v") -> str | None:
    """SQL printing exactly ``render(text, row)`` for a row of ``alias`` whose columns have these DuckDB types.

    None when the template uses anything without an exact SQL counterpart.
    """
    tree = _tree(text)
    if tree is None:
        return None
    try:
        return _Compiler(dict(columns), alias).body(tree.body)
    except Uncompilable:
        return None
