"""Completing a task from outside (``ruledeck task done`` or a ``task_done`` event)."""

from __future__ import annotations

from typing import Any

from ..store.names import items_table, quote
from .actions.tasks import close_tasks
from .actors import check_completer
from .events import EventRejected
from .run import Run
from .task_forms import check_completion


def find_task(run: Run, ref: Any) -> tuple[int, str, str, list[str], str]:
    """(id, process, name, outcomes, status) of the task ``ref`` names: an id or {process, match, name}."""
    con = run.con
    if isinstance(ref, int):
        row = con.execute("SELECT id, process, name, outcomes, status FROM rd_tasks WHERE id = ?", [ref]).fetchone()
        if row is None:
            raise EventRejected(f"there is no task #{ref}")
        return row
    process = run.project.processes.get(ref.get("process"))
    if process is None:
        raise EventRejected(f"there is no process '{ref.get('process')}'")
    match = ref.get("match") or {}
    unknown = [name for name in match if name not in process.fields and name != "id"]
    if unknown:
        raise EventRejected(f"process '{process.name}' has no field '{unknown[0]}'")
    conditions = " AND ".join(f"CAST(i.{quote(name)} AS VARCHAR) = ?" for name in match) or "TRUE"
    rows = con.execute(
        f"SELECT t.id, t.process, t.name, t.outcomes, t.status FROM rd_tasks t "
        f"JOIN {quote(items_table(process.name))} i ON i.id = t.item "
        f"WHERE t.process = ? AND t.name = ? AND t.status = 'open' AND {conditions} ORDER BY t.id",
        [process.name, ref.get("name"), *[str(v) for v in match.values()]]).fetchall()
    if not rows:
        raise EventRejected(f"no open '{ref.get('name')}' task on a '{process.name}' item with "
                            f"{', '.join(f'{k}={v}' for k, v in match.items()) or 'any fields'}")
    if len(rows) > 1:
        raise EventRejected(f"{len(rows)} open '{ref.get('name')}' tasks match; name the task by its id")
    return rows[0]


def complete(run: Run, ref: Any, outcome: str, comment: str | None, fields: dict[str, Any] | None = None,
             text_input: bool = False) -> int:
    """Complete a task with an allowed outcome (and its form's ``fields``), fire the rules waiting on it; its id.

    ``text_input``: the field values are text to convert (``--set FIELD=VALUE``), not JSON values.
    """
    task_id, process_name, name, outcomes, status = find_task(run, ref)
    if status != "open":
        raise EventRejected(f"task #{task_id} '{name}' is already {status}")
    if outcomes and outcome not in outcomes:
        raise EventRejected(f"task #{task_id} '{name}' has no outcome '{outcome}' (allowed: {', '.join(outcomes)})")
    form = check_completion(run.project, run.project.processes[process_name].tasks.get(name), task_id, outcome,
                            comment, fields, run.now, text_input)
    if form is not None:
        run.con.execute("UPDATE rd_tasks SET form = CAST(? AS JSON) WHERE id = ?", [form, task_id])
    process = run.project.processes[process_name]
    kind = process.tasks.get(name)
    if kind is not None and kind.completed_by is not None:
        item, assignee = run.con.execute("SELECT item, assignee FROM rd_tasks WHERE id = ?", [task_id]).fetchone()
        check_completer(run, kind, (task_id, item, assignee))
    for change in close_tasks(run, None, process, str(int(task_id)), "done", outcome, comment, 0):
        run.fire_change(change, 0)
    return task_id
