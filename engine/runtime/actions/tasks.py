"""Task actions: create tasks for the frame's items, complete or cancel their open tasks."""

from __future__ import annotations

from functools import lru_cache

from sqlglot import exp

from ...definitions.model import Action, Process, Rule, TaskKind
from ...errors import DurationError
from ...expressions import Type
from ...store.names import quote
from ...templating import render
from ...timing import parse_duration
from ..changes import Change, TasksClosed
from ..frame import NOW_SQL, Frame, FrameResolver, compile_sql, expression_type
from ..run import BATCH_OUTPUTS, Run, refuse_provisional_text
from ..titles import item_values, template_names, write_back
from .create import next_ids


def assignee_sql(spec: dict | None, process: Process) -> str:
    """Who a task goes to: ``role:NAME`` for a role, a person's name, or a person/role/assignee field's value
    (an ``assignee`` field already holds ``role:NAME`` for a role)."""
    if not spec:
        return "NULL"
    if "person" in spec:
        return exp.Literal.string(spec["person"]).sql("duckdb")
    if "role" in spec:
        return exp.Literal.string(f"role:{spec['role']}").sql("duckdb")
    field = process.fields[spec["field"]]
    column = f"it.{quote(field.name)}"
    return f"'role:' || {column}" if field.type == "role" else column


@lru_cache(maxsize=1024)
def _duration_due_sql(due: str, now_sql: str) -> str | None:
    """A duration deadline counted from now, or None when ``due`` is not a duration (an expression)."""
    try:
        duration = parse_duration(due)
    except DurationError:
        return None
    return duration.add_sql(exp.maybe_parse(now_sql, dialect="duckdb")).sql("duckdb")


def due_sql(due: str | None, frame: Frame, resolver: FrameResolver) -> tuple[str, str]:
    """(deadline SQL as a TIMESTAMPTZ, ``'date'`` or ``'datetime'`` as SQL) of a ``due:`` value.

    A duration counts from now; an expression gives a date (kept as that day's 00:00 in the
    project's zone, overdue from the next day) or a datetime (overdue once passed).
    """
    if not due:
        return "NULL", "NULL"
    text = _duration_due_sql(due, frame.now_sql())
    if text is not None:
        return text, "'datetime'"
    scope = frame.scope()
    sql = compile_sql(due, resolver, scope)
    if expression_type(due, scope).kind == "date":
        return f"CAST({sql} AS TIMESTAMPTZ)", "'date'"
    return sql, "'datetime'"


@lru_cache(maxsize=1024)
def _array_sql(values: tuple[str, ...]) -> str:
    return exp.Array(expressions=[exp.Literal.string(v) for v in values]).sql("duckdb")


def _task_spec(action: Action) -> dict:
    return {"name": action.spec} if isinstance(action.spec, str) else dict(action.spec or {})


