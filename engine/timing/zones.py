"""Time zones: resolve a zone name, and turn a local wall-clock time into an instant.

One rule for local times that do not map to exactly one instant, used by
every part of ruledeck (cron, duration arithmetic, datetime input):

- a wall time that does not exist (skipped when clocks spring forward) is
  moved forward by the length of the gap: 02:30 on the Berlin spring-forward
  day becomes 03:30 summer time (DuckDB and PostgreSQL do the same);
- a wall time that happens twice (clocks fall back) means the first one,
  still on summer time (as Python's ``fold=0`` and cron; DuckDB and
  PostgreSQL mostly take the second one, so SQL landing in that hour can
  differ by an hour).

Aware datetimes sharing one ``ZoneInfo`` compare by their wall-clock fields
and ignore ``fold`` (PEP 495), so two instants in the repeated hour can
compare wrongly; compare instants in UTC (``dt.timestamp()``) instead.
"""

from __future__ import annotations

import difflib
import os
import zoneinfo
from datetime import UTC, datetime, tzinfo

from ..errors import UsageError

__all__ = ["Zone", "zone", "localize", "is_ambiguous", "exists"]

Zone = tzinfo | str
"""A time zone: a ``tzinfo`` (normally a ``ZoneInfo``) or an IANA name."""


def zone(tz: Zone) -> tzinfo:
    """The ``tzinfo`` for ``tz``: a ``tzinfo`` is returned as is, a name is looked up.

    >>> zone("Europe/Moscow")
    zoneinfo.ZoneInfo(key='Europe/Moscow')
    >>> try:
    ...     zone("Europe/Moskow")
    ... except UsageError as error:
    ...     print(error)
    unknown time zone 'Europe/Moskow' (did you mean 'Europe/Moscow'?)
    """
    if isinstance(tz, tzinfo):
        return tz
    try:
        return zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        pass
    close = _closest_zone(str(tz))
    hint = f"did you mean '{close}'?" if close else "use an IANA name such as 'Europe/Moscow' or 'UTC'"
    raise UsageError(f"unknown time zone '{tz}' ({hint})")


def _closest_zone(name: str) -> str | None:
    """The zone a misspelt name most likely meant: same spelling in other case, else a close city."""
    names = sorted(zoneinfo.available_timezones())
    by_lower = {n.lower(): n for n in names}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    region, _, city = name.lower().rpartition("/")
    cities = {n.lower().rpartition("/")[2]: n for n in names if n.lower().rpartition("/")[0] == region}
    close = difflib.get_close_matches(city, list(cities), n=5, cutoff=0.5) if region else []
    if close:  # the longest common beginning wins: 'Moskva' is Moscow, not Minsk
        return cities[max(close, key=lambda c: len(os.path.commonprefix([c, city])))]
    close = difflib.get_close_matches(name, names, n=1)
    return close[0] if close else None


def localize(naive: datetime, tz: Zone) -> datetime:
    """The instant a local wall-clock time means in ``tz``, as an aware datetime in ``tz``.

    A skipped wall time moves forward by the gap; a repeated one is the first.

    >>> berlin = zone("Europe/Berlin")
    >>> localize(datetime(2026, 3, 29, 2, 30), berlin).isoformat()
    '2026-03-29T03:30:00+02:00'
    >>> localize(datetime(2026, 10, 25, 2, 30), berlin).isoformat()
    '2026-10-25T02:30:00+02:00'
    """
    if naive.tzinfo is not None:
        raise ValueError(f"localize() needs a naive datetime, got {naive.isoformat()}")
    tzi = zone(tz)
    # fold=0 reads a skipped time with the offset before the transition (PEP 495),
    # which is "moved forward by the gap" once converted back from UTC.
    return naive.replace(tzinfo=tzi, fold=0).astimezone(UTC).astimezone(tzi)


def exists(naive: datetime, tz: Zone) -> bool:
    """Whether the wall time occurs in ``tz`` (false inside a spring-forward gap).

    >>> exists(datetime(2026, 3, 29, 2, 30), "Europe/Berlin")
    False
    """
    tzi = zone(tz)
    first = naive.replace(tzinfo=tzi, fold=0)
    return first.astimezone(UTC).astimezone(tzi).replace(tzinfo=None) == naive


def is_ambiguous(naive: datetime, tz: Zone) -> bool:
    """Whether the wall time occurs twice in ``tz`` (inside a fall-back overlap).

    >>> is_ambiguous(datetime(2026, 10, 25, 2, 30), "Europe/Berlin")
    True
    >>> is_ambiguous(datetime(2026, 3, 29, 2, 30), "Europe/Berlin")
    False
    """
    tzi = zone(tz)
    a, b = naive.replace(tzinfo=tzi, fold=0), naive.replace(tzinfo=tzi, fold=1)
    return a.utcoffset() != b.utcoffset() and exists(naive, tzi)
