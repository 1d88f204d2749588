"""Read items for expectations: any field (own, computed, rollup, system), filtered by a condition."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ..definitions.model import SYSTEM_FIELDS, Process
from ..expressions import Type
from ..runtime.frame import Frame, FrameResolver, compile_expression
from ..store.names import items_table, quote
from .values import FieldKind, matches

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def field_kind(process: Process, name: str) -> FieldKind:
    """The type a field of ``process`` compares as."""
    declared = process.fields.get(name)
    if declared is not None:
        return FieldKind(declared.type, declared.many, declared.process)
    if name == "id":
        return FieldKind("int")
    return FieldKind(SYSTEM_FIELDS.get(name, "string"))


def read_items(engine, process: Process, names: Iterable[str], where: str | None = None,
               order_by: str | None = None) -> list[dict[str, Any]]:
    """Rows ``{name: value}`` (always with id and title) of the items passing ``where``."""
    frame = Frame(engine.project, f"(SELECT id FROM {quote(items_table(process.name))})", process,
                  engine.clock() or EPOCH)
    resolver = FrameResolver(frame)
    wanted = sorted(set(names) | {"id", "title"} | ({order_by} if order_by else set()))
    select = ", ".join(f"{resolver.item_column('it', process, 'm.id', n).sql('duckdb')} AS {quote(n)}"
                       for n in wanted)
    condition = "TRUE"
    if where:
        condition = compile_expression(where, resolver, frame.scope(), Type("bool")).sql("duckdb")
    order = f"{quote(order_by)} NULLS LAST, " if order_by else ""
    cursor = engine.con.execute(f"SELECT {select} FROM {resolver.from_clause()} WHERE {condition} "
                                f"ORDER BY {order}{quote('id')}")
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


class ItemPicker:
    """Picks items by condition, field values and key; resolves key values of ``ref`` fields."""

    def __init__(self, engine):
        self.engine = engine
        self.project = engine.project
        self.tz = engine.project.timezone

    def refs(self, process: str, value: object) -> set[int]:
        """Ids of the items of ``process`` whose key field equals ``value``."""
        target = self.project.processes[process]
        if not target.key:
            return set()
        rows = self.engine.con.execute(f"SELECT id FROM {quote(items_table(process))} "
                                       f"WHERE CAST({quote(target.key)} AS VARCHAR) = ?", [str(value)]).fetchall()
        return {r[0] for r in rows}

    def pick(self, process: Process, names: Iterable[str] = (), where: str | None = None,
             match: dict | None = None, key: object = None, order_by: str | None = None) -> list[dict[str, Any]]:
        """The items passing every filter, with the ``names`` asked for."""
        match = dict(match or {})
        if key is not None and process.key:
            match[process.key] = key
        rows = read_items(self.engine, process, set(names) | set(match), where, order_by)
        return [row for row in rows
                if all(matches(value, row[name], field_kind(process, name), self.tz, self.refs)
                       for name, value in match.items())]

    def ids(self, process: Process, match: dict | None) -> set[int]:
        """Ids of the items of ``process`` with the given field values."""
        return {row["id"] for row in self.pick(process, match=match)}


def describe(process: Process, row: dict[str, Any]) -> str:
    """``feedback #12 "title"`` for failure messages."""
    title = str(row.get("title") or "")
    if len(title) > 60:
        title = title[:57] + "…"
    return f"{process.name} #{row['id']}" + (f' "{title}"' if title else "")
