"""The allow-list of functions: one row per function with its signature.

How each function compiles to SQL is in :mod:`.to_sql` and how it is
interpreted in :mod:`.evaluate`, both keyed by the names of :data:`FUNCTIONS`
(a test keeps the three tables in step with each other and with the docs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

from .formats import PatternError, check_pattern
from .types import Type, comparable, orderable, unify

FAMILIES: dict[str, tuple[str, Callable[[Type], bool], str]] = {
    "num": ("a number", lambda t: not t.many and t.family == "numeric", "int|decimal"),
    "int": ("an int", lambda t: not t.many and t.kind == "int", "int"),
    "text": ("a string", lambda t: not t.many and t.family == "string", "string"),
    "time": ("a date or datetime", lambda t: not t.many and t.family == "temporal", "date|datetime"),
    "bool": ("true/false", lambda t: not t.many and t.kind == "bool", "bool"),
    "value": ("a single value", lambda t: not t.many and t.kind != "interval", "any"),
    "list": ("a list (a many: true field)", lambda t: t.many, "list"),
    "text|list": ("a string or a list", lambda t: t.many or t.family == "string", "string|list"),
    "formattable": (
        "a number, date or datetime",
        lambda t: not t.many and (t.family == "numeric" or t.family == "temporal"),
        "int|decimal|date|datetime",
    ),
    "printable": (
        "a string, number, bool, date or datetime",
        lambda t: not t.many and (t.family == "string" or t.kind in ("int", "decimal", "bool", "date", "datetime")),
        "string|int|decimal|bool|date|datetime",
    ),
}
"""Parameter families: the words for messages, the test a type must pass, the name in signatures."""


class ArgumentError(Exception):
    """A call's arguments do not fit its signature; ``index`` is the bad argument, if one is."""

    def __init__(self, message: str, index: int | None = None, hint: str = ""):
        super().__init__(message)
        self.message, self.index, self.hint = message, index, hint


@dataclass(frozen=True)
class Function:
    """One allowed function: ``name:family`` per parameter, result rule, docs.

    ``result`` is a kind (``"int"``), ``"arg0"`` (the first argument's type),
    or ``"common"`` / ``"common1"`` (the type all arguments, or all from the
    second on, share). ``variadic`` repeats the last parameter.
    """

    name: str
    params: tuple[str, ...]
    result: str
    doc: str
    example: str
    required: int | None = None
    variadic: bool = False
    check: Callable[[list[Type], list[exp.Expr]], None] | None = None

    @property
    def signature(self) -> str:
        """``add_months(x: date|datetime, n: int) -> same type as x``, for docs and messages."""
        names = [f"{name}: {FAMILIES[family][2]}" for name, family in (p.split(":") for p in self.params)]
        required = len(names) if self.required is None else self.required
        shown = ", ".join(names[:required]) + "".join(f"[, {n}]" for n in names[required:])
        first = self.params[0].split(":")[0] if self.params else ""
        result = {
            "arg0": f"same type as {first}",
            "common": "the arguments' common type",
            "common1": "the common type of a and b",
        }.get(self.result, self.result)
        return f"{self.name}({shown}{', …' if self.variadic else ''}) -> {result}"


def _round_digits(types: list[Type], nodes: list[exp.Expr]) -> None:
    if len(nodes) > 1:
        digits = nodes[1].this if isinstance(nodes[1], exp.Neg) else nodes[1]
        if not (isinstance(digits, exp.Literal) and not digits.is_string and digits.name.isdigit()):
            raise ArgumentError("the digits of round() must be a whole number, e.g. round(x, 2)", 1)


def _contains(types: list[Type], nodes: list[exp.Expr]) -> None:
    haystack, needle = types
    if haystack.many:
        if not comparable(haystack.scalar(), needle):
            raise ArgumentError(f"cannot look for {needle} in a {haystack}", 1)
    elif not FAMILIES["text"][1](needle) and needle.kind not in ("null", "any"):
        raise ArgumentError(f"contains() on a string looks for a string, got {needle}", 1)


def _task_name(types: list[Type], nodes: list[exp.Expr]) -> None:
    if not (isinstance(nodes[0], exp.Literal) and nodes[0].is_string):
        raise ArgumentError("has_open_task() takes a task kind's name as a literal, e.g. has_open_task('call')", 0)


def _format_pattern(types: list[Type], nodes: list[exp.Expr]) -> None:
    pattern = nodes[1]
    if not (isinstance(pattern, exp.Literal) and pattern.is_string):
        raise ArgumentError("the pattern of format() must be a literal, e.g. format(amount, '0.00')", 1)
    try:
        check_pattern(pattern.name, types[0].kind)
    except PatternError as error:
        raise ArgumentError(str(error), 1) from None


