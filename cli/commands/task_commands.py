"""Tasks: ``ruledeck tasks`` lists them, ``ruledeck task done`` completes one."""

from __future__ import annotations

from pathlib import Path

import click

from ..options import FORMATS_TABLE, actor_option, db_option, format_option, project_option, wait_option
from ..project import open_engine
from ..render import table


@click.command()
@project_option
@db_option
@wait_option
@click.option("--assignee", metavar="PERSON|ROLE",
              help="Only tasks for this person (including their roles' tasks), or for a role (NAME, @NAME or "
                   "role:NAME).")
@click.option("--overdue", is_flag=True, help="Only open tasks past their deadline.")
@click.option("--all", "show_all", is_flag=True, help="Include completed and cancelled tasks.")
@format_option(FORMATS_TABLE)
def tasks(project_path: Path, db_path: str | None, wait_seconds: float, assignee: str | None, overdue: bool,
          show_all: bool, fmt: str) -> None:
    """List tasks: open ones by default, oldest deadline first.

    \b
    Example:
      ruledeck tasks --assignee ivanova --overdue -p definitions/complaints
      ruledeck tasks --assignee @first_line -p definitions/bpm_patterns
    """
    with open_engine(project_path, db_path, wait_seconds, read_only=True) as engine:
        rows = engine.task_list(assignee=assignee, overdue=overdue, include_closed=show_all)
    columns = ["id", "process", "item", "name", "title", "assignee", "due_at", "status", "outcome", "outcomes",
               "comment"]
    click.echo(table(rows, fmt, columns) if rows or fmt != "text" else "no tasks")


@click.group()
def task() -> None:
    """Act on one task: 'ruledeck task done ID --outcome O' completes it."""


@task.command("done")
@click.argument("task_ref", metavar="TASK")
@click.option("--outcome", required=True, help="One of the task's outcomes.")
@click.option("--name", "task_name", metavar="NAME",
              help="With an item as TASK: its open task of this kind (needed when it has several).")
@click.option("--comment", default=None, help="A comment kept with the task.")
@click.option("--set", "values", multiple=True, metavar="FIELD=VALUE",
              help="A value of the task's form (repeat for several fields, or for the items of a list field).")
@actor_option
@project_option
@db_option
@wait_option
def task_done(task_ref: str, outcome: str, task_name: str | None, comment: str | None, values: tuple[str, ...],
              actor: str | None, project_path: Path, db_path: str | None, wait_seconds: float) -> None:
    """Complete a task with an outcome; the rules waiting on it fire.

    TASK is a task id (12 or #12), or an item (PROCESS:KEY, or its id with
    --name) whose open task to complete: its only one, or the one --name
    names.

    --set FIELD=VALUE fills in the task's form (declared with the task
    kind's form:); the values are checked like an event's payload, and the
    fields and comment the outcome needs must be given.

    \b
    Example:
      ruledeck task done 12 --outcome justified -p definitions/complaints
      ruledeck task done complaint:CLM-2026-00001 --name review --outcome justified --as zaitsev
    """
    from ruledeck.engine import resolve_task

    with open_engine(project_path, db_path, wait_seconds) as engine:
        task_id = engine.complete_task(resolve_task(engine, task_ref, task_name), outcome, comment, actor=actor,
                                       fields=form_values(values), text_input=True)
    click.echo(f"task #{task_id} completed as {outcome}")


def form_values(pairs: tuple[str, ...]) -> dict[str, str | list[str]]:
    """``FIELD=VALUE`` options as a mapping; a field given twice or more gets the list of its values."""
    values: dict[str, str | list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected FIELD=VALUE, got {pair!r}", param_hint="--set")
        name = name.strip()
        if name in values:
            previous = values[name]
            values[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            values[name] = value
    return values


@click.command()
@click.argument("item", metavar="ITEM")
@click.argument("stage")
@actor_option
@project_option
@db_option
@wait_option
def move(item: str, stage: str, actor: str | None, project_path: Path, db_path: str | None,
         wait_seconds: float) -> None:
    """Move card ITEM (an id or PROCESS:KEY) by hand to STAGE (a stage marked 'manual: true').

    The rules waiting on leaving the old stage and entering the new one fire,
    as they would for a move made by a rule.

    \b
    Example:
      ruledeck move 42 archived -p definitions/complaints
      ruledeck move device:AX-21-0457 decommissioned --as kiseleva -p definitions/service_requests
    """
    from ruledeck.engine import resolve_item

    with open_engine(project_path, db_path, wait_seconds) as engine:
        ref = resolve_item(engine, item)
        engine.move(ref.id, stage, actor=actor)
    click.echo(f"item {ref.label} moved to {stage}")


@click.command()
@project_option
@db_option
@wait_option
@format_option(FORMATS_TABLE)
def rejected(project_path: Path, db_path: str | None, wait_seconds: float, fmt: str) -> None:
    """List the events refused at ingest, with the reason and how often they were tried.

    A rejected event is tried again when its file is ingested again; it leaves
    this list once it goes in.

    \b
    Example:
      ruledeck rejected -p definitions/complaints --format csv
    """
    with open_engine(project_path, db_path, wait_seconds, read_only=True) as engine:
        rows = engine.rejected()
    columns = ["event_id", "source", "line", "reason", "attempts", "rejected_at"]
    click.echo(table(rows, fmt, columns) if rows or fmt != "text" else "no rejected events")