def do_task(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``task``: one open task of a declared kind per item."""
    spec = _task_spec(action)
    process = frame.process
    kind: TaskKind = process.tasks[spec["name"]]
    resolver = FrameResolver(frame)
    resolver.item_column("it", process, "m.id", "id")
    due, due_kind = due_sql(spec.get("due", kind.due), frame, resolver)
    comment = "NULL"
    if spec.get("comment"):
        comment = compile_sql(spec["comment"], resolver, frame.scope(), Type("text"))
    outcomes = _array_sql(tuple(kind.outcomes))
    assignee = assignee_sql(spec.get("assignee", kind.assignee), process)
    count = run.con.execute(f"SELECT count(*) FROM {frame.match} WHERE id IS NOT NULL").fetchone()[0]
    if not count:
        if spec.get("as"):  # later actions still read NAME.… (as nothing)
            _remember_task(run, frame, spec["as"], kind.name, None)
        return []
    # In a batch, provisional ids renumbered in event order when the batch is flushed (see ..batch).
    base = run.provisional_ids(count) if run.batched else next_ids(run, "task_id", count)
    staged, _ = run.create_temp(
        f"SELECT {base} + row_number() OVER (ORDER BY m.rn) AS id, it.id AS item, {assignee} AS assignee, "
        f"{due} AS due_at, {due_kind} AS due_kind, {comment} AS comment, {frame.now_sql()} AS now_at, m.ev AS ev "
        f"FROM {resolver.from_clause()} WHERE it.id IS NOT NULL", "k")
    run.con.execute(
        f"INSERT INTO rd_tasks (id, process, item, name, assignee, due_at, due_kind, outcomes, status, comment, "
        f"created_at, rule) SELECT id, ?, item, ?, assignee, due_at, due_kind, {outcomes}, 'open', comment, now_at, ? "
        f"FROM {staged}",
        [process.name, kind.name, rule.name])
    if run.batched:
        run.con.execute(f"INSERT INTO {BATCH_OUTPUTS} SELECT 'rd_tasks', id, ev FROM {staged}")
    if spec.get("as"):
        _remember_task(run, frame, spec["as"], kind.name, staged)
    tail, params = run.journal_sql(rule, depth)
    run.con.execute(
        f"INSERT INTO {run.journal_table} SELECT nextval('{run.journal_seq}'), now_at, item, ?, 'task', ?, NULL, "
        f"'opened #' || id || coalesce(' for ' || assignee, ''), {tail} FROM {staged}",
        [process.name, kind.name, *params])
    if kind.title:
        names = template_names(kind.title)
        refuse_provisional_text(run, process, names, f"SELECT item AS id FROM {staged}",
                                f"the title of task '{kind.name}'")
        rows = item_values(run.con, frame, process, f"SELECT item AS id FROM {staged}", names)
        by_item = {row["id"]: render(kind.title, row) for row in rows}
        pairs = [(task, by_item[item]) for task, item in
                 run.con.execute(f"SELECT id, item FROM {staged}").fetchall()]
        write_back(run.con, "rd_tasks", "title", pairs)
    return []


def _remember_task(run: Run, frame: Frame, name: str, kind: str, staged: str | None) -> None:
    """``as: NAME``: the new task's id on each frame row, for later actions to read as ``NAME.FIELD``."""
    column = quote(f"as_{name}")
    run.con.execute(f"ALTER TABLE {frame.match} ADD COLUMN IF NOT EXISTS {column} BIGINT")
    if staged is not None:
        run.con.execute(f"UPDATE {frame.match} SET {column} = k.id FROM {staged} k WHERE {frame.match}.id = k.item")
    frame.created_tasks[name] = kind


_COMMENT_OF_K = "(SELECT t.comment FROM rd_tasks t WHERE t.id = k.task)"
"""The closed task's comment (given on completion, or kept from its creation): shown in its journal entry."""


def close_tasks(run: Run, rule: Rule | None, process: Process, tasks_sql: str, status: str,
                outcome: str | None, comment: str | None, depth: int, match: str | None = None) -> list[Change]:
    """Close the open tasks listed by ``tasks_sql`` (ids); completed ones wake ``task`` rules.

    ``match``: in a batch, the frame's match table: each task closes at its item's event and moment.
    """
    if run.batched and match is not None:
        rows = (f"FROM rd_tasks t LEFT JOIN (SELECT id, min(ev) AS ev, min(now_at) AS now_at FROM {match} "
                "GROUP BY id) m ON m.id = t.item")
        moment, ev = "m.now_at", "m.ev"
    else:
        rows, moment, ev = "FROM rd_tasks t", "NULL::TIMESTAMPTZ", "NULL::BIGINT"
    table, count = run.create_temp(
        f"SELECT t.item AS id, t.id AS task, t.name, CAST(? AS VARCHAR) AS outcome, CAST(? AS VARCHAR) AS status, "
        f"{moment} AS now_at, {ev} AS ev {rows} "
        f"WHERE t.status = 'open' AND t.id IN ({tasks_sql})",
        "k", [outcome, status])
    if not count:
        return []
    now = f"coalesce(k.now_at, {NOW_SQL})"
    run.con.execute(
        f"UPDATE rd_tasks SET status = ?, outcome = ?, closed_at = {now}, comment = coalesce(?, comment) "
        f"FROM {table} k WHERE rd_tasks.id = k.task", [status, outcome, comment])
    tail, params = run.journal_sql(rule, depth)
    verb = "completed" if status == "done" else "cancelled"
    run.con.execute(
        f"INSERT INTO {run.journal_table} SELECT nextval('{run.journal_seq}'), {now}, id, ?, 'task', name, 'open', "
        f"'{verb} #' || task || coalesce(' as ' || outcome, '') || coalesce(' · ' || {_COMMENT_OF_K}, ''), {tail} "
        f"FROM {table} k", [process.name, *params])
    return [TasksClosed(process.name, table)] if status == "done" else []


def _item_tasks_sql(frame: Frame, name: str | None) -> str:
    named = f" AND t.name = '{name}'" if name else ""
    return (f"SELECT t.id FROM rd_tasks t WHERE t.process = '{frame.process.name}' "
            f"AND t.item IN (SELECT id FROM {frame.match}){named}")


def do_complete_tasks(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``complete_tasks``: finish the items' open tasks (of a kind) with an outcome."""
    spec = _task_spec(action)
    return close_tasks(run, rule, frame.process, _item_tasks_sql(frame, spec.get("name")), "done",
                       spec.get("outcome"), None, depth, frame.match)


def do_cancel_tasks(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``cancel_tasks``: drop the items' open tasks (of a kind)."""
    spec = _task_spec(action)
    return close_tasks(run, rule, frame.process, _item_tasks_sql(frame, spec.get("name")), "cancelled",
                       None, None, depth, frame.match)
