"""Refusals: the ``reject`` action and a stage's ``require:`` list, checked set-based.

A refusal raises :class:`Refused`; the event or command it happens in is rolled
back with everything it caused, the event is recorded as rejected and the
message – the rendered template, nothing around it – is its reason.

Each check is one statement finding the first offending row (lowest item id);
only that row is read back, to render the message. The statements are built
once per definition (and frame shape) and kept: their text depends on the
definitions and on table names only, the clock goes in as a parameter or as
the change table's ``now_at`` column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from types import SimpleNamespace
from typing import Any, TypeVar

from sqlglot import exp

from ..definitions.model import Action, Process, Project, Requirement, Rule
from ..expressions import Type
from ..templating import CONTEXT, TemplateContext, TemplateError, render
from .changes import Change
from .frame import EVENT_TABLE, Frame, FrameResolver, compile_expression, item_scope, timestamp_sql
from .run import ActionFailed, Run

__all__ = ["Refused", "check_entered", "do_reject", "item_row", "refusal_text"]

SENTINEL_NOW = dt.datetime(1111, 11, 11, 11, 11, 11, 111111, tzinfo=dt.UTC)
"""The clock statements are built with: any literal of it left in their text is replaced (rollups read now())."""
_SENTINEL_SQL = timestamp_sql(SENTINEL_NOW).sql("duckdb")
_EVENT_HIDDEN = frozenset({"ev", "now_at", "rd payload", "rd raw"})

T = TypeVar("T")


class Refused(ActionFailed):
    """The input was refused by a ``reject`` action, a stage's ``require`` or a field constraint."""


class Memo:
    """Values built once per definition object (compared by identity, kept while it is) and key."""

    def __init__(self) -> None:
        self._entries: dict[tuple[int, Hashable], tuple[object, Any]] = {}

    def get(self, owner: object, key: Hashable, build: Callable[[], T]) -> T:
        """The value for ``(owner, key)``, built by ``build()`` the first time."""
        entry = self._entries.get((id(owner), key))
        if entry is None or entry[0] is not owner:
            entry = self._entries[(id(owner), key)] = (owner, build())
        return entry[1]


_ITEM_ROWS, _ENTRY, _REJECT = Memo(), Memo(), Memo()


# -- reading the offending row ---------------------------------------------------------------------------

def item_row(run: Run, process: Process, item_id: int, names: frozenset[str]) -> dict[str, Any]:
    """The values ``names`` (and ``id``) of one item, computed and rollup fields included."""
    from .titles import item_values_sql

    def build() -> str:
        frame = Frame(run.project, "", process, SENTINEL_NOW)
        return item_values_sql(frame, process, "SELECT CAST(? AS BIGINT) AS id", names, ordered=False)

    cursor = run.con.execute(_ITEM_ROWS.get(process, names, build), [item_id])
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row, strict=True)) if row else {"id": item_id}


def refusal_text(template: str, values: dict[str, Any]) -> str:
    """A refusal's message rendered; a template that fails still refuses, saying so."""
    try:
        return render(template, values).strip()
    except TemplateError as exc:
        return f"refused (the message could not be rendered: {exc})"


def _names(template: str) -> frozenset[str]:
    from .titles import template_names

    return template_names(template)


# -- stage require -----------------------------------------------------------------------------------------

class _EnteringResolver(FrameResolver):
    """Bare names are the item as it is after the change (``it``, joined on the change table's ``c.id``)."""

    def __init__(self, project: Project, process: Process):
        super().__init__(Frame(project, "", process, SENTINEL_NOW))

    def now(self) -> exp.Expression:
        return exp.column("now_at", table="c")

    def column(self, namespace: str | None, name: str) -> exp.Expression:
        if namespace is None:
            return self.item_column("it", self.frame.process, "c.id", name)
        raise KeyError(f"{namespace}.{name}")


def _literal(text: str) -> str:
    return exp.Literal.string(text).sql("duckdb")


def _entry_statement(project: Project, process: Process, changed_only: bool):
    """(head, tail, requirements): ``head + change_table + tail`` finds the first item entering a stage it may not."""
    resolver = _EnteringResolver(project, process)
    cases, requirements = [], []
    scope = item_scope(process)
    for pipeline in process.pipelines.values():
        for stage in pipeline.stages.values():
            for requirement in stage.require:
                that = compile_expression(requirement.that, resolver, scope, Type("bool")).sql("duckdb")
                cases.append(f"WHEN it.pipeline = {_literal(pipeline.name)} AND it.stage = {_literal(stage.name)} "
                             f"AND ({that}) IS NOT TRUE THEN {len(requirements)}")
                requirements.append(requirement)
    if not cases:
        return None
    resolver.item_column("it", process, "c.id", "id")
    joins = " ".join(join for join in resolver.joins.values() if join)
    where = " WHERE c.old_stage IS DISTINCT FROM c.new_stage" if changed_only else ""
    head = f"SELECT id, k FROM (SELECT c.id AS id, CASE {' '.join(cases)} END AS k FROM "
    tail = f" c {joins}{where}) WHERE k IS NOT NULL ORDER BY id LIMIT 1"
    return head.replace(_SENTINEL_SQL, "c.now_at"), tail.replace(_SENTINEL_SQL, "c.now_at"), tuple(requirements)


