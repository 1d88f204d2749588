"""The `missed` policies: what a tick that passes several cron occurrences fires."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruledeck.engine.errors import CronError
from ruledeck.engine.timing import Missed, parse_cron

MOSCOW = ZoneInfo("Europe/Moscow")
MONTHLY = parse_cron("0 6 1 * *")


def at(month: int, day: int = 1, hour: int = 6, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=MOSCOW)


@pytest.mark.parametrize("missed", ["all", "last", "none", Missed.ALL, Missed.LAST, Missed.NONE])
def test_one_occurrence_fires_under_every_policy(missed):
    """Ticking from Jan 15 to Feb 15 passes one occurrence: that is not a gap."""
    assert MONTHLY.due(at(1, 15), at(2, 15), MOSCOW, missed) == [at(2)]


def test_gap_all_fires_every_occurrence_in_order():
    """The engine was not ticked from Jan 15 to Apr 15: Feb 1, Mar 1 and Apr 1 all fire."""
    assert MONTHLY.due(at(1, 15), at(4, 15), MOSCOW, "all") == [at(2), at(3), at(4)]


def test_gap_last_fires_the_newest():
    assert MONTHLY.due(at(1, 15), at(4, 15), MOSCOW, "last") == [at(4)]


def test_gap_none_fires_nothing():
    assert MONTHLY.due(at(1, 15), at(4, 15), MOSCOW, "none") == []


def test_after_a_gap_none_resumes_with_the_next_occurrence():
    assert MONTHLY.due(at(1, 15), at(4, 15), MOSCOW, "none") == []
    assert MONTHLY.due(at(4, 15), at(5, 15), MOSCOW, "none") == [at(5)]


def test_two_occurrences_are_a_gap():
    assert MONTHLY.due(at(1, 15), at(3, 15), MOSCOW, "none") == []
    assert MONTHLY.due(at(1, 15), at(3, 15), MOSCOW, "last") == [at(3)]


@pytest.mark.parametrize("missed", ["all", "last", "none"])
def test_window_is_half_open(missed):
    """An occurrence exactly at the old time already fired; one exactly at the new time fires now."""
    assert MONTHLY.due(at(1), at(2), MOSCOW, missed) == [at(2)]
    assert MONTHLY.due(at(2), at(2, 15), MOSCOW, missed) == []


@pytest.mark.parametrize("missed", ["all", "last", "none"])
def test_no_occurrence(missed):
    assert MONTHLY.due(at(2, 2), at(2, 20), MOSCOW, missed) == []


@pytest.mark.parametrize("missed", ["all", "last", "none"])
def test_ticking_to_the_same_time_again_fires_nothing(missed):
    assert MONTHLY.due(at(2), at(2), MOSCOW, missed) == []


def test_ticking_backwards_is_refused():
    with pytest.raises(ValueError, match="is before the start"):
        MONTHLY.due(at(3), at(2), MOSCOW, "last")


def test_unknown_policy():
    with pytest.raises(CronError) as caught:
        MONTHLY.due(at(1), at(2), MOSCOW, "some")
    assert str(caught.value) == "missed must be all, last or none, not 'some'"


def test_default_is_all():
    assert MONTHLY.due(at(1, 15), at(4, 15), MOSCOW) == [at(2), at(3), at(4)]


def test_last_over_a_long_gap_is_cheap():
    """`last` and `none` walk back from the new time instead of listing years of minutes."""
    every_minute = parse_cron("* * * * *")
    start = datetime(2020, 1, 1, tzinfo=MOSCOW)
    assert every_minute.due(start, at(4, 15, 10, 30), MOSCOW, "last") == [at(4, 15, 10, 30)]
    assert every_minute.due(start, at(4, 15, 10, 30), MOSCOW, "none") == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 240), min_size=1, max_size=12))
def test_ticks_in_steps_fire_what_one_tick_fires(steps):
    """Under `all`, splitting a tick into smaller ticks fires the same occurrences, each once."""
    schedule = parse_cron("*/20 8-18 * * mon-fri")
    start = datetime(2026, 3, 2, 7, 0, tzinfo=MOSCOW)
    times = [start]
    for minutes in steps:
        times.append(times[-1] + timedelta(minutes=minutes * 7))
    fired = [d for a, b in zip(times, times[1:], strict=False) for d in schedule.due(a, b, MOSCOW, "all")]
    assert fired == schedule.due(start, times[-1], MOSCOW, "all")
