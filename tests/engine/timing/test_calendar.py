"""Calendar functions: month ends, leap days, local dates of aware datetimes, and the SQL they match."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruledeck.engine.timing import (
    add_days,
    add_months,
    age_years,
    days_between,
    end_of_month,
    start_of_month,
    start_of_next_month,
    to_local,
)

MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 31), 1, date(2026, 6, 30)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 1, 15), -13, date(2024, 12, 15)),
        (date(2026, 1, 31), 0, date(2026, 1, 31)),
    ],
)
def test_add_months_to_date(start, months, expected):
    assert add_months(start, months) == expected


def test_add_months_out_of_range():
    with pytest.raises(OverflowError):
        add_months(date(9999, 12, 1), 1)


def test_add_months_to_datetime_keeps_wall_time():
    start = datetime(2026, 1, 31, 18, 45, tzinfo=MOSCOW)
    assert add_months(start, 1) == datetime(2026, 2, 28, 18, 45, tzinfo=MOSCOW)


def test_add_months_reads_the_datetime_in_the_given_zone():
    """21:00 UTC on Jan 31 is 00:00 on Feb 1 in Moscow: one month later is Mar 1 in Moscow."""
    result = add_months(datetime(2026, 1, 31, 21, 0, tzinfo=UTC), 1, MOSCOW)
    assert result == datetime(2026, 3, 1, 0, 0, tzinfo=MOSCOW)
    assert result.tzinfo is MOSCOW
    assert add_months(datetime(2026, 1, 31, 21, 0, tzinfo=UTC), 1) == datetime(2026, 2, 28, 21, 0, tzinfo=UTC)


def test_add_days():
    assert add_days(date(2026, 2, 28), 1) == date(2026, 3, 1)
    assert add_days(date(2028, 2, 28), 1) == date(2028, 2, 29)
    assert add_days(date(2026, 1, 1), -1) == date(2025, 12, 31)
    assert add_days(datetime(2026, 1, 1, 9, tzinfo=MOSCOW), 45) == datetime(2026, 2, 15, 9, tzinfo=MOSCOW)


@pytest.mark.parametrize(
    "value, start, next_start, last",
    [
        (date(2026, 2, 17), date(2026, 2, 1), date(2026, 3, 1), date(2026, 2, 28)),
        (date(2028, 2, 1), date(2028, 2, 1), date(2028, 3, 1), date(2028, 2, 29)),
        (date(2026, 12, 31), date(2026, 12, 1), date(2027, 1, 1), date(2026, 12, 31)),
        (date(2026, 4, 30), date(2026, 4, 1), date(2026, 5, 1), date(2026, 4, 30)),
    ],
)
def test_month_bounds_of_dates(value, start, next_start, last):
    assert start_of_month(value) == start
    assert start_of_next_month(value) == next_start
    assert end_of_month(value) == last


def test_month_bounds_of_datetimes_are_local_midnights():
    late = datetime(2026, 1, 31, 22, 0, tzinfo=UTC)  # already Feb 1, 01:00 in Moscow
    assert start_of_month(late, MOSCOW) == datetime(2026, 2, 1, 0, 0, tzinfo=MOSCOW)
    assert start_of_next_month(late, MOSCOW) == datetime(2026, 3, 1, 0, 0, tzinfo=MOSCOW)
    assert end_of_month(late, MOSCOW) == date(2026, 2, 28)
    assert start_of_month(late) == datetime(2026, 1, 1, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (date(2026, 1, 31), date(2026, 3, 1), 29),
        (date(2028, 1, 31), date(2028, 3, 1), 30),
        (date(2026, 3, 1), date(2026, 1, 31), -29),
        (date(2026, 1, 1), date(2026, 1, 1), 0),
        (datetime(2026, 1, 1, 23, 59, tzinfo=MOSCOW), datetime(2026, 1, 2, 0, 1, tzinfo=MOSCOW), 1),
        (date(2026, 1, 1), datetime(2026, 1, 1, 21, 30, tzinfo=UTC), 1),  # 00:30 on Jan 2 in Moscow
    ],
)
def test_days_between(a, b, expected):
    assert days_between(a, b, MOSCOW) == expected


@pytest.mark.parametrize(
    "birth, at, expected",
    [
        (date(2008, 5, 10), date(2026, 5, 9), 17),
        (date(2008, 5, 10), date(2026, 5, 10), 18),
        (date(2008, 2, 29), date(2026, 2, 28), 18),  # Feb 29 birthday: Feb 28 in other years
        (date(2008, 2, 29), date(2026, 2, 27), 17),
        (date(2008, 2, 29), date(2028, 2, 28), 19),  # ... but Feb 29 in leap years
        (date(2008, 2, 29), date(2028, 2, 29), 20),
        (date(2026, 1, 1), date(2026, 1, 1), 0),
        (date(2026, 5, 1), date(2025, 6, 1), -1),
    ],
)
def test_age_years(birth, at, expected):
    assert age_years(birth, at) == expected


def test_age_years_reads_datetimes_as_local_dates():
    assert age_years(date(2008, 5, 10), datetime(2026, 5, 9, 22, 0, tzinfo=UTC), MOSCOW) == 18


@given(st.dates(date(1900, 1, 1), date(2100, 12, 31)), st.dates(date(1900, 1, 1), date(2100, 12, 31)))
def test_age_years_agrees_with_duckdb(birth, at):
    """The SQL a compiler can emit for age_years, with the same Feb 29 rule."""
    years = "date_diff('year', b, a)"
    sql = (
        f"SELECT {years} - CASE WHEN CAST(b + to_years(CAST({years} AS INTEGER)) AS DATE) > a "
        "THEN 1 ELSE 0 END "
        "FROM (SELECT CAST(? AS DATE) AS b, CAST(? AS DATE) AS a)"
    )
    assert duckdb.execute(sql, [birth, at]).fetchone()[0] == age_years(birth, at)


def test_to_local():
    instant = datetime(2026, 1, 15, 7, 0, tzinfo=UTC)
    local = to_local(instant, "Europe/Moscow")
    assert (local.hour, local.utcoffset().total_seconds()) == (10, 3 * 3600)
    assert local == instant


@pytest.mark.parametrize("function", [start_of_month, end_of_month, lambda d: add_days(d, 1)])
def test_naive_datetimes_are_refused(function):
    with pytest.raises(ValueError, match="naive datetime 2026-01-15T10:00:00"):
        function(datetime(2026, 1, 15, 10, 0))
