"""One unit of work – an event, a tick occurrence, a command – and the rules it fires.

A :class:`Run` lives inside one transaction. It picks a rule's items with one
statement into a match table, runs the rule's actions in order over all of
them, and after each action fires the rules that action woke (a cascade),
depth-first, up to the project's ``cascade_depth``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import duckdb

from ..definitions.model import Rule
from ..errors import RuledeckError
from ..expressions import Type
from .changes import Change
from .frame import EVENT_TABLE, NOW_TABLE, NOW_VARIABLE, Frame, FrameResolver, compile_sql

if TYPE_CHECKING:
    from .compiled import CompiledProject


BIG_TEMP_TABLE = 10_000
BATCH_JOURNAL = "rd_batch_journal"
"""In a batch, journal rows wait here (with the ``ev`` they belong to) until they are numbered in event order."""
BATCH_JOURNAL_SEQ = "rd_batch_journal_seq"
BATCH_OUTPUTS = "rd_batch_outputs"
"""In a batch, the tasks and outbox rows written (``tbl``, ``id``, ``ev``), renumbered in event order at the end."""
BATCH_ITEMS = "rd_batch_items"
"""In a batch, the items created (``id``, ``ev``, ``process``), renumbered in event order at the end."""
TMP_ID_BASE = 1 << 52
"""Items created in a batch get ids from here until they are renumbered (no real id comes near it)."""


class CascadeError(RuledeckError):
    """Rules fired each other deeper than the project allows (a loop, usually)."""


class ProvisionalIds(RuledeckError):
    """A batch would write an id that is only renumbered later into text (a message): apply one at a time."""


def renumbered_names(process) -> set[str]:
    """The names whose value, for an item a batch created, holds an id only final once the batch is flushed."""
    return {"id", "title"} | {name for name, declared in process.fields.items()
                              if declared.type == "ref" or declared.compute is not None or declared.rollup is not None}


def refuse_provisional_text(run: Run, process, names: set[str], items_sql: str, what: str) -> None:
    """In a batch, :class:`ProvisionalIds` when a text reading ``names`` would be rendered for an item of
    ``items_sql`` the batch created (its id, and what depends on it, is renumbered only at the flush)."""
    if not run.batched or process is None or not names & renumbered_names(process):
        return
    if run.con.execute(f"SELECT count(*) FROM ({items_sql}) WHERE id > {TMP_ID_BASE}").fetchone()[0]:
        raise ProvisionalIds(f"{what} reads an id that is not final yet")


class ActionFailed(RuledeckError):
    """An action could not be applied to the data (e.g. a computed stage that does not exist)."""


@dataclass(frozen=True)
class Cause:
    """Why a run happened: an event, a tick occurrence or a command, with its id."""

    kind: str
    id: str
    actor: str | None = None
    """The person who acts (``--as``, an event's ``actor``), journaled with every change; None for nobody."""


@dataclass
class Run:
    """Fires rules inside one transaction and journals every change with its cause."""

    con: duckdb.DuckDBPyConnection
    compiled: CompiledProject
    now: dt.datetime
    cause: Cause
    event_type: str | None = None
    temp_tables: list[str] = field(default_factory=list)
    documents: list[tuple[str, str]] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)
    effective: set[int] = field(default_factory=set)
    """In a batch: the ``ev`` of every event that fired a rule."""
    chain: tuple[str, ...] = ()
    """The rules that led to the one now running (for the cascade-loop message)."""
    batched: bool = False
    """Many events at once (see :mod:`.batch`): match rows carry their event's ``ev``."""
    matches: list[str] = field(default_factory=list)
    """In a batch: every match table (``id``, ``ev``) the run made, for :mod:`.batch_footprint`."""
    _counter: int = 0
    _tmp_ids: int = 0

    def __post_init__(self) -> None:
        actor = self.cause.actor
        roles = (self.project.people[actor].spec.get("roles") or []) if actor in self.project.people else []
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {NOW_TABLE} AS SELECT CAST(? AS TIMESTAMPTZ) AS now_at, "
                         "CAST(? AS VARCHAR) AS actor, CAST(? AS VARCHAR[]) AS actor_roles", [self.now, actor, roles])
        self.con.execute(f"SET VARIABLE {NOW_VARIABLE} = CAST(? AS TIMESTAMPTZ)", [self.now])

    @property
    def project(self):
        return self.compiled.project

    # -- temp tables ---------------------------------------------------------
    def temp_name(self, prefix: str = "t") -> str:
        """A temp table name unique within this run (the next run reuses the names)."""
        self._counter += 1
        return f"rd_{prefix}{self._counter}"

    def create_temp(self, select_sql: str, prefix: str = "t", params: list | None = None) -> tuple[str, int]:
        """``CREATE OR REPLACE TEMP TABLE … AS select``; returns the table and its row count.

        Names restart with every run and tables are replaced rather than
        dropped, which saves a statement per table; big ones are dropped at
        the end of the run so they do not hold memory.
        """
        name = self.temp_name(prefix)
        count = self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {select_sql}", params or []).fetchone()[0]
        if self.batched and prefix == "m":
            self.matches.append(name)
        if count > BIG_TEMP_TABLE:
            self.temp_tables.append(name)
        return name, count

    def close(self) -> None:
        """Drop the run's big temp tables (small ones are replaced by the next run)."""
        for name in self.temp_tables:
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        self.temp_tables.clear()

    # -- journal ------------------------------------------------------------------
    @property
    def journal_table(self) -> str:
        """Where journal rows go: the journal, or in a batch the table they wait in."""
        return BATCH_JOURNAL if self.batched else "rd_journal"

    @property
    def journal_seq(self) -> str:
        """The sequence numbering journal rows (in a batch, provisional numbers)."""
        return BATCH_JOURNAL_SEQ if self.batched else "rd_journal_seq"

    def journal_sql(self, rule: Rule | None, depth: int) -> tuple[str, list]:
        """The tail of a journal row: cause, cause id, rule, depth, actor (in a batch also the row's ``ev``).

        In a batch the cause id is filled in from the row's event when the rows are numbered.
        """
        rule_name = rule.name if rule else None
        if self.batched:
            return "?, NULL, ?, ?, ?, ev", [self.cause.kind, rule_name, depth, self.cause.actor]
        return "?, ?, ?, ?, ?", [self.cause.kind, self.cause.id, rule_name, depth, self.cause.actor]

    def provisional_ids(self, count: int) -> int:
        """In a batch: ``count`` provisional item ids; returns the last one used before them."""
        base = TMP_ID_BASE + self._tmp_ids
        self._tmp_ids += count
        return base

    # -- firing ---------------------------------------------------------------------
    def frame_for(self, rule: Rule, match: str) -> Frame:
        """The frame a rule's actions run in."""
        process = self.project.processes.get(rule.process) if rule.process else None
        event = self.project.event_types.get(self.event_type) if self.event_type else None
        return Frame(self.project, match, process, self.now, event=event,
                     has_event=rule.trigger.kind == "event", task=rule.trigger.kind == "task", per_row_now=True,
                     batched=self.batched, now_table=True,
                     task_kind=(rule.process, rule.trigger.value) if rule.trigger.kind == "task" else None)

    def select_items(self, rule: Rule, source: str | None, filter_sql: str = "TRUE", *,
                     order: str = "m.ev, m.id") -> tuple[Frame, int]:
        """Match table for ``rule`` from ``source`` (aliased ``m``, with ``id``, ``task``, ``now_at``, ``ev``).

        ``source`` None: every item of the rule's process.
        """
        frame = self.frame_for(rule, source or "")
        resolver = FrameResolver(frame)
        if source is None:
            resolver.over_items(frame.process)
        conditions = [filter_sql]
        if rule.condition is not None:
            conditions.append(compile_sql(rule.condition, resolver, frame.scope(), Type("bool")))
        if rule.pipeline and frame.process is not None:
            resolver.item_column("it", frame.process, "m.id", "pipeline")
            conditions.append(f"it.pipeline = '{rule.pipeline}'")
        columns = {"rn": f"row_number() OVER (ORDER BY {order})", "id": "m.id", "src": "NULL::BIGINT",
                   "task": "m.task" if frame.task else "NULL::BIGINT",
                   "now_at": "m.now_at", "ev": "m.ev"}
        select = ", ".join(f"{sql} AS {name}" for name, sql in columns.items())
        where = " AND ".join(f"({c})" for c in conditions)
        match, count = self.create_temp(f"SELECT {select} FROM {resolver.from_clause()} WHERE {where}", "m")
        return frame.nested(match=match), count

    def fire_event_rule(self, rule: Rule) -> int:
        """An event (or cron) rule: all items of its process passing ``if``, or one run without items."""
        if rule.process:
            source = None
        elif self.batched:
            source = f"(SELECT NULL::BIGINT AS id, NULL::BIGINT AS task, e.now_at, e.ev FROM {EVENT_TABLE} e)"
        else:
            source = ("(SELECT NULL::BIGINT AS id, NULL::BIGINT AS task, NULL::TIMESTAMPTZ AS now_at, "
                      "NULL::BIGINT AS ev)")
        frame, count = self.select_items(rule, source)
        if count:
            self.run_actions(rule, frame, depth=0)
        return count

    def fire_change(self, change: Change, depth: int) -> None:
        """Fire every rule the change wakes, in declaration order."""
        for rule in self.compiled.rules_for_change(change):
            condition = change.filter_for(rule)
            if condition is None:
                continue
            if depth + 1 > self.project.cascade_depth:
                loop = " -> ".join((*self.chain, rule.name))
                raise CascadeError(f"rules fired each other more than {self.project.cascade_depth} levels deep: "
                                   f"{loop}; add a condition that stops the loop")
            source = f"(SELECT * FROM {change.table})"
            frame, count = self.select_items(rule, source, condition)
            if count:
                self.run_actions(rule, frame, depth + 1)

    def run_actions(self, rule: Rule, frame: Frame, depth: int) -> None:
        """Run a rule's actions over its match table; cascade after each one."""
        from .actions import run_action_list

        if self.batched:
            events = self.con.execute(f"SELECT list(DISTINCT ev) FROM {frame.match}").fetchone()[0] or []
            self.fired += [rule.name] * len(events)
            self.effective.update(events)
        else:
            self.fired.append(rule.name)
        outer = self.chain
        self.chain = (*outer, rule.name)
        try:
            run_action_list(self, rule, rule.actions, frame, depth)
        finally:
            self.chain = outer
