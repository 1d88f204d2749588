"""Expectations on the engine's records: tasks, documents, outbox messages, rejected events."""

from __future__ import annotations

from typing import Any

from ..definitions.model import Loc
from .expect import MAX_DETAILS, Checker, _Raw
from .values import FieldKind, expected_value, matches, show

TASK_FIELDS = {"assignee": ("assignee", "string"), "due": ("due_at", "datetime"), "title": ("title", "string"),
               "outcome": ("outcome", "string"), "comment": ("comment", "string")}


def _rows(checker: Checker, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cursor = checker.engine.con.execute(sql, params or [])
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _item_ids(checker: Checker, process: str | None, match: dict | None) -> set[int] | None:
    if not match or process is None:
        return None
    return checker.picker.ids(checker.project.processes[process], match)


def _texts(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def _selector(kind: str, entry: dict[str, Any], keys: tuple[str, ...]) -> str:
    parts = [f"{k} {v}" if not isinstance(v, dict) else f"{k} {{{', '.join(f'{a}: {b}' for a, b in v.items())}}}"
             for k in keys if (v := entry.get(k)) is not None]
    return f"{kind} " + ", ".join(parts) if parts else kind


def check_tasks(checker: Checker, loc: Loc, entry: dict[str, Any]) -> None:
    """Tasks by name, process, item and status: count, assignee, due, title, outcome, comment."""
    process = entry.get("process")
    if process is None and entry.get("name"):
        owners = [p.name for p in checker.project.processes.values() if entry["name"] in p.tasks]
        process = owners[0] if len(owners) == 1 else None
    status = entry.get("status", "open")
    conditions, params = ["TRUE"], []
    for column, value in (("name", entry.get("name")), ("process", process)):
        if value is not None:
            conditions.append(f"{column} = ?")
            params.append(value)
    if status != "any":
        conditions.append("status = ?")
        params.append(status)
    tasks = _rows(checker, "SELECT id, process, item, name, title, assignee, due_at, status, outcome, comment "
                           f"FROM rd_tasks WHERE {' AND '.join(conditions)} ORDER BY id", params)
    ids = _item_ids(checker, process, entry.get("item"))
    if ids is not None:
        tasks = [t for t in tasks if t["item"] in ids]
    subject = _selector(f"{status} tasks" if status != "any" else "tasks", entry, ("name", "process", "item"))
    asserted = [n for n in TASK_FIELDS if n in entry]
    if "count" in entry:
        checker.add(loc.at("count"), subject, "count", len(tasks) == entry["count"], entry["count"], len(tasks))
    elif not asserted:
        checker.add(loc.at("name") if "name" in entry else loc, subject, "count", bool(tasks),
                    _Raw("at least one task"), 0)
    for name in asserted:
        column, kind = TASK_FIELDS[name]
        expected = entry[name]
        if not tasks:
            checker.add(loc.at(name), subject, name, False, expected, _Raw("no task picked"))
            continue
        wrong = [t for t in tasks if not matches(expected, t[column], FieldKind(kind), checker.tz)]
        expected = expected_value(expected, FieldKind(kind), checker.tz)
        if len(tasks) == 1 and wrong:
            checker.add(loc.at(name), f"task #{tasks[0]['id']} {tasks[0]['name']}", name, False, expected,
                        tasks[0][column])
        else:
            details = "; ".join(f"#{t['id']}: {show(t[column], checker.tz)}" for t in wrong[:MAX_DETAILS])
            checker.add(loc.at(name), subject, name, not wrong, expected,
                        _Raw(f"{len(wrong)} of {len(tasks)} differ: {details}"))


def check_documents(checker: Checker, loc: Loc, entry: dict[str, Any]) -> None:
    """Documents by template, item and filename: count, and text every one contains."""
    conditions, params = ["TRUE"], []
    for column in ("template", "filename"):
        if column in entry:
            conditions.append(f"{column} = ?")
            params.append(entry[column])
    docs = _rows(checker, f"SELECT id, process, item, template, filename, body FROM rd_documents "
                          f"WHERE {' AND '.join(conditions)} ORDER BY id", params)
    owner = checker.project.templates[entry["template"]].spec.get("process") if "template" in entry else None
    ids = _item_ids(checker, owner, entry.get("item"))
    if ids is not None:
        docs = [d for d in docs if d["item"] in ids]
    subject = _selector("documents", entry, ("template", "item", "filename"))
    if "count" in entry:
        checker.add(loc.at("count"), subject, "count", len(docs) == entry["count"], entry["count"], len(docs))
    elif "contains" not in entry:
        present = _rows(checker, "SELECT filename FROM rd_documents ORDER BY id")
        checker.add(loc, subject, "count", bool(docs), _Raw("at least one document"),
                    _Raw("none; documents: " + (", ".join(r["filename"] for r in present[:10]) or "none")))
    texts = _texts(entry.get("contains"))
    for i, text in enumerate(texts):
        where = loc.at("contains", i) if isinstance(entry["contains"], list) else loc.at("contains")
        if not docs:
            checker.add(where, subject, "contains", False, text, _Raw("no document picked"))
            continue
        lacking = [d["filename"] for d in docs if text not in (d["body"] or "")]
        checker.add(where, subject, "contains", not lacking, text)
        checker.checks[-1].summary = f"{subject}: {show(text)} is not in {', '.join(lacking)}"


def check_outbox(checker: Checker, loc: Loc, entry: dict[str, Any]) -> None:
    """Outbox messages by recipient, item, rule and text: how many (default at least one)."""
    conditions, params = ["TRUE"], []
    for column, key in (("recipient", "to"), ("process", "process"), ("rule", "rule")):
        if key in entry:
            conditions.append(f"{column} = ?")
            params.append(entry[key])
    messages = _rows(checker, f"SELECT id, item, recipient, text, rule FROM rd_outbox "
                              f"WHERE {' AND '.join(conditions)} ORDER BY id", params)
    ids = _item_ids(checker, entry.get("process"), entry.get("item"))
    if ids is not None:
        messages = [m for m in messages if m["item"] in ids]
    texts = _texts(entry.get("contains"))
    found = [m for m in messages if all(t in (m["text"] or "") for t in texts)]
    subject = _selector("messages", entry, ("to", "process", "item", "rule", "contains"))
    if "count" in entry:
        ok, expected = len(found) == entry["count"], entry["count"]
    else:
        ok, expected = bool(found), _Raw("at least one")
    actual: Any = len(found)
    if not ok and messages and len(found) == 0:
        sample = "; ".join(show(m["text"][:80]) for m in messages[:3])
        actual = _Raw(f"0 (of {len(messages)} without the text filter: {sample})")
    checker.add(loc.at("count") if "count" in entry else loc, subject, "count", ok, expected, actual)


def check_rejected(checker: Checker, loc: Loc, entry: dict[str, Any]) -> None:
    """An event id was rejected, with a reason containing the given text."""
    row = checker.engine.con.execute("SELECT reason FROM rd_rejected WHERE event_id = ?",
                                     [str(entry["id"])]).fetchone()
    subject = f"event {entry['id']}"
    if row is None:
        checker.add(loc.at("id"), subject, "rejected", False, _Raw("rejected"), _Raw("not rejected"))
        return
    reason = entry.get("reason", "")
    checker.add(loc.at("reason") if reason else loc.at("id"), subject, "reason", reason in row[0],
                _Raw(f"to contain {show(reason)}"), row[0])
