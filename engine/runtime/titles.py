"""Render item and task titles (sandboxed templates) for a set of rows, in bulk.

An item title whose template compiles to SQL (:mod:`.title_sql`) is set by one
``UPDATE … FROM`` over the items' values, never read into Python. Any other is
rendered in Python: rows are fetched in pages and written back in chunks of
one ``UPDATE … FROM`` over list parameters (``unnest``) each, so memory stays
bounded however many items a rule touches.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import duckdb
from jinja2 import meta

from ..definitions.model import Process
from ..expressions.parse import names_used, parse
from ..store.names import items_table, quote
from ..templating import environment, render
from .frame import Frame, FrameResolver
from .title_sql import may_compile, title_sql

CHUNK = 10_000
"""Rows per page read into Python and per statement written back."""

PAGE_ROW = '"rd page"'
"""The page table's row number column (no field name contains a space)."""


@cache
def template_names(text: str) -> frozenset[str]:
    """The variables a template reads."""
    return frozenset(meta.find_undeclared_variables(environment().parse(text)))


def title_inputs(process: Process) -> frozenset[str]:
    """The stored values a process's title depends on: the names it reads and what its computed fields read."""
    return _title_inputs(process.title, tuple((n, f.compute) for n, f in process.fields.items() if f.compute))


@cache
def _title_inputs(title: str, computed: tuple[tuple[str, str], ...]) -> frozenset[str]:
    formulas = dict(computed)
    found, pending = set(), list(template_names(title))
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.add(name)
        if name in formulas:
            # a computed field reads no namespaces: ``device.client.name`` reads its ref field ``device``
            pending += [space or n for space, n in names_used(parse(formulas[name]))]
    return frozenset(found)


def item_values_sql(frame: Frame, process: Process, ids_sql: str, names: frozenset[str] | set[str],
                    ordered: bool = True, passthrough: tuple[str, ...] = ()) -> str:
    """``SELECT`` of the columns ``names`` (and ``id``) of the items listed by ``ids_sql``, ordered by id or not.

    ``passthrough``: columns of ``ids_sql`` given along, each as ``"rd COLUMN"`` (no field name has a space).
    """
    probe = frame.nested(match=f"({ids_sql})", process=process, source=None, created={}, has_event=False,
                         task=False, per_row_now=False)
    resolver = FrameResolver(probe)
    known = set(process.fields) | {"id", "title", "pipeline", "stage", "stage_kind", "created_at", "updated_at",
                                   "stage_entered_at", "held_from", "held_at"}
    wanted = tuple(sorted((set(names) & known) | {"id"}))
    # Built once per process, columns and "now": only the list of ids differs from one call to the next.
    key = ("item_values", process.name, wanted, None if probe.now_table else probe.now, probe.now_table,
           passthrough)
    cache = frame.project.compiled_sql
    if key not in cache:
        select = ", ".join([f"{resolver.item_column('it', process, 'm.id', n).sql('duckdb')} AS {quote(n)}"
                            for n in wanted] + [f"m.{quote(c)} AS {quote('rd ' + c)}" for c in passthrough])
        cache[key] = (select, dict(resolver.joins))
    select, joins = cache[key]
    resolver.joins.update(joins)
    return f"SELECT {select} FROM {resolver.from_clause()}" + (" ORDER BY it.id" if ordered else "")


def item_values(con: duckdb.DuckDBPyConnection, frame: Frame, process: Process, ids_sql: str,
                names: frozenset[str] | set[str]) -> list[dict]:
    """Rows ``{name: value}`` (with ``id``) for the items listed by ``ids_sql``, fields computed as needed."""
    cursor = con.execute(item_values_sql(frame, process, ids_sql, names))
    return _dicts(cursor, cursor.fetchall())


def item_pages(con: duckdb.DuckDBPyConnection, frame: Frame, process: Process, ids_sql: str,
               names: frozenset[str] | set[str], table: str = "rd_item_pages",
               passthrough: tuple[str, ...] = ()) -> Iterator[list[dict]]:
    """The rows of :func:`item_values` in order, a page of at most ``CHUNK`` at a time.

    A result that fits one page is read directly. A bigger one is kept in the
    temp table ``table`` and read back a page at a time, so the caller may run
    statements on ``con`` between pages and Python holds one page only.
    """
    sql = item_values_sql(frame, process, ids_sql, names, passthrough=passthrough)
    cursor = con.execute(sql)
    first = cursor.fetchmany(CHUNK + 1)
    if len(first) <= CHUNK:
        yield _dicts(cursor, first)
        return
    del first
    total = con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS "
                        f"SELECT row_number() OVER (ORDER BY id) AS {PAGE_ROW}, * FROM ({sql})").fetchone()[0]
    for start in range(0, total, CHUNK):
        cursor = con.execute(f"SELECT * EXCLUDE ({PAGE_ROW}) FROM {table} WHERE {PAGE_ROW} > ? AND {PAGE_ROW} <= ? "
                             f"ORDER BY {PAGE_ROW}", [start, start + CHUNK])
        yield _dicts(cursor, cursor.fetchall())
    con.execute(f"DROP TABLE {table}")


def _dicts(cursor: duckdb.DuckDBPyConnection, rows: list[tuple]) -> list[dict]:
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in rows]


def write_back(con: duckdb.DuckDBPyConnection, table: str, column: str, pairs: list[tuple[int, str]]) -> None:
    """``UPDATE table SET column = value`` for many (id, value) pairs, a chunk per statement."""
    target = quote(table)
    for start in range(0, len(pairs), CHUNK):
        chunk = pairs[start:start + CHUNK]
        con.execute(f"UPDATE {target} SET {quote(column)} = v.value "
                    f"FROM (SELECT unnest($1::BIGINT[]) AS id, unnest($2::VARCHAR[]) AS value) v "
                    f"WHERE {target}.id = v.id", [[p[0] for p in chunk], [p[1] for p in chunk]])


def refresh_titles(con: duckdb.DuckDBPyConnection, frame: Frame, process: Process, ids_sql: str,
                   changed: set[str] | None = None) -> None:
    """Re-render the title of the listed items when it depends on what changed (None: always)."""
    if not process.title:
        return
    names = template_names(process.title)
    if changed is not None and not (title_inputs(process) & changed):
        return
    if _set_titles_in_sql(con, frame, process, ids_sql, names):
        return
    for page in item_pages(con, frame, process, ids_sql, names, "rd_title_pages"):
        pairs = [(row["id"], render(process.title, row)) for row in page]
        write_back(con, items_table(process.name), "title", pairs)


def _set_titles_in_sql(con: duckdb.DuckDBPyConnection, frame: Frame, process: Process, ids_sql: str,
                       names: frozenset[str]) -> bool:
    """Set the titles with one ``UPDATE`` when the template compiles for its columns' types; False if not."""
    if not may_compile(process.title):
        return False
    values = item_values_sql(frame, process, ids_sql, names, ordered=False)
    columns = tuple((row[0], row[1]) for row in con.execute(f"DESCRIBE {values}").fetchall())
    title = title_sql(process.title, columns, "v")
    if title is None:
        return False
    target = quote(items_table(process.name))
    con.execute(f"UPDATE {target} SET title = t.title FROM (SELECT v.id AS id, {title} AS title FROM ({values}) v) t "
                f"WHERE {target}.id = t.id AND {target}.title IS DISTINCT FROM t.title")
    return True
