"""The engine's own tables: events, rejections, journal, tasks, documents, timers, clock."""

from __future__ import annotations

SYSTEM_TABLES: dict[str, str] = {
    "rd_meta": "key VARCHAR PRIMARY KEY, value VARCHAR",
    "rd_clock": "id INTEGER PRIMARY KEY, now TIMESTAMPTZ",
    "rd_events": (
        "seq BIGINT PRIMARY KEY, id VARCHAR UNIQUE NOT NULL, type VARCHAR NOT NULL, "
        "time TIMESTAMPTZ NOT NULL, applied_at TIMESTAMPTZ NOT NULL, payload JSON, raw VARCHAR"
    ),
    "rd_rejected": (
        "event_id VARCHAR, line INTEGER, source VARCHAR, reason VARCHAR NOT NULL, raw VARCHAR, "
        "rejected_at TIMESTAMPTZ, attempts INTEGER DEFAULT 1"
    ),
    "rd_journal": (
        "seq BIGINT NOT NULL, at_time TIMESTAMPTZ NOT NULL, item BIGINT, process VARCHAR, kind VARCHAR NOT NULL, "
        "field VARCHAR, old VARCHAR, new VARCHAR, cause VARCHAR NOT NULL, cause_id VARCHAR, rule VARCHAR, "
        "depth INTEGER NOT NULL DEFAULT 0, actor VARCHAR"
    ),
    "rd_tasks": (
        "id BIGINT NOT NULL, process VARCHAR NOT NULL, item BIGINT NOT NULL, name VARCHAR NOT NULL, "
        "title VARCHAR, assignee VARCHAR, due_at TIMESTAMPTZ, outcomes VARCHAR[], status VARCHAR NOT NULL, "
        "outcome VARCHAR, comment VARCHAR, created_at TIMESTAMPTZ NOT NULL, closed_at TIMESTAMPTZ, rule VARCHAR, "
        "due_kind VARCHAR, form JSON"
    ),
    "rd_documents": (
        "id BIGINT PRIMARY KEY, process VARCHAR, item BIGINT, template VARCHAR, filename VARCHAR, "
        "body VARCHAR, created_at TIMESTAMPTZ, rule VARCHAR"
    ),
    "rd_outbox": (
        "id BIGINT PRIMARY KEY, process VARCHAR, item BIGINT, recipient VARCHAR, text VARCHAR, "
        "created_at TIMESTAMPTZ, rule VARCHAR"
    ),
    "rd_fired": "rule VARCHAR NOT NULL, item BIGINT NOT NULL, due TIMESTAMPTZ NOT NULL",
    "rd_cron": "rule VARCHAR PRIMARY KEY, last_due TIMESTAMPTZ",
    "rd_commands": "seq BIGINT PRIMARY KEY, kind VARCHAR NOT NULL, payload JSON, clock TIMESTAMPTZ",
    "rd_counters": "name VARCHAR PRIMARY KEY, value BIGINT NOT NULL",
}

ADDED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("rd_tasks", "due_kind VARCHAR"),
    ("rd_tasks", "form JSON"),
    ("rd_journal", "actor VARCHAR"),
)
"""Columns added to system tables after their first release: databases made before get them on open.

``rd_tasks.due_kind`` is ``date`` for a deadline that is a day (overdue from the next day's 00:00 in the
project's zone; ``due_at`` holds that day's 00:00), else ``datetime`` or null (overdue once passed).
``rd_tasks.form`` holds the values a completion filled in (a JSON object), null until then.
``rd_journal.actor`` is the person who acted (``--as``, an event's ``actor``), null when nobody was named.
"""

SEQUENCES = ("rd_journal_seq", "rd_event_seq")
"""``rd_event_seq`` orders accepted events and commands (ticks, task completions) together, for replay."""


def create_statements() -> list[str]:
    """``CREATE … IF NOT EXISTS`` for every system table and sequence (our own fixed SQL)."""
    statements = [f"CREATE SEQUENCE IF NOT EXISTS {name} START 1" for name in SEQUENCES]
    statements += [f"CREATE TABLE IF NOT EXISTS {name} ({columns})" for name, columns in SYSTEM_TABLES.items()]
    statements += [f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column}" for table, column in ADDED_COLUMNS]
    return statements
