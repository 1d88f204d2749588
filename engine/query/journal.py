"""The journal as a log of changes: how long it is, and the entries after a point (``ingest --dry-run``)."""

from __future__ import annotations

JOURNAL_COLUMNS = ("at", "item", "process", "kind", "field", "old", "new", "cause", "rule")
"""The columns of :func:`journal_after`'s rows."""


def journal_length(engine) -> int:
    """How many entries the journal holds."""
    return engine.con.execute("SELECT count(*) FROM rd_journal").fetchone()[0]


def journal_after(engine, count: int) -> list[tuple]:
    """The entries after the first ``count``, in journal order, as :data:`JOURNAL_COLUMNS` tuples."""
    return engine.con.execute(
        "SELECT at_time, item, process, kind, field, old, new, cause_id, rule FROM rd_journal "
        "ORDER BY seq OFFSET ?", [count]).fetchall()