def _ordered(types: list[Type], nodes: list[exp.Expr]) -> None:
    for index, t in enumerate(types):
        if not orderable(t) or t.kind == "enum":
            raise ArgumentError(f"cannot order values of type {t}", index)


_ROWS = (
    Function(
        "now",
        (),
        "datetime",
        "The clock at the moment the rule fires (the tick or event time).",
        "planned_at < now()",
    ),
    Function("today", (), "date", "The date of now() in the project's time zone.", "issued_on = today()"),
    Function(
        "date",
        ("x:time",),
        "date",
        "The date part; a datetime is first converted to the project's time zone.",
        "date(planned_at) = today()",
    ),
    Function(
        "start_of_month",
        ("x:time",),
        "date",
        "The first day of the month.",
        "start_of_month(date '2026-05-17') = date '2026-05-01'",
    ),
    Function(
        "end_of_month",
        ("x:time",),
        "date",
        "The last day of the month.",
        "end_of_month(date '2028-02-10') = date '2028-02-29'",
    ),
    Function(
        "start_of_next_month",
        ("x:time",),
        "date",
        "The first day of the following month.",
        "start_of_next_month(date '2026-12-31') = date '2027-01-01'",
    ),
    Function(
        "add_months",
        ("x:time", "n:int"),
        "arg0",
        "Calendar months later (earlier if negative); the day is clamped to the month's end.",
        "add_months(date '2026-01-31', 1) = date '2026-02-28'",
    ),
    Function(
        "add_days",
        ("x:time", "n:int"),
        "arg0",
        "Calendar days later (earlier if negative).",
        "add_days(date '2026-02-28', 1) = date '2026-03-01'",
    ),
    Function(
        "add_working_days",
        ("x:time", "n:int"),
        "arg0",
        "Working days (Monday to Friday) later, or earlier if negative; a weekend day counts as the "
        "Friday before it going forward and the Monday after it going back.",
        "add_working_days(date '2026-12-04', 1) = date '2026-12-07'",
    ),
    Function(
        "days_between",
        ("a:time", "b:time"),
        "int",
        "Days from a to b (b - a) by the calendar, in the project's time zone.",
        "days_between(date '2026-01-01', date '2026-03-01') = 59",
    ),
    Function(
        "age_years",
        ("birth:time", "at:time"),
        "int",
        "Full years from birth to at; born on Feb 29 means a "
        "year older on Feb 28 in other years (as add_months).",
        "age_years(date '2024-02-29', date '2025-02-28') = 1",
    ),
    Function("year", ("x:time",), "int", "The year number.", "year(issued_on) = 2026"),
    Function("month", ("x:time",), "int", "The month number, 1–12.", "month(issued_on) in (1, 2)"),
    Function("day", ("x:time",), "int", "The day of the month, 1–31.", "day(issued_on) = 1"),
    Function("lower", ("s:text",), "string", "Lower-case letters.", "lower(user_name) = 'ivanova'"),
    Function("upper", ("s:text",), "string", "Upper-case letters.", "upper(code) = 'AB'"),
    Function("trim", ("s:text",), "string", "Without leading and trailing spaces.", "trim(comment) <> ''"),
    Function("length", ("s:text",), "int", "The number of characters.", "length(trim(comment)) > 10"),
    Function(
        "concat",
        ("a:printable",),
        "string",
        "The arguments joined as text; null arguments are skipped.",
        "concat(number, ' / ', year(issued_on))",
        variadic=True,
    ),
    Function(
        "format",
        ("x:formattable", "pattern:text"),
        "string",
        "x written by a literal pattern: '0.00', '# ##0,00' for numbers (rounded half away from zero), "
        "'DD.MM.YYYY HH:mm' for dates and datetimes (local time).",
        "format(amount, '# ##0,00')",
        check=_format_pattern,
    ),
    Function(
        "starts_with",
        ("s:text", "prefix:text"),
        "bool",
        "Whether a begins with b.",
        "starts_with(number, 'CLM-')",
    ),
    Function(
        "contains",
        ("haystack:text|list", "needle:value"),
        "bool",
        "Whether the string a contains the string b, or the list a holds the value b.",
        "contains(serials, 'SN-1')",
        check=_contains,
    ),
    Function(
        "cardinality", ("list:list",), "int", "The number of elements of a list.", "cardinality(serials) > 0"
    ),
    Function(
        "has_open_task",
        ("name:text",),
        "bool",
        "Whether the item has an open task of the kind named (a literal); false outside an item's place.",
        "not has_open_task('customs_check')",
        check=_task_name,
    ),
    Function(
        "lookup",
        ("table:text", "key:value", "column:text"),
        "the column's type",
        "The column's value in the row of the lookup table whose key equals key (null when no row has it); "
        "table and column are literal names, column may be left out when the table has one besides its key.",
        "lookup('vat_rates', country, 'rate')",
        required=2,
    ),
    Function(
        "coalesce",
        ("a:value",),
        "common",
        "The first argument that is not null.",
        "coalesce(paid_total, 0) >= amount",
        variadic=True,
    ),
    Function(
        "least",
        ("a:value",),
        "common",
        "The smallest argument; nulls are ignored.",
        "least(planned_at, due_at)",
        variadic=True,
        check=_ordered,
    ),
    Function(
        "greatest",
        ("a:value",),
        "common",
        "The largest argument; nulls are ignored.",
        "greatest(calls, 1)",
        variadic=True,
        check=_ordered,
    ),
    Function("abs", ("x:num",), "arg0", "The absolute value.", "abs(balance) < 0.01"),
    Function(
        "round",
        ("x:num", "digits:int"),
        "arg0",
        "Rounded half away from zero to b decimal places (default 0; b must be a literal).",
        "round(amount * 0.2, 2)",
        required=1,
        check=_round_digits,
    ),
    Function("floor", ("x:num",), "arg0", "Rounded down to a whole number.", "floor(amount)"),
    Function("ceil", ("x:num",), "arg0", "Rounded up to a whole number.", "ceil(amount / 3)"),
    Function(
        "if",
        ("condition:bool", "a:value", "b:value"),
        "common1",
        "b when a holds, else c (also when a is null).",
        "if(is_child, 'child', 'adult')",
    ),
)

