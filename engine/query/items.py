"""A list of a process's items with any of their fields, filtered, sorted and limited in one SELECT.

The filter and sort key are computed for every item, the (possibly wide)
fields only for the page returned, and the total from the same statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from ..definitions.model import Project
from ..store.names import quote
from .board import board_spec
from .source import ItemSource, all_fields, fetch_dicts, find_process, sort_key


@dataclass
class ItemList:
    """Rows of items (dicts keyed by ``columns``) and how many matched in all."""

    process: str
    columns: list[str]
    rows: list[dict[str, Any]]
    total: int


def list_items(engine, name: str, *, where: str | None = None, sort: str | None = None, limit: int = 100,
               fields: list[str] | None = None) -> ItemList:
    """Items of process ``name`` (or of board ``name``: its process, pipeline, filter and card fields).

    ``fields`` picks the columns (default: every field, computed and rollup
    ones included); ``sort`` is a field, ``-field`` for descending; ``limit``
    0 means all. A wrong ``where`` raises :class:`ExpressionError`.
    """
    project: Project = engine.project
    conditions: list[str] = []
    if name in project.boards:
        spec = board_spec(project, name)
        process, default_fields, sort = spec.process, ["id", "stage", "title", *spec.card], sort or spec.sort
        source = ItemSource(project, process, engine.clock())
        conditions.append(f"it.pipeline = {exp.Literal.string(spec.pipeline.name).sql('duckdb')}")
        if spec.where:
            conditions.append(source.condition(spec.where))
    else:
        process = find_process(project, name)
        default_fields = all_fields(process)
        source = ItemSource(project, process, engine.clock())
    columns = [source.check_field(f) for f in fields] if fields else default_fields
    if where:
        conditions.append(source.condition(where))
    key, direction = sort_key(source, sort)
    matched = (f"SELECT it.id AS id, {key} AS k FROM {source.from_clause()} "
               f"WHERE {' AND '.join(conditions) or 'TRUE'}")
    page = f"SELECT id, k FROM matched ORDER BY k {direction} NULLS LAST, id{f' LIMIT {int(limit)}' if limit else ''}"
    reader = ItemSource(project, process, engine.clock())
    select = ", ".join(f"{reader.field(c)} AS {quote(c)}" for c in columns)
    rows = fetch_dicts(engine.con, f"WITH matched AS ({matched}), page AS ({page}) "
                                   f"SELECT {select}, (SELECT count(*) FROM matched) AS rd__total "
                                   f"FROM page p JOIN {reader.table} it ON it.id = p.id {reader.joins()} "
                                   f"ORDER BY p.k {direction} NULLS LAST, p.id")
    total = rows[0]["rd__total"] if rows else 0
    for row in rows:
        del row["rd__total"]
    return ItemList(process.name, columns, rows, total)
