"""``add_working_days``: Monday to Friday steps, in Python and as one SQL expression (no loop, no calendar table).

Days are numbered from a Monday (0001-01-01); a working-day index counts
five per week. Going forward a weekend day counts as the Friday before it,
going back as the Monday after it, so Saturday + 1 is Monday and Saturday - 1
is Friday; ``n = 0`` leaves the value as it is. A datetime keeps its local
wall-clock time, as with ``add_days``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlglot import exp

from ..timing.calendar import add_days, to_local
from ..timing.zones import Zone

_EPOCH = date(1, 1, 1)  # a Monday


def working_days_delta(day: date, n: int) -> int:
    """Calendar days from ``day`` to ``n`` working days later (earlier when negative).

    >>> working_days_delta(date(2026, 12, 4), 1)  # Friday -> Monday
    3
    >>> working_days_delta(date(2026, 12, 5), -1)  # Saturday -> Friday
    -1
    """
    if n == 0:
        return 0
    offset = (day - _EPOCH).days
    weeks, weekday = divmod(offset, 7)
    index = weeks * 5 + min(weekday, 4 if n > 0 else 5) + n
    target = (index // 5) * 7 + index % 5
    return target - offset


def add_working_days(value: date | datetime, n: int, tz: Zone | None = None) -> date | datetime:
    """``value`` plus ``n`` working days (Monday to Friday).

    >>> add_working_days(date(2026, 12, 3), 2)  # Thursday -> Monday
    datetime.date(2026, 12, 7)
    """
    if isinstance(value, datetime):
        local = (to_local(value, tz) if tz is not None else value).date()
    else:
        local = value
    return add_days(value, working_days_delta(local, n), tz)


def _int(value: int) -> exp.Expr:
    return exp.Literal.number(value)


def _at_most(value: exp.Expr, cap: int) -> exp.Expr:
    return exp.Case(ifs=[exp.If(this=exp.GT(this=value.copy(), expression=_int(cap)), true=_int(cap))],
                    default=value.copy())


def working_days_delta_sql(day: exp.Expr, n: exp.Expr) -> exp.Expr:
    """SQL of :func:`working_days_delta` over a DATE and an int expression."""
    offset = exp.Paren(this=exp.Sub(this=day, expression=exp.Cast(
        this=exp.Literal.string(_EPOCH.isoformat()), to=exp.DataType.build("date"))))
    weekday = exp.Paren(this=exp.Mod(this=offset.copy(), expression=_int(7)))
    capped = exp.Case(ifs=[exp.If(this=exp.GT(this=n.copy(), expression=_int(0)),
                                  true=_at_most(weekday, 4))],
                      default=_at_most(weekday, 5))
    index = exp.Paren(this=exp.Add(this=exp.Add(
        this=exp.Mul(this=exp.Paren(this=exp.IntDiv(this=offset.copy(), expression=_int(7))), expression=_int(5)),
        expression=capped), expression=exp.Paren(this=n.copy())))
    target = exp.Add(this=exp.Mul(this=exp.Paren(this=exp.IntDiv(this=index, expression=_int(5))),
                                  expression=_int(7)),
                     expression=exp.Paren(this=exp.Mod(this=index.copy(), expression=_int(5))))
    moved = exp.Paren(this=exp.Sub(this=target, expression=offset.copy()))
    return exp.Case(ifs=[exp.If(this=exp.EQ(this=n.copy(), expression=_int(0)), true=_int(0))], default=moved)
