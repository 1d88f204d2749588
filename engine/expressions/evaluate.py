"""A reference interpreter: the value of an expression for one set of values, in plain Python.

It follows SQL's rules (``None`` is NULL, three-valued ``and``/``or``) and
gives the same results as the SQL from :func:`to_sql`; a property test holds
the two to that. ``ruledeck explain`` uses it to show why a condition failed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlglot import exp

from ..timing.calendar import (
    add_days,
    add_months,
    age_years,
    days_between,
    end_of_month,
    start_of_month,
    start_of_next_month,
)
from ..timing.durations import parse_duration
from ._nodes import DEREF_KEY
from .formats import format_value
from .parse import Expression
from .working_days import add_working_days


def evaluate(
    expr: Expression, values: Mapping[tuple[str | None, str], Any], now: datetime, tz: ZoneInfo
) -> Any:
    """The value of ``expr``; ``values`` maps ``(namespace, name)`` to Python values.

    Values are ``int``, ``Decimal``, ``str``, ``bool``, ``date``, aware
    ``datetime``, durations, lists (``many`` fields), or ``None`` for NULL.
    A name that follows refs (``device.client.name``, checked) is read under
    its dotted path: ``(None, "device.client.name")``, ``("source", "device.client")``.

    >>> from zoneinfo import ZoneInfo
    >>> from .parse import parse
    >>> moscow = ZoneInfo("Europe/Moscow")
    >>> clock = datetime(2026, 1, 31, 21, 30, tzinfo=ZoneInfo("UTC"))
    >>> evaluate(parse("today()"), {}, clock, moscow)
    datetime.date(2026, 2, 1)
    >>> evaluate(parse("x > 1 and y = 'a'"), {(None, "x"): 2, (None, "y"): None}, clock, moscow) is None
    True
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return _Interpreter(values, now, tz).visit(expr.tree)


class _Interpreter:
    def __init__(self, values: Mapping[tuple[str | None, str], Any], now: datetime, tz: ZoneInfo):
        self.values, self.now, self.tz = values, now, tz

    def visit(self, node: exp.Expr) -> Any:
        return _HANDLERS[type(node)](self, node)

    def local_date(self, value: date) -> date:
        return value.astimezone(self.tz).date() if isinstance(value, datetime) else value

    def same_kind(self, a: Any, b: Any) -> tuple[Any, Any]:
        """Make two non-null values comparable as SQL would (date vs datetime, decimal vs double)."""
        if hasattr(a, "months") and hasattr(b, "months"):
            return _interval_size(a), _interval_size(b)
        if isinstance(a, float) or isinstance(b, float):
            if isinstance(a, (int, Decimal)) and not isinstance(a, bool):
                a = float(a)
            if isinstance(b, (int, Decimal)) and not isinstance(b, bool):
                b = float(b)
        elif (
            isinstance(a, datetime) != isinstance(b, datetime) and isinstance(a, date) and isinstance(b, date)
        ):
            a, b = (self.midnight(v) for v in (a, b))
        return a, b

    def midnight(self, value: date) -> datetime:
        if isinstance(value, datetime):
            return value
        return datetime(value.year, value.month, value.day, tzinfo=self.tz)

    def compare(self, op: Callable[[Any, Any], bool], a: Any, b: Any) -> bool | None:
        if a is None or b is None:
            return None
        return op(*self.same_kind(a, b))

    def column(self, node: exp.Column) -> Any:
        followed = node.meta.get(DEREF_KEY)
        if followed is not None:  # refs followed: the value is given under its dotted path
            namespace, root, hops = followed
            return self.values[(namespace, ".".join([root, *(name for _, name in hops)]))]
        return self.values[(node.table or None, node.name)]

    def literal(self, node: exp.Literal) -> Any:
        if node.is_string:
            return node.name
        return int(node.name) if node.name.isdigit() else Decimal(node.name)

    def typed_literal(self, node: exp.Cast) -> Any:
        text = node.this.name
        if node.to.this == exp.DType.DATE:
            return date.fromisoformat(text)
        value = datetime.fromisoformat(text)
        return value if value.tzinfo else value.replace(tzinfo=self.tz)

    def interval(self, node: exp.Interval) -> Any:
        return node.meta.get("duration") or parse_duration(node.this.name)

    def neg(self, node: exp.Neg) -> Any:
        value = self.visit(node.this)
        if value is None:
            return None
        return -value

    def not_(self, node: exp.Not) -> Any:
        value = self.visit(node.this)
        return None if value is None else not value

    def and_(self, node: exp.And) -> Any:
        a, b = self.visit(node.this), self.visit(node.expression)
        if a is False or b is False:
            return False
        return None if a is None or b is None else True

    def or_(self, node: exp.Or) -> Any:
        a, b = self.visit(node.this), self.visit(node.expression)
        if a is True or b is True:
            return True
        return None if a is None or b is None else False

    def comparison(self, node: exp.Binary) -> Any:
        return self.compare(_COMPARISONS[type(node)], self.visit(node.this), self.visit(node.expression))

    def arithmetic(self, node: exp.Binary) -> Any:
        a, b = self.visit(node.this), self.visit(node.expression)
        if a is None or b is None:
            return None
        kind = type(node)
        if hasattr(a, "add_to") or hasattr(b, "add_to"):
            value, duration = (b, a) if hasattr(a, "add_to") else (a, b)
            return (-duration if kind is exp.Sub else duration).add_to(value, self.tz)
        if isinstance(a, date):
            return (a - b).days
        return _ARITHMETIC[kind](*_numbers(a, b))

    def dpipe(self, node: exp.DPipe) -> Any:
        a, b = self.visit(node.this), self.visit(node.expression)
        return None if a is None or b is None else a + b

    def in_(self, node: exp.In) -> Any:
        subject = self.visit(node.this)
        results = [self.compare(lambda x, y: x == y, subject, self.visit(item)) for item in node.expressions]
        if True in results:
            return True
        return None if None in results else False

    def between(self, node: exp.Between) -> Any:
        subject = self.visit(node.this)
        low = self.compare(lambda x, y: x >= y, subject, self.visit(node.args["low"]))
        high = self.compare(lambda x, y: x <= y, subject, self.visit(node.args["high"]))
        if low is False or high is False:
            return False
        return None if low is None or high is None else True

    def like(self, node: exp.Like) -> Any:
        text, pattern = self.visit(node.this), self.visit(node.expression)
        if text is None or pattern is None:
            return None
        regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
        return re.fullmatch(regex, text, flags=re.DOTALL) is not None

    def case(self, node: exp.Case) -> Any:
        subject = None if node.this is None else self.visit(node.this)
        for branch in node.args.get("ifs") or []:
            value = self.visit(branch.this)
            hit = value is True if node.this is None else self.compare(lambda x, y: x == y, subject, value)
            if hit:
                return self.visit(branch.args["true"])
        default = node.args.get("default")
        return None if default is None else self.visit(default)

    def call(self, node: exp.Anonymous) -> Any:
        name = str(node.this).lower()
        args = [self.visit(arg) for arg in node.expressions]
        if name in _NULL_TOLERANT:
            return FUNCTION_PY[name](self, *args)
        return None if any(arg is None for arg in args) else FUNCTION_PY[name](self, *args)


