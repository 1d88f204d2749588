"""Turn a cron schedule's local wall-clock times into instants, walking day by day.

Instants are POSIX seconds (ints), so they compare correctly inside a
repeated hour, where same-zone datetimes do not. A wall time's instant is at
most 24 hours away from the wall time read as UTC (Python bounds UTC offsets
to less than a day), and the days are walked in order, so an instant can be
released as soon as no later (or, walking backwards, earlier) day can still
produce one before it: DST gaps and overlaps, even across midnight, come out
in order.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cron import CronSchedule

__all__ = ["forward", "backward", "SEARCH_SECONDS"]

DAY = 86_400
ONE_DAY = timedelta(days=1)
SEARCH_SECONDS = 12 * 366 * DAY
"""How far ``next_after`` looks; a valid schedule fires at least every 8 years (Feb 29)."""
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def forward(schedule: CronSchedule, tz: tzinfo, start: float, end: float) -> Iterator[int]:
    """The instants in ``(start, end]``, oldest first, each once."""
    day = datetime.fromtimestamp(start - DAY, UTC).date()
    heap: list[int] = []
    last = None
    while True:
        for instant in _instants(schedule, tz, day):
            if start < instant <= end:
                heapq.heappush(heap, instant)
        day += ONE_DAY
        safe = _midnight(day) - DAY  # any later day's instants are after this
        while heap and heap[0] <= safe:
            instant = heapq.heappop(heap)
            if instant != last:
                last = instant
                yield instant
        if safe >= end:
            return


def backward(schedule: CronSchedule, tz: tzinfo, start: float, end: float) -> Iterator[int]:
    """The instants in ``(start, end]``, newest first, each once."""
    day = datetime.fromtimestamp(end + DAY, UTC).date()
    heap: list[int] = []
    last = None
    while True:
        for instant in _instants(schedule, tz, day):
            if start < instant <= end:
                heapq.heappush(heap, -instant)
        safe = _midnight(day) + DAY  # any earlier day's instants are before this
        done = safe <= start
        while heap and (done or -heap[0] >= safe):
            instant = -heapq.heappop(heap)
            if instant != last:
                last = instant
                yield instant
        if done:
            return
        day -= ONE_DAY


def _midnight(day: date) -> int:
    """The wall-clock midnight starting ``day``, read as UTC, in POSIX seconds."""
    return (day.toordinal() - _EPOCH_ORDINAL) * DAY


def _instants(schedule: CronSchedule, tz: tzinfo, day: date) -> list[int]:
    """The instants of the schedule's wall times on ``day``, unsorted."""
    if not schedule.matches_day(day.year, day.month, day.day, day.isoweekday() % 7):
        return []
    base = _midnight(day)
    walls = schedule.wall_seconds
    offsets = {
        _offset(datetime(d.year, d.month, d.day, tzinfo=tz, fold=fold))
        for d in (day, day + ONE_DAY)
        for fold in (0, 1)
    }
    if len(offsets) == 1:  # no transition today: one offset for every wall time
        offset = offsets.pop()
        return [base + wall - offset for wall in walls]
    instants = []
    for wall in walls:
        first = datetime(day.year, day.month, day.day, wall // 3600, wall // 60 % 60, tzinfo=tz)
        # fold=0 reads a skipped wall time with the offset before the gap: moved forward by the gap
        instant = base + wall - _offset(first)
        instants.append(instant)
        if schedule.every_hour:
            second = base + wall - _offset(first.replace(fold=1))
            if second > instant:  # a repeated wall time: hourly schedules fire in both passes
                instants.append(second)
    return instants


def _offset(dt: datetime) -> int:
    delta = dt.utcoffset()
    assert delta is not None
    return int(delta.total_seconds())
