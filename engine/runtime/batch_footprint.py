"""Did two events of a batch touch the same item? (Then the batch is cut before the second.)

One event at a time, an event sees what the events before it did. In a batch
every rule runs once over all the events, so an event must not read or write
anything another event of the batch wrote. What an event reaches is known
after the batch ran, as rows ``(id, ev)``: every item a rule of the batch
acted on (the match tables), every item it created, every item its event
rules' pins name (``id = event.FIELD``: the items the rule *could* have
picked, whatever the other events did), and, from each of those, the items
its references lead to, transitively – a parent's rollup reads its children,
a child's condition may read its parent, and ``update`` reaches exactly
these. Two events sharing an item is an overlap: :func:`first_overlap` names
the later one, and the events before it alone leave what one at a time would.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..definitions.model import Project
from ..errors import RuledeckError
from ..store.names import items_table, quote
from .batch_plan import event_pins, mutable_fields
from .compiled import CompiledProject
from .frame import EVENT_TABLE
from .run import BATCH_ITEMS, Run

TOUCHED = "rd_batch_touched"
"""``(id, ev)``: the items each event of the batch reached."""
_FRONTIER, _NEXT = "rd_batch_frontier", "rd_batch_next"


class BatchOverlap(RuledeckError):
    """Event ``ev`` of the batch (numbered from 1) reached an item an earlier event of it reached."""

    def __init__(self, ev: int):
        super().__init__(f"event {ev} of the batch reaches an item an earlier event of it reached")
        self.ev = ev


@dataclass(frozen=True)
class FootprintPlan:
    """What to collect for one event type: its rules' pins, and the references items link by."""

    pins: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    """``(process, ((item field, event field), …))`` per event rule over existing items."""
    references: tuple[tuple[str, str, bool], ...]
    """``(process, field, many)`` for every stored reference field of the project."""


def footprint_plan(compiled: CompiledProject, event_type: str) -> FootprintPlan:
    """The plan for ``event_type``'s batches (built once per ingest)."""
    project = compiled.project
    mutable = mutable_fields(project)
    pins = tuple((rule.process, event_pins(project, rule, mutable))
                 for rule in compiled.rules_for_event(event_type) if rule.process)
    return FootprintPlan(pins, _references(project))


def _references(project: Project) -> tuple[tuple[str, str, bool], ...]:
    return tuple((name, field_name, declared.many) for name, process in project.processes.items()
                 for field_name, declared in process.fields.items()
                 if declared.type == "ref" and declared.compute is None and declared.rollup is None)


def first_overlap(run: Run, plan: FootprintPlan) -> int | None:
    """The first event of the batch that reached an item an earlier one reached, or None."""
    con = run.con
    parts = [f"SELECT id, ev FROM {table} WHERE id IS NOT NULL" for table in run.matches]
    parts.append(f"SELECT id, ev FROM {BATCH_ITEMS}")
    for process, pins in plan.pins:
        on = " AND ".join(f"it.{quote(own)} = e.{quote(other)}" for own, other in pins)
        parts.append(f"SELECT it.id, e.ev FROM {quote(items_table(process))} it JOIN {EVENT_TABLE} e ON {on}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {TOUCHED} AS {' UNION '.join(parts)}")
    run.temp_tables += [TOUCHED, _FRONTIER, _NEXT]
    _follow_references(run, plan)
    return con.execute(f"SELECT min(ev) FROM (SELECT ev, min(ev) OVER (PARTITION BY id) AS first FROM {TOUCHED}) "
                       "WHERE ev > first").fetchone()[0]


def _follow_references(run: Run, plan: FootprintPlan) -> None:
    """Add to :data:`TOUCHED` the items the touched ones refer to, until nothing new comes."""
    if not plan.references:
        return
    con = run.con
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_FRONTIER} AS SELECT * FROM {TOUCHED}")
    steps = []
    for process, field_name, many in plan.references:
        value = f"unnest(x.{quote(field_name)})" if many else f"x.{quote(field_name)}"
        steps.append(f"SELECT {value} AS id, f.ev FROM {_FRONTIER} f "
                     f"JOIN {quote(items_table(process))} x ON x.id = f.id")
    step = " UNION ".join(steps)
    while True:
        count = con.execute(
            f"CREATE OR REPLACE TEMP TABLE {_NEXT} AS SELECT * FROM ({step}) WHERE id IS NOT NULL "
            f"EXCEPT SELECT id, ev FROM {TOUCHED}").fetchone()[0]
        if not count:
            return
        con.execute(f"INSERT INTO {TOUCHED} SELECT id, ev FROM {_NEXT}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_FRONTIER} AS SELECT * FROM {_NEXT}")
