"""Cron schedules: parse the five-field syntax strictly, and list occurrences in a time zone.

``parse_cron`` accepts crontab(5) syntax: ``minute hour day-of-month month
day-of-week`` with ``*``, numbers, ranges, steps, lists, and names in the
month and day-of-week fields (0 and 7 are Sunday), plus ``@hourly``,
``@daily``, ``@weekly``, ``@monthly``, ``@yearly`` and ``@annually``. As in
crontab(5), when both day fields are restricted a day matching either one
fires; a field is restricted when it leaves out some value, whatever its
spelling (``0-6`` and ``*/1`` in day-of-week are ``*``). Extensions
(seconds or year fields, ``L``, ``W``, ``#``, ``?``, ``H``) are refused
with a message naming the field.

Occurrences are computed on the local wall clock of the project's zone
(``occurrences`` below, in ``cron_walk``). Daylight saving time:

- a wall time skipped by spring-forward fires once, moved forward by the
  gap (``30 2 * * *`` fires at 03:30 in Berlin on that day);
- a wall time repeated by fall-back fires once, the first time – except for
  schedules that run every hour (the hour field is ``*``), which fire in
  both passes so they keep their real-time rhythm;
- two wall times that land on the same instant fire once.

Occurrences come out in time order, each instant once, so a tick over six
months of ``0 6 1 * *`` fires exactly six times.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from ..errors import CronError
from . import cron_walk
from .zones import Zone, zone

__all__ = ["CronSchedule", "Missed", "parse_cron"]

FIELD_NAMES = ("minute", "hour", "day-of-month", "month", "day-of-week")
ALLOWED = (
    "a field may hold *, numbers (5), ranges (1-5), steps (*/15, 1-30/5), names (mon, jan) "
    "and comma lists of these (1,15)"
)
FIVE_FIELDS = "five fields: minute hour day-of-month month day-of-week"
FIELD_ORDER = "the fields are minute hour day-of-month month day-of-week"
MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@hourly": "0 * * * *",
}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_MONTH_TITLES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                 "October", "November", "December")
_LONGEST_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# field index -> (low, high, names mapped to numbers)
_RANGES: tuple[tuple[int, int, dict[str, int]], ...] = (
    (0, 59, {}),
    (0, 23, {}),
    (1, 31, {}),
    (1, 12, {name: i + 1 for i, name in enumerate(MONTHS)}),
    (0, 7, {name: i for i, name in enumerate(WEEKDAYS)}),
)
_EXTENSION = re.compile(r"[0-9]*l[0-9]*|lw|[0-9]+w|w[0-9]*|h(\([0-9]+-[0-9]+\))?")
_DIGITS = re.compile(r"[0-9]+")


class Missed(enum.StrEnum):
    """What a cron trigger does when one tick passes more than one of its occurrences."""

    ALL = "all"
    """Fire every occurrence of the tick, oldest first (the default)."""
    LAST = "last"
    """Fire only the newest occurrence of the tick."""
    NONE = "none"
    """Fire none of them; the schedule goes on with its next occurrence."""


@dataclass(frozen=True)
class CronSchedule:
    """A parsed five-field cron schedule; ``weekdays`` counts 0 = Sunday … 6 = Saturday.

    >>> s = parse_cron("0 9 * * mon-fri")
    >>> s.minutes, s.hours, s.weekdays
    ((0,), (9,), (1, 2, 3, 4, 5))
    """

    text: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: tuple[int, ...]
    months: tuple[int, ...]
    weekdays: tuple[int, ...]

    def __str__(self) -> str:
        return self.text

    @cached_property
    def wall_seconds(self) -> tuple[int, ...]:
        """The day's firing times as seconds after local midnight, in order."""
        return tuple(hour * 3600 + minute * 60 for hour in self.hours for minute in self.minutes)

    @property
    def every_hour(self) -> bool:
        """True when the hour field matches every hour (``*``): it fires in both passes of a fall-back."""
        return len(self.hours) == 24

    def matches_day(self, year: int, month: int, day: int, weekday: int) -> bool:
        """Whether the schedule fires on that local day (``weekday`` 0 = Sunday)."""
        if month not in self.months:
            return False
        if self.either_day:
            return day in self.days or weekday in self.weekdays
        return day in self.days and weekday in self.weekdays

    @property
    def either_day(self) -> bool:
        """Both day fields are restricted (neither matches every day): a day matching either one fires."""
        return len(self.days) < 31 and len(self.weekdays) < 7

    def occurrences(self, after: datetime, until: datetime, tz: Zone) -> Iterator[datetime]:
        """Occurrences in ``(after, until]``, oldest first, as aware datetimes in ``tz``.

        >>> from zoneinfo import ZoneInfo
        >>> moscow = ZoneInfo("Europe/Moscow")
        >>> s = parse_cron("0 6 1 * *")
        >>> [d.isoformat() for d in s.occurrences(datetime(2026, 1, 1, tzinfo=moscow),
        ...                                        datetime(2026, 3, 1, 6, tzinfo=moscow), moscow)]
        ['2026-01-01T06:00:00+03:00', '2026-02-01T06:00:00+03:00', '2026-03-01T06:00:00+03:00']
        """
        tzi = zone(tz)
        start, end = _bounds(after, until)
        for instant in cron_walk.forward(self, tzi, start, end):
            yield datetime.fromtimestamp(instant, tzi)

    def next_after(self, dt: datetime, tz: Zone) -> datetime:
        """The first occurrence strictly after ``dt``.

        >>> from zoneinfo import ZoneInfo
        >>> berlin = ZoneInfo("Europe/Berlin")
        >>> midnight = datetime(2026, 3, 29, 0, 0, tzinfo=berlin)
        >>> parse_cron("30 2 * * *").next_after(midnight, berlin).isoformat()
        '2026-03-29T03:30:00+02:00'
        """
        tzi = zone(tz)
        start, _ = _bounds(dt, dt)
        end = start + cron_walk.SEARCH_SECONDS
        for instant in cron_walk.forward(self, tzi, start, end):
            return datetime.fromtimestamp(instant, tzi)
        raise CronError(f"cron '{self.text}' has no occurrence within 12 years after {dt.isoformat()}")

    def due(
        self, after: datetime, until: datetime, tz: Zone, missed: Missed | str = Missed.ALL
    ) -> list[datetime]:
        """The occurrences a tick from ``after`` to ``until`` fires, oldest first.

        A tick that passes one occurrence fires it whatever ``missed`` says.
        When it passes several (the clock jumped over a whole period), ``all``
        fires each, ``last`` only the newest, ``none`` none of them.

        >>> from zoneinfo import ZoneInfo
        >>> utc = ZoneInfo("UTC")
        >>> daily = parse_cron("@daily")
        >>> jan1, jan4 = datetime(2026, 1, 1, 12, tzinfo=utc), datetime(2026, 1, 4, 12, tzinfo=utc)
        >>> [d.day for d in daily.due(jan1, jan4, utc, "all")]
        [2, 3, 4]
        >>> [d.day for d in daily.due(jan1, jan4, utc, "last")]
        [4]
        >>> daily.due(jan1, jan4, utc, "none")
        []
        >>> [d.day for d in daily.due(jan1, datetime(2026, 1, 2, 12, tzinfo=utc), utc, "none")]
        [2]
        """
        policy = _missed(missed)
        if policy is Missed.ALL:
            return list(self.occurrences(after, until, tz))
        tzi = zone(tz)
        start, end = _bounds(after, until)
        newest = []
        for instant in cron_walk.backward(self, tzi, start, end):
            newest.append(datetime.fromtimestamp(instant, tzi))
            if len(newest) == 2:
                break
        if policy is Missed.NONE and len(newest) > 1:
            return []
        return newest[:1]