def _interval_size(duration: Any) -> int:
    """SQL compares intervals by size, counting a month as 30 days and a day as 24 hours."""
    return (duration.months * 30 + duration.days) * 86_400 + duration.seconds


def _numbers(a: Any, b: Any) -> tuple[Any, Any]:
    if isinstance(a, float) or isinstance(b, float):
        return float(a), float(b)
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return Decimal(a), Decimal(b)
    return a, b


def _divide(a: Any, b: Any) -> Any:
    return None if b == 0 else float(a) / float(b)


def _remainder(a: Any, b: Any) -> Any:
    if b == 0:
        return None
    if isinstance(a, float):
        return math.fmod(a, b)
    if isinstance(a, Decimal):
        return a % b  # Decimal's % truncates towards zero, like SQL
    result = abs(a) % abs(b)
    return -result if a < 0 else result


def _round(x: Any, digits: int = 0) -> Any:
    if isinstance(x, int):
        if digits >= 0:
            return x
        return int(Decimal(x).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP))
    if isinstance(x, float):
        scale = 10.0**digits
        return float(Decimal(x * scale).quantize(Decimal(1), ROUND_HALF_UP)) / scale
    return x.quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)


def _integral(x: Any, rounding: str) -> Any:
    if isinstance(x, int):
        return x
    if isinstance(x, float):
        return float(math.floor(x) if rounding == ROUND_FLOOR else math.ceil(x))
    return x.to_integral_value(rounding)


