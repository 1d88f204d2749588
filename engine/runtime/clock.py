"""The clock: move time forward and fire everything that falls due, in time order.

Cron occurrences are known in advance and cut time into windows; ``date``
and ``dwell`` due times come from the data and are looked up again in every
window (and again within a window until none is left), so an action's effect
on a date is seen. Each window is one transaction that also moves the stored
clock, so a crash mid-tick resumes where it stopped and re-ticking to the
same time fires nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from zoneinfo import ZoneInfo

from ..definitions.model import Rule
from ..errors import UsageError
from ..store.names import items_table, quote
from ..timing import parse_cron, parse_duration
from .run import Cause, Run

Progress = Callable[[float, dt.datetime], None]
MAX_ROUNDS = 100_000


@dataclass
class TickSummary:
    """What a tick did."""

    start: dt.datetime | None
    end: dt.datetime
    steps: int = 0
    fired: dict[str, int] = field(default_factory=dict)
    """Occurrences per rule: a cron rule's moments, a date or dwell rule's items (each has its own due time)."""
    log: list[tuple[dt.datetime, str, int]] = field(default_factory=list)
    """(moment, rule, items) for every rule that fired."""
    occurrences: list[Occurrence] = field(default_factory=list)
    """Every due time a rule fired at, in the order they fired."""


@dataclass(frozen=True)
class Occurrence:
    """A rule fired at one due time: ``count`` occurrences (1 for cron; items due then for a timer), ``items``
    the cards it acted on."""

    rule: str
    due: dt.datetime
    count: int
    items: int


def read_clock(con) -> dt.datetime | None:
    """The stored clock, or None before the first event or tick."""
    row = con.execute("SELECT now, current_setting('TimeZone') FROM rd_clock WHERE id = 1").fetchone()
    if not row or row[0] is None:
        return None
    return row[0].astimezone(_zone(row[1]))


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def write_clock(con, now: dt.datetime) -> None:
    """Store the clock (inside the caller's transaction)."""
    con.execute("INSERT OR REPLACE INTO rd_clock VALUES (1, ?)", [now])


def due_sql(rule: Rule) -> str:
    """SQL (over items aliased ``it``) giving the moment a date or dwell rule falls due for an item."""
    trigger = rule.trigger
    return _due_sql(trigger.kind, str(trigger.value), str(trigger.options.get("offset" if trigger.kind == "date"
                                                                              else "for") or ""))


@lru_cache(maxsize=1024)
def _due_sql(kind: str, value: str, offset: str) -> str:
    base = _timer_base_sql(kind, value)
    if not offset:
        return base
    from sqlglot import exp

    return parse_duration(offset).add_sql(exp.maybe_parse(base, dialect="duckdb")).sql("duckdb")


DST_SLACK = dt.timedelta(hours=3)
"""More than any zone's clock change: how far calendar arithmetic can move a due time from its nominal length."""


def _due_bounds(rule: Rule, after: dt.datetime, until: dt.datetime) -> tuple[str, list]:
    """A condition on the timer's own column that every item due in (after, until] meets.

    The due time is the column plus a calendar offset, computed row by row in the project's zone,
    which is slow over many rows. Its length lies between fixed bounds (a month is 28 to 31 days,
    a day 24 hours give or take a clock change), so a plain range on the column rules out all but
    a few rows first; the exact comparison then decides.
    """
    trigger = rule.trigger
    offset = trigger.options.get("offset" if trigger.kind == "date" else "for")
    if not offset:
        return "", []
    span = parse_duration(str(offset))
    fixed = dt.timedelta(days=span.days, seconds=span.seconds)
    shortest = fixed + dt.timedelta(days=min(28 * span.months, 31 * span.months)) - DST_SLACK
    longest = fixed + dt.timedelta(days=max(28 * span.months, 31 * span.months)) + DST_SLACK
    try:
        # In UTC: subtracting from a zoned time moves its wall clock, which may cross a clock change.
        lower = after.astimezone(dt.UTC) - longest
        upper = until.astimezone(dt.UTC) - shortest
    except OverflowError:
        return "", []
    base = _timer_base(rule)
    return f" AND {base} > CAST(? AS TIMESTAMPTZ) AND {base} <= CAST(? AS TIMESTAMPTZ)", [lower, upper]


def _timer_base(rule: Rule) -> str:
    return _timer_base_sql(rule.trigger.kind, str(rule.trigger.value))


def _timer_base_sql(kind: str, value: str) -> str:
    return f"CAST(it.{quote(value)} AS TIMESTAMPTZ)" if kind == "date" else "it.stage_entered_at"


def _timer_filter(rule: Rule) -> str:
    if rule.trigger.kind == "dwell":
        condition = f"it.stage = '{rule.trigger.value}'"
        if rule.pipeline:
            condition += f" AND it.pipeline = '{rule.pipeline}'"
        return condition
    return "TRUE"


def _pending_sql(rule: Rule, after: dt.datetime, until: dt.datetime, among: str | None = None,
                 lowest_id: int | None = None) -> tuple[str, list]:
    """(SQL, parameters) listing ``id, due`` of the rule's items due in (after, until]; times are parameters."""
    due = due_sql(rule)
    bounds, params = _due_bounds(rule, after, until)
    only = f" AND it.id IN ({among})" if among else ""
    # Ids only grow, so a lower bound lets DuckDB skip every row group of older items by its min/max.
    only += f" AND it.id >= {int(lowest_id)}" if lowest_id is not None else ""
    sql = (f"SELECT it.id AS id, {due} AS due FROM {quote(items_table(rule.process))} it "
           f"WHERE {_timer_filter(rule)}{bounds} AND {due} > CAST(? AS TIMESTAMPTZ) "
           f"AND {due} <= CAST(? AS TIMESTAMPTZ){only}")
    return sql, [*params, after, until]


class Clock:
    """Ticks a project's database forward; used by ``tick`` and by ingest before each event."""

    def __init__(self, engine):
        self.engine = engine
        self.compiled = engine.compiled
        self.tz = engine.project.timezone

    def _cron_plan(self, start: dt.datetime, end: dt.datetime) -> dict[dt.datetime, list[Rule]]:
        plan: dict[dt.datetime, list[Rule]] = {}
        for rule in self.compiled.timed:
            if rule.trigger.kind != "cron":
                continue
            schedule = parse_cron(str(rule.trigger.value))
            missed = rule.trigger.options.get("missed", "all")
            for moment in schedule.due(start, end, self.tz, missed):
                plan.setdefault(moment, []).append(rule)
        return plan

    def next_data_due(self, after: dt.datetime, until: dt.datetime, among: str | None = None,
                      lowest_id: int | None = None) -> dt.datetime | None:
        """The first date or dwell due time in (after, until], fired or not (None: none).

        ``among``: SQL listing the item ids to look at (default: all); ``lowest_id``: none of them is lower.
        """
        parts, params = [], []
        for rule in self.compiled.timed:
            if rule.trigger.kind in ("date", "dwell"):
                sql, more = _pending_sql(rule, after, until, among, lowest_id)
                parts.append(f"SELECT min(due) FROM ({sql})")
                params += more
        if not parts:
            return None
        return self.engine.con.execute(f"SELECT min(d) FROM ({' UNION ALL '.join(parts)}) t(d)",
                                       params).fetchone()[0]

    def tick(self, to: dt.datetime, progress: Progress | None = None, actor: str | None = None) -> TickSummary:
        """Fire everything due in (clock, to] in time order, then set the clock to ``to``.

        ``actor``: the person journaled for what fires (``tick --as``); None for nobody.

        Time is cut into windows at every cron occurrence. In a window, the
        date and dwell triggers that fall due fire first, in time order across
        rules (a rule fires all it has due before any other rule's next item,
        set-based), each item with its own due time as ``now()``; then the
        cron rules of the window's end fire. A window is one transaction that
        also stores the clock at its end.
        """
        con = self.engine.con
        start = read_clock(con)
        summary = TickSummary(start, to)
        if start is None:
            with self.engine.transaction():
                write_clock(con, to)
            return summary
        self.refuse_backwards(to, start)
        cron = self._cron_plan(start, to)
        boundaries = sorted(set(cron) | {to})
        cursor = start
        total = (to - start).total_seconds() or 1.0
        for boundary in boundaries:
            if boundary <= cursor:
                continue
            if cron.get(boundary) or self.next_data_due(cursor, boundary) is not None:
                self._window(cursor, boundary, cron.get(boundary, []), summary, actor)
                summary.steps += 1
            cursor = boundary
            if progress:
                progress((boundary - start).total_seconds() / total, boundary)
        if read_clock(con) != to:
            with self.engine.transaction():
                write_clock(con, to)
        return summary

    def refuse_backwards(self, to: dt.datetime, start: dt.datetime | None = None) -> None:
        """UsageError when ``to`` is before the clock (``start``, read when not given)."""
        start = start if start is not None else read_clock(self.engine.con)
        if start is not None and to < start:
            raise UsageError(f"cannot tick backwards: the clock is at {start.isoformat()}, "
                             f"{to.isoformat()} is earlier")

    def _window(self, after: dt.datetime, until: dt.datetime, cron_rules: list[Rule], summary: TickSummary,
                actor: str | None = None) -> None:
        """Timers due in (after, until], then the cron rules at ``until``; one transaction."""
        timers = [r for r in self.compiled.timed if r.trigger.kind in ("date", "dwell")]
        with self.engine.transaction():
            run = Run(self.engine.con, self.compiled, until, Cause("tick", until.isoformat(), actor))
            try:
                for _ in range(MAX_ROUNDS):
                    pending = self._pending_by_rule(timers, after, until)
                    if not pending:
                        break
                    first_rule = pending[0][1]
                    others = [p for p in pending[1:] if p[1] != first_rule]
                    rule = timers[first_rule]
                    # The earliest rule fires everything it has due before any other rule's next item,
                    # so timers of different rules keep their time order; equal times go by declaration.
                    bound = (others[0][0], first_rule < others[0][1]) if others else None
                    # The journal names the timed rule behind every change, those of the rules it wakes included.
                    run.cause = replace(run.cause, id=rule.name)
                    items, dues = self._fire_timers(run, rule, after, until, bound)
                    if items:
                        self._record(summary, dues[0][0], rule.name, items, dues)
                else:
                    raise UsageError(f"timers kept falling due again within one window up to {until.isoformat()}; "
                                     "a rule probably moves its own date forward by less than the window")
                for rule in cron_rules:
                    run.cause = replace(run.cause, id=rule.name)
                    items = run.fire_event_rule(rule)
                    if items:
                        self._record(summary, until, rule.name, items, [(until, 1)])
                write_clock(self.engine.con, until)
            finally:
                run.close()
        self.engine.after_commit(run)

    @staticmethod
    def _record(summary: TickSummary, moment: dt.datetime, rule: str, items: int,
                dues: list[tuple[dt.datetime, int]]) -> None:
        """One firing of ``rule``: at ``moment`` over ``items`` cards, its occurrences ``dues`` (due time, count)."""
        summary.fired[rule] = summary.fired.get(rule, 0) + sum(count for _, count in dues)
        summary.log.append((moment, rule, items))
        cards = items if len(dues) == 1 else None
        summary.occurrences += [Occurrence(rule, due, count, cards if cards is not None else count)
                                for due, count in dues]

    def _pending_by_rule(self, timers: list[Rule], after: dt.datetime, until: dt.datetime) -> list[tuple]:
        """(next due, index) of every timer rule with an item due in the window and not fired yet."""
        parts, params = [], []
        for index, rule in enumerate(timers):
            sql, more = _pending_sql(rule, after, until)
            parts.append(f"SELECT {index} AS k, min(p.due) AS due FROM ({sql}) p WHERE NOT EXISTS "
                         "(SELECT 1 FROM rd_fired f WHERE f.rule = ? AND f.item = p.id AND f.due = p.due)")
            params += [*more, rule.name]
        if not parts:
            return []
        rows = self.engine.con.execute(" UNION ALL ".join(parts), params).fetchall()
        return sorted((due, k) for k, due in rows if due is not None)

    def _fire_timers(self, run: Run, rule: Rule, after: dt.datetime, until: dt.datetime,
                     bound: tuple[dt.datetime, bool] | None = None) -> tuple[int, list[tuple[dt.datetime, int]]]:
        """Fire ``rule`` for its items due in the window (before ``bound``) and not fired for that due time yet.

        Returns the items it fired for and, per due time, how many (in time order; one grouped statement).
        """
        pending, params = _pending_sql(rule, after, until)
        params.append(rule.name)
        limit = ""
        if bound is not None:
            limit = f" AND p.due {'<=' if bound[1] else '<'} CAST(? AS TIMESTAMPTZ)"
            params.append(bound[0])
        table, count = run.create_temp(
            f"SELECT p.id, NULL::BIGINT AS task, p.due AS now_at, NULL::BIGINT AS ev FROM ({pending}) p "
            f"WHERE NOT EXISTS (SELECT 1 FROM rd_fired f WHERE f.rule = ? AND f.item = p.id AND f.due = p.due)"
            f"{limit}", "d", params)
        if not count:
            return 0, []
        run.con.execute(f"INSERT INTO rd_fired SELECT ?, id, now_at FROM {table}", [rule.name])
        frame, matched = run.select_items(rule, f"(SELECT * FROM {table})", order="m.now_at, m.id")
        if not matched:
            return 0, []
        dues = run.con.execute(f"SELECT now_at, count(*) FROM {frame.match} GROUP BY now_at ORDER BY now_at").fetchall()
        run.run_actions(rule, frame, depth=0)
        return matched, [(due.astimezone(until.tzinfo), n) for due, n in dues]

    def upcoming(self, limit: int = 5) -> list[tuple[dt.datetime, str, int | None]]:
        """The next due moments after the clock: (time, rule, items due then; None for cron)."""
        now = read_clock(self.engine.con)
        if now is None:
            return []
        found: list[tuple[dt.datetime, str, int | None]] = []
        for rule in self.compiled.timed:
            if rule.trigger.kind == "cron":
                moment = parse_cron(str(rule.trigger.value)).next_after(now, self.tz)
                found.append((moment, rule.name, None))
                continue
            horizon = now + dt.timedelta(days=3660)
            sql, params = _pending_sql(rule, now, horizon)
            rows = self.engine.con.execute(
                f"SELECT due, count(*) FROM ({sql}) GROUP BY due ORDER BY due LIMIT {int(limit)}", params).fetchall()
            found += [(due.astimezone(now.tzinfo), rule.name, count) for due, count in rows]
        return sorted(found, key=lambda f: (f[0], f[1]))[:limit]
