"""``ruledeck copy``: a deployment moved from its DuckDB file into PostgreSQL, table by table, in one transaction.

The target is opened (so migrated to the definitions) first and must hold no
events, commands or items yet. Every ``rd_*`` and ``items_*`` table is
streamed across with PostgreSQL's ``COPY`` (lookup and period tables are the
definitions' own and were just built), then the sequences continue where the
source's stopped. ``ruledeck verify`` on the target then replays its history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import UsageError
from .catalog import column_types
from .database import dialect
from .names import quote

COPIED = ("rd_", "items_")
"""The tables copied: the engine's own and the items; lookup and period tables are rebuilt from the definitions."""
CHUNK = 10_000
"""Rows read from the source at a time (a table is streamed, never held whole)."""


@dataclass
class CopySummary:
    """What was copied: rows per table, in the order copied."""

    rows: dict[str, int] = field(default_factory=dict)
    target: str = ""
    """The database copied into, as messages show it (no password)."""

    @property
    def total(self) -> int:
        """Rows copied in all."""
        return sum(self.rows.values())


def copy_database(source, target) -> CopySummary:
    """Copy the deployment on ``source`` (DuckDB) into ``target`` (PostgreSQL, migrated, empty)."""
    if dialect(target) != "postgres" or dialect(source) == "postgres":
        raise UsageError("ruledeck copy moves a DuckDB database into PostgreSQL: --to takes a postgresql:// URL")
    tables = {t: c for t, c in column_types(source, "").items() if t.startswith(COPIED)}
    wanted = {t: c for t, c in column_types(target, "").items() if t.startswith(COPIED)}
    missing = sorted(set(tables) - set(wanted))
    if missing:
        raise UsageError(f"the target has no table {missing[0]}: do the definitions match the source's?")
    _refuse_filled(target, [t for t in wanted if t in ("rd_events", "rd_commands") or t.startswith("items_")])
    summary = CopySummary()
    raw = target.raw
    with raw.transaction():
        for table, columns in sorted(tables.items()):
            kept = [c for c in columns if c in wanted[table]]
            raw.execute(f"DELETE FROM {quote(table)}")  # what opening the target wrote (its clock, its meta)
            summary.rows[table] = _copy_table(source, raw, table, kept)
        for name, following in _sequences(source):
            raw.execute("SELECT setval($1, $2, false)", [name, following])
    return summary


def _refuse_filled(target, tables: list[str]) -> None:
    for table in sorted(tables):
        if target.execute(f"SELECT count(*) FROM {quote(table)}").fetchone()[0]:
            raise UsageError(f"the target database already holds rows in {table}: copy into an empty database")


def _copy_table(source, raw, table: str, columns: list[str]) -> int:
    names = ", ".join(quote(c) for c in columns)
    cursor = source.execute(f"SELECT {names} FROM {quote(table)}")
    count = 0
    with raw.cursor().copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
        while rows := cursor.fetchmany(CHUNK):
            for row in rows:
                copy.write_row(row)
            count += len(rows)
    return count


def _sequences(source) -> list[tuple[str, int]]:
    """Each sequence of the source and the value it gives next."""
    rows = source.execute("SELECT sequence_name, last_value, start_value FROM duckdb_sequences()").fetchall()
    return [(name, start if last is None else last + 1) for name, last, start in rows]
