"""Calendar arithmetic on dates and aware datetimes, in a project's time zone.

Used by the engine (duration arithmetic, period tables) and by the expression
interpreter; the compiled SQL must agree with these functions.

- A ``date`` stays a ``date``. An aware ``datetime`` is worked on as local
  wall-clock time in ``tz`` (default: its own zone) and comes back as an
  aware datetime in that zone; a naive datetime is refused.
- Adding months keeps the day of the month, clamped to the month's last day
  (Jan 31 + 1 month = Feb 28, or Feb 29 in a leap year).
- Adding days keeps the wall-clock time across DST changes (a day is 23 or
  25 hours then). A wall time that does not exist moves forward by the gap,
  a repeated one means the first (see ``zones``).
"""

from __future__ import annotations

import calendar as _stdcal
from datetime import date, datetime, timedelta, tzinfo
from typing import TypeVar

from .zones import Zone, localize, zone

__all__ = [
    "to_local",
    "start_of_month",
    "start_of_next_month",
    "end_of_month",
    "add_months",
    "add_days",
    "days_between",
    "age_years",
]

D = TypeVar("D", date, datetime)


def to_local(dt: datetime, tz: Zone) -> datetime:
    """The same instant as an aware datetime in ``tz``.

    >>> from datetime import timezone
    >>> to_local(datetime(2026, 1, 15, 7, 0, tzinfo=timezone.utc), "Europe/Moscow").isoformat()
    '2026-01-15T10:00:00+03:00'
    """
    _require_aware(dt)
    return dt.astimezone(zone(tz))


def start_of_month(value: D, tz: Zone | None = None) -> D:
    """The 1st of the value's month: a date, or 00:00 local on the 1st.

    >>> start_of_month(date(2026, 2, 17))
    datetime.date(2026, 2, 1)
    """
    if isinstance(value, datetime):
        wall, tzi = _wall(value, tz)
        return localize(datetime(wall.year, wall.month, 1), tzi)
    return value.replace(day=1)


def start_of_next_month(value: D, tz: Zone | None = None) -> D:
    """The 1st of the month after the value's month (a date, or 00:00 local).

    >>> start_of_next_month(date(2026, 12, 31))
    datetime.date(2027, 1, 1)
    """
    return add_months(start_of_month(value, tz), 1, tz)


def end_of_month(value: date | datetime, tz: Zone | None = None) -> date:
    """The last day of the value's month, always as a date (a datetime is read in ``tz``).

    >>> end_of_month(date(2028, 2, 3))
    datetime.date(2028, 2, 29)
    """
    day = _wall(value, tz)[0].date() if isinstance(value, datetime) else value
    return day.replace(day=_stdcal.monthrange(day.year, day.month)[1])


def add_months(value: D, n: int, tz: Zone | None = None) -> D:
    """``value`` plus ``n`` calendar months, the day clamped to the month's end.

    >>> add_months(date(2026, 1, 31), 1)
    datetime.date(2026, 2, 28)
    >>> add_months(date(2028, 2, 29), 12)
    datetime.date(2029, 2, 28)
    >>> add_months(date(2026, 3, 31), -1)
    datetime.date(2026, 2, 28)
    """
    if isinstance(value, datetime):
        wall, tzi = _wall(value, tz)
        return localize(datetime.combine(_months_later(wall.date(), n), wall.time()), tzi)
    return _months_later(value, n)


def add_days(value: D, n: int, tz: Zone | None = None) -> D:
    """``value`` plus ``n`` calendar days; a datetime keeps its local wall-clock time.

    >>> berlin = datetime(2026, 3, 28, 12, 0, tzinfo=zone("Europe/Berlin"))
    >>> add_days(berlin, 1).isoformat()
    '2026-03-29T12:00:00+02:00'
    """
    if isinstance(value, datetime):
        wall, tzi = _wall(value, tz)
        return localize(wall + timedelta(days=n), tzi)
    return value + timedelta(days=n)


def days_between(a: date | datetime, b: date | datetime, tz: Zone | None = None) -> int:
    """Calendar days from ``a`` to ``b`` (negative if ``b`` is earlier); datetimes count by local date.

    >>> days_between(date(2026, 1, 31), date(2026, 3, 1))
    29
    """
    return (_local_date(b, tz) - _local_date(a, tz)).days


def age_years(birth: date | datetime, at: date | datetime, tz: Zone | None = None) -> int:
    """Full years from ``birth`` to ``at``: the largest ``n`` with ``add_months(birth, 12 * n) <= at``.

    Someone born on Feb 29 turns a year older on Feb 28 in other years,
    because Feb 29 + 1 year is Feb 28 (month-end clamping, as everywhere in
    ruledeck and in SQL interval arithmetic). Negative when ``at`` is before
    ``birth``.

    >>> age_years(date(2008, 2, 29), date(2026, 2, 28))
    18
    >>> age_years(date(2008, 2, 29), date(2026, 2, 27))
    17
    """
    born, day = _local_date(birth, tz), _local_date(at, tz)
    years = day.year - born.year
    if _months_later(born, 12 * years) > day:
        years -= 1
    return years


def _months_later(day: date, n: int) -> date:
    index = day.year * 12 + day.month - 1 + n
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise OverflowError(f"{day.isoformat()} plus {n} months is out of range")
    return date(year, month, min(day.day, _stdcal.monthrange(year, month)[1]))


def _wall(value: datetime, tz: Zone | None) -> tuple[datetime, tzinfo]:
    """Naive local wall-clock time of an aware datetime, and the zone it is read in."""
    _require_aware(value)
    tzi = zone(tz) if tz is not None else value.tzinfo
    assert tzi is not None
    return value.astimezone(tzi).replace(tzinfo=None), tzi


def _local_date(value: date | datetime, tz: Zone | None) -> date:
    return _wall(value, tz)[0].date() if isinstance(value, datetime) else value


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()}: ruledeck times must carry a time zone")
