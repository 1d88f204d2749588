"""A process's items as they were at a past moment, rebuilt from the journal in one SELECT.

The stage of an item at ``T`` is the newest ``stage`` or ``created`` journal
entry at or before ``T``; each stored field is the newest ``field`` entry for
it; items created after ``T`` are absent. The result has the columns of the
items table, so the same board and list queries run over it. Titles are not
journaled: the column is NULL and callers re-render the template.

:func:`asof_ctes` names each rebuilt table like the real one (a CTE shadows
a table of the same name for the rest of the statement, in DuckDB and
PostgreSQL alike), so computed fields and rollups over linked items read the
past too, with no change to how they compile.
"""

from __future__ import annotations

import datetime as dt

from sqlglot import exp

from ..definitions.model import Process, Project
from ..runtime.frame import timestamp_sql
from ..store.names import items_table, quote
from ..store.types import sql_type, stored

JOURNALED_SYSTEM = {"held_from": "VARCHAR", "held_at": "TIMESTAMPTZ"}


def stored_columns(process: Process) -> dict[str, str]:
    """Journaled columns of a process's items and their SQL types."""
    columns = dict(JOURNALED_SYSTEM)
    columns.update({name: sql_type(f) for name, f in process.fields.items() if stored(f)})
    return columns


def asof_sql(process: Process, moment: dt.datetime, items: str | None = None) -> str:
    """A subquery with the columns of ``items_<process>`` holding the items as of ``moment``.

    ``items`` (SQL over the journal's ``item`` column) limits the rebuild to
    some items. Only our own values reach the text: validated names, integer
    ids and a timestamp literal rendered from a datetime.
    """
    at = timestamp_sql(moment).sql("duckdb")
    name = exp.Literal.string(process.name).sql("duckdb")
    slot = "CASE WHEN kind IN ('created', 'stage') THEN 'stage' ELSE field END"
    latest = (f"SELECT item, kind, at_time, new, {slot} AS slot, "
              f"row_number() OVER (PARTITION BY item, {slot} ORDER BY seq DESC) AS back "
              f"FROM rd_journal WHERE process = {name} AND at_time <= {at} "
              f"AND kind IN ('created', 'stage', 'field'){f' AND ({items})' if items else ''}")
    columns = stored_columns(process)
    pivots = [f"max(CASE WHEN slot = {exp.Literal.string(c).sql('duckdb')} AND back = 1 THEN new END) AS {quote(c)}"
              for c in columns]
    grouped = ("SELECT item, min(CASE WHEN kind = 'created' THEN at_time END) AS created_at, "
               "max(at_time) AS updated_at, "
               "max(CASE WHEN slot = 'stage' AND back = 1 THEN new END) AS stage, "
               "max(CASE WHEN slot = 'stage' AND back = 1 THEN at_time END) AS stage_entered_at, "
               f"{', '.join(pivots)} FROM ({latest}) j GROUP BY item")
    casts = [f"CAST(x.{quote(c)} AS {kind}) AS {quote(c)}" for c, kind in columns.items()]
    return (f"(SELECT x.item AS id, cur.pipeline AS pipeline, x.stage AS stage, CAST(NULL AS VARCHAR) AS title, "
            f"x.created_at AS created_at, x.updated_at AS updated_at, x.stage_entered_at AS stage_entered_at, "
            f"{', '.join(casts)} FROM ({grouped}) x "
            f"JOIN {quote(items_table(process.name))} cur ON cur.id = x.item WHERE x.stage IS NOT NULL)")


def linked_processes(project: Project, process: Process) -> list[Process]:
    """``process`` and every process its rollups read, directly or through other rollups."""
    found = {process.name: process}
    pending = [process]
    while pending:
        for declared in pending.pop().fields.values():
            target = (declared.rollup or {}).get("process")
            if target in project.processes and target not in found:
                found[target] = project.processes[target]
                pending.append(found[target])
    return list(found.values())


def asof_ctes(project: Project, process: Process, moment: dt.datetime, item: int | None = None) -> str:
    """``"items_x" AS (…), …``: CTEs shadowing the items tables a query of ``process`` reads, as of ``moment``.

    With ``item``, only that item and the items its rollups link to it (by
    their current link) are rebuilt, which keeps one card's past cheap.
    """
    ctes = []
    for linked in linked_processes(project, process):
        items = None
        if item is not None and linked is process:
            items = f"item = {int(item)}"
        elif item is not None:
            links = {f["link"] for f in (d.rollup for d in process.fields.values() if d.rollup)
                     if f.get("process") == linked.name}
            if links:
                table = quote(items_table(linked.name))
                items = " OR ".join(f"item IN (SELECT id FROM {table} WHERE {quote(link)} = {int(item)})"
                                    for link in sorted(links))
        ctes.append(f"{quote(items_table(linked.name))} AS {asof_sql(linked, moment, items)}")
    return ", ".join(ctes)
