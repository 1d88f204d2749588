"""Compare a value written in a spec with the value the engine stored, and show both.

Spec values are YAML: dates and times stay text (the loader keeps them so) and
are read in the project's time zone, decimals compare as decimals, a list is a
multi-valued field, ``null`` is empty. A mapping is a matcher: ``{contains: X}``,
``{not: X}`` or ``{in: [A, B]}``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import UsageError
from ..timing import parse_date, parse_datetime

RefResolver = Callable[[str, object], set[int]]
"""(process, key value) -> ids of the items whose key field has that value."""

MATCHERS = ("contains", "not", "in")


class FieldKind:
    """The declared type of a compared field: ``type``, ``many`` and the ``process`` of a ref."""

    def __init__(self, type_: str, many: bool = False, process: str | None = None):
        self.type, self.many, self.process = type_, many, process


def matches(expected: Any, actual: Any, kind: FieldKind, tz: str, refs: RefResolver | None = None) -> bool:
    """Whether ``actual`` (from the database) satisfies ``expected`` (from the spec)."""
    if isinstance(expected, dict):
        (word, operand), = expected.items()
        if word == "not":
            return not matches(operand, actual, kind, tz, refs)
        if word == "in":
            return any(matches(option, actual, kind, tz, refs) for option in operand)
        if isinstance(actual, list):
            single = FieldKind(kind.type, False, kind.process)
            return any(matches(operand, element, single, tz, refs) for element in actual)
        return actual is not None and str(operand) in str(actual)
    if expected is None:
        return actual is None or actual == []
    if kind.many or isinstance(expected, list):
        if not isinstance(expected, list) or not isinstance(actual, list) or len(expected) != len(actual):
            return False
        single = FieldKind(kind.type, False, kind.process)
        return all(matches(e, a, single, tz, refs) for e, a in zip(expected, actual, strict=True))
    if actual is None:
        return False
    return _scalar(expected, actual, kind, tz, refs)


def _scalar(expected: Any, actual: Any, kind: FieldKind, tz: str, refs: RefResolver | None) -> bool:
    try:
        if kind.type == "datetime":
            return isinstance(expected, str) and parse_datetime(expected, tz) == actual
        if kind.type == "date":
            return isinstance(expected, str) and parse_date(expected) == actual
    except UsageError:
        return False
    if kind.type == "decimal" or (kind.type == "int" and isinstance(actual, Decimal)):
        try:
            return not isinstance(expected, bool) and Decimal(str(expected)) == Decimal(str(actual))
        except InvalidOperation:
            return False
    if kind.type == "int":
        return not isinstance(expected, bool) and isinstance(expected, int) and expected == actual
    if kind.type == "bool":
        return isinstance(expected, bool) and expected == actual
    if kind.type == "ref" and isinstance(expected, str) and refs is not None and kind.process:
        return actual in refs(kind.process, expected)
    return str(expected) == str(actual)


def expected_value(expected: Any, kind: FieldKind, tz: str) -> Any:
    """The spec's value as the engine's type, for messages (times read in the project's zone)."""
    try:
        if isinstance(expected, str) and kind.type == "datetime":
            return parse_datetime(expected, tz)
        if isinstance(expected, str) and kind.type == "date":
            return parse_date(expected)
    except UsageError:
        pass
    if isinstance(expected, list):
        return [expected_value(v, kind, tz) for v in expected]
    return expected


def show(value: Any, tz: str | None = None) -> str:
    """A value as a failure message shows it: text quoted, times local, lists in brackets.

    >>> show("this_month"), show(None), show([1, 2]), show(Decimal("10.50"))
    ('"this_month"', 'null', '[1, 2]', '10.50')
    """
    if value is None:
        return "null"
    if isinstance(value, dict):
        (word, operand), = value.items()
        return f"{word} {show(operand, tz)}"
    if isinstance(value, list):
        return "[" + ", ".join(show(v, tz) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        local = value.astimezone(_zone(tz)) if tz and value.tzinfo else value
        text = local.strftime("%Y-%m-%d %H:%M" + (":%S" if local.second or local.microsecond else ""))
        return text + (local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:] if local.tzinfo else "")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _zone(tz: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(tz)
