"""``ruledeck demo``: the prosthesis follow-up set-up on its sample events, month by month for two years.

The engine part only: it feeds the sample events in time order, ticks to
noon on every 1st of the month (after the 06:00 re-staging) and to each
chosen moment, and reports what happened; the command prints.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..runtime.engine import Engine
from ..runtime.events import RawEvent, read_jsonl
from ..store.names import items_table, quote
from ..timing import parse_datetime
from ..validation import load_project
from .shipped import sample_events, shipped_project

SCENARIO = "prosthesis_followup"
BOARD = "feedback_calls"
DEFAULT_MOMENTS = ("2026-03-01 12:00", "2026-08-01 12:00", "2026-09-01 12:00", "2027-03-01 12:00")
"""The 1st of March, of August (during the incident), of September (after it) and a year on."""
END = "2028-02-01 12:00"
"""The last 24-month calls fall in January 2028."""


@dataclass
class DemoStep:
    """One moment of the demo: what went in, what fired, and whether to show the board."""

    moment: dt.datetime
    events: int = 0
    rejected: list[str] = field(default_factory=list)
    fired: dict[str, int] = field(default_factory=dict)
    open_cards: int = 0
    done_cards: int = 0
    show: bool = False


def demo_project() -> Path:
    """The folder of the set-up the demo runs."""
    return shipped_project(SCENARIO)


def open_demo(db_path: Path) -> Engine:
    """The demo project's engine over a fresh database file."""
    return Engine.open(load_project(demo_project()), str(db_path))


def _events(tz: str) -> list[tuple[dt.datetime, RawEvent]]:
    with open(sample_events(SCENARIO), encoding="utf-8") as stream:
        records = list(read_jsonl(stream))
    timed = [(parse_datetime(str(r.data["time"]), tz), r) for r in records if isinstance(r.data, dict)]
    return sorted(timed, key=lambda pair: pair[0])


def _first_days(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    moments, year, month = [], start.year, start.month
    while True:
        month = month % 12 + 1
        year += month == 1
        moment = start.replace(year=year, month=month, day=1, hour=12, minute=0, second=0, microsecond=0)
        if moment > end:
            return moments
        moments.append(moment)


def run_demo(engine: Engine, shown: list[dt.datetime]) -> Iterator[DemoStep]:
    """Feed the sample and tick month by month to the end, stopping also at each moment in ``shown``."""
    tz = engine.project.timezone
    pending = _events(tz)
    end = parse_datetime(END, tz)
    start = pending[0][0] if pending else min(shown)
    moments = sorted(set(_first_days(start, end)) | set(shown))
    for moment in moments:
        batch = [raw for when, raw in pending if when <= moment]
        pending = [(when, raw) for when, raw in pending if when > moment]
        step = DemoStep(moment, len(batch), show=moment in shown)
        if batch:
            summary = engine.ingest(batch, source=str(sample_events(SCENARIO)))
            step.rejected = [f"{r.event_id}: {r.reason}" for r in summary.rejected]
            step.fired.update(summary.fired)
        ticked = engine.tick(moment)
        for rule, count in ticked.fired.items():
            step.fired[rule] = step.fired.get(rule, 0) + count
        step.open_cards, step.done_cards = _cards(engine)
        yield step


def _cards(engine: Engine) -> tuple[int, int]:
    row = engine.con.execute(
        f"SELECT count(*) FILTER (WHERE stage <> 'done'), count(*) FILTER (WHERE stage = 'done') "
        f"FROM {quote(items_table('feedback'))}").fetchone()
    return int(row[0]), int(row[1])


def event_count() -> int:
    """How many events the sample holds."""
    with open(sample_events(SCENARIO), encoding="utf-8") as stream:
        return sum(1 for line in stream if line.strip() and json.loads(line))
