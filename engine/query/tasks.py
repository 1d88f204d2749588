"""The task list: filters by assignee (a person also sees their roles' tasks) and overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from ..definitions.model import Project


def task_list(con: duckdb.DuckDBPyConnection, project: Project, now: dt.datetime | None, *,
              assignee: str | None = None, overdue: bool = False, include_closed: bool = False) -> list[dict[str, Any]]:
    """Tasks as rows, open ones only unless ``include_closed``, by deadline then id."""
    conditions, params = [], []
    if not include_closed:
        conditions.append("status = 'open'")
    if assignee:
        names = [assignee]
        person = project.people.get(assignee)
        if person is not None:
            names += [f"role:{role}" for role in person.spec.get("roles") or []]
        conditions.append(f"assignee IN ({', '.join('?' for _ in names)})")
        params += names
    if overdue:
        if now is None:
            return []
        conditions.append("status = 'open' AND due_at < ?")
        params.append(now)
    where = " AND ".join(conditions) or "TRUE"
    cursor = con.execute(
        "SELECT id, process, item, name, title, assignee, due_at, status, outcome, outcomes, comment, created_at, "
        f"closed_at FROM rd_tasks WHERE {where} ORDER BY due_at NULLS LAST, id", params)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
