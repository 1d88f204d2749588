"""The task list: filters by assignee (a person also sees their roles' tasks) and overdue.

A task is overdue when it is open and past its deadline: a datetime deadline once the clock is
after it, a date deadline (``due_kind = 'date'``) from 00:00 of the next day in the project's zone,
so a task due today is not overdue yet. :func:`overdue_condition` is that rule, for every query.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from typing import Any

import duckdb
from sqlglot import exp

from ..definitions.model import Project
from ..errors import UsageError
from ..store.names import column
from ..timing.zones import zone

_DATE = exp.DataType.build("date")


def overdue_condition(alias: str, now: exp.Expression) -> exp.Expression:
    """The overdue rule over the task row ``alias`` at ``now`` (a TIMESTAMPTZ; the session's zone is the project's)."""
    due = column(alias, "due_at")
    by_day = exp.LT(this=exp.Cast(this=due, to=_DATE.copy()), expression=exp.Cast(this=now.copy(), to=_DATE.copy()))
    is_date = exp.EQ(this=column(alias, "due_kind"), expression=exp.Literal.string("date"))
    past = exp.Case(ifs=[exp.If(this=is_date, true=by_day)], default=exp.LT(this=due.copy(), expression=now.copy()))
    return exp.Paren(this=exp.and_(exp.EQ(this=column(alias, "status"), expression=exp.Literal.string("open")), past))


@lru_cache(maxsize=1)
def _overdue_param_sql() -> str:
    return overdue_condition("rd_tasks", exp.Cast(this=exp.Placeholder(), to=exp.DataType.build("timestamptz"))).sql(
        "duckdb")


def due_value(row: dict[str, Any], zone: dt.tzinfo | None) -> Any:
    """A task's deadline as shown: a date for a date deadline, else the datetime."""
    due = row.get("due_at")
    if row.get("due_kind") == "date" and isinstance(due, dt.datetime):
        return (due.astimezone(zone) if zone is not None else due).date()
    return due


def assignee_filter(project: Project, assignee: str) -> list[str]:
    """The assignees whose tasks ``--assignee`` lists: a person and their roles, or one role.

    A role is named ``role:NAME``, ``@NAME`` or by its bare name (when no person has it); anything
    else is a :class:`UsageError` naming the people and roles.
    """
    person = project.people.get(assignee)
    if person is not None:
        return [assignee, *(f"role:{role}" for role in person.spec.get("roles") or [])]
    role = assignee.removeprefix("role:") if assignee.startswith("role:") else assignee.removeprefix("@")
    if role in project.roles:
        return [f"role:{role}"]
    from ..suggest import did_you_mean

    known = [*project.people, *project.roles]
    hint = did_you_mean(role, known)
    raise UsageError(f"there is no person or role '{assignee}'" + (f" ({hint})" if hint else "")
                     + (f"; the people are: {', '.join(sorted(project.people))}" if project.people else "")
                     + (f"; the roles are: {', '.join(sorted(project.roles))}" if project.roles else ""))


def task_list(con: duckdb.DuckDBPyConnection, project: Project, now: dt.datetime | None, *,
              assignee: str | None = None, overdue: bool = False, include_closed: bool = False) -> list[dict[str, Any]]:
    """Tasks as rows, open ones only unless ``include_closed``, by deadline then id."""
    conditions, params = [], []
    if not include_closed:
        conditions.append("status = 'open'")
    if assignee:
        names = assignee_filter(project, assignee)
        conditions.append(f"assignee IN ({', '.join('?' for _ in names)})")
        params += names
    if overdue:
        if now is None:
            return []
        condition = _overdue_param_sql()
        conditions.append(condition)
        params += [now] * condition.count("?")
    where = " AND ".join(conditions) or "TRUE"
    cursor = con.execute(
        "SELECT id, process, item, name, title, assignee, due_at, due_kind, status, outcome, outcomes, comment, "
        f"form, created_at, closed_at FROM rd_tasks WHERE {where} ORDER BY due_at NULLS LAST, id", params)
    columns = [d[0] for d in cursor.description]
    rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    local = zone(project.timezone)
    for row in rows:
        row["due_at"] = due_value(row, local)
        row["form"] = json.loads(row["form"]) if row["form"] else None
    return rows
