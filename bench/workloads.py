"""The workloads of issue #7: each one measured through the engine's public API and as hand-written SQL.

A workload function gets a :class:`Context` and returns an :class:`Outcome`:
the seconds of the measured section only (data is copied and the engine
opened before the clock starts), a *fingerprint* of the resulting state
(compared between the engine and the SQL run to prove they did the same
work) and extra figures (rates, extrapolations, memory over time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import gen_data
import gen_definitions
import gen_events
import hand_sql
from common import CLOCK, NEXT_RESTAGE, PROJECT, Stopwatch, connect, copy_database, rss_mb

INCIDENT_OPENED = CLOCK + dt.timedelta(minutes=10)
INCIDENT_CLOSED = CLOCK + dt.timedelta(minutes=50)
MONTHS = 24
TWO_YEAR_CARDS = 760_000
"""Cards of the two-year run at full scale: 100k patients."""


@dataclass
class Context:
    """Where a measurement runs and with what sizes."""

    n: int
    cache: Path
    work: Path
    params: dict[str, Any] = field(default_factory=dict)
    on_open: Callable[[Any], None] | None = None
    """Called with the engine right after it is opened (the profiler installs its statement tracer here)."""


@dataclass
class Outcome:
    """One measurement."""

    seconds: float
    fingerprint: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Workload:
    """A named workload: its engine run, its hand-written SQL run and the target it is held to."""

    name: str
    label: Callable[[int], str]
    target: str
    engine: Callable[[Context], Outcome]
    sql: Callable[[Context], Outcome] | None
    baseline: str = "hand-written SQL"


# -- sizes --------------------------------------------------------------------------------------------------------
def ingest_events(n: int) -> int:
    """Events of the empty-database ingest: n / 10, 100k at 1M cards."""
    return max(200, min(100_000, n // 10))


def loaded_events(n: int) -> int:
    """Events of the ingest into an n-card deployment: 5,000 from 1M cards (n / 200).

    At one every half second from 05:00:01 they end at 05:41, before the monthly re-staging at 06:00, so the
    engine does the same work as the hand-written SQL (which ticks nothing).
    """
    return max(100, min(5_000, n // 200))


EVENT_STEP_SECONDS = 0.5
"""Events come every half second: 100k span 14 hours, before the first call any of them schedules falls due
(a day after the issue), so batches are cut only where the deployment's own timers and crons fall due."""


def two_year_cards(n: int) -> int:
    """Cards of the two-year deployment: n, at most 100k patients' worth."""
    return min(n, TWO_YEAR_CARDS)


def definition_files(n: int) -> int:
    """Files of the validation workload: 200, fewer in smoke runs."""
    return 200 if n >= 10_000 else 20


def _human(count: int) -> str:
    for unit, size in (("M", 1_000_000), ("k", 1_000)):
        if count >= size:
            value = count / size
            return f"{value:.0f}{unit}" if value == int(value) or value >= 10 else f"{value:.1f}{unit}"
    return str(count)


# -- helpers ------------------------------------------------------------------------------------------------------
def _deployment_copy(ctx: Context, cards: int, name: str) -> tuple[Path, gen_data.Deployment]:
    source, info = gen_data.cached(ctx.cache, cards)
    return copy_database(source, ctx.work / f"{name}.duckdb"), info


def _open_engine(ctx: Context, path: Path):
    from ruledeck.engine import Engine, load_project

    engine = Engine.open(load_project(PROJECT), str(path))
    if ctx.on_open:
        ctx.on_open(engine)
    return engine


def _stages(con: duckdb.DuckDBPyConnection, where: str = "TRUE", params: list | None = None) -> dict[str, int]:
    rows = con.execute(f"SELECT stage, count(*) FROM items_feedback WHERE {where} GROUP BY stage ORDER BY stage",
                       params or []).fetchall()
    return {stage: count for stage, count in rows}


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> int:
    return con.execute(sql, params or []).fetchone()[0]


