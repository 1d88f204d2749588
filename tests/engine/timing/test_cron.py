"""Cron: what parses to what, exact messages for what does not, and occurrences that agree with croniter."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from croniter import croniter
from hypothesis import given, settings
from hypothesis import strategies as st
from ruledeck.engine.errors import CronError
from ruledeck.engine.timing import parse_cron

MOSCOW = ZoneInfo("Europe/Moscow")
ALL_MINUTES, ALL_HOURS = tuple(range(60)), tuple(range(24))
ALL_DAYS, ALL_MONTHS, ALL_WEEKDAYS = tuple(range(1, 32)), tuple(range(1, 13)), tuple(range(7))

PARSED = [
    ("0 6 1 * *", ((0,), (6,), (1,), ALL_MONTHS, ALL_WEEKDAYS)),
    ("*/15 9-17 * * mon-fri", ((0, 15, 30, 45), tuple(range(9, 18)), ALL_DAYS, ALL_MONTHS, (1, 2, 3, 4, 5))),
    ("0 0 * * 7", ((0,), (0,), ALL_DAYS, ALL_MONTHS, (0,))),
    ("0 0 * * 5-7", ((0,), (0,), ALL_DAYS, ALL_MONTHS, (0, 5, 6))),
    ("0 0 * * fri-sun", ((0,), (0,), ALL_DAYS, ALL_MONTHS, (0, 5, 6))),
    ("0 0 * * SUN-SAT", ((0,), (0,), ALL_DAYS, ALL_MONTHS, ALL_WEEKDAYS)),
    ("0 0 1 jan,Jul *", ((0,), (0,), (1,), (1, 7), ALL_WEEKDAYS)),
    ("0 0 1 jan-dec/3 *", ((0,), (0,), (1,), (1, 4, 7, 10), ALL_WEEKDAYS)),
    ("5/20 * * * *", ((5, 25, 45), ALL_HOURS, ALL_DAYS, ALL_MONTHS, ALL_WEEKDAYS)),
    ("0 0 * * 1/2", ((0,), (0,), ALL_DAYS, ALL_MONTHS, (1, 3, 5))),
    ("0 0 * * 1-7/2", ((0,), (0,), ALL_DAYS, ALL_MONTHS, (0, 1, 3, 5))),
    ("1-10/3,30 0 * * *", ((1, 4, 7, 10, 30), (0,), ALL_DAYS, ALL_MONTHS, ALL_WEEKDAYS)),
    ("*/90 * * * *", ((0,), ALL_HOURS, ALL_DAYS, ALL_MONTHS, ALL_WEEKDAYS)),
    ("  0\t6  1 * *  ", ((0,), (6,), (1,), ALL_MONTHS, ALL_WEEKDAYS)),
    ("@hourly", ((0,), ALL_HOURS, ALL_DAYS, ALL_MONTHS, ALL_WEEKDAYS)),
    ("@daily", ((0,), (0,), ALL_DAYS, ALL_MONTHS, ALL_WEEKDAYS)),
    ("@weekly", ((0,), (0,), ALL_DAYS, ALL_MONTHS, (0,))),
    ("@monthly", ((0,), (0,), (1,), ALL_MONTHS, ALL_WEEKDAYS)),
    ("@yearly", ((0,), (0,), (1,), (1,), ALL_WEEKDAYS)),
    ("@ANNUALLY", ((0,), (0,), (1,), (1,), ALL_WEEKDAYS)),
    ("0 0 29 2 *", ((0,), (0,), (29,), (2,), ALL_WEEKDAYS)),
    ("0 0 30 2 mon", ((0,), (0,), (30,), (2,), (1,))),  # fires on Mondays in February
]


@pytest.mark.parametrize("text, fields", PARSED, ids=[t for t, _ in PARSED])
def test_parse(text, fields):
    schedule = parse_cron(text)
    assert (schedule.minutes, schedule.hours, schedule.days, schedule.months, schedule.weekdays) == fields
    assert str(schedule) == text.strip()


ALLOWED = (
    "(a field may hold *, numbers (5), ranges (1-5), steps (*/15, 1-30/5), names (mon, jan) "
    "and comma lists of these (1,15))"
)
FIELDS = "minute hour day-of-month month day-of-week"
ORDER = f"(the fields are {FIELDS})"
EXTENSION = "uses the cron extension"
NO = "which is not supported"
NAMES = "(names are allowed in month and day-of-week only)"
NEVER = "(check the day-of-month and month fields)"
MACROS = "(use @hourly, @daily, @weekly, @monthly, @yearly or @annually, or five fields)"
REJECTED = [
    ("", f"empty cron (write five fields: {FIELDS}, e.g. '0 6 1 * *')"),
    ("0 0 * *", f"cron '0 0 * *' has 4 fields, expected five fields: {FIELDS} (e.g. '0 6 1 * *')"),
    ("0 0 6 1 * *", f"cron '0 0 6 1 * *' has 6 fields, expected five fields: {FIELDS} "
     "(seconds and year fields are not supported)"),
    ("0 0 6 1 * * 2026", f"cron '0 0 6 1 * * 2026' has 7 fields, expected five fields: {FIELDS} "
     "(seconds and year fields are not supported)"),
    ("0 25 * * *", f"cron '0 25 * * *': hour 25 is out of range 0-23 {ORDER}"),
    ("60 * * * *", f"cron '60 * * * *': minute 60 is out of range 0-59 {ORDER}"),
    ("0 0 0 * *", f"cron '0 0 0 * *': day-of-month 0 is out of range 1-31 {ORDER}"),
    ("0 0 32 * *", f"cron '0 0 32 * *': day-of-month 32 is out of range 1-31 {ORDER}"),
    ("0 0 * 13 *", f"cron '0 0 * 13 *': month 13 is out of range 1-12 {ORDER}"),
    ("0 0 * * 8",
     "cron '0 0 * * 8': day-of-week 8 is out of range 0-7 (0 and 7 are Sunday; sun … sat work too)"),
    ("0 9-30 * * *", f"cron '0 9-30 * * *': hour 30 is out of range 0-23 {ORDER}"),
    ("0 0 L * *", f"cron '0 0 L * *': day-of-month 'L' {EXTENSION} 'L', {NO} {ALLOWED}"),
    ("0 0 15W * *", f"cron '0 0 15W * *': day-of-month '15W' {EXTENSION} 'W', {NO} {ALLOWED}"),
    ("0 0 * * 5L", f"cron '0 0 * * 5L': day-of-week '5L' {EXTENSION} 'L', {NO} {ALLOWED}"),
    ("0 0 * * 1#2", f"cron '0 0 * * 1#2': day-of-week '1#2' {EXTENSION} '#', {NO} {ALLOWED}"),
    ("0 0 ? * *", f"cron '0 0 ? * *': day-of-month '?' {EXTENSION} '?', {NO} {ALLOWED}"),
    ("H * * * *", f"cron 'H * * * *': minute 'H' {EXTENSION} 'H', {NO} {ALLOWED}"),
    ("0 0 1-L * *", f"cron '0 0 1-L * *': day-of-month '1-L' {EXTENSION} 'L', {NO} {ALLOWED}"),
    ("foo bar baz qux quux", f"cron 'foo bar baz qux quux': minute 'foo' is not a number {NAMES}"),
    ("0 mon * * *", f"cron '0 mon * * *': hour 'mon' is not a number {NAMES}"),
    ("0 0 * jxn *", "cron '0 0 * jxn *': month 'jxn' is not a month name (did you mean 'jun'?)"),
    ("0 0 * * monday", "cron '0 0 * * monday': day-of-week 'monday' is not a day name (did you mean 'mon'?)"),
    ("0 0 * * xyz", "cron '0 0 * * xyz': day-of-week 'xyz' is not a day name (use sun … sat or numbers)"),
    ("*/0 * * * *", f"cron '*/0 * * * *': minute step 0 in '*/0' must be at least 1 {ALLOWED}"),
    ("*/x * * * *", f"cron '*/x * * * *': minute step 'x' in '*/x' is not a number {ALLOWED}"),
    ("0 5-1 * * *", "cron '0 5-1 * * *': hour range '5-1' goes backwards "
     "(write the smaller value first, or split it into a list such as 22-23,0-2)"),
    ("1,,2 * * * *", f"cron '1,,2 * * * *': minute '1,,2' has an empty list item {ALLOWED}"),
    ("-5 * * * *", f"cron '-5 * * * *': minute '-5' is not a number, range, step or list {ALLOWED}"),
    ("0 0 １ * *", f"cron '0 0 １ * *': day-of-month '１' is not a number, range, step or list {ALLOWED}"),
    ("0 0 30 2 *", f"cron '0 0 30 2 *' never fires: February has no day 30 {NEVER}"),
    ("0 0 31 4,6,9,11 *",
     f"cron '0 0 31 4,6,9,11 *' never fires: April, June, September and November have no day 31 {NEVER}"),
    ("0 0 30,31 2 *", f"cron '0 0 30,31 2 *' never fires: February has no day 30 or 31 {NEVER}"),
    ("@reboot", f"cron '@reboot' is not supported {MACROS}"),
    ("@midnight", f"cron '@midnight' is not supported {MACROS}"),
]


@pytest.mark.parametrize("text, message", REJECTED, ids=[t or "empty" for t, _ in REJECTED])
def test_reject(text, message):
    with pytest.raises(CronError) as caught:
        parse_cron(text)
    assert str(caught.value) == message
    assert "Traceback" not in str(caught.value)


def test_reject_keeps_message_and_hint_apart():
    with pytest.raises(CronError) as caught:
        parse_cron("0 25 * * *")
    assert caught.value.message == "cron '0 25 * * *': hour 25 is out of range 0-23"
    assert caught.value.hint == f"the fields are {FIELDS}"


def test_reject_non_text():
    with pytest.raises(CronError, match="5 is not a cron string"):
        parse_cron(5)


BASE = datetime(2026, 4, 6, 13, 26, 10, tzinfo=UTC)


def test_occurrences_in_half_open_window():
    schedule = parse_cron("0 * * * *")
    start = datetime(2026, 4, 6, 13, 0, tzinfo=UTC)
    got = list(schedule.occurrences(start, start + timedelta(hours=3), UTC))
    assert got == [start + timedelta(hours=h) for h in (1, 2, 3)]  # start excluded, end included


def test_occurrences_empty_window():
    assert list(parse_cron("* * * * *").occurrences(BASE, BASE, UTC)) == []


def test_occurrences_refuse_naive_and_backwards_windows():
    schedule = parse_cron("@daily")
    with pytest.raises(ValueError, match="naive datetime"):
        list(schedule.occurrences(datetime(2026, 1, 1), BASE, UTC))
    with pytest.raises(ValueError, match="is before the start"):
        list(schedule.occurrences(BASE, BASE - timedelta(seconds=1), UTC))


def test_occurrences_are_in_the_schedule_zone_whatever_the_inputs():
    got = list(parse_cron("0 6 * * *").occurrences(BASE, BASE + timedelta(days=2), MOSCOW))
    assert got == [datetime(2026, 4, 7, 6, 0, tzinfo=MOSCOW), datetime(2026, 4, 8, 6, 0, tzinfo=MOSCOW)]
    assert all(d.tzinfo is MOSCOW for d in got)


def test_day_of_month_or_day_of_week():
    """Both day fields restricted: either matches (the 13th, and every Friday)."""
    feb, mar = datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)
    got = parse_cron("0 0 13 * fri").occurrences(feb, mar, UTC)
    assert [d.day for d in got] == [6, 13, 20, 27]


def test_feb_29_schedule_waits_for_a_leap_year():
    schedule = parse_cron("0 0 29 2 *")
    assert schedule.next_after(datetime(2026, 1, 1, tzinfo=UTC), UTC) == datetime(2028, 2, 29, tzinfo=UTC)
    assert schedule.next_after(datetime(2097, 1, 1, tzinfo=UTC), UTC) == datetime(2104, 2, 29, tzinfo=UTC)


def test_next_after():
    schedule = parse_cron("0 6 1 * *")
    assert schedule.next_after(BASE, MOSCOW) == datetime(2026, 5, 1, 6, 0, tzinfo=MOSCOW)
    exactly = datetime(2026, 5, 1, 6, 0, tzinfo=MOSCOW)
    assert schedule.next_after(exactly, MOSCOW) == datetime(2026, 6, 1, 6, 0, tzinfo=MOSCOW)


def test_zone_by_name():
    expected = datetime(2026, 5, 1, 6, 0, tzinfo=MOSCOW)
    assert parse_cron("0 6 1 * *").next_after(BASE, "Europe/Moscow") == expected


def test_two_years_of_an_hourly_cron_is_fast():
    schedule = parse_cron("0 * * * *")
    began = time.perf_counter()
    due = schedule.due(datetime(2026, 1, 1, tzinfo=MOSCOW), datetime(2028, 1, 1, tzinfo=MOSCOW), MOSCOW)
    assert len(due) == 730 * 24
    assert time.perf_counter() - began < 1.0  # about 30 ms; croniter alone needs ~1 s


def test_one_value_range():
    """5-5 is just 5 (croniter 7.0 expands it to every value)."""
    assert parse_cron("5-5 * * * 3-3").minutes == (5,)
    assert parse_cron("5-5 * * * 3-3").weekdays == (3,)


def _field(low: int, high: int) -> st.SearchStrategy[str]:
    number = st.integers(low, high)
    single = number.map(str)
    # croniter 7 reads a one-value range such as 5-5 as '*' (see test_one_value_range): keep a < b
    ranged = st.tuples(number, number).filter(lambda p: p[0] != p[1]).map(lambda p: f"{min(p)}-{max(p)}")
    step = st.integers(1, high - low + 1)
    stepped = st.tuples(st.just("*") | ranged | single, step).map(lambda p: f"{p[0]}/{p[1]}")
    item = single | ranged | stepped
    return st.just("*") | st.lists(item, min_size=1, max_size=3).map(",".join)


cron_texts = st.tuples(_field(0, 59), _field(0, 23), _field(1, 31), _field(1, 12), _field(0, 6)).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(cron_texts, st.datetimes(datetime(2024, 1, 1), datetime(2030, 12, 31)))
def test_agrees_with_croniter(text, start):
    """In UTC (no DST) the first occurrences are croniter's."""
    try:
        schedule = parse_cron(text)
    except CronError:
        return  # e.g. '0 0 30 2 *' never fires; croniter would search 50 years
    fields = text.split()
    if (fields[2] != "*" and len(schedule.days) == 31) or (fields[4] != "*" and len(schedule.weekdays) == 7):
        return  # a day field spelled '0-6' or '*/1': croniter's rule depends on the spelling, ours does not
    start = start.replace(tzinfo=UTC)
    reference = croniter(text, start)
    expected = [reference.get_next(datetime) for _ in range(5)]
    got = list(schedule.occurrences(start, expected[-1], UTC))
    assert got == expected
