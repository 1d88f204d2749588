"""Type-check a parsed expression against the names a place in a definition offers."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlglot import exp

from ..errors import DurationError, ExpressionError
from ..suggest import did_you_mean
from ..timing.durations import parse_duration
from ._nodes import DEREF_KEY, TYPE_KEY, offset, operator_offset
from .functions import FUNCTIONS, NOW_FUNCTIONS, ArgumentError, result_type
from .lookups import lookup_type
from .parse import Expression
from .types import (
    BOOL,
    DATE,
    DATETIME,
    DECIMAL,
    INT,
    INTERVAL,
    NULL,
    STRING,
    TEXT,
    Type,
    assignable,
    comparable,
    orderable,
    unify,
)

_INT_MAX = 2**63 - 1
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?")
_OPERATORS = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%", exp.EQ: "=",
              exp.NEQ: "<>", exp.LT: "<", exp.LTE: "<=", exp.GT: ">", exp.GTE: ">=", exp.And: "and",
              exp.Or: "or", exp.DPipe: "||", exp.Like: "like"}  # fmt: skip


@dataclass
class Scope:
    """The names an expression may use: bare ``fields`` and ``namespace.field`` names.

    ``allow_now`` false refuses ``now()`` and ``today()`` (e.g. in computed
    fields, which are only re-evaluated when the item changes).
    """

    fields: dict[str, Type]
    namespaces: dict[str, dict[str, Type]] = field(default_factory=dict)
    allow_now: bool = True
    lookups: dict = field(default_factory=dict)
    """The lookup tables ``lookup()`` may read: name -> (key field, {column: type}); see :mod:`.lookups`."""
    processes: Mapping[str, dict[str, Type]] = field(default_factory=dict)
    """The fields of the processes a ref field's ``.`` may reach (``device.client.name``), by process name."""


def check(expr: Expression, scope: Scope, expect: Type | None = None) -> Type:
    """Type-check ``expr`` in ``scope`` and return its type; ``expect`` is the type wanted.

    The tree is annotated with the types found, which :func:`to_sql` uses.

    >>> from .parse import parse
    >>> check(parse("coalesce(paid, 0) >= 10"), Scope({"paid": Type.of("decimal")}))
    Type(kind='bool', many=False, values=(), process=None)
    >>> check(parse("calls + 1"), Scope({"calls": Type.of("int")}), expect=Type.of("bool"))
    Traceback (most recent call last):
    ...
    ruledeck.engine.errors.ExpressionError: condition must be true/false, got int
    """
    checker = _Checker(expr.text, scope)
    result = checker.visit(expr.tree)
    if expect is not None:
        if expect.kind == "bool" and not expect.many and result.kind not in ("bool", "null", "any"):
            raise ExpressionError(
                f"condition must be true/false, got {result}", offset(expr.tree), "E-EXPR-TYPE"
            )
        if not assignable(result, expect):
            raise ExpressionError(
                f"expected {expect}, got {result}",
                offset(expr.tree),
                "E-EXPR-TYPE",
                _conversion_hint(result, expect),
            )
        checker.check_literals(expect, expr.tree)
    return result


def _conversion_hint(actual: Type, expected: Type) -> str:
    if expected.kind == "int" and actual.kind == "decimal":
        return "use round(x), floor(x) or ceil(x)"
    if expected.kind == "date" and actual.kind == "datetime":
        return "use date(x)"
    return ""


def string_literals(node: exp.Expr) -> Iterator[exp.Literal]:
    """The string literals whose value the node may take (through parentheses, case, coalesce, if)."""
    if isinstance(node, exp.Literal) and node.is_string:
        yield node
    elif isinstance(node, exp.Paren):
        yield from string_literals(node.this)
    elif isinstance(node, exp.Case):
        for branch in node.args.get("ifs") or []:
            yield from string_literals(branch.args["true"])
        if node.args.get("default") is not None:
            yield from string_literals(node.args["default"])
    elif isinstance(node, exp.Anonymous) and str(node.this).lower() in ("coalesce", "if"):
        args = node.expressions[1:] if str(node.this).lower() == "if" else node.expressions
        for arg in args:
            yield from string_literals(arg)


def _is_null_literal(node: exp.Expr) -> bool:
    while isinstance(node, exp.Paren):
        node = node.this
    return isinstance(node, exp.Null)


