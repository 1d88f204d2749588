"""Durations and offsets (``5d``, ``1 month 15d``, ``-1d``): parse, print, add, compile to SQL.

A duration has three independent parts, as SQL intervals do: calendar
months, calendar days and exact seconds. ``1y`` is 12 months, ``1w`` is 7
days, ``1h`` is 3600 seconds. Adding one applies the months, then the days
(both on the local calendar and wall clock of the project's time zone),
then the seconds (elapsed time) – PostgreSQL's order; ``add_sql`` makes
DuckDB follow it too.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from sqlglot import exp

from ..errors import DurationError
from .calendar import add_days, add_months, to_local
from .zones import Zone

__all__ = ["Duration", "parse_duration"]

D = TypeVar("D", date, datetime)

EXAMPLES = "e.g. 5d, 2h, 30min, 1 month, 1y 6mo, -1d"

# spelling -> (name used in messages, field, factor)
_UNITS: dict[str, tuple[str, str, int]] = {}
for _spellings, _name, _field, _factor in (
    (("y", "year", "years"), "years", "months", 12),
    (("mo", "month", "months"), "months", "months", 1),
    (("w", "week", "weeks"), "weeks", "days", 7),
    (("d", "day", "days"), "days", "days", 1),
    (("h", "hour", "hours"), "hours", "seconds", 3600),
    (("min", "minute", "minutes"), "minutes", "seconds", 60),
    (("s", "second", "seconds"), "seconds", "seconds", 1),
):
    for _spelling in _spellings:
        _UNITS[_spelling] = (_name, _field, _factor)
_SHORT = {"years": "y", "months": "mo", "weeks": "w", "days": "d", "hours": "h", "minutes": "min",
          "seconds": "s"}
# suggested in "did you mean": the short and the plural spelling of each unit
_SUGGESTIONS = sorted(set(_SHORT) | set(_SHORT.values()))

_TOKEN = re.compile(
    r"\s*(?:(?P<number>[0-9]+(?:[.,][0-9]+)?)|(?P<word>[^\W\d_]+)|(?P<sign>[+-])|(?P<other>\S))"
)

_MAX_YEARS = 10_000
_LIMITS = {"months": 12 * _MAX_YEARS, "days": 366 * _MAX_YEARS, "seconds": 366 * _MAX_YEARS * 86_400}


@dataclass(frozen=True)
class Duration:
    """A signed amount of calendar months, calendar days and exact seconds.

    All non-zero parts share one sign: ``-1 month 15d`` is minus one month
    and minus fifteen days.

    >>> d = parse_duration("1 month 15d")
    >>> d
    Duration(months=1, days=15, seconds=0)
    >>> str(d), str(d.negate())
    ('1 month 15d', '-1 month 15d')
    """

    months: int = 0
    days: int = 0
    seconds: int = 0

    def __post_init__(self) -> None:
        parts = (self.months, self.days, self.seconds)
        if any(p > 0 for p in parts) and any(p < 0 for p in parts):
            raise ValueError(f"the parts of a duration must share one sign, got {parts}")

    @property
    def is_negative(self) -> bool:
        """True when the duration goes back in time."""
        return min(self.months, self.days, self.seconds) < 0

    def negate(self) -> Duration:
        """The same duration in the other direction."""
        return Duration(-self.months, -self.days, -self.seconds)

    __neg__ = negate

    def __str__(self) -> str:
        """The canonical spelling, which ``parse_duration`` reads back.

        >>> str(parse_duration("1Y 6MO")), str(parse_duration("90s")), str(parse_duration("1w"))
        ('1y 6 months', '1min 30s', '7d')
        """
        months, days, seconds = abs(self.months), abs(self.days), abs(self.seconds)
        years, months = divmod(months, 12)
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        parts = [f"{years}y"] if years else []
        if months:
            parts.append(f"{months} month" if months == 1 else f"{months} months")
        smaller = ((days, "d"), (hours, "h"), (minutes, "min"), (seconds, "s"))
        parts += [f"{n}{unit}" for n, unit in smaller if n]
        return ("-" if self.is_negative else "") + (" ".join(parts) or "0s")

    def add_to(self, value: D, tz: Zone | None = None) -> D:
        """``value`` plus this duration: months, then days, then seconds.

        A date stays a date and only takes months and days. An aware datetime
        is shifted on the wall clock of ``tz`` (default: its own zone) for
        months and days, then by exact elapsed seconds, and is returned in
        that zone.

        >>> parse_duration("1 month").add_to(date(2026, 1, 31))
        datetime.date(2026, 2, 28)
        >>> from zoneinfo import ZoneInfo
        >>> before_dst = datetime(2026, 3, 28, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
        >>> parse_duration("1d").add_to(before_dst).isoformat()
        '2026-03-29T09:00:00+02:00'
        >>> parse_duration("24h").add_to(before_dst).isoformat()
        '2026-03-29T10:00:00+02:00'
        """
        try:
            if isinstance(value, datetime):
                result = to_local(value, tz if tz is not None else value.tzinfo)  # type: ignore[arg-type]
                if self.months:
                    result = add_months(result, self.months)
                if self.days:
                    result = add_days(result, self.days)
                if self.seconds:
                    instant = result.astimezone(UTC) + timedelta(seconds=self.seconds)
                    result = instant.astimezone(result.tzinfo)
                return result
            if self.seconds:
                raise DurationError(
                    f"'{self}' cannot be added to a date: it has hours, minutes or seconds",
                    "use whole days, or make the field a datetime",
                )
            return add_days(add_months(value, self.months), self.days)
        except OverflowError:
            raise DurationError(
                f"{value.isoformat()} plus '{self}' is out of range", "dates must stay within years 1-9999"
            ) from None

    def to_sql(self) -> exp.Interval:
        """A SQL interval literal with the same months, days and seconds.

        DuckDB (with the session ``TimeZone`` set to the project's zone) and
        PostgreSQL add it to a ``TIMESTAMPTZ`` on the local calendar like
        ``add_to``; to add it with exactly ``add_to``'s order and types, use
        ``add_sql``.

        >>> parse_duration("1 month 15d").to_sql().sql("duckdb")
        "INTERVAL '1 month 15 days'"
        >>> parse_duration("-2h").to_sql().sql("postgres")
        "INTERVAL '-7200 seconds'"
        """
        parts = [
            f"{n} {unit if abs(n) == 1 else unit + 's'}"
            for n, unit in ((self.months, "month"), (self.days, "day"), (self.seconds, "second"))
            if n
        ]
        return exp.Interval(this=exp.Literal.string(" ".join(parts) or "0 seconds"))

    def add_sql(self, value: exp.Expression, is_date: bool = False) -> exp.Expression:
        """SQL adding this duration to ``value`` as ``add_to`` does, in DuckDB and PostgreSQL.

        The results agree except for a local time inside a repeated DST hour
        (see ``zones``).

        A duration with both calendar parts and seconds is added in two
        steps: DuckDB applies the seconds of a single negative interval
        first, PostgreSQL and ``add_to`` last. A DATE sum is cast back to DATE
        (DuckDB would return a TIMESTAMP).

        >>> start = exp.column("planned_at")
        >>> parse_duration("-1 month 2h").add_sql(start).sql("duckdb")
        "planned_at + INTERVAL '-1 month' + INTERVAL '-7200 seconds'"
        >>> parse_duration("1 month").add_sql(exp.column("issued_on"), is_date=True).sql("duckdb")
        "CAST(issued_on + INTERVAL '1 month' AS DATE)"
        """
        if is_date and self.seconds:
            raise DurationError(
                f"'{self}' cannot be added to a date: it has hours, minutes or seconds",
                "use whole days, or make the field a datetime",
            )
        calendar, exact = Duration(self.months, self.days, 0), Duration(0, 0, self.seconds)
        steps = [d for d in (calendar, exact) if d != Duration()] or [self]
        result = exp.paren(value) if isinstance(value, (exp.Binary, exp.Unary)) else value
        for step in steps:
            result = exp.Add(this=result, expression=step.to_sql())
        return exp.cast(result, exp.DType.DATE) if is_date else result


def parse_duration(text: str) -> Duration:
    """Parse a duration such as ``5d``, ``1 month 15d``, ``-1d`` or ``1y 6mo`` (case-insensitive).

    >>> parse_duration("1 month 15d")
    Duration(months=1, days=15, seconds=0)
    >>> parse_duration("-2h30min")
    Duration(months=0, days=0, seconds=-9000)
    >>> try:
    ...     parse_duration("5 dayz")
    ... except DurationError as error:
    ...     print(error)
    '5 dayz' is not a duration: unknown unit 'dayz' (did you mean 'days'?)
    """
    if not isinstance(text, str) or isinstance(text, bool):
        raise DurationError(f"{text!r} is not a duration: it needs a unit", EXAMPLES)
    shown = text.strip()
    if not shown:
        raise DurationError("empty duration", EXAMPLES)

    def fail(reason: str, hint: str = EXAMPLES) -> DurationError:
        return DurationError(f"'{shown}' is not a duration: {reason}", hint)

    tokens = [(m.lastgroup, m.group(m.lastgroup)) for m in _TOKEN.finditer(shown.lower())]
    sign = 1
    if tokens[0][0] == "sign":
        sign = -1 if tokens.pop(0)[1] == "-" else 1
        if not tokens:
            raise fail("a number and a unit must follow the sign")
    totals = {"months": 0, "days": 0, "seconds": 0}
    seen: dict[str, int] = {}
    while tokens:
        kind, value = tokens.pop(0)
        if kind == "sign":
            raise fail("a sign may only lead the whole duration", "-1d 2h means minus 1 day and 2 hours")
        if kind == "other":
            raise fail(f"unexpected '{value}'")
        if kind == "word":
            raise fail(f"'{value}' has no number before it")
        if not value.isascii() or not value.isdigit():
            raise fail("fractions are not allowed", "use a smaller unit: 1d 12h, not 1.5d")
        number = int(value)
        if not tokens or tokens[0][0] != "word":
            raise fail(f"the number {number} has no unit", f"e.g. {number}d, {number}h or {number}min")
        word = tokens.pop(0)[1]
        if word == "m":
            raise fail("unit 'm' is ambiguous", f"write {number}min for minutes or {number}mo for months")
        if word not in _UNITS:
            close = difflib.get_close_matches(word, _SUGGESTIONS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "units: y, mo, w, d, h, min, s"
            raise fail(f"unknown unit '{word}'", hint)
        name, field, factor = _UNITS[word]
        if name in seen:
            raise fail(f"{name} given twice", f"write {seen[name] + number}{_SHORT[name]}")
        seen[name] = number
        totals[field] += number * factor
    for field, total in totals.items():
        if total > _LIMITS[field]:
            raise fail("too long", f"at most {_MAX_YEARS} years")
    return Duration(sign * totals["months"], sign * totals["days"], sign * totals["seconds"])
