"""Render item and task titles (sandboxed templates) for a set of rows, in bulk.

Rows are fetched in one query, rendered in Python, and written back in
chunks of one multi-row ``UPDATE … FROM (VALUES …)`` each.
"""

from __future__ import annotations

from functools import cache

import duckdb
from jinja2 import meta

from ..definitions.model import Process
from ..store.names import items_table, quote
from ..templating import environment, render
from .frame import Frame, FrameResolver

CHUNK = 500


@cache
def template_names(text: str) -> frozenset[str]:
    """The variables a template reads."""
    return frozenset(meta.find_undeclared_variables(environment().parse(text)))


def item_values(con: duckdb.DuckDBPyConnection, frame: Frame, process: Process, ids_sql: str,
                names: frozenset[str] | set[str]) -> list[dict]:
    """Rows ``{name: value}`` (with ``id``) for the items listed by ``ids_sql``, fields computed as needed."""
    probe = frame.nested(match=f"({ids_sql})", process=process, source=None, created={}, has_event=False,
                         task=False, per_row_now=False)
    resolver = FrameResolver(probe)
    known = set(process.fields) | {"id", "title", "pipeline", "stage", "stage_kind", "created_at", "updated_at",
                                   "stage_entered_at", "held_from", "held_at"}
    wanted = sorted((set(names) & known) | {"id"})
    select = ", ".join(f"{resolver.item_column('it', process, 'm.id', n).sql('duckdb')} AS {quote(n)}"
                       for n in wanted)
    cursor = con.execute(f"SELECT {select} FROM {resolver.from_clause()} ORDER BY it.id")
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def write_back(con: duckdb.DuckDBPyConnection, table: str, column: str, pairs: list[tuple[int, str]]) -> None:
    """``UPDATE table SET column = value`` for many (id, value) pairs, a chunk per statement."""
    for start in range(0, len(pairs), CHUNK):
        chunk = pairs[start:start + CHUNK]
        rows = ", ".join("(?, ?)" for _ in chunk)
        params = [v for pair in chunk for v in pair]
        con.execute(f"UPDATE {quote(table)} SET {quote(column)} = v.value FROM (VALUES {rows}) v(id, value) "
                    f"WHERE {quote(table)}.id = v.id", params)


def refresh_titles(con: duckdb.DuckDBPyConnection, frame: Frame, process: Process, ids_sql: str,
                   changed: set[str] | None = None) -> None:
    """Re-render the title of the listed items when it depends on what changed (None: always)."""
    if not process.title:
        return
    names = template_names(process.title)
    if changed is not None and not (names & changed):
        return
    rows = item_values(con, frame, process, ids_sql, names)
    pairs = [(row["id"], render(process.title, row)) for row in rows]
    write_back(con, items_table(process.name), "title", pairs)
