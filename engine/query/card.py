"""One item in full: every field, its stage, open tasks, documents and its journal (``ruledeck show``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..definitions.model import Process
from ..errors import UsageError
from ..store.names import quote
from ..store.types import stored
from .item_ref import find_item
from .source import ItemSource, all_fields, fetch_dicts
from .tasks import due_value


@dataclass
class JournalEntry:
    """One journal row of the item, with the event that caused it (when one did)."""

    seq: int
    at: Any
    kind: str
    field: str | None
    old: str | None
    new: str | None
    cause: str
    cause_id: str | None
    rule: str | None
    depth: int
    event_type: str | None = None
    event_time: Any = None
    actor: str | None = None
    """The person who acted (``--as``, the event's ``actor``), None for nobody."""


@dataclass
class ItemCard:
    """An item's values (computed and rollup fields included) and everything attached to it."""

    process: Process
    id: int
    values: dict[str, Any]
    texts: dict[str, str | None]
    """Stored values as the journal writes them (VARCHAR), to compare with journal entries."""
    tasks: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    journal: list[JournalEntry] = field(default_factory=list)
    now: Any = None

    @property
    def stage(self):
        """The current stage's definition (None when the definitions no longer have it)."""
        pipeline = self.process.pipelines.get(self.values["pipeline"])
        return pipeline.stages.get(self.values["stage"]) if pipeline else None


def item_values(engine, process: Process, item: int, shadows: str | None = None,
                now: Any = None) -> tuple[dict, dict]:
    """Every field of one item (typed), and its stored fields as text, in one query.

    ``shadows`` are CTEs standing in for the items tables (see :func:`.asof.asof_ctes`).
    """
    source = ItemSource(engine.project, process, now or engine.clock())
    names = [*all_fields(process), "stage_kind"]
    textual = ["stage", "pipeline", "held_from", "held_at", *(n for n, f in process.fields.items() if stored(f))]
    select = [f"{source.field(n)} AS {quote(n)}" for n in names]
    select += [f"CAST(it.{quote(n)} AS VARCHAR) AS {quote('text__' + n)}" for n in textual]
    head = f"WITH {shadows} " if shadows else ""
    rows = fetch_dicts(engine.con, f"{head}SELECT {', '.join(select)} FROM {source.from_clause()} WHERE it.id = ?",
                       [item])
    if not rows:
        raise UsageError(f"no '{process.name}' item {item}")
    row = rows[0]
    values = {n: row[n] for n in names}
    texts = {n: row["text__" + n] for n in textual}
    return values, texts


def journal_of(con, process: str, item: int) -> list[JournalEntry]:
    """The item's journal, oldest first, with event types and times."""
    rows = con.execute(
        "SELECT j.seq, j.at_time, j.kind, j.field, j.old, j.new, j.cause, j.cause_id, j.rule, j.depth, e.type, e.time, "
        "j.actor "
        "FROM rd_journal j LEFT JOIN rd_events e ON j.cause = 'event' AND e.id = j.cause_id "
        "WHERE j.item = ? AND j.process = ? ORDER BY j.seq", [item, process]).fetchall()
    return [JournalEntry(*row) for row in rows]


def item_card(engine, text: str) -> ItemCard:
    """The card of the item named ``text`` (an id or ``PROCESS:KEY``)."""
    ref = find_item(engine.project, engine.con, text)
    process, item = ref.process, ref.id
    values, texts = item_values(engine, process, item)
    tasks = fetch_dicts(engine.con, "SELECT id, name, title, assignee, due_at, due_kind, status, outcomes, comment, "
                                    "created_at, rule FROM rd_tasks WHERE item = ? AND process = ? AND status = 'open' "
                                    "ORDER BY id",
                        [item, process.name])
    for task in tasks:
        task["due_at"] = due_value(task, engine.zone)
    documents = fetch_dicts(engine.con, "SELECT id, template, filename, created_at, rule FROM rd_documents "
                                        "WHERE item = ? AND process = ? ORDER BY id", [item, process.name])
    return ItemCard(process, item, values, texts, tasks, documents, journal_of(engine.con, process.name, item),
                    engine.clock())
