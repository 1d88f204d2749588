"""Dates and date-times typed by users: accepted forms, zones, and exact refusals."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from ruledeck.engine.errors import UsageError
from ruledeck.engine.timing import parse_date, parse_datetime

MOSCOW = ZoneInfo("Europe/Moscow")
FORMS = "2026-01-15, 2026-01-15 10:00, 2026-01-15T10:00:00, 2026-01-15T10:00:00+03:00 or 2026-01-15T07:00:00Z"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-01-15", datetime(2026, 1, 15, 0, 0)),
        ("2026-01-15 10:00", datetime(2026, 1, 15, 10, 0)),
        ("2026-01-15T10:00", datetime(2026, 1, 15, 10, 0)),
        ("2026-01-15t10:00", datetime(2026, 1, 15, 10, 0)),
        ("2026-01-15T10:00:30", datetime(2026, 1, 15, 10, 0, 30)),
        ("2026-01-15T10:00:30.25", datetime(2026, 1, 15, 10, 0, 30, 250000)),
        ("  2026-01-15 10:00  ", datetime(2026, 1, 15, 10, 0)),
        ("2026-01-15T10:00:00+03:00", datetime(2026, 1, 15, 10, 0)),
        ("2026-01-15T07:00:00Z", datetime(2026, 1, 15, 10, 0)),
        ("2026-01-15T07:00:00z", datetime(2026, 1, 15, 10, 0)),
        ("2026-01-15T02:00:00-05:00", datetime(2026, 1, 15, 10, 0)),
        ("2026-01-15T12:30:00+05:30", datetime(2026, 1, 15, 10, 0)),
    ],
)
def test_accepted(text, expected):
    result = parse_datetime(text, MOSCOW)
    assert result == expected.replace(tzinfo=MOSCOW)
    assert result.tzinfo is MOSCOW


def test_zone_by_name():
    assert parse_datetime("2026-01-15 10:00", "UTC").utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text",
    [
        "", "tomorrow", "15.01.2026", "2026-1-15", "2026-01-15 10", "2026-01-15 10:00 +03:00", "2026-01-15+03:00",
        "2026-01-15T10:00:00+0300", "2026-01-15T10:00:00.1234567", "20260115", "2026-01-15T10:00:00 UTC",
    ],
)
def test_refused_forms(text):
    with pytest.raises(UsageError) as caught:
        parse_datetime(text, MOSCOW)
    assert str(caught.value) == f"'{text}' is not a date or date-time: write {FORMS}"


@pytest.mark.parametrize(
    "text, reason",
    [
        ("2026-13-01", "month must be in 1..12"),
        ("2026-02-29 10:00", "day is out of range for month"),
        ("2026-01-15 24:00", "hour must be in 0..23"),
        ("2026-01-15 10:60", "minute must be in 0..59"),
        ("2026-01-15T10:00:00+24:00", "offset +24:00 is out of range"),
    ],
)
def test_refused_values(text, reason):
    with pytest.raises(UsageError) as caught:
        parse_datetime(text, MOSCOW)
    assert str(caught.value) == f"'{text}' is not a valid date-time: {reason}"


def test_refused_non_text():
    with pytest.raises(UsageError, match="is not a date or date-time"):
        parse_datetime(20260115, MOSCOW)


def test_parse_date():
    assert parse_date("2028-02-29") == date(2028, 2, 29)
    with pytest.raises(UsageError) as caught:
        parse_date("2026-02-29")
    assert str(caught.value) == "'2026-02-29' is not a valid date: day is out of range for month"
    with pytest.raises(UsageError) as caught:
        parse_date("29.02.2028")
    assert str(caught.value) == "'29.02.2028' is not a date: write it as 2026-01-15"