# -- 1. monthly re-staging ----------------------------------------------------------------------------------------
def _restage_fingerprint(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    return {"stages": _stages(con), "journal": _count(con, "SELECT count(*) FROM rd_journal WHERE cause = 'tick' "
                                                             "AND kind = 'stage'")}


def restage_engine(ctx: Context) -> Outcome:
    path, _ = _deployment_copy(ctx, ctx.n, "restage")
    engine = _open_engine(ctx, path)
    watch = Stopwatch()
    with watch.measure():
        summary = engine.tick(NEXT_RESTAGE)
    fingerprint = _restage_fingerprint(engine.con)
    engine.close()
    return Outcome(watch.seconds, fingerprint, {"steps": summary.steps, "fired": summary.fired})


def restage_sql(ctx: Context) -> Outcome:
    path, _ = _deployment_copy(ctx, ctx.n, "restage")
    con = connect(path)
    watch = Stopwatch()
    with watch.measure():
        hand_sql.restage(con, NEXT_RESTAGE)
    fingerprint = _restage_fingerprint(con)
    con.close()
    return Outcome(watch.seconds, fingerprint)


# -- 2. incident hold and resume ------------------------------------------------------------------------------------
def _incident_card(con: duckdb.DuckDBPyConnection, info: gen_data.Deployment) -> tuple[str, str, int]:
    """A patient in the middle of the table without an incident, and their first open card."""
    index = info.patients // 2
    while index % gen_data.INCIDENT_EVERY == 7:
        index += 1
    user = f"U-{index}"
    serial, period = con.execute(
        f"SELECT serial_number, min(period_no) FROM items_feedback WHERE user_id = ? AND stage IN "
        f"{hand_sql.OPEN_STAGES} GROUP BY serial_number", [user]).fetchone()
    return user, serial, period


def _incident_fingerprint(con: duckdb.DuckDBPyConnection, user: str) -> dict[str, Any]:
    return {"stages": _stages(con, "user_id = ?", [user]),
            "planned": str(con.execute("SELECT sum(epoch(planned_at)) FROM items_feedback WHERE user_id = ?",
                                       [user]).fetchone()[0]),
            "incident": con.execute("SELECT stage FROM items_incident WHERE user_id = ? ORDER BY id DESC LIMIT 1",
                                    [user]).fetchone(),
            "service": con.execute("SELECT stage FROM items_service WHERE user_id = ?", [user]).fetchone()}


def _incident_engine(ctx: Context, cards: int) -> Outcome:
    from ruledeck.engine import read_jsonl

    path, info = _deployment_copy(ctx, cards, f"incident-{cards}")
    engine = _open_engine(ctx, path)
    user, serial, period = _incident_card(engine.con, info)
    number = "INC-2026-" + str(info.incidents + 1).zfill(4)
    opened, closed = gen_events.incident_events(serial, period, number, INCIDENT_OPENED, INCIDENT_CLOSED)
    watch, hold = Stopwatch(), Stopwatch()
    with watch.measure(), hold.measure():
        first = engine.ingest(read_jsonl([opened]))
    with watch.measure():
        second = engine.ingest(read_jsonl([closed]))
    if first.accepted != 1 or second.accepted != 1:
        raise RuntimeError(f"incident events not accepted: {first.rejected + second.rejected}")
    fingerprint = _incident_fingerprint(engine.con, user)
    engine.close()
    return Outcome(watch.seconds, fingerprint, {"hold_s": hold.seconds, "resume_s": watch.seconds - hold.seconds,
                                                "cards": info.feedback})


def _incident_sql(ctx: Context, cards: int) -> Outcome:
    path, info = _deployment_copy(ctx, cards, f"incident-{cards}")
    con = connect(path)
    user, serial, period = _incident_card(con, info)
    watch = Stopwatch()
    with watch.measure():
        number = hand_sql.incident_open(con, serial, period, INCIDENT_OPENED, f"bench-{serial}-incident")
        hand_sql.incident_close(con, number, INCIDENT_CLOSED, f"bench-{serial}-closed")
    fingerprint = _incident_fingerprint(con, user)
    con.close()
    return Outcome(watch.seconds, fingerprint)


def incident_small_engine(ctx: Context) -> Outcome:
    return _incident_engine(ctx, max(100, ctx.n // 10))


def incident_small_sql(ctx: Context) -> Outcome:
    return _incident_sql(ctx, max(100, ctx.n // 10))


def incident_engine(ctx: Context) -> Outcome:
    return _incident_engine(ctx, ctx.n)


def incident_sql(ctx: Context) -> Outcome:
    return _incident_sql(ctx, ctx.n)


# -- 3. ingest ----------------------------------------------------------------------------------------------------
def _events_file(cache: Path, count: int, start: dt.datetime, tag: str) -> Path:
    path = cache / f"issued-{tag}-{count}-half-second.jsonl"
    if not path.exists():
        gen_events.issued_events(path, count, start, step_seconds=EVENT_STEP_SECONDS)
    return path


class MemoryProbe:
    """Wraps the event stream and notes the process's current RSS at every quarter of it."""

    def __init__(self, records: Iterable, total: int):
        self.records, self.total = records, total
        self.marks: list[float] = []

    def __iter__(self) -> Iterator:
        quarter = max(1, self.total // 4)
        for count, record in enumerate(self.records, 1):
            yield record
            if count % quarter == 0:
                self.marks.append(round(rss_mb(), 1))


def _ingest_fingerprint(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    return {"services": _count(con, "SELECT count(*) FROM items_service"), "stages": _stages(con),
            "journal": _count(con, "SELECT count(*) FROM rd_journal"),
            "events": _count(con, "SELECT count(*) FROM rd_events")}


def _ingest_engine(ctx: Context, path: Path, events: Path, count: int) -> Outcome:
    from ruledeck.engine import read_jsonl

    engine = _open_engine(ctx, path)
    watch = Stopwatch()
    with open(events, encoding="utf-8") as stream:
        probe = MemoryProbe(read_jsonl(stream), count)
        with watch.measure():
            summary = engine.ingest(probe, str(events))
    if summary.accepted != count:
        raise RuntimeError(f"{count - summary.accepted} events not accepted: {summary.rejected[:3]}")
    fingerprint = _ingest_fingerprint(engine.con)
    engine.close()
    rate = count / watch.seconds
    return Outcome(watch.seconds, fingerprint, {"events": count, "events_per_s": round(rate, 1),
                                                "extrapolated_100k_s": round(100_000 / rate, 1),
                                                "rss_quarters_mb": probe.marks})


def _ingest_sql(path: Path, events: Path) -> Outcome:
    con = connect(path)
    watch = Stopwatch()
    with watch.measure():
        hand_sql.ingest_issued(con, str(events))
    fingerprint = _ingest_fingerprint(con)
    con.close()
    return Outcome(watch.seconds, fingerprint)


def _empty_database(ctx: Context) -> Path:
    from ruledeck.engine import Engine, load_project

    path = ctx.work / "ingest.duckdb"
    for stale in (path, Path(str(path) + ".wal")):
        if stale.exists():
            stale.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    Engine.open(load_project(PROJECT), str(path)).close()
    return path


INGEST_START = dt.datetime(2026, 6, 1, 10, 0, tzinfo=CLOCK.tzinfo)


def ingest_engine(ctx: Context) -> Outcome:
    count = int(ctx.params.get("events", ingest_events(ctx.n)))
    return _ingest_engine(ctx, _empty_database(ctx), _events_file(ctx.cache, count, INGEST_START, "empty"), count)


def ingest_sql(ctx: Context) -> Outcome:
    count = ingest_events(ctx.n)
    return _ingest_sql(_empty_database(ctx), _events_file(ctx.cache, count, INGEST_START, "empty"))


def ingest_loaded_engine(ctx: Context) -> Outcome:
    count = int(ctx.params.get("events", loaded_events(ctx.n)))
    path, _ = _deployment_copy(ctx, ctx.n, "ingest-loaded")
    start = CLOCK + dt.timedelta(seconds=1)
    return _ingest_engine(ctx, path, _events_file(ctx.cache, count, start, "loaded"), count)


def ingest_loaded_sql(ctx: Context) -> Outcome:
    count = loaded_events(ctx.n)
    path, _ = _deployment_copy(ctx, ctx.n, "ingest-loaded")
    return _ingest_sql(path, _events_file(ctx.cache, count, CLOCK + dt.timedelta(seconds=1), "loaded"))


def outcome_events(n: int) -> int:
    """Events of the outcomes workload: calls made on existing cards, n / 1000 (1,000 at 1M cards), at least 100."""
    return max(100, min(1_000, n // 1_000))


def _outcomes_file(ctx: Context, path: Path, count: int) -> Path:
    """``count`` ``feedback_collected`` events, one every half second from the clock, on open cards not held."""
    events = ctx.cache / f"outcomes-{ctx.n}-{count}.jsonl"
    if events.exists():
        return events
    con = connect(path)
    offset = CLOCK.strftime("%z")
    local = CLOCK.replace(tzinfo=None).isoformat(sep=" ")
    con.execute(f"""
    COPY (
        SELECT 'bench-outcome-' || CAST(k AS VARCHAR) AS id, 'feedback_collected' AS type,
               strftime(TIMESTAMP '{local}' + to_microseconds(CAST((k + 1) * 500000 AS BIGINT)),
                        '%Y-%m-%dT%H:%M:%S.%f') || '{offset[:3]}:{offset[3:]}' AS time,
               {{'serial_number': serial_number, 'period_no': period_no, 'operator': 'smirnova',
                 'uses_prosthesis': true, 'q_fit': 'good'}} AS payload
        FROM (SELECT row_number() OVER (ORDER BY id) - 1 AS k, serial_number, period_no FROM items_feedback
              WHERE stage IN ('overdue', 'this_month') AND period_no > 0 AND held_from IS NULL ORDER BY id LIMIT ?)
        ORDER BY k)
    TO '{events}' (FORMAT JSON)""", [count])
    con.close()
    return events


def _outcomes_fingerprint(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    return {"feedback": _stages(con), "services": {s: c for s, c in con.execute(
                "SELECT stage, count(*) FROM items_service GROUP BY stage ORDER BY stage").fetchall()},
            "collected": _count(con, "SELECT count(*) FROM items_feedback WHERE operator = 'smirnova'"),
            "events": _count(con, "SELECT count(*) FROM rd_events")}


def outcomes_engine(ctx: Context) -> Outcome:
    from ruledeck.engine import read_jsonl

    count = int(ctx.params.get("events", outcome_events(ctx.n)))
    path, _ = _deployment_copy(ctx, ctx.n, "outcomes")
    events = _outcomes_file(ctx, path, count)
    count = sum(1 for _ in open(events, encoding="utf-8"))  # a small deployment has fewer open cards
    engine = _open_engine(ctx, path)
    watch = Stopwatch()
    with open(events, encoding="utf-8") as stream, watch.measure():
        summary = engine.ingest(read_jsonl(stream), str(events))
    if summary.accepted != count:
        raise RuntimeError(f"{count - summary.accepted} events not accepted: {summary.rejected[:3]}")
    fingerprint = _outcomes_fingerprint(engine.con)
    engine.close()
    return Outcome(watch.seconds, fingerprint, {"events": count, "events_per_s": round(count / watch.seconds, 1),
                                                "ms_per_event": round(watch.seconds / count * 1000, 2)})


def outcomes_sql(ctx: Context) -> Outcome:
    count = outcome_events(ctx.n)
    path, _ = _deployment_copy(ctx, ctx.n, "outcomes")
    events = _outcomes_file(ctx, path, count)
    con = connect(path)
    watch = Stopwatch()
    with watch.measure():
        hand_sql.ingest_outcomes(con, str(events))
    fingerprint = _outcomes_fingerprint(con)
    con.close()
    return Outcome(watch.seconds, fingerprint)


def stream_events(n: int) -> int:
    """Events of the streaming check: n / 10 (100k at 1M cards)."""
    return max(200, n // 10)


def applied_database(cache: Path, count: int) -> Path:
    """A database (cached) holding the stream's events already applied, by the hand-written SQL."""
    from ruledeck.engine import Engine, load_project

    events = _events_file(cache, count, INGEST_START, "stream")
    path = cache / f"applied-{count}.duckdb"
    if not path.exists():
        partial = cache / f"applied-{count}.partial.duckdb"
        for stale in (partial, Path(str(partial) + ".wal")):
            stale.unlink(missing_ok=True)
        Engine.open(load_project(PROJECT), str(partial)).close()
        con = connect(partial)
        hand_sql.ingest_issued(con, str(events))
        con.execute("CHECKPOINT")
        con.close()
        partial.replace(path)
    return path


def _applied_copy(ctx: Context, count: int) -> Path:
    return copy_database(applied_database(ctx.cache, count), ctx.work / "applied.duckdb")


def ingest_stream_engine(ctx: Context) -> Outcome:
    """Re-ingest a file whose events are all applied already: the input path alone, for its memory."""
    from ruledeck.engine import read_jsonl

    count = stream_events(ctx.n)
    events = _events_file(ctx.cache, count, INGEST_START, "stream")
    engine = _open_engine(ctx, _applied_copy(ctx, count))
    watch = Stopwatch()
    with open(events, encoding="utf-8") as stream:
        probe = MemoryProbe(read_jsonl(stream), count)
        with watch.measure():
            summary = engine.ingest(probe, str(events))
    engine.close()
    if summary.duplicates != count:
        raise RuntimeError(f"expected {count} duplicates, got {summary.duplicates}")
    marks = probe.marks
    return Outcome(watch.seconds, {"duplicates": summary.duplicates},
                   {"events": count, "rss_quarters_mb": marks, "growth_mb": round(marks[-1] - marks[0], 1)})


def ingest_stream_sql(ctx: Context) -> Outcome:
    count = stream_events(ctx.n)
    events = _events_file(ctx.cache, count, INGEST_START, "stream")
    con = connect(_applied_copy(ctx, count))
    watch = Stopwatch()
    with watch.measure():
        hand_sql.ingest_issued(con, str(events))
    con.close()
    return Outcome(watch.seconds, {"duplicates": count})


# -- 4. two years of ticking --------------------------------------------------------------------------------------
def _month_ends() -> list[dt.datetime]:
    ends, year, month = [], CLOCK.year, CLOCK.month
    for _ in range(MONTHS):
        month += 1
        if month > 12:
            year, month = year + 1, 1
        ends.append(CLOCK.replace(year=year, month=month))
    return ends


def _two_year_fingerprint(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    return {"stages": _stages(con), "outbox": _count(con, "SELECT count(*) FROM rd_outbox"),
            "stage_journal": _count(con, "SELECT count(*) FROM rd_journal WHERE kind = 'stage'")}


def _extrapolate(seconds: list[float], months: int) -> dict[str, Any]:
    per_month = sum(seconds) / len(seconds)
    return {"months": months, "per_month_s": round(per_month, 3), "months_s": [round(s, 3) for s in seconds],
            "two_years_s": round(per_month * MONTHS, 2), "extrapolated": months < MONTHS}


def two_years_engine(ctx: Context) -> Outcome:
    path, info = _deployment_copy(ctx, two_year_cards(ctx.n), "two-years")
    engine = _open_engine(ctx, path)
    budget = float(ctx.params.get("budget_s", 60.0))
    months = int(ctx.params.get("months", 0))
    spent, steps = [], 0
    for end in _month_ends():
        watch = Stopwatch()
        with watch.measure():
            summary = engine.tick(end)
        spent.append(watch.seconds)
        steps += summary.steps
        if len(spent) == months or (not months and sum(spent) > budget):
            break
    fingerprint = _two_year_fingerprint(engine.con)
    engine.close()
    extra = _extrapolate(spent, len(spent))
    extra.update({"steps": steps, "patients": info.patients})
    return Outcome(extra["two_years_s"], fingerprint, extra)


def two_years_sql(ctx: Context) -> Outcome:
    path, info = _deployment_copy(ctx, two_year_cards(ctx.n), "two-years")
    con = connect(path)
    months = int(ctx.params.get("months", MONTHS)) or MONTHS
    spent, start = [], CLOCK
    for end in _month_ends()[:months]:
        crons = [start.replace(day=1, hour=6, minute=0)]
        watch = Stopwatch()
        with watch.measure():
            hand_sql.month(con, start, end, crons)
        spent.append(watch.seconds)
        start = end
    fingerprint = _two_year_fingerprint(con)
    con.close()
    extra = _extrapolate(spent, months)
    return Outcome(extra["two_years_s"], fingerprint, extra)


# -- 5. board and validation --------------------------------------------------------------------------------------
BOARD = "feedback_calls"
BOARD_LIMIT = 10
"""The board's name in the shipped project and ``ruledeck board``'s default cards per column."""


def board_engine(ctx: Context) -> Outcome:
    from ruledeck.engine import build_board

    path, _ = _deployment_copy(ctx, ctx.n, "board")
    engine = _open_engine(ctx, path)
    watch = Stopwatch()
    with watch.measure():
        board = build_board(engine, BOARD, limit=BOARD_LIMIT)
    engine.close()
    return Outcome(watch.seconds, {"columns": {c.stage: c.count for c in board.columns if c.count}})


def board_sql(ctx: Context) -> Outcome:
    path, _ = _deployment_copy(ctx, ctx.n, "board")
    con = connect(path)
    watch = Stopwatch()
    with watch.measure():
        rows = hand_sql.board(con, BOARD_LIMIT)
    con.close()
    return Outcome(watch.seconds, {"columns": {stage: count for stage, count, *_ in rows}})


def validate_engine(ctx: Context) -> Outcome:
    from ruledeck.engine import validate_paths

    root = gen_definitions.cached(ctx.cache, definition_files(ctx.n))
    watch = Stopwatch()
    with watch.measure():
        results = validate_paths([root])
    errors = [f for r in results for f in r.errors]
    if errors:
        raise RuntimeError(f"the generated project has {len(errors)} error(s), first: {errors[0]}")
    return Outcome(watch.seconds, {"projects": len(results)},
                   {"files": gen_definitions.count_files(root), "findings": sum(len(r.findings) for r in results)})


def validate_baseline(ctx: Context) -> Outcome:
    import yaml

    root = gen_definitions.cached(ctx.cache, definition_files(ctx.n))
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    watch = Stopwatch()
    with watch.measure():
        for path in sorted(root.rglob("*.yaml")):
            yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
    return Outcome(watch.seconds, {"projects": 1})


# -- startup ------------------------------------------------------------------------------------------------------
def open_engine(ctx: Context) -> Outcome:
    from ruledeck.engine import Engine, load_project

    path, _ = _deployment_copy(ctx, ctx.n, "open")
    watch = Stopwatch()
    with watch.measure():
        engine = Engine.open(load_project(PROJECT), str(path))
        engine.clock()
    engine.close()
    return Outcome(watch.seconds)


def open_sql(ctx: Context) -> Outcome:
    path, _ = _deployment_copy(ctx, ctx.n, "open")
    watch = Stopwatch()
    with watch.measure():
        con = connect(path)
        con.execute("SELECT now FROM rd_clock").fetchone()
    con.close()
    return Outcome(watch.seconds)


WORKLOADS: list[Workload] = [
    Workload("restage", lambda n: f"monthly re-staging tick, {_human(n)} cards", "<= 1.5x SQL",
             restage_engine, restage_sql),
    Workload("incident_small", lambda n: f"incident hold + resume, {_human(max(100, n // 10))} cards",
             "size-independent", incident_small_engine, incident_small_sql),
    Workload("incident", lambda n: f"incident hold + resume, {_human(n)} cards", "<= 2x the 10x smaller run",
             incident_engine, incident_sql),
    Workload("ingest", lambda n: f"ingest {_human(ingest_events(n))} prosthesis_issued, empty db",
             ">= 50,000 events/s", ingest_engine, ingest_sql),
    Workload("ingest_loaded", lambda n: f"ingest {_human(loaded_events(n))} prosthesis_issued, {_human(n)}-card db",
             ">= 50,000 events/s", ingest_loaded_engine, ingest_loaded_sql),
    Workload("outcomes", lambda n: f"ingest {_human(outcome_events(n))} feedback_collected on existing cards, "
             f"{_human(n)}-card db", ">= 20,000 events/s, <= 10x SQL", outcomes_engine, outcomes_sql),
    Workload("ingest_stream", lambda n: f"re-ingest {_human(stream_events(n))} applied events (duplicates)",
             "memory flat", ingest_stream_engine, ingest_stream_sql),
    Workload("two_years", lambda n: f"tick 24 months, {_human(round(two_year_cards(n) / 7.6))} patients",
             "report", two_years_engine, two_years_sql),
    Workload("board", lambda n: f"board feedback_calls, {_human(n)} cards", "<= 0.3 s", board_engine, board_sql),
    Workload("validate", lambda n: f"validate {definition_files(n)} definition files", "<= 1 s",
             validate_engine, validate_baseline, baseline="yaml.load (C) of the files"),
    Workload("open", lambda n: f"load project + Engine.open, {_human(n)}-card db", "report", open_engine, open_sql,
             baseline="duckdb.connect"),
]
BY_NAME = {w.name: w for w in WORKLOADS}