class _Checker:
    def __init__(self, text: str, scope: Scope):
        self.text = text
        self.scope = scope

    def visit(self, node: exp.Expr) -> Type:
        result = _HANDLERS[type(node)](self, node)
        node.meta[TYPE_KEY] = result
        return result

    def fail(self, message: str, where: exp.Expr | int, hint: str = "", code: str = "E-EXPR-TYPE"):
        raise ExpressionError(message, where if isinstance(where, int) else offset(where), code, hint)

    def check_literals(self, target: Type, node: exp.Expr) -> None:
        """String literals compared with (or stored into) a type with ``values`` must be one of them."""
        if not target.values or target.family != "string":
            return
        for literal in string_literals(node):
            if literal.name not in target.values:
                hint = did_you_mean(literal.name, target.values) or "one of: " + ", ".join(target.values)
                self.fail(f"'{literal.name}' is not a value of {target}", literal, hint)

    def column(self, node: exp.Column) -> Type:
        parts = node.parts
        node.meta.pop(DEREF_KEY, None)
        if len(parts) == 1:
            return self.bare(node.this)
        scope, first = self.scope, parts[0].name
        if first in scope.namespaces:
            namespace, root, t = first, parts[1].name, self.member(parts[0], parts[1])
            hops = parts[2:]
        elif first in scope.fields:
            namespace, root, t, hops = None, first, scope.fields[first], parts[1:]
        else:
            self.unknown_namespace(parts[0])
        if not hops:
            return t
        path, followed = ([namespace] if namespace else []) + [root], []
        for part in hops:
            process, t = self.follow(".".join(path), t, part)
            followed.append((process, part.name))
            path.append(part.name)
        node.meta[DEREF_KEY] = (namespace, root, tuple(followed))
        return t

    def bare(self, identifier: exp.Identifier) -> Type:
        scope, name = self.scope, identifier.name
        if name in scope.fields:
            return scope.fields[name]
        if name in scope.namespaces:
            hint = f"'{name}' is a namespace: write {name}.<field>"
        elif name in FUNCTIONS:
            hint = f"write {name}()"
        else:
            hint = did_you_mean(name, scope.fields)
        self.fail(f"unknown field '{name}'", identifier, hint, "E-EXPR-UNKNOWN-FIELD")

    def unknown_namespace(self, identifier: exp.Identifier) -> None:
        namespace, scope = identifier.name, self.scope
        refs = sorted(name for name, t in scope.fields.items() if t.kind == "ref" and not t.many)
        known = sorted(scope.namespaces)
        hint = did_you_mean(namespace, known + refs) or (
            f"namespaces here: {', '.join(known)}"
            if known
            else "no namespace.field names are available here"
        )
        what = "namespace or ref field" if refs and scope.processes else "namespace"
        self.fail(f"unknown {what} '{namespace}'", identifier, hint, "E-EXPR-UNKNOWN-NAMESPACE")

    def member(self, namespace: exp.Identifier, identifier: exp.Identifier) -> Type:
        fields, name = self.scope.namespaces[namespace.name], identifier.name
        if name not in fields:
            self.fail(
                f"'{namespace.name}' has no field '{name}'",
                identifier,
                did_you_mean(name, fields),
                "E-EXPR-UNKNOWN-FIELD",
            )
        return fields[name]

    def follow(self, path: str, t: Type, identifier: exp.Identifier) -> tuple[str, Type]:
        """``path.name`` where ``path`` is a ref: the referenced process and the type of its field ``name``."""
        if t.kind != "ref":
            self.fail(f"'{path}' is {t}, not a ref: only a ref field can be followed with '.'", identifier)
        if t.many:
            self.fail(f"'{path}' is a {t}: a list of refs cannot be followed with '.'", identifier,
                      f"use contains({path}, x) to test for an item")
        fields = self.scope.processes.get(t.process) if t.process else None
        if fields is None and self.scope.processes and t.process:
            self.fail(f"'{path}' points to process '{t.process}', which is not declared", identifier,
                      did_you_mean(t.process, self.scope.processes), "E-EXPR-UNKNOWN-FIELD")
        if fields is None:
            self.fail(f"'{path}' cannot be followed here", identifier,
                      "a ref's fields are readable in rules, computed fields, boards and reports",
                      "E-EXPR-FORBIDDEN")
        name = identifier.name
        if name not in fields:
            self.fail(f"'{path}' is a ref to process '{t.process}', which has no field '{name}'", identifier,
                      did_you_mean(name, fields), "E-EXPR-UNKNOWN-FIELD")
        return t.process, fields[name]

    def literal(self, node: exp.Literal) -> Type:
        if node.is_string:
            return STRING
        if node.name.isdigit():
            if int(node.name) > _INT_MAX:
                self.fail(f"the number {node.name} is too large for an int", node)
            return INT
        return DECIMAL

    def typed_literal(self, node: exp.Cast) -> Type:
        text = node.this.name
        if node.to.this == exp.DType.DATE:
            if not _DATE_RE.fullmatch(text) or not _parses(date.fromisoformat, text):
                self.fail(
                    f"'{text}' is not a valid date", node.this, "write date 'YYYY-MM-DD'", "E-EXPR-SYNTAX"
                )
            node.meta["value"] = date.fromisoformat(text)
            return DATE
        if not _TIMESTAMP_RE.fullmatch(text) or not _parses(datetime.fromisoformat, text):
            self.fail(
                f"'{text}' is not a valid timestamp",
                node.this,
                "write timestamp 'YYYY-MM-DD HH:MM'",
                "E-EXPR-SYNTAX",
            )
        node.meta["value"] = datetime.fromisoformat(text)
        return DATETIME

    def interval(self, node: exp.Interval) -> Type:
        try:
            node.meta["duration"] = parse_duration(node.this.name)
        except DurationError as error:
            self.fail(error.message, node, error.hint, "E-EXPR-DURATION")
        return INTERVAL

    def paren(self, node: exp.Paren) -> Type:
        return self.visit(node.this)

    def neg(self, node: exp.Neg) -> Type:
        inner = self.visit(node.this)
        if inner.family not in ("numeric", "interval", "null", "any") or inner.many:
            self.fail(f"cannot negate {inner}", node.this)
        return inner

    def not_(self, node: exp.Not) -> Type:
        inner = self.visit(node.this)
        if inner.kind not in ("bool", "null", "any") or inner.many:
            self.fail(f"'not' needs true/false, got {inner}", node.this)
        return BOOL

    def connective(self, node: exp.Connector) -> Type:
        for side in (node.this, node.expression):
            t = self.visit(side)
            if t.kind not in ("bool", "null", "any") or t.many:
                self.fail(f"'{_OPERATORS[type(node)]}' needs true/false on both sides, got {t}", side)
        return BOOL

    def compare_pair(self, left: exp.Expr, right: exp.Expr, lt: Type, rt: Type, where: int, op: str) -> None:
        for side in (left, right):
            if _is_null_literal(side):
                self.fail(f"'{op}' with null is never true", side, "write x is null or x is not null")
        if not comparable(lt, rt):
            hint = ""
            if lt.many or rt.many:
                hint = "use contains(list, x)"
            elif {lt.family, rt.family} == {"temporal", "string"}:
                hint = "write a date as date '2026-01-31'"
            self.fail(f"cannot compare {lt} with {rt}", where, hint)
        self.check_literals(lt, right)
        self.check_literals(rt, left)

    def comparison(self, node: exp.Binary) -> Type:
        lt, rt = self.visit(node.this), self.visit(node.expression)
        op = _OPERATORS[type(node)]
        where = operator_offset(self.text, node)
        self.compare_pair(node.this, node.expression, lt, rt, where, op)
        if op in ("<", "<=", ">", ">="):
            for t in (lt, rt):
                if not orderable(t) or t.kind == "enum":
                    self.fail(f"'{op}' does not apply to {t}", where)
        return BOOL

    def dpipe(self, node: exp.DPipe) -> Type:
        kinds = set()
        for side in (node.this, node.expression):
            t = self.visit(side)
            if t.many or t.family not in ("string", "null", "any"):
                self.fail(f"'||' joins strings, got {t}", side, "use concat(a, b) to join numbers or dates")
            kinds.add(t.kind)
        return TEXT if "text" in kinds else STRING

    def arithmetic(self, node: exp.Binary) -> Type:
        lt, rt = self.visit(node.this), self.visit(node.expression)
        op = _OPERATORS[type(node)]
        families = (lt.family, rt.family)
        if not (lt.many or rt.many):
            if "null" in families or "any" in families:
                other = rt if lt.family in ("null", "any") else lt
                return DECIMAL if op == "/" and other.family == "numeric" else other
            if families == ("numeric", "numeric"):
                return DECIMAL if op == "/" or DECIMAL in (lt, rt) else INT
            if op in "+-" and families == ("temporal", "interval"):
                self._date_moves_whole_days(lt, node.expression)
                return lt
            if op == "+" and families == ("interval", "temporal"):
                self._date_moves_whole_days(rt, node.this)
                return rt
            if op == "-" and lt.kind == rt.kind == "date":
                return INT
        hint = ""
        if op == "+" and "string" in families:
            hint = "use || to join strings"
        elif "temporal" in families and ("numeric" in families or op == "-"):
            hint = "use add_days(x, n), x + interval '5d' or days_between(a, b)"
        self.fail(f"'{op}' does not apply to {lt} and {rt}", operator_offset(self.text, node), hint)

    def _date_moves_whole_days(self, t: Type, interval: exp.Expr) -> None:
        duration = interval.meta.get("duration") if isinstance(interval, exp.Interval) else None
        if t.kind == "date" and duration is not None and duration.seconds:
            self.fail(
                "a date cannot move by hours, minutes or seconds",
                interval,
                "use whole days, or a datetime value",
            )

    def in_(self, node: exp.In) -> Type:
        subject = self.visit(node.this)
        for item in node.expressions:
            t = self.visit(item)
            if _is_null_literal(item):
                self.fail("null in a list never matches", item, "write x is null")
            self.compare_pair(node.this, item, subject, t, offset(item), "in")
        return BOOL

    def between(self, node: exp.Between) -> Type:
        subject = self.visit(node.this)
        for bound in (node.args["low"], node.args["high"]):
            t = self.visit(bound)
            self.compare_pair(node.this, bound, subject, t, offset(bound), "between")
            if not orderable(t) or not orderable(subject) or t.kind == "enum":
                self.fail(f"'between' does not apply to {subject} and {t}", bound)
        return BOOL

    def is_(self, node: exp.Is) -> Type:
        self.visit(node.this)
        self.visit(node.expression)
        return BOOL

    def like(self, node: exp.Like) -> Type:
        for side in (node.this, node.expression):
            t = self.visit(side)
            if t.many or t.family not in ("string", "null", "any"):
                self.fail(f"'like' compares strings, got {t}", side)
        return BOOL

    def case(self, node: exp.Case) -> Type:
        subject = node.this
        subject_type = self.visit(subject) if subject is not None else None
        results: list[exp.Expr] = []
        for branch in node.args.get("ifs") or []:
            condition = branch.this
            t = self.visit(condition)
            if subject is not None:
                self.compare_pair(subject, condition, subject_type, t, offset(condition), "case … when")
            elif t.kind not in ("bool", "null", "any") or t.many:
                self.fail(f"a 'when' condition must be true/false, got {t}", condition)
            results.append(branch.args["true"])
        if node.args.get("default") is not None:
            results.append(node.args["default"])
        result = NULL
        for value in results:
            t = self.visit(value)
            merged = unify(result, t)
            if merged is None:
                self.fail(f"the results of 'case' must have one type, got {result} and {t}", value)
            result = merged
        return result

    def call(self, node: exp.Anonymous) -> Type:
        name = str(node.this).lower()
        where = node.meta.get("start", offset(node))
        if name in NOW_FUNCTIONS and not self.scope.allow_now:
            self.fail(
                f"{name}() is not allowed here",
                where,
                "this expression is not re-evaluated as time passes",
                "E-EXPR-FORBIDDEN",
            )
        args = list(node.expressions)
        types = [self.visit(arg) for arg in args]
        if name == "lookup":
            found, node.meta["lookup"] = lookup_type(self.scope.lookups, args, types,
                                                     [arg.meta.get("start", offset(arg)) for arg in args] or [where])
            return found
        try:
            return result_type(FUNCTIONS[name], types, args)
        except ArgumentError as error:
            self.fail(error.message, args[error.index] if error.index is not None else where, error.hint)


def _parses(parser, text: str) -> bool:
    try:
        parser(text)
    except ValueError:
        return False
    return True


_HANDLERS = {
    exp.Column: _Checker.column, exp.Literal: _Checker.literal, exp.Boolean: lambda self, node: BOOL,
    exp.Null: lambda self, node: NULL, exp.Cast: _Checker.typed_literal, exp.Interval: _Checker.interval,
    exp.Paren: _Checker.paren, exp.Neg: _Checker.neg, exp.Not: _Checker.not_, exp.And: _Checker.connective,
    exp.Or: _Checker.connective, exp.DPipe: _Checker.dpipe, exp.In: _Checker.in_,
    exp.Between: _Checker.between,
    exp.Is: _Checker.is_, exp.Like: _Checker.like, exp.Case: _Checker.case, exp.Anonymous: _Checker.call,
    **{kind: _Checker.comparison for kind in (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE)},
    **{kind: _Checker.arithmetic for kind in (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)},
}  # fmt: skip
