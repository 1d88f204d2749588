"""A field's declared ``min``/``max`` as a value of the field's type.

Shared by validation (a bound that is not a value of the field's type is an
error) and the runtime (bounds are bound as SQL parameters and compared in
Python at ingest).

>>> from .model import FieldDef
>>> bound_value(FieldDef("amount", "decimal", None, min=0.01), "min")
Decimal('0.01')
>>> bound_value(FieldDef("on", "date", None, max="2030-12-31"), "max")
datetime.date(2030, 12, 31)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import UsageError
from .model import FieldDef

BOUNDED_TYPES = ("int", "decimal", "date", "datetime")
TEXT_TYPES = ("string", "text")


class BadBound(ValueError):
    """A ``min``/``max`` that is not a value of its field's type."""


def bound_value(declared: FieldDef, which: str, timezone: str = "UTC") -> Any:
    """``declared.min`` or ``declared.max`` (``which``) as the field's Python type; None when not declared."""
    raw = getattr(declared, which)
    if raw is None:
        return None
    kind = declared.type
    if kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise BadBound(f"{which} of an int field must be a whole number, not {raw!r}")
        return raw
    if kind == "decimal":
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise BadBound(f"{which} of a decimal field must be a number, not {raw!r}")
        try:
            number = Decimal(str(raw))
        except InvalidOperation:
            raise BadBound(f"{which} of a decimal field must be a number, not {raw!r}") from None
        if not number.is_finite():
            raise BadBound(f"{which} of a decimal field must be a number, not {raw!r}")
        return number
    if kind in ("date", "datetime"):
        from ..timing import parse_date, parse_datetime

        if not isinstance(raw, str):
            raise BadBound(f"{which} of a {kind} field must be a date like 2026-01-31, not {raw!r}")
        try:
            return parse_date(raw) if kind == "date" else parse_datetime(raw, timezone)
        except UsageError:
            raise BadBound(f"{which} of a {kind} field must be a date like 2026-01-31, not {raw!r}") from None
    raise BadBound(f"{which} is for int, decimal, date and datetime fields, not {kind}")


def shown(value: Any) -> str:
    """A bound or value as messages show it: dates as ISO text, numbers as written.

    >>> shown(Decimal("0.01")), shown(dt.date(2026, 1, 31)), shown("A-1")
    ('0.01', '2026-01-31', "'A-1'")
    """
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | int | Decimal | float) and not isinstance(value, bool):
        return str(value)
    return repr(value) if isinstance(value, str) else str(value)