FUNCTIONS: dict[str, Function] = {row.name: row for row in _ROWS}
"""Every function an expression may call, by name."""

NOW_FUNCTIONS = frozenset({"now", "today"})
"""Functions that read the clock (refused where ``Scope.allow_now`` is false)."""

_AGGREGATE = "aggregates are not expressions: declare a rollup field (count, sum, min, max, avg)"
REFUSED_FUNCTIONS: dict[str, str] = {
    "cast": "casts are not allowed; use date(x), or a literal like date '2026-01-31'",
    "try_cast": "casts are not allowed; use date(x), or a literal like date '2026-01-31'",
    "count": _AGGREGATE, "sum": _AGGREGATE, "avg": _AGGREGATE,
    "min": "for the smaller of values use least(a, b); " + _AGGREGATE,
    "max": "for the larger of values use greatest(a, b); " + _AGGREGATE,
    "current_date": "use today()", "current_timestamp": "use now()", "ifnull": "use coalesce(a, b)",
    "nvl": "use coalesce(a, b)", "len": "use length(s) or cardinality(list)",
    "date_add": "use add_days or add_months",
}  # fmt: skip
"""Hints for well-known SQL functions that are deliberately not on the allow-list."""


def result_type(function: Function, types: list[Type], nodes: list[exp.Expr]) -> Type:
    """The type a call returns, or :class:`ArgumentError` when its arguments do not fit.

    >>> result_type(FUNCTIONS["add_months"], [Type.of("date"), Type.of("int")], [])
    Type(kind='date', many=False, values=(), process=None)
    """
    count = len(types)
    required = len(function.params) if function.required is None else function.required
    if count < required or (count > len(function.params) and not function.variadic):
        raise ArgumentError(
            f"{function.name}() takes {_arity(function, required)}, got {count}",
            hint=f"write {function.signature}",
        )
    for index, t in enumerate(types):
        family = function.params[min(index, len(function.params) - 1)].split(":")[1]
        words, fits, _ = FAMILIES[family]
        if t.kind not in ("null", "any") and not fits(t):
            raise ArgumentError(f"argument {index + 1} of {function.name}() must be {words}, got {t}", index)
    if function.check:
        function.check(types, nodes)
    if function.result == "arg0":
        return types[0].scalar() if types[0].kind not in ("null", "any") else types[0]
    if function.result in ("common", "common1"):
        return _common(function, types, 0 if function.result == "common" else 1)
    return Type.of(function.result)


def _common(function: Function, types: list[Type], first: int) -> Type:
    result = types[first]
    for index in range(first + 1, len(types)):
        merged = unify(result, types[index])
        if merged is None:
            raise ArgumentError(
                f"the arguments of {function.name}() must have one type, got {result} and {types[index]}",
                index,
            )
        result = merged
    return result


def _arity(function: Function, required: int) -> str:
    total = len(function.params)
    if function.variadic:
        return f"at least {required} argument{'s' * (required != 1)}"
    if required == total:
        return f"{total} argument{'s' * (total != 1)}"
    return f"{required} to {total} arguments"