def parse_cron(text: str) -> CronSchedule:
    """Parse a five-field cron string or an ``@`` macro; raise ``CronError`` naming the bad field.

    >>> parse_cron("*/15 9-17 * * mon-fri").minutes
    (0, 15, 30, 45)
    >>> try:
    ...     parse_cron("0 25 * * *")
    ... except CronError as error:
    ...     print(error.message)
    cron '0 25 * * *': hour 25 is out of range 0-23
    """
    if not isinstance(text, str):
        raise CronError(f"{text!r} is not a cron string", f"write {FIVE_FIELDS}, e.g. '0 6 1 * *'")
    shown = text.strip()
    if not shown:
        raise CronError("empty cron", f"write {FIVE_FIELDS}, e.g. '0 6 1 * *'")
    expression = shown
    if shown.startswith("@"):
        expression = MACROS.get(shown.lower(), "")
        if not expression:
            raise CronError(
                f"cron '{shown}' is not supported",
                "use @hourly, @daily, @weekly, @monthly, @yearly or @annually, or five fields",
            )
    fields = expression.split()
    if len(fields) != 5:
        hint = "seconds and year fields are not supported" if len(fields) > 5 else "e.g. '0 6 1 * *'"
        raise CronError(f"cron '{shown}' has {len(fields)} field{'s' * (len(fields) != 1)}, "
                        f"expected {FIVE_FIELDS}", hint)
    minutes, hours, days, months, weekdays = (_parse_field(shown, i, f) for i, f in enumerate(fields))
    schedule = CronSchedule(shown, minutes, hours, days, months, weekdays)
    _check_fires(schedule)
    return schedule


