"""Read a process's items in one SELECT: any field (stored, computed or rollup) by name.

Boards, item lists and reports all select from the items table aliased
``it``; an :class:`ItemSource` compiles field names, ``--where`` conditions
and report expressions against it, collecting the joins they need, so a
query is always one statement however many computed fields it shows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from ..definitions.model import SYSTEM_FIELDS, Process, Project
from ..definitions.scopes import item_fields
from ..errors import UsageError
from ..expressions import Type, check, parse, to_sql
from ..runtime.frame import Frame, FrameResolver
from ..store.names import items_table, quote
from ..suggest import did_you_mean

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
"""The clock used before the first event or tick (no items exist yet then)."""


class ItemSource:
    """Compiles names and expressions over a process's items aliased ``it``.

    ``table`` is the SQL the items come from: the items table by default, or
    a subquery with the same columns (an as-of reconstruction, a CTE name).
    """

    def __init__(self, project: Project, process: Process, now: dt.datetime | None, table: str | None = None):
        self.project = project
        self.process = process
        self.table = table or quote(items_table(process.name))
        frame = Frame(project, match=self.table, process=process, now=now or EPOCH)
        self.resolver = FrameResolver(frame)
        # The items are the FROM itself (aliased ``it``), so the resolver must not join them again.
        self.resolver.joins["it"] = ""
        self.fields = item_fields(process)
        self.scope = frame.scope()

    def field(self, name: str) -> str:
        """SQL reading field ``name`` of ``it`` (a column, a stage kind, a computed or rollup field)."""
        return self.resolver.item_column("it", self.process, "it.id", name).sql("duckdb")

    def expression(self, text: str, expect: Type | None = None) -> tuple[str, Type]:
        """SQL of an expression over ``it`` and its type; :class:`ExpressionError` when it is wrong."""
        expr = parse(text)
        kind = check(expr, self.scope, expect)
        return to_sql(expr, self.resolver).sql("duckdb"), kind

    def condition(self, text: str) -> str:
        """SQL of a condition over ``it``."""
        return f"({self.expression(text, Type('bool'))[0]})"

    def joins(self) -> str:
        """The joins the compiled names asked for (after the FROM)."""
        return " ".join(j for j in self.resolver.joins.values() if j)

    def from_clause(self) -> str:
        """``FROM``-clause text: the items aliased ``it`` and every join."""
        return f"{self.table} it {self.joins()}".rstrip()

    def check_field(self, name: str, what: str = "field") -> str:
        """``name`` when the process has such a field; a :class:`UsageError` with a hint otherwise."""
        if name not in self.fields:
            hint = did_you_mean(name, self.fields)
            raise UsageError(f"process '{self.process.name}' has no {what} '{name}'" + (f" ({hint})" if hint else ""))
        return name


def all_fields(process: Process) -> list[str]:
    """Every field of an item in display order: id, pipeline, stage, title, the declared ones, then timestamps."""
    head = ["id", "pipeline", "stage", "title"]
    tail = [n for n in SYSTEM_FIELDS if n not in head and n != "stage_kind"]
    return head + list(process.fields) + tail


def sort_key(source: ItemSource, spec: str | None) -> tuple[str, str]:
    """The SQL of the sort field of ``field`` or ``-field`` (default: id) and ``ASC``/``DESC``."""
    if not spec:
        return "it.id", "ASC"
    name = source.check_field(spec.lstrip("-"))
    return source.field(name), "DESC" if spec.startswith("-") else "ASC"


def sort_sql(source: ItemSource, spec: str | None) -> str:
    """``ORDER BY`` terms for ``field`` or ``-field`` (descending), nulls last, then id."""
    key, direction = sort_key(source, spec)
    return f"{key} {direction} NULLS LAST, it.id"


def fetch_dicts(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    """Rows of a query as dicts keyed by column name."""
    cursor = con.execute(sql, params or [])
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def find_process(project: Project, name: str) -> Process:
    """The process called ``name``; a :class:`UsageError` with a hint otherwise."""
    process = project.processes.get(name)
    if process is None:
        hint = did_you_mean(name, project.processes)
        raise UsageError(f"no process '{name}'" + (f" ({hint})" if hint else "")
                         + f"; processes: {', '.join(project.processes) or 'none'}")
    return process
