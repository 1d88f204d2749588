"""Apply events: exactly once each, all or nothing each, bad ones kept with a reason.

Before an event is applied the clock advances to its time, firing whatever
fell due first. An event older than the clock (a late event) is applied at
the clock's time: the past is not rewritten, and its own time is kept in the
events table. An event id seen before (accepted) is a duplicate and changes
nothing; a previously rejected id is tried again.

Consecutive events of a type :mod:`.batch_plan` approves, with nothing due
between them, are applied together (:mod:`.batch`), leaving what one at a
time would; every other event, and a batch that cannot go in whole, is
applied one at a time in its own transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from ..definitions.model import FieldDef, Project
from ..errors import RuledeckError
from ..store.names import items_table, quote
from ..store.types import sql_type
from ..timing import parse_duration
from .batch import BatchConflict, BatchEvent, apply_batch, first_due
from .batch_footprint import BatchOverlap, footprint_plan
from .batch_plan import batchable_event_types, reaches_existing_items
from .clock import read_clock
from .events import TASK_DONE, Event, EventRejected, RawEvent, check_event, event_id_of, payload_text
from .frame import EVENT_TABLE
from .run import ActionFailed, CascadeError, Cause, ProvisionalIds, Run
from .task_commands import complete


@dataclass
class Rejection:
    """An event that was refused, and why."""

    event_id: str
    line: int
    reason: str


@dataclass
class IngestSummary:
    """Counts and rejections of one ingest."""

    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    late: int = 0
    fired: dict[str, int] = field(default_factory=dict)
    without_effect: list[str] = field(default_factory=list)
    """Accepted events that fired no rule (a guard's condition held for none of them, say)."""


def resolve_refs(con: duckdb.DuckDBPyConnection, event: Event, fields: dict[str, FieldDef], project) -> None:
    """Replace each ``ref`` payload value (an id or a key) by the item's id; unknown items are refused."""
    for name, declared in fields.items():
        value = event.payload.get(name)
        if declared.type != "ref" or value is None:
            continue
        target = project.processes[declared.process]
        values = value if isinstance(value, list) else [value]
        ids = []
        for single in values:
            if isinstance(single, int):
                found = con.execute(f"SELECT id FROM {quote(items_table(target.name))} WHERE id = ?",
                                    [single]).fetchone()
            elif target.key:
                found = con.execute(f"SELECT min(id), max(id) FROM {quote(items_table(target.name))} "
                                    f"WHERE CAST({quote(target.key)} AS VARCHAR) = ?", [single]).fetchone()
                if found and found[0] != found[1]:
                    raise EventRejected(f"field '{name}': {found[0]} and {found[1]} are both '{target.name}' items "
                                        f"with {target.key} {single!r}, so it names neither; give the item's id")
                found = found if found and found[0] is not None else None
            else:
                raise EventRejected(f"field '{name}': process '{target.name}' has no key field, so {single!r} "
                                    "cannot name an item; give its id")
            if not found:
                raise EventRejected(f"field '{name}': there is no '{target.name}' item {single!r}")
            ids.append(found[0])
        event.payload[name] = ids if isinstance(value, list) else ids[0]


def refuse_if_too_late(project: Project, event: Event, clock: dt.datetime) -> None:
    """EventRejected when the project rejects late events and ``event`` is further behind ``clock`` than allowed."""
    if project.late_events != "reject":
        return
    grace = project.late_events_grace
    if grace and parse_duration(grace).add_to(event.time, ZoneInfo(project.timezone)) >= clock:
        return
    allowed = f" (more than the late_events_grace of {grace})" if grace else ""
    raise EventRejected(f"the event's time {event.time.isoformat()} is before the clock "
                        f"{clock.isoformat()}{allowed}, and the project rejects late events (late_events: reject)")


def rejection_reason(exc: Exception) -> str:
    """The reason an event is kept as rejected: ruledeck's own message, or what went wrong underneath."""
    if isinstance(exc, RuledeckError):
        return str(exc)
    if isinstance(exc, duckdb.Error):
        return f"the database refused a statement: {str(exc).splitlines()[0]}"
    return f"internal error ({type(exc).__name__}): {exc}; run with --debug for the details"


def _event_context(con: duckdb.DuckDBPyConnection, event: Event, fields: dict[str, FieldDef]) -> None:
    columns = ['CAST(? AS VARCHAR) AS "id"', 'CAST(? AS VARCHAR) AS "type"', 'CAST(? AS TIMESTAMPTZ) AS "time"']
    params: list[Any] = [event.id, event.type, event.time]
    for name, declared in fields.items():
        columns.append(f"CAST(? AS {sql_type(declared)}) AS {quote(name)}")
        params.append(event.payload.get(name))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {EVENT_TABLE} AS SELECT {', '.join(columns)}", params)


BATCH_SIZE = 20_000
MIN_LIMIT = 16
"""The smallest a batch is cut to after an overlap (it grows back, doubling, with every batch that fits)."""
DUPLICATE_CHUNK = 4_096
"""Records looked up in the events table at once to find the ones accepted before."""


class Ingester:
    """Applies a stream of raw events to an engine."""

    def __init__(self, engine, source: str = "-", batch_size: int = BATCH_SIZE):
        self.engine = engine
        self.source = source
        self.summary = IngestSummary()
        self.batch_size = batch_size
        self.batchable = batchable_event_types(engine.compiled) if batch_size > 1 else frozenset()
        self._footprints = {name: footprint_plan(engine.compiled, name) for name in self.batchable
                            if reaches_existing_items(engine.compiled, name)}
        self._limit = batch_size
        """The size the next batch may have: cut after an overlap, grown back after batches that fit."""
        self._pending: list[tuple[RawEvent, Event]] = []
        self._pending_ids: set[str] = set()

    def run(self, records: Iterable[RawEvent], progress: Callable[[int], None] | None = None) -> IngestSummary:
        """Apply every record in order; ids accepted before are counted as duplicates, a chunk at a time."""
        count = 0
        stream = iter(records)
        while chunk := list(islice(stream, DUPLICATE_CHUNK)):
            seen = self._accepted_before(chunk)
            for raw in chunk:
                count += 1
                if seen and raw.data.__class__ is dict and event_id_of(raw) in seen:
                    self.summary.duplicates += 1
                else:
                    self._take(raw)
                if progress:
                    progress(count)
        self._flush()
        return self.summary

    def _accepted_before(self, chunk: list[RawEvent]) -> set[str]:
        """The ids of ``chunk`` already in the events table: one anti-join for the whole chunk."""
        ids = [event_id_of(raw) for raw in chunk if raw.data.__class__ is dict]
        if not ids:
            return set()
        return {row[0] for row in self.engine.con.execute(
            "SELECT id FROM rd_events WHERE id IN (SELECT unnest(?))", [ids]).fetchall()}

    # -- batches ----------------------------------------------------------------------------
    def _take(self, raw: RawEvent) -> None:
        event = self._batch_candidate(raw)
        if event is None:
            self._flush()
            self.apply(raw)
            return
        if self._pending and (event.type != self._pending[0][1].type or len(self._pending) >= self._limit):
            self._flush()
        self._pending.append((raw, event))
        self._pending_ids.add(event.id)

    def _batch_candidate(self, raw: RawEvent) -> Event | None:
        """The checked event when it may wait for a batch; None sends it (and what waits) through one by one."""
        data = raw.data
        if raw.error or not isinstance(data, dict) or data.get("type") not in self.batchable:
            return None
        if data.get("actor") is not None:  # who acts is journaled and read by rules: one at a time
            return None
        if event_id_of(raw) in self._pending_ids:
            return None
        try:
            return check_event(raw, self.engine.project)
        except EventRejected:
            return None

    def _flush(self) -> None:
        pending, self._pending, self._pending_ids = self._pending, [], set()
        if not pending:
            return
        ids = [event.id for _, event in pending]
        seen = {row[0] for row in self.engine.con.execute(
            "SELECT id FROM rd_events WHERE id IN (SELECT unnest(?))", [ids]).fetchall()}
        if seen:
            self.summary.duplicates += sum(event.id in seen for _, event in pending)
            pending = [p for p in pending if p[1].id not in seen]
        while pending:
            pending = pending[self._apply_prefix(pending):]

    def _apply_prefix(self, pending: list[tuple[RawEvent, Event]]) -> int:
        """Apply the longest prefix of ``pending`` with nothing falling due among it; returns its length."""
        if pending[0][1].type not in self.batchable:
            self.apply(pending[0][0])
            return 1
        clock = read_clock(self.engine.con)
        batch, running = [], clock
        for _, event in pending[:self._limit]:
            if running is None or event.time > running:
                running = event.time
            batch.append(BatchEvent(event, running, event.time < running))
        start = clock if clock is not None else batch[0].now
        due = first_due(self.engine, start, batch[-1].now)
        size = len(batch) if due is None else sum(1 for b in batch if b.now < due)
        # A late event the project may refuse goes through one at a time, where the policy is applied.
        size = next((i for i, b in enumerate(batch[:size]) if b.late and self.engine.project.late_events == "reject"),
                    size)
        footprint = self._footprints.get(batch[0].event.type)
        while size > 1:
            try:
                with self.engine.transaction():
                    run = apply_batch(self.engine, batch[:size],
                                      lambda last, among, lowest: self._check_nothing_due(start, last, among, lowest),
                                      footprint)
            except BatchConflict as conflict:
                # Its first due time: the events before it can go in without it.
                size = sum(1 for b in batch[:size] if b.now < conflict.due)
                continue
            except BatchOverlap as overlap:
                # The events before the one that reached another's item go in together; the next batches
                # start smaller, so a stream that keeps coming back to the same items is not run twice over.
                size = overlap.ev - 1
                self._limit = max(MIN_LIMIT, 2 * size)
                continue
            except ProvisionalIds:
                # Its messages read ids of new items: this ingest applies the type one event at a time.
                self.batchable = self.batchable - {batch[0].event.type}
                break
            except (ActionFailed, CascadeError, duckdb.Error):
                # Halve until the failing event is alone: one at a time then rejects it, or reports what
                # DuckDB refused exactly as it would have without batching.
                size //= 2
                continue
            self._count(run, batch[:size])
            self._limit = min(self.batch_size, 2 * self._limit)
            return size
        self.apply(pending[0][0])
        return 1

    def _count(self, run: Run, batch: list[BatchEvent]) -> None:
        self.summary.accepted += len(batch)
        self.summary.without_effect += [b.event.id for ev, b in enumerate(batch, 1) if ev not in run.effective]
        self.summary.late += sum(b.late for b in batch)
        for name in run.fired:
            self.summary.fired[name] = self.summary.fired.get(name, 0) + 1

    def _check_nothing_due(self, start, last, among: str, lowest: int | None) -> None:
        # Only the items the batch touched can have changed: the others were looked at before it.
        due = self.engine.clock_keeper.next_data_due(start, last, among, lowest)
        if due is not None:
            raise BatchConflict(due)

    # -- one event ---------------------------------------------------------------------------

    def apply(self, raw: RawEvent) -> None:
        """Apply one record: duplicate, rejected, or accepted with everything it causes."""
        con = self.engine.con
        event_id = event_id_of(raw)
        if con.execute("SELECT 1 FROM rd_events WHERE id = ?", [event_id]).fetchone():
            self.summary.duplicates += 1
            return
        fired: list[str] = []
        try:
            event = check_event(raw, self.engine.project)
            # One unit: the clock's advance to the event and the event itself commit together or not at all,
            # so a refused event fires nothing that fell due before it.
            with self.engine.transaction():
                clock = read_clock(con)
                late = clock is not None and event.time < clock
                if late:
                    refuse_if_too_late(self.engine.project, event, clock)
                if clock is None or event.time > clock:
                    self.engine.clock_keeper.tick(event.time)
                fired += self._apply_checked(event)
        except Exception as exc:  # noqa: BLE001 - whatever fails, the unit rolled back and the event is kept
            if self.engine.debug and not isinstance(exc, RuledeckError):
                raise
            self._reject(event_id, raw, rejection_reason(exc))
            return
        self.summary.accepted += 1
        self.summary.late += late
        if not fired and event.type != TASK_DONE:
            self.summary.without_effect.append(event.id)
        for name in fired:
            self.summary.fired[name] = self.summary.fired.get(name, 0) + 1

    def _apply_checked(self, event: Event) -> list[str]:
        """Apply a checked event inside the caller's transaction; returns the rules it fired."""
        engine = self.engine
        now = max(read_clock(engine.con) or event.time, event.time)
        fields = engine.project.event_types[event.type].fields if event.type != TASK_DONE else {}
        with engine.transaction():
            run = Run(engine.con, engine.compiled, now, Cause("event", event.id, event.actor), event_type=event.type)
            try:
                resolve_refs(engine.con, event, fields, engine.project)
                seq = engine.con.execute("SELECT nextval('rd_event_seq')").fetchone()[0]
                engine.con.execute("INSERT INTO rd_events VALUES (?, ?, ?, ?, ?, ?, ?)",
                                   [seq, event.id, event.type, event.time, now,
                                    payload_text(event.payload), event.raw])
                engine.con.execute("DELETE FROM rd_rejected WHERE event_id = ?", [event.id])
                if event.type == TASK_DONE:
                    complete(run, event.payload["task"], event.payload["outcome"], event.payload.get("comment"),
                             event.payload.get("fields"))
                else:
                    _event_context(engine.con, event, fields)
                    for rule in engine.compiled.rules_for_event(event.type):
                        run.fire_event_rule(rule)
            finally:
                run.close()
        engine.after_commit(run)
        return run.fired

    def _reject(self, event_id: str, raw: RawEvent, reason: str) -> None:
        con = self.engine.con
        self.summary.rejected.append(Rejection(event_id, raw.line, reason))
        now = read_clock(con)
        with self.engine.transaction():
            previous = con.execute("SELECT reason FROM rd_rejected WHERE event_id = ?", [event_id]).fetchone()
            if previous and previous[0] == reason:
                con.execute("UPDATE rd_rejected SET attempts = attempts + 1 WHERE event_id = ?", [event_id])
            else:
                con.execute("DELETE FROM rd_rejected WHERE event_id = ?", [event_id])
                con.execute("INSERT INTO rd_rejected VALUES (?, ?, ?, ?, ?, ?, 1)",
                            [event_id, raw.line, self.source, reason, raw.text[:10_000], now])
