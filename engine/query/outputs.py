"""What the rules produced for the outside world: outbox messages (``ruledeck outbox``) and
documents (``ruledeck documents``), filtered by item, rule or template, recipient and time.

Each list is one query: the item's key comes from one join over the keyed
processes' tables, never a query per row.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..store.names import items_table, quote
from .item_ref import resolve_item
from .source import fetch_dicts

OUTBOX_COLUMNS = ("id", "at", "process", "item", "key", "to", "text", "rule", "sent")
"""The fields of one outbox message, in the order ``outbox`` shows them."""
DOCUMENT_COLUMNS = ("id", "at", "process", "item", "key", "template", "file", "rule")
"""The fields of one document, in the order ``documents`` shows them."""


def _keys(engine) -> tuple[str, list[Any]]:
    """A subquery of (process, id, key) over every process with a key field, and its parameters."""
    keyed = [p for p in engine.project.processes.values() if p.key]
    if not keyed:
        return "SELECT NULL::VARCHAR AS process, NULL::BIGINT AS id, NULL::VARCHAR AS key WHERE FALSE", []
    parts = [f"SELECT ? AS process, id, CAST({quote(p.key)} AS VARCHAR) AS key FROM {quote(items_table(p.name))}"
             for p in keyed]
    return " UNION ALL ".join(parts), [p.name for p in keyed]


def _where(engine, alias: str, item: str | None, since: dt.datetime | None,
           equal: dict[str, str | None]) -> tuple[str, list[Any]]:
    """``WHERE`` conditions (as parameters) for the filters that were given."""
    conditions, params = [], []
    if item is not None:
        ref = resolve_item(engine, item)
        conditions.append(f"{alias}.process = ? AND {alias}.item = ?")
        params += [ref.process.name, ref.id]
    if since is not None:
        conditions.append(f"{alias}.created_at >= ?")
        params.append(since)
    for column, value in equal.items():
        if value is not None:
            conditions.append(f"{alias}.{quote(column)} = ?")
            params.append(value)
    return " AND ".join(conditions) or "TRUE", params


def _listed(engine, select: str, table: str, where: tuple[str, list[Any]], limit: int | None) -> list[dict]:
    keys, key_params = _keys(engine)
    condition, params = where
    tail = " LIMIT ?" if limit else ""
    sql = (f"SELECT {select} FROM {table} o LEFT JOIN ({keys}) k ON k.process = o.process AND k.id = o.item "
           f"WHERE {condition} ORDER BY o.id{tail}")
    return fetch_dicts(engine.con, sql, [*key_params, *params, *([limit] if limit else [])])


def outbox_list(engine, *, item: str | None = None, rule: str | None = None, to: str | None = None,
                since: dt.datetime | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Outbox messages, oldest first, as rows with :data:`OUTBOX_COLUMNS`.

    ``item`` is an id or ``PROCESS:KEY``; ``to`` a recipient exactly as
    stored (a person, ``role:NAME`` or a field's value); ``since`` keeps
    messages created at or after it. ruledeck queues messages and does not
    deliver them, so ``sent`` is false until a delivery step exists.
    """
    select = ('o.id, o.created_at AS "at", o.process, o.item, k.key, o.recipient AS "to", o.text, o.rule, '
              'FALSE AS sent')
    where = _where(engine, "o", item, since, {"rule": rule, "recipient": to})
    return _listed(engine, select, "rd_outbox", where, limit)


def document_list(engine, *, item: str | None = None, template: str | None = None, rule: str | None = None,
                  since: dt.datetime | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Generated documents, oldest first, as rows with :data:`DOCUMENT_COLUMNS`.

    ``file`` is where the document is written: the project's documents
    folder (:meth:`Engine.documents_dir`) and the rendered file name.
    """
    select = 'o.id, o.created_at AS "at", o.process, o.item, k.key, o.template, o.filename, o.rule'
    where = _where(engine, "o", item, since, {"template": template, "rule": rule})
    rows = _listed(engine, select, "rd_documents", where, limit)
    folder = Path(engine.documents_dir())
    for row in rows:
        row["file"] = str(folder / row.pop("filename"))
    return [{column: row[column] for column in DOCUMENT_COLUMNS} for row in rows]
