"""Zone names and the one rule for local times that are skipped or repeated."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from ruledeck.engine.errors import UsageError
from ruledeck.engine.timing import localize, zone
from ruledeck.engine.timing.zones import exists, is_ambiguous

BERLIN = ZoneInfo("Europe/Berlin")
IANA = "(use an IANA name such as 'Europe/Moscow' or 'UTC')"


def test_zone_by_name_and_object():
    assert zone("Europe/Moscow") is ZoneInfo("Europe/Moscow")
    assert zone(BERLIN) is BERLIN
    assert zone(UTC) is UTC


@pytest.mark.parametrize(
    "name, message",
    [
        ("Europe/Moskva", "unknown time zone 'Europe/Moskva' (did you mean 'Europe/Moscow'?)"),
        ("europe/moscow", "unknown time zone 'europe/moscow' (did you mean 'Europe/Moscow'?)"),
        ("America/NewYork", "unknown time zone 'America/NewYork' (did you mean 'America/New_York'?)"),
        ("Mars/Olympus", f"unknown time zone 'Mars/Olympus' {IANA}"),
        ("../etc/passwd", f"unknown time zone '../etc/passwd' {IANA}"),
        ("", f"unknown time zone '' {IANA}"),
    ],
)
def test_unknown_zone(name, message):
    with pytest.raises(UsageError) as caught:
        zone(name)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "wall, expected",
    [
        (datetime(2026, 1, 15, 10, 0), "2026-01-15T10:00:00+01:00"),
        (datetime(2026, 3, 29, 2, 0), "2026-03-29T03:00:00+02:00"),
        (datetime(2026, 3, 29, 2, 59), "2026-03-29T03:59:00+02:00"),
        (datetime(2026, 3, 29, 3, 0), "2026-03-29T03:00:00+02:00"),
        (datetime(2026, 10, 25, 2, 0), "2026-10-25T02:00:00+02:00"),
        (datetime(2026, 10, 25, 2, 59), "2026-10-25T02:59:00+02:00"),
        (datetime(2026, 10, 25, 3, 0), "2026-10-25T03:00:00+01:00"),
    ],
)
def test_localize(wall, expected):
    assert localize(wall, BERLIN).isoformat() == expected


def test_localize_refuses_aware_input():
    with pytest.raises(ValueError, match="needs a naive datetime"):
        localize(datetime(2026, 1, 1, tzinfo=UTC), BERLIN)


def test_exists_and_is_ambiguous():
    assert not exists(datetime(2026, 3, 29, 2, 30), BERLIN)
    assert exists(datetime(2026, 10, 25, 2, 30), BERLIN)
    assert is_ambiguous(datetime(2026, 10, 25, 2, 30), BERLIN)
    assert not is_ambiguous(datetime(2026, 10, 25, 3, 0), BERLIN)
    assert not is_ambiguous(datetime(2026, 3, 29, 2, 30), BERLIN)
