"""Read dates and date-times typed by users (``tick --to``, event times, scenario specs).

Accepted: ``2026-01-15`` (midnight), ``2026-01-15 10:00``, ``2026-01-15T10:00``,
``2026-01-15T10:00:00``, optional fractions of a second (``.250``), and an
optional UTC offset (``+03:00``, ``-05:00``, ``Z``). A time without an offset
is local time in the project's zone (a skipped time moves forward by the
gap, a repeated one means the first); one with an offset is that instant.
The result is always an aware datetime in the project's zone.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from ..errors import UsageError
from .zones import Zone, localize, zone

__all__ = ["parse_datetime", "parse_date", "ACCEPTED"]

ACCEPTED = (
    "2026-01-15, 2026-01-15 10:00, 2026-01-15T10:00:00, 2026-01-15T10:00:00+03:00 or 2026-01-15T07:00:00Z"
)

_DATE = r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
_DATETIME = re.compile(
    _DATE + r"(?:[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6}))?)?"
    r"(?P<offset>[Zz]|[+-]\d{2}:\d{2})?)?"
)

_WITH_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-](?:[01]\d|2[0-3]):[0-5]\d")
"""The common machine-written form, which :meth:`datetime.fromisoformat` reads the same, only faster."""


def parse_datetime(text: str, tz: Zone) -> datetime:
    """An aware datetime in ``tz`` from user input; ``UsageError`` lists the accepted forms.

    >>> parse_datetime("2026-01-15 10:00", "Europe/Moscow").isoformat()
    '2026-01-15T10:00:00+03:00'
    >>> parse_datetime("2026-01-15T07:00:00Z", "Europe/Moscow").isoformat()
    '2026-01-15T10:00:00+03:00'
    >>> parse_datetime("2026-03-29 02:30", "Europe/Berlin").isoformat()
    '2026-03-29T03:30:00+02:00'
    >>> parse_datetime("2026-01-15T10:00:00+03:00", "Europe/Berlin").isoformat()
    '2026-01-15T08:00:00+01:00'
    """
    tzi = zone(tz)
    if isinstance(text, str) and _WITH_OFFSET.fullmatch(text):
        try:
            return datetime.fromisoformat(text).astimezone(tzi)
        except ValueError:
            pass  # e.g. 2026-02-30: the general path says why
    match = _DATETIME.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise UsageError(f"'{text}' is not a date or date-time: write {ACCEPTED}")
    parts = match.groupdict()
    fraction = (parts["fraction"] or "").ljust(6, "0")
    try:
        naive = datetime(
            int(parts["year"]), int(parts["month"]), int(parts["day"]),
            int(parts["hour"] or 0), int(parts["minute"] or 0), int(parts["second"] or 0), int(fraction),
        )
    except ValueError as error:
        raise UsageError(f"'{text.strip()}' is not a valid date-time: {error}") from None
    offset = parts["offset"]
    if offset is None:
        return localize(naive, tzi)
    if offset in ("Z", "z"):
        return naive.replace(tzinfo=UTC).astimezone(tzi)
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    if hours > 23 or minutes > 59:
        raise UsageError(f"'{text.strip()}' is not a valid date-time: offset {offset} is out of range")
    delta = timedelta(hours=hours, minutes=minutes)
    return naive.replace(tzinfo=timezone(-delta if offset[0] == "-" else delta)).astimezone(tzi)


def parse_date(text: str) -> date:
    """A date from ``YYYY-MM-DD``; ``UsageError`` otherwise.

    >>> parse_date("2028-02-29")
    datetime.date(2028, 2, 29)
    """
    match = re.fullmatch(_DATE, text.strip()) if isinstance(text, str) else None
    if match is None:
        raise UsageError(f"'{text}' is not a date: write it as 2026-01-15")
    try:
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError as error:
        raise UsageError(f"'{text.strip()}' is not a valid date: {error}") from None
