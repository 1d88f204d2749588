"""Who acts: the person named by ``--as`` or an event's ``actor``, and who may complete a task."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from ..definitions.model import Project, TaskKind
from ..errors import UsageError
from ..expressions import Type
from ..suggest import did_you_mean
from .events import EventRejected, RawEvent
from .frame import Frame, FrameResolver, compile_sql
from .run import Run


def known_actor(project: Project, actor: str | None) -> str | None:
    """``actor`` when it is a declared person (or None); a :class:`UsageError` naming the people otherwise."""
    if actor is None or actor in project.people:
        return actor
    raise UsageError(unknown_actor(project, actor))


def unknown_actor(project: Project, actor: str) -> str:
    """The message for a name that is not one of the project's people."""
    if not project.people:
        return f"there is no person '{actor}': the project declares no people"
    hint = did_you_mean(actor, project.people)
    return (f"there is no person '{actor}'" + (f" ({hint})" if hint else "")
            + f"; the people are: {', '.join(sorted(project.people))}")


ROLE_PREFIX = "role:"
"""How a role is named where a person could be too: a task's assignee, an ``assignee`` field (``role:dispatcher``)."""


def assignee_names(project: Project) -> list[str]:
    """What an ``assignee`` value may be: a person's name, or ``role:NAME`` for a role.

    >>> from ruledeck.engine.definitions.model import Definition, Project
    >>> p = Project(None, "p", "UTC")
    >>> p.people["petrov"] = Definition("petrov", None, {}); p.roles["desk"] = Definition("desk", None, {})
    >>> assignee_names(p)
    ['petrov', 'role:desk']
    """
    return [*project.people, *(ROLE_PREFIX + role for role in project.roles)]


def roles_of(project: Project, actor: str | None) -> list[str]:
    """The roles a person holds (none for nobody)."""
    person = project.people.get(actor) if actor else None
    return list(person.spec.get("roles") or []) if person else []


def check_completer(run: Run, kind: TaskKind, task: tuple) -> None:
    """Refuse (:class:`EventRejected`) when the run's actor may not complete ``task`` (id, item, assignee).

    ``completed_by`` is ``assignee`` (the person, or a holder of the role, it is assigned to), ``{role: R}``
    or a condition over the task's item, ``actor`` and ``actor_roles``.
    """
    rule = kind.completed_by
    if rule is None:
        return
    task_id, item, assignee = task
    actor = run.cause.actor
    label = f"task #{task_id} '{kind.name}'"
    if rule == "assignee":
        role = assignee[5:] if assignee and assignee.startswith("role:") else None
        if role is not None:
            allowed, only = role in roles_of(run.project, actor), f"only a person with role '{role}' may"
        elif assignee is None:
            allowed, only = False, "only its assignee may, and it is assigned to nobody"
        else:
            allowed, only = actor == assignee, f"only the assignee {assignee} may"
    elif isinstance(rule, dict):
        role = rule.get("role")
        allowed, only = role in roles_of(run.project, actor), f"only a person with role '{role}' may"
    else:
        allowed, only = _condition_holds(run, kind, item, str(rule)), f"only when {rule} holds"
    if allowed:
        return
    if actor is None:
        raise EventRejected(f"nobody was named to complete {label} ({only}): say who acts with --as PERSON "
                            "(or RULEDECK_ACTOR), or the event's actor")
    raise EventRejected(f"{actor} may not complete {label} ({only})")


def _condition_holds(run: Run, kind: TaskKind, item: int, condition: str) -> bool:
    """One statement over the task's item: whether ``condition`` is true."""
    process = next(p for p in run.project.processes.values() if kind.name in p.tasks and p.tasks[kind.name] is kind)
    match, _ = run.create_temp(f"SELECT 1 AS rn, {int(item)}::BIGINT AS id, NULL::BIGINT AS src, "
                               "NULL::BIGINT AS task, NULL::TIMESTAMPTZ AS now_at, NULL::BIGINT AS ev", "m")
    frame = Frame(run.project, match, process, run.now, per_row_now=True, now_table=True)
    resolver = FrameResolver(frame)
    sql = compile_sql(condition, resolver, frame.scope(), Type("bool"))
    return bool(run.con.execute(f"SELECT coalesce(({sql}), FALSE) FROM {resolver.from_clause()}").fetchone()[0])


def with_default_actor(records: Iterable[RawEvent], actor: str) -> Iterator[RawEvent]:
    """The records, each event that names no ``actor`` given ``actor`` (its text too, so replays see it)."""
    for raw in records:
        data = raw.data
        if isinstance(data, dict) and not raw.error and data.get("actor") is None:
            data = {**data, "actor": actor}
            raw = RawEvent(raw.line, json.dumps(data, ensure_ascii=False), data, raw.error, raw.extra)
        yield raw
