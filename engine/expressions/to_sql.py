"""Compile a checked expression into a sqlglot tree that DuckDB (and PostgreSQL) can run.

Names are never copied into SQL: every field becomes whatever the caller's
resolver returns for it, and literals become sqlglot literal nodes. Our
functions become sqlglot's typed nodes (``LastDay``, ``DateAdd``, …) so each
dialect renders them in its own words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

from sqlglot import exp

from ..store.names import items_table
from ._nodes import DEREF_KEY, TYPE_KEY
from .formats import format_sql
from .lookups import lookup_sql
from .parse import Expression
from .types import Type
from .working_days import working_days_delta_sql

DIALECTS = ("duckdb", "postgres")
_NUMBER_RE = re.compile(r"(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_DATE = exp.DataType.build("date")
_TIMESTAMPTZ = exp.DataType.build("timestamptz")
_DOUBLE = exp.DataType.build("double")


class Resolver(Protocol):
    """Maps the names an expression reads to SQL: columns, and the clock."""

    def column(self, namespace: str | None, name: str) -> exp.Expr:
        """The SQL for ``name`` (bare when ``namespace`` is None, else ``namespace.name``)."""

    def now(self) -> exp.Expr:
        """The SQL giving the rule's clock as a TIMESTAMPTZ."""

    # Optional: ``deref(ref, process, name) -> exp.Expr``, field ``name`` of the ``process`` item whose id is
    # ``ref`` (null when ref is null). Without it, :func:`deref_sql` reads the stored column by a subquery.


def deref_sql(ref: exp.Expr, process: str, name: str) -> exp.Expr:
    """``(SELECT r.name FROM items_process r WHERE r.id = ref)``: a stored field of a referenced item.

    >>> print(deref_sql(exp.column("device", table="it"), "client", "name").sql("duckdb"))
    (SELECT "rd_ref"."name" FROM "items_client" AS "rd_ref" WHERE "rd_ref"."id" = it.device)
    """
    alias = exp.to_identifier("rd_ref", quoted=True)
    select = (exp.select(exp.column(exp.to_identifier(name, quoted=True), table=alias.copy()))
              .from_(exp.alias_(exp.Table(this=exp.to_identifier(items_table(process), quoted=True)), alias.copy(),
                                table=True))
              .where(exp.EQ(this=exp.column(exp.to_identifier("id", quoted=True), table=alias.copy()),
                            expression=ref)))
    return exp.Subquery(this=select)