def _text(value: Any, tz: ZoneInfo | None = None) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | Decimal):
        return str(Decimal(repr(value) if isinstance(value, float) else value).quantize(Decimal("0.01"),
                                                                                       ROUND_HALF_UP))
    if isinstance(value, datetime):
        return (value.astimezone(tz) if tz is not None else value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if isinstance(value, date) else str(value)


def _contains(haystack: Any, needle: Any) -> Any:
    if isinstance(haystack, str):
        return needle in haystack
    return needle in [item for item in haystack if item is not None]


def _extreme(pick: Callable, interp: _Interpreter, *args: Any) -> Any:
    present = [arg for arg in args if arg is not None]
    if any(isinstance(arg, float) for arg in present):
        present = [float(arg) for arg in present]
    return pick(present) if present else None


_COMPARISONS = {
    exp.EQ: lambda a, b: a == b, exp.NEQ: lambda a, b: a != b, exp.LT: lambda a, b: a < b,
    exp.LTE: lambda a, b: a <= b, exp.GT: lambda a, b: a > b, exp.GTE: lambda a, b: a >= b,
}  # fmt: skip
_ARITHMETIC = {
    exp.Add: lambda a, b: a + b, exp.Sub: lambda a, b: a - b, exp.Mul: lambda a, b: a * b,
    exp.Div: _divide, exp.Mod: _remainder,
}  # fmt: skip

FUNCTION_PY: dict[str, Callable[..., Any]] = {
    "now": lambda i: i.now,
    "today": lambda i: i.now.astimezone(i.tz).date(),
    "date": lambda i, x: i.local_date(x),
    "start_of_month": lambda i, x: start_of_month(i.local_date(x)),
    "end_of_month": lambda i, x: end_of_month(x, i.tz),
    "start_of_next_month": lambda i, x: start_of_next_month(i.local_date(x)),
    "add_months": lambda i, x, n: add_months(x, n, i.tz),
    "add_days": lambda i, x, n: add_days(x, n, i.tz),
    "add_working_days": lambda i, x, n: add_working_days(x, n, i.tz),
    "days_between": lambda i, a, b: days_between(a, b, i.tz),
    "age_years": lambda i, birth, at: age_years(birth, at, i.tz),
    "year": lambda i, x: i.local_date(x).year,
    "month": lambda i, x: i.local_date(x).month,
    "day": lambda i, x: i.local_date(x).day,
    "lower": lambda i, s: s.lower(),
    "upper": lambda i, s: s.upper(),
    "trim": lambda i, s: s.strip(" "),
    "length": lambda i, s: len(s),
    "concat": lambda i, *args: "".join(_text(arg, i.tz) for arg in args if arg is not None),
    "format": lambda i, x, pattern: format_value(x, pattern, i.tz),
    "starts_with": lambda i, s, prefix: s.startswith(prefix),
    "contains": lambda i, haystack, needle: _contains(haystack, needle),
    "cardinality": lambda i, items: len(items),
    "has_open_task": lambda i, name: name in i.values.get((None, "__open_tasks__"), ()),
    "lookup": lambda i, table, key, column=None: None,  # the interpreter has no tables: unknown
    "coalesce": lambda i, *args: next((arg for arg in args if arg is not None), None),
    "least": lambda i, *args: _extreme(min, i, *args),
    "greatest": lambda i, *args: _extreme(max, i, *args),
    "abs": lambda i, x: abs(x),
    "round": lambda i, x, digits=0: _round(x, digits),
    "floor": lambda i, x: _integral(x, ROUND_FLOOR),
    "ceil": lambda i, x: _integral(x, ROUND_CEILING),
    "if": lambda i, condition, a, b: a if condition is True else b,
}
"""How each function of :data:`FUNCTIONS` is computed; most give null when an argument is null."""

_NULL_TOLERANT = frozenset({"concat", "coalesce", "least", "greatest", "if"})

_HANDLERS: dict[type, Callable[[_Interpreter, exp.Expr], Any]] = {
    exp.Column: _Interpreter.column, exp.Literal: _Interpreter.literal, exp.Cast: _Interpreter.typed_literal,
    exp.Boolean: lambda i, node: bool(node.this), exp.Null: lambda i, node: None,
    exp.Interval: _Interpreter.interval, exp.Paren: lambda i, node: i.visit(node.this),
    exp.Neg: _Interpreter.neg,
    exp.Not: _Interpreter.not_, exp.And: _Interpreter.and_, exp.Or: _Interpreter.or_,
    exp.DPipe: _Interpreter.dpipe, exp.In: _Interpreter.in_, exp.Between: _Interpreter.between,
    exp.Is: lambda i, node: i.visit(node.this) is None, exp.Like: _Interpreter.like,
    exp.Case: _Interpreter.case,
    exp.Anonymous: _Interpreter.call,
    **{kind: _Interpreter.comparison for kind in _COMPARISONS},
    **{kind: _Interpreter.arithmetic for kind in _ARITHMETIC},
}  # fmt: skip
