"""The prosthesis follow-up board is right on every 1st of the month for two years (DOMAIN.md section 1).

The sample events go in month by month; after each 1st's 06:00 re-staging every open card must be in
the column its planned date gives, computed here independently of the engine, and held cards in
`incident`.
"""

from __future__ import annotations

import datetime as dt
from itertools import takewhile
from pathlib import Path
from zoneinfo import ZoneInfo

from ruledeck.engine import Engine, load_project, read_jsonl
from ruledeck.engine.timing import add_months, start_of_next_month

REPO = Path(__file__).parents[3]
MOSCOW = ZoneInfo("Europe/Moscow")


def expected_stage(planned: dt.datetime, now: dt.datetime) -> str:
    """The column a card belongs in, computed independently of the engine."""
    next_month = dt.datetime.combine(start_of_next_month(now.date()), dt.time(), MOSCOW)
    if planned < now:
        return "overdue"
    if planned < next_month:
        return "this_month"
    if planned < add_months(next_month, 1):
        return "next_month"
    return "later"


def test_every_first_of_the_month_each_open_card_is_in_the_column_of_its_planned_date():
    engine = Engine.open(load_project(REPO / "definitions" / "prosthesis_followup"), ":memory:")
    with open(REPO / "samples" / "prosthesis_followup" / "events.jsonl") as stream:
        events = list(read_jsonl(stream))
    first = dt.datetime(2026, 2, 1, 6, 0, tzinfo=MOSCOW)
    checked = 0
    for month in range(25):
        restaged = add_months(first, month)
        due = list(takewhile(lambda e, before=restaged: dt.datetime.fromisoformat(e.data["time"]) < before, events))
        events = events[len(due):]
        assert not engine.ingest(due).rejected
        engine.tick(restaged + dt.timedelta(hours=6))
        cards = engine.con.execute(
            "SELECT id, stage, planned_at, held_from FROM items_feedback WHERE stage NOT IN ('done') "
            "ORDER BY id").fetchall()
        for card, stage, planned, held_from in cards:
            if held_from is not None:
                assert stage == "incident", (card, restaged)
                continue
            assert stage == expected_stage(planned.astimezone(MOSCOW), restaged), (card, restaged, planned)
            checked += 1
    assert not events and checked > 150
    engine.close()
