"""Daylight saving time: cron occurrences, calendar arithmetic and typed times across DST changes.

Rules under test (docs/time.md):
- a wall time skipped by spring-forward moves forward by the gap (02:30 -> 03:30);
- a repeated wall time means the first one; cron schedules whose hour field is `*`
  also fire in the second pass;
- each instant fires once, in time order.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from ruledeck.engine.timing import add_days, add_months, parse_cron, parse_datetime, parse_duration

BERLIN = ZoneInfo("Europe/Berlin")  # 2026: spring 03-29 02:00 -> 03:00, fall 10-25 03:00 -> 02:00
NEW_YORK = ZoneInfo("America/New_York")  # 2026: spring 03-08 02:00 -> 03:00, fall 11-01 02:00 -> 01:00
MOSCOW = ZoneInfo("Europe/Moscow")  # no DST since 2014
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # 30-minute DST: 2026-04-05 02:00 -> 01:30
APIA = ZoneInfo("Pacific/Apia")  # skipped 2011-12-30 entirely
HAVANA = ZoneInfo("America/Havana")  # 2026-03-08 00:00 -> 01:00: midnight does not exist


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def day(zone: ZoneInfo, y: int, m: int, d: int) -> tuple[datetime, datetime]:
    """The local day as a (start, end] window."""
    return datetime(y, m, d, tzinfo=zone), datetime(y, m, d, tzinfo=zone) + timedelta(days=1)


def fired(text: str, zone: ZoneInfo, start: datetime, end: datetime) -> list[str]:
    return [d.isoformat() for d in parse_cron(text).occurrences(start, end, zone)]


# -- Europe/Berlin ------------------------------------------------------------------------------------------


def test_berlin_spring_forward_daily_job_in_the_gap_fires_once_after_it():
    start = datetime(2026, 3, 28, 12, tzinfo=BERLIN)
    assert fired("30 2 * * *", BERLIN, start, start + timedelta(days=2)) == [
        "2026-03-29T03:30:00+02:00",
        "2026-03-30T02:30:00+02:00",
    ]


def test_berlin_spring_forward_hourly_job_skips_the_missing_hour():
    occurrences = fired("0 * * * *", BERLIN, *day(BERLIN, 2026, 3, 29))
    assert len(occurrences) == 23
    assert occurrences[:3] == [
        "2026-03-29T01:00:00+01:00",
        "2026-03-29T03:00:00+02:00",
        "2026-03-29T04:00:00+02:00",
    ]


def test_berlin_spring_forward_every_quarter_hour_of_the_missing_hour_moves_by_the_gap():
    assert fired("*/15 2 * * *", BERLIN, *day(BERLIN, 2026, 3, 29)) == [
        "2026-03-29T03:00:00+02:00",
        "2026-03-29T03:15:00+02:00",
        "2026-03-29T03:30:00+02:00",
        "2026-03-29T03:45:00+02:00",
    ]


def test_berlin_spring_forward_wall_times_landing_on_one_instant_fire_once():
    """02:00 moves to 03:00, which is also in the schedule."""
    assert fired("0,30 2,3 * * *", BERLIN, *day(BERLIN, 2026, 3, 29)) == [
        "2026-03-29T03:00:00+02:00",
        "2026-03-29T03:30:00+02:00",
    ]


def test_berlin_fall_back_daily_job_in_the_repeated_hour_fires_once_first_pass():
    occurrences = list(parse_cron("30 2 * * *").occurrences(*day(BERLIN, 2026, 10, 25), BERLIN))
    assert [d.isoformat() for d in occurrences] == ["2026-10-25T02:30:00+02:00"]
    assert occurrences[0].astimezone(UTC) == utc(2026, 10, 25, 0, 30)


def test_berlin_fall_back_hourly_job_fires_in_both_passes():
    occurrences = list(parse_cron("30 * * * *").occurrences(*day(BERLIN, 2026, 10, 25), BERLIN))
    assert len(occurrences) == 25
    in_utc = [d.astimezone(UTC) for d in occurrences]
    assert in_utc == [utc(2026, 10, 24, 22, 30) + timedelta(hours=h) for h in range(25)]  # every real hour
    repeated = [d.isoformat() for d in occurrences[2:4]]
    assert repeated == ["2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00"]
    assert [d.fold for d in occurrences[2:4]] == [0, 1]


def test_berlin_fall_back_named_hour_every_quarter_fires_first_pass_only():
    assert fired("*/15 2 * * *", BERLIN, *day(BERLIN, 2026, 10, 25)) == [
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:15:00+02:00",
        "2026-10-25T02:30:00+02:00",
        "2026-10-25T02:45:00+02:00",
    ]


def test_berlin_ticks_inside_the_repeated_hour_fire_each_occurrence_once():
    """Ticks every 10 real minutes through the fall-back night, compared with one tick over it all."""
    schedule = parse_cron("*/20 * * * *")
    start = utc(2026, 10, 24, 23, 0)
    ticks = [(start + timedelta(minutes=10 * i)).astimezone(BERLIN) for i in range(25)]
    fired_in_steps = [d for a, b in zip(ticks, ticks[1:], strict=False) for d in schedule.due(a, b, BERLIN)]
    assert fired_in_steps == schedule.due(ticks[0], ticks[-1], BERLIN)
    every_20_real_minutes = [start + timedelta(minutes=20 * i) for i in range(1, 13)]
    assert [d.astimezone(UTC) for d in fired_in_steps] == every_20_real_minutes


def test_berlin_durations_across_spring_forward():
    evening = datetime(2026, 3, 28, 20, 0, tzinfo=BERLIN)
    assert parse_duration("1d").add_to(evening).isoformat() == "2026-03-29T20:00:00+02:00"  # 23 real hours
    assert parse_duration("24h").add_to(evening).isoformat() == "2026-03-29T21:00:00+02:00"
    assert add_days(datetime(2026, 3, 28, 2, 30, tzinfo=BERLIN), 1).isoformat() == "2026-03-29T03:30:00+02:00"
    noon = datetime(2026, 2, 28, 12, 0, tzinfo=BERLIN)
    assert add_months(noon, 1).isoformat() == "2026-03-28T12:00:00+01:00"
    assert add_months(noon, 2).isoformat() == "2026-04-28T12:00:00+02:00"


def test_berlin_durations_into_the_repeated_hour_take_the_first_pass():
    before = datetime(2026, 10, 24, 2, 30, tzinfo=BERLIN)
    after = datetime(2026, 10, 26, 2, 30, tzinfo=BERLIN)
    assert parse_duration("1d").add_to(before).isoformat() == "2026-10-25T02:30:00+02:00"
    assert parse_duration("-1d").add_to(after).isoformat() == "2026-10-25T02:30:00+02:00"
    assert parse_duration("25h").add_to(datetime(2026, 10, 24, 2, 0, tzinfo=BERLIN)).isoformat() == (
        "2026-10-25T02:00:00+01:00"
    )


def test_berlin_typed_times_in_the_gap_and_the_overlap():
    assert parse_datetime("2026-03-29 02:30", BERLIN).isoformat() == "2026-03-29T03:30:00+02:00"
    assert parse_datetime("2026-10-25 02:30", BERLIN).isoformat() == "2026-10-25T02:30:00+02:00"
    assert parse_datetime("2026-10-25T02:30:00+01:00", BERLIN).isoformat() == "2026-10-25T02:30:00+01:00"


# -- America/New_York ---------------------------------------------------------------------------------------


def test_new_york_spring_forward():
    assert fired("30 2 * * *", NEW_YORK, *day(NEW_YORK, 2026, 3, 8)) == ["2026-03-08T03:30:00-04:00"]
    assert len(fired("@hourly", NEW_YORK, *day(NEW_YORK, 2026, 3, 8))) == 23


def test_new_york_fall_back():
    assert fired("30 1 * * *", NEW_YORK, *day(NEW_YORK, 2026, 11, 1)) == ["2026-11-01T01:30:00-04:00"]
    hourly = fired("@hourly", NEW_YORK, *day(NEW_YORK, 2026, 11, 1))
    assert len(hourly) == 25
    assert hourly[:3] == [
        "2026-11-01T01:00:00-04:00",
        "2026-11-01T01:00:00-05:00",
        "2026-11-01T02:00:00-05:00",
    ]


def test_new_york_daily_job_over_a_year_fires_365_times_at_local_nine():
    start = datetime(2026, 1, 1, tzinfo=NEW_YORK)
    occurrences = list(parse_cron("0 9 * * *").occurrences(start, start.replace(year=2027), NEW_YORK))
    assert len(occurrences) == 365
    assert {(d.hour, d.minute) for d in occurrences} == {(9, 0)}
    assert {d.utcoffset() for d in occurrences} == {timedelta(hours=-5), timedelta(hours=-4)}


# -- Europe/Moscow (no DST) ---------------------------------------------------------------------------------


def test_moscow_monthly_over_six_months_fires_six_first_of_month_jobs():
    start = datetime(2026, 1, 1, 0, 0, tzinfo=MOSCOW)
    occurrences = parse_cron("0 6 1 * *").due(start, datetime(2026, 7, 1, 0, 0, tzinfo=MOSCOW), MOSCOW)
    assert occurrences == [datetime(2026, month, 1, 6, 0, tzinfo=MOSCOW) for month in range(1, 7)]
    assert all(d.tzinfo is MOSCOW and d.utcoffset() == timedelta(hours=3) for d in occurrences)


def test_moscow_monthly_seen_from_utc_ticks():
    """The window may be given in any zone: 03:00 UTC is 06:00 in Moscow."""
    schedule = parse_cron("0 6 1 * *")
    occurrences = schedule.due(utc(2025, 12, 31, 21, 0), utc(2026, 6, 30, 21, 0), "Europe/Moscow")
    assert [d.astimezone(UTC) for d in occurrences] == [utc(2026, m, 1, 3, 0) for m in range(1, 7)]


# -- unusual zones ------------------------------------------------------------------------------------------


def test_lord_howe_half_hour_fall_back():
    window = day(LORD_HOWE, 2026, 4, 5)
    assert fired("45 1 * * *", LORD_HOWE, *window) == ["2026-04-05T01:45:00+11:00"]
    both_passes = ["2026-04-05T01:45:00+11:00", "2026-04-05T01:45:00+10:30"]
    assert fired("45 * * * *", LORD_HOWE, *window)[1:3] == both_passes


def test_apia_skipped_day_fires_once_on_the_next_day():
    """Dec 30, 2011 did not exist in Samoa: its 06:00 moves forward by the 24-hour gap onto Dec 31, 06:00."""
    start = datetime(2011, 12, 29, 0, 0, tzinfo=APIA)
    assert fired("0 6 * * *", APIA, start, datetime(2012, 1, 2, tzinfo=APIA)) == [
        "2011-12-29T06:00:00-10:00",
        "2011-12-31T06:00:00+14:00",
        "2012-01-01T06:00:00+14:00",
    ]


def test_havana_midnight_that_does_not_exist():
    start, end = datetime(2026, 3, 7, 12, tzinfo=HAVANA), datetime(2026, 3, 9, 12, tzinfo=HAVANA)
    assert fired("0 0 * * *", HAVANA, start, end) == [
        "2026-03-08T01:00:00-04:00",
        "2026-03-09T00:00:00-04:00",
    ]
    assert parse_datetime("2026-03-08", HAVANA).isoformat() == "2026-03-08T01:00:00-04:00"


# -- properties ---------------------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(["*/7 * * * *", "30 2 * * *", "@hourly", "15 1-3 * * *", "0 0 * * 0", "0,30 1-3 * * *"]),
    st.sampled_from([BERLIN, NEW_YORK, LORD_HOWE]),
    st.dates(date(2026, 1, 1), date(2026, 12, 28)),
)
def test_occurrences_are_strictly_increasing_and_local_matches(text, zone, first_day):
    schedule = parse_cron(text)
    start = datetime.combine(first_day, datetime.min.time(), zone)
    occurrences = list(schedule.occurrences(start, start + timedelta(days=3), zone))
    instants = [d.timestamp() for d in occurrences]
    assert instants == sorted(set(instants))
    for d in occurrences:
        assert d.tzinfo is zone
        assert d.astimezone(UTC).astimezone(zone).replace(fold=0) == d.replace(fold=0)  # a real local time
        assert schedule.matches_day(d.year, d.month, d.day, d.isoweekday() % 7)


@settings(max_examples=80, deadline=None)
@given(st.dates(date(2026, 1, 1), date(2026, 12, 31)), st.sampled_from([BERLIN, NEW_YORK]))
def test_next_after_chains_through_dst(first_day, zone):
    schedule = parse_cron("30 1-3 * * *")
    start = datetime.combine(first_day, datetime.min.time(), zone)
    end = start + timedelta(days=2)
    chained, current = [], start
    while (current := schedule.next_after(current, zone)).timestamp() <= end.timestamp():
        chained.append(current)
    assert chained == list(schedule.occurrences(start, end, zone))