def _parse_field(shown: str, index: int, field: str) -> tuple[int, ...]:
    name = FIELD_NAMES[index]
    low, high, names = _RANGES[index]

    def fail(detail: str, hint: str = ALLOWED) -> CronError:
        return CronError(f"cron '{shown}': {name} {detail}", hint)

    def number(token: str, item: str, range_end: bool = False) -> int:
        lowered = token.lower()
        if _DIGITS.fullmatch(token):
            value = int(token)
            if not low <= value <= high:
                hint = "0 and 7 are Sunday; sun … sat work too" if index == 4 else FIELD_ORDER
                raise fail(f"{value} is out of range {low}-{high}", hint)
            return value
        if lowered in names:
            # "fri-sun" means Friday to Sunday: Sunday ends a range as 7
            return 7 if range_end and lowered == "sun" else names[lowered]
        if token.isalpha() and names:
            kind = "month" if index == 3 else "day"
            options = MONTHS if index == 3 else WEEKDAYS
            close = difflib.get_close_matches(lowered, options, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"use {options[0]} … {options[-1]} or numbers"
            raise fail(f"'{token}' is not a {kind} name", hint)
        if token.isalpha():
            raise fail(f"'{token}' is not a number", "names are allowed in month and day-of-week only")
        raise fail(f"'{item}' is not a number, range, step or list")

    values: set[int] = set()
    for item in field.split(","):
        lowered = item.lower()
        if not item:
            raise fail(f"'{field}' has an empty list item")
        for mark in ("?", "#"):
            if mark in item:
                raise fail(f"'{item}' uses the cron extension '{mark}', which is not supported")
        for part in re.split(r"[-/]", lowered):
            if _EXTENSION.fullmatch(part):
                mark = "W" if "w" in part else "H" if part.startswith("h") else "L"
                raise fail(f"'{item}' uses the cron extension '{mark}', which is not supported")
        base, slash, step_text = item.partition("/")
        step = 1
        if slash:
            if not _DIGITS.fullmatch(step_text):
                raise fail(f"step '{step_text}' in '{item}' is not a number")
            step = int(step_text)
            if step == 0:
                raise fail(f"step 0 in '{item}' must be at least 1")
        top = 6 if index == 4 else high  # 7 is Sunday again: '*' and '1/2' stop at Saturday
        if base == "*":
            first, last = low, top
        elif "-" in base:
            left, _, right = base.partition("-")
            first, last = number(left, item), number(right, item, range_end=True)
            if first > last:
                raise fail(f"range '{base}' goes backwards",
                           "write the smaller value first, or split it into a list such as 22-23,0-2")
        else:
            first = number(base, item)
            last = top if slash else first
        values.update(range(first, last + 1, step))
    if index == 4 and 7 in values:
        values = (values - {7}) | {0}
    return tuple(sorted(values))


def _check_fires(schedule: CronSchedule) -> None:
    """Refuse a schedule whose day-of-month never occurs in its months (``0 0 30 2 *``)."""
    if schedule.either_day:
        return  # the day-of-week field alone matches some days
    if any(day <= _LONGEST_MONTH[month - 1] for month in schedule.months for day in schedule.days):
        return
    months = [_MONTH_TITLES[m - 1] for m in schedule.months]
    days = [str(d) for d in schedule.days]
    raise CronError(
        f"cron '{schedule.text}' never fires: {_join(months, 'and')} {'has' if len(months) == 1 else 'have'} "
        f"no day {_join(days, 'or')}",
        "check the day-of-month and month fields",
    )


def _join(words: list[str], conjunction: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def _missed(value: Missed | str) -> Missed:
    try:
        return Missed(value)
    except ValueError:
        raise CronError(f"missed must be all, last or none, not '{value}'") from None


def _bounds(after: datetime, until: datetime) -> tuple[float, float]:
    for value in (after, until):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: ruledeck times must carry a time zone")
    start, end = after.timestamp(), until.timestamp()
    if end < start:
        raise ValueError(f"the end {until.isoformat()} is before the start {after.isoformat()}")
    return start, end