def to_sql(expr: Expression, resolver: Resolver, dialect: str = "duckdb") -> exp.Expr:
    """Compile a checked expression; render it with ``.sql(dialect=...)``.

    >>> from sqlglot import exp
    >>> from .check import Scope, check
    >>> from .parse import parse
    >>> from .types import Type
    >>> class Columns:
    ...     def column(self, namespace, name): return exp.column(name, table=namespace or "item")
    ...     def now(self): return exp.column("now", table="clock")
    >>> e = parse("coalesce(paid, 0) >= amount / 2 and issued_on < start_of_month(now())")
    >>> fields = {"paid": Type.of("decimal"), "amount": Type.of("int"), "issued_on": Type.of("date")}
    >>> _ = check(e, Scope(fields))
    >>> print(to_sql(e, Columns()).sql("duckdb"))
    (COALESCE(item.paid, 0) >= (CAST(item.amount AS DOUBLE) / NULLIF(2, 0))) AND \
(item.issued_on < CAST(DATE_TRUNC('MONTH', CAST(clock.now AS DATE)) AS DATE))
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")
    if TYPE_KEY not in expr.tree.meta:
        raise ValueError("check() the expression before to_sql()")
    return _Compiler(resolver, dialect).visit(expr.tree)


def _wrap(node: exp.Expr) -> exp.Expr:
    """Parenthesise operator nodes: sqlglot renders trees without adding precedence parentheses."""
    if isinstance(node, exp.Paren):
        return node
    if isinstance(node, (exp.Binary, exp.Unary, exp.Between, exp.In, exp.Is, exp.Like, exp.DateAdd)):
        return exp.Paren(this=node)
    return node


def _cast(node: exp.Expr, to: exp.DataType) -> exp.Expr:
    if isinstance(node, exp.Cast) and node.to == to:
        return node
    return exp.Cast(this=node, to=to.copy())


def _as_date(node: exp.Expr, t: Type) -> exp.Expr:
    """A date or datetime as a DATE (a TIMESTAMPTZ's date in the session's, i.e. the project's, zone)."""
    return node if t.kind == "date" else _cast(node, _DATE)


def _date_add(value: exp.Expr, amount: exp.Expr, unit: str, result: Type) -> exp.Expr:
    moved = exp.DateAdd(this=_wrap(value), expression=_wrap(amount), unit=exp.var(unit))
    return _cast(moved, _DATE) if result.kind == "date" else _wrap(moved)


def _month_start(value: exp.Expr, t: Type) -> exp.Expr:
    return exp.DateTrunc(this=_as_date(value, t), unit=exp.Literal.string("MONTH"))


def _age_years(args: list[exp.Expr], types: list[Type]) -> exp.Expr:
    """Full years: the year difference, less one if this year's anniversary (month-end clamped) is later."""
    born, day = _as_date(args[0], types[0]), _as_date(args[1], types[1])
    years = exp.Paren(this=exp.Sub(this=exp.Year(this=day), expression=exp.Year(this=born.copy())))
    anniversary = exp.DateAdd(
        this=born.copy(),
        expression=exp.Mul(this=years, expression=exp.Literal.number(12)),
        unit=exp.var("MONTH"),
    )
    not_yet = exp.GT(this=_cast(anniversary, _DATE), expression=day.copy())
    late = exp.Case(ifs=[exp.If(this=not_yet, true=exp.Literal.number(1))], default=exp.Literal.number(0))
    return exp.Paren(this=exp.Sub(this=years.copy(), expression=late))


def _contains(args: list[exp.Expr], types: list[Type]) -> exp.Expr:
    if types[0].many:
        return exp.ArrayContains(this=args[0], expression=args[1])
    position = exp.StrPosition(this=args[0], substr=args[1])
    return exp.Paren(this=exp.GT(this=position, expression=exp.Literal.number(0)))


def _round(args: list[exp.Expr], types: list[Type]) -> exp.Expr:
    return exp.Round(this=args[0], decimals=args[1]) if len(args) > 1 else exp.Round(this=args[0])


def _open_task(resolver: Resolver, name: exp.Expr) -> exp.Expr:
    """An ``EXISTS`` over the tasks table for the resolver's item (resolvers of item places offer it)."""
    open_task = getattr(resolver, "open_task", None)
    if open_task is None:
        return exp.false()
    return open_task(name.name)


_MONEY = exp.DataType.build("DECIMAL(38, 2)")
_VARCHAR = exp.DataType.build("varchar")


def _printed(node: exp.Expr, t: Type) -> exp.Expr:
    """A concat argument as text: a number with a fraction as money (two places), a datetime as local minutes."""
    if t.kind == "decimal":
        return exp.Cast(this=exp.Cast(this=node, to=_MONEY.copy()), to=_VARCHAR.copy())
    if t.kind == "datetime":
        return exp.TimeToStr(this=node, format=exp.Literal.string("%Y-%m-%d %H:%M"))
    return node


_Builder = Callable[["_Compiler", list[exp.Expr], list[Type], Type], exp.Expr]

FUNCTION_SQL: dict[str, _Builder] = {
    "now": lambda c, a, t, r: c.resolver.now(),
    "today": lambda c, a, t, r: _cast(c.resolver.now(), _DATE),
    "date": lambda c, a, t, r: _as_date(a[0], t[0]),
    "start_of_month": lambda c, a, t, r: _cast(_month_start(a[0], t[0]), _DATE),
    "end_of_month": lambda c, a, t, r: exp.LastDay(this=_as_date(a[0], t[0])),
    "start_of_next_month": lambda c, a, t, r: _cast(
        exp.Add(this=_month_start(a[0], t[0]), expression=exp.Interval(this=exp.Literal.string("1 month"))),
        _DATE,
    ),
    "add_months": lambda c, a, t, r: _date_add(a[0], a[1], "MONTH", r),
    "add_days": lambda c, a, t, r: _date_add(a[0], a[1], "DAY", r),
    "add_working_days": lambda c, a, t, r: _date_add(
        a[0], working_days_delta_sql(_as_date(a[0].copy(), t[0]), a[1]), "DAY", r
    ),
    "days_between": lambda c, a, t, r: exp.Paren(
        this=exp.Sub(this=_as_date(a[1], t[1]), expression=_as_date(a[0], t[0]))
    ),
    "age_years": lambda c, a, t, r: _age_years(a, t),
    "year": lambda c, a, t, r: exp.Year(this=a[0]),
    "month": lambda c, a, t, r: exp.Month(this=a[0]),
    "day": lambda c, a, t, r: exp.Day(this=a[0]),
    "lower": lambda c, a, t, r: exp.Lower(this=a[0]),
    "upper": lambda c, a, t, r: exp.Upper(this=a[0]),
    "trim": lambda c, a, t, r: exp.Trim(this=a[0]),
    "length": lambda c, a, t, r: exp.Length(this=a[0]),
    "concat": lambda c, a, t, r: exp.Concat(expressions=[_printed(x, k) for x, k in zip(a, t, strict=True)],
                                            safe=True, coalesce=True),
    "format": lambda c, a, t, r: format_sql(a[0], t[0].kind, a[1].name),
    "starts_with": lambda c, a, t, r: exp.StartsWith(this=a[0], expression=a[1]),
    "contains": lambda c, a, t, r: _contains(a, t),
    "cardinality": lambda c, a, t, r: exp.ArraySize(this=a[0]),
    "has_open_task": lambda c, a, t, r: _open_task(c.resolver, a[0]),
    "lookup": lambda c, a, t, r: exp.Null(),  # compiled by _Compiler.call, which knows the key and column
    "coalesce": lambda c, a, t, r: exp.Coalesce(this=a[0], expressions=a[1:]),
    "least": lambda c, a, t, r: exp.Least(this=a[0], expressions=a[1:], ignore_nulls=True),
    "greatest": lambda c, a, t, r: exp.Greatest(this=a[0], expressions=a[1:], ignore_nulls=True),
    "abs": lambda c, a, t, r: exp.Abs(this=a[0]),
    "round": lambda c, a, t, r: _round(a, t),
    "floor": lambda c, a, t, r: a[0] if t[0].kind == "int" else exp.Floor(this=a[0]),  # SQL's gives a double
    "ceil": lambda c, a, t, r: a[0] if t[0].kind == "int" else exp.Ceil(this=a[0]),
    "if": lambda c, a, t, r: exp.Case(ifs=[exp.If(this=a[0], true=a[1])], default=a[2]),
}
"""How each function of :data:`FUNCTIONS` compiles, given compiled args, their types and the result type."""


class _Compiler:
    def __init__(self, resolver: Resolver, dialect: str):
        self.resolver = resolver
        self.dialect = dialect

    def visit(self, node: exp.Expr) -> exp.Expr:
        return _HANDLERS[type(node)](self, node)

    def operand(self, node: exp.Expr) -> exp.Expr:
        return _wrap(self.visit(node))

    def column(self, node: exp.Column) -> exp.Expr:
        followed = node.meta.get(DEREF_KEY)
        if followed is None:
            return self.resolver.column(node.table or None, node.name)
        namespace, root, hops = followed
        value = self.resolver.column(namespace, root)
        deref = getattr(self.resolver, "deref", None) or deref_sql
        for process, name in hops:
            value = deref(value, process, name)
        return value

    def literal(self, node: exp.Literal) -> exp.Expr:
        if node.is_string:
            return exp.Literal.string(node.name)
        if not _NUMBER_RE.fullmatch(node.name):
            raise ValueError(f"not a number literal: {node.name!r}")
        return exp.Literal.number(node.name)

    def typed_literal(self, node: exp.Cast) -> exp.Expr:
        value = node.meta["value"]
        if node.meta[TYPE_KEY].kind == "date":
            return _cast(exp.Literal.string(value.isoformat()), _DATE)
        return _cast(exp.Literal.string(value.isoformat(sep=" ")), _TIMESTAMPTZ)

    def binary(self, node: exp.Binary) -> exp.Expr:
        return type(node)(this=self.operand(node.this), expression=self.operand(node.expression))

    def temporal(self, node: exp.Binary) -> exp.Expr:
        """``+`` and ``-``: date plus interval gives a timestamp in SQL, so it is cast back to a date."""
        compiled = self.binary(node)
        if node.meta[TYPE_KEY].kind == "date" and "interval" in _kinds(node.this, node.expression):
            return _cast(compiled, _DATE)
        return compiled

    def divide(self, node: exp.Binary) -> exp.Expr:
        divisor = exp.Nullif(this=self.visit(node.expression), expression=exp.Literal.number(0))
        dividend = self.operand(node.this)
        if isinstance(node, exp.Div):
            return exp.Div(this=_cast(dividend, _DOUBLE), expression=divisor)
        return exp.Mod(this=dividend, expression=divisor)

    def unary(self, node: exp.Unary) -> exp.Expr:
        return type(node)(this=self.operand(node.this))

    def in_(self, node: exp.In) -> exp.Expr:
        return exp.In(
            this=self.operand(node.this), expressions=[self.visit(item) for item in node.expressions]
        )

    def between(self, node: exp.Between) -> exp.Expr:
        return exp.Between(
            this=self.operand(node.this),
            low=self.operand(node.args["low"]),
            high=self.operand(node.args["high"]),
        )

    def is_(self, node: exp.Is) -> exp.Expr:
        return exp.Is(this=self.operand(node.this), expression=exp.Null())

    def case(self, node: exp.Case) -> exp.Expr:
        ifs = [
            exp.If(this=self.visit(branch.this), true=self.visit(branch.args["true"]))
            for branch in node.args.get("ifs") or []
        ]
        default = node.args.get("default")
        subject = node.this
        return exp.Case(
            this=self.visit(subject) if subject is not None else None,
            ifs=ifs,
            default=self.visit(default) if default is not None else None,
        )

    def call(self, node: exp.Anonymous) -> exp.Expr:
        args = [self.visit(arg) for arg in node.expressions]
        types = [arg.meta[TYPE_KEY] for arg in node.expressions]
        if str(node.this).lower() == "lookup":
            return lookup_sql(args, list(node.expressions), node.meta["lookup"])
        return FUNCTION_SQL[str(node.this).lower()](self, args, types, node.meta[TYPE_KEY])


def _kinds(*nodes: exp.Expr) -> set[str]:
    return {node.meta[TYPE_KEY].kind for node in nodes}


_HANDLERS: dict[type, Callable[[_Compiler, exp.Expr], exp.Expr]] = {
    exp.Column: _Compiler.column, exp.Literal: _Compiler.literal, exp.Cast: _Compiler.typed_literal,
    exp.Boolean: lambda c, node: exp.Boolean(this=node.this), exp.Null: lambda c, node: exp.Null(),
    exp.Interval: lambda c, node: node.meta["duration"].to_sql(),
    exp.Paren: lambda c, node: c.visit(node.this), exp.Neg: _Compiler.unary, exp.Not: _Compiler.unary,
    exp.Add: _Compiler.temporal, exp.Sub: _Compiler.temporal, exp.Div: _Compiler.divide,
    exp.Mod: _Compiler.divide, exp.In: _Compiler.in_, exp.Between: _Compiler.between,
    exp.Is: _Compiler.is_, exp.Case: _Compiler.case, exp.Anonymous: _Compiler.call,
    **{kind: _Compiler.binary for kind in (exp.And, exp.Or, exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE,
                                           exp.Mul, exp.DPipe, exp.Like)},
}  # fmt: skip