def check_entered(run: Run, process: Process, table: str, changed_only: bool) -> None:
    """Refuse when an item of ``table`` (``id``; ``old_stage``/``new_stage`` when ``changed_only``) entered a
    stage whose ``require`` does not hold for it; the items table already holds the change."""
    statement = _ENTRY.get(process, changed_only, lambda: _entry_statement(run.project, process, changed_only))
    if statement is None:
        return
    head, tail, requirements = statement
    row = run.con.execute(head + table + tail).fetchone()
    if row is None:
        return
    item_id, index = row
    requirement: Requirement = requirements[index]
    values = {**item_row(run, process, item_id, _names(requirement.message)), "now": run.now,
              CONTEXT: TemplateContext.of(run.project, run.now, None, run.cause.actor)}
    if not changed_only:
        values["id"] = None  # a new item: its id goes with the refusal
    raise Refused(refusal_text(requirement.message, values))


# -- the reject action -------------------------------------------------------------------------------------

class _RejectResolver(FrameResolver):
    """The frame's names; ``now()`` is the row's moment or a parameter (counted), never a literal."""

    def __init__(self, frame: Frame):
        super().__init__(frame.nested(now=SENTINEL_NOW))
        self.now_parameters = 0

    def now(self) -> exp.Expression:
        self.now_parameters += 1
        clock = exp.Cast(this=exp.Placeholder(), to=exp.DataType.build("timestamptz"))
        return exp.Coalesce(this=exp.column("now_at", table="m"), expressions=[clock])


def _frame_shape(frame: Frame) -> tuple:
    return (frame.process.name if frame.process else None, frame.source.name if frame.source else None,
            frame.event.name if frame.event else None, frame.has_event, frame.task, frame.batched,
            tuple(sorted((n, p.name) for n, p in frame.created.items())))


def _reject_statement(action: Action, frame: Frame) -> tuple[str, int]:
    """The text after ``FROM match m`` picking the first row to refuse, and how many clock parameters it takes."""
    resolver = _RejectResolver(frame)
    condition = "TRUE"
    if isinstance(action.spec, dict) and action.spec.get("if") is not None:
        condition = compile_expression(action.spec["if"], resolver, frame.scope(), Type("bool")).sql("duckdb")
    joins = " ".join(join for join in resolver.joins.values() if join)
    text = f" {joins} WHERE ({condition}) IS TRUE ORDER BY m.id NULLS FIRST, m.rn LIMIT 1"
    count = resolver.now_parameters + text.count(_SENTINEL_SQL)
    return text.replace(_SENTINEL_SQL, "CAST(? AS TIMESTAMPTZ)"), count


def do_reject(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``reject``: refuse the input when ``if`` holds for any of the frame's rows (always without ``if``)."""
    text, clocks = _REJECT.get(action, _frame_shape(frame), lambda: _reject_statement(action, frame))
    row = run.con.execute(f"SELECT m.id, m.ev, m.task FROM {frame.match} m{text}", [frame.now] * clocks).fetchone()
    if row is None:
        return []
    item_id, ev, task = row
    message = str(action.spec.get("message", "")) if isinstance(action.spec, dict) else ""
    names = _names(message)
    values: dict[str, Any] = {"now": run.now, CONTEXT: TemplateContext.of(run.project, run.now, rule.name,
                                                                           run.cause.actor)}
    if frame.process is not None and item_id is not None:
        values.update(item_row(run, frame.process, item_id, names))
    if frame.has_event and "event" in names:
        values["event"] = _event_values(run, frame, ev)
    if frame.task and task is not None and "task" in names:
        cursor = run.con.execute("SELECT id, name, outcome, comment, assignee FROM rd_tasks WHERE id = ?", [task])
        values["task"] = SimpleNamespace(**dict(zip([d[0] for d in cursor.description], cursor.fetchone(),
                                                    strict=True)))
    raise Refused(refusal_text(message, values))


def _event_values(run: Run, frame: Frame, ev: int | None) -> SimpleNamespace:
    where, params = (" WHERE ev = ?", [ev]) if frame.batched else ("", [])
    cursor = run.con.execute(f"SELECT * FROM {EVENT_TABLE}{where} LIMIT 1", params)
    row = cursor.fetchone() or ()
    values = {d[0]: v for d, v in zip(cursor.description, row, strict=False) if d[0] not in _EVENT_HIDDEN}
    return SimpleNamespace(**values)
