"""The refused events that named an item, for ``ruledeck explain``: which refusal fired, and when.

An event names an item when a payload value is the item's key (or its id in
a ``ref`` field to its process), or, for ``task_done``, when the task is one
of the item's or its ``match`` picks the item. One statement over the
rejected-events table finds them; the raw text of a rejected event may be any
text, so it is read with ``try``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..store.names import checked
from .card import ItemCard

__all__ = ["Refusal", "refusals_of"]


@dataclass
class Refusal:
    """A rejected event that named the item, with its reason (the refusal's message)."""

    event_id: str
    type: str | None
    reason: str
    rejected_at: Any
    attempts: int


def _ref_fields(engine, process_name: str) -> list[tuple[str, str]]:
    return [(event_type.name, name) for event_type in engine.project.event_types.values()
            for name, declared in event_type.fields.items()
            if declared.type == "ref" and declared.process == process_name]


def refusals_of(engine, card: ItemCard) -> list[Refusal]:
    """The rejected events naming ``card``'s item, oldest first."""
    process = card.process
    # TRY_CAST: a rejected line need not be JSON at all (portable: PostgreSQL has no try()).
    raw = "TRY_CAST(raw AS JSON)"
    kind = f"json_extract_string({raw}, '$.type')"
    conditions, params = [], []
    key = card.values.get(process.key) if process.key else None
    if key is not None:
        conditions.append(f"list_contains(json_extract_string({raw}, '$.payload.*'), ?)")
        params.append(str(key))
    for event_type, name in _ref_fields(engine, process.name):
        conditions.append(f"({kind} = ? AND json_extract_string({raw}, '$.payload.{checked(name)}') IN (?, ?))")
        params += [event_type, str(card.id), str(key)]
    conditions.append(f"({kind} = 'task_done' AND (TRY_CAST(json_extract_string({raw}, '$.payload.task') AS BIGINT) "
                      "IN (SELECT id FROM rd_tasks WHERE item = ? AND process = ?) "
                      f"OR json_extract_string({raw}, '$.payload.task.process') = ?))")
    params += [card.id, process.name, process.name]
    rows = engine.con.execute(
        f"SELECT event_id, {kind}, reason, rejected_at, attempts, "
        f"json_extract({raw}, '$.payload.task.match') FROM rd_rejected "
        f"WHERE {' OR '.join(conditions)} ORDER BY rejected_at NULLS FIRST, event_id", params).fetchall()
    return [Refusal(event_id, kind_, reason, at, attempts)
            for event_id, kind_, reason, at, attempts, match in rows if _matches(card, match)]


def _matches(card: ItemCard, match: Any) -> bool:
    """A ``task_done`` naming its task by ``match``: every value is the item's (others always match)."""
    if match is None:
        return True
    import json

    try:
        wanted = json.loads(match) if isinstance(match, str) else match
    except ValueError:
        return False
    if not isinstance(wanted, dict):
        return False
    return all(str(card.values.get(name, card.id if name == "id" else None)) == str(value)
               for name, value in wanted.items())
