"""The one way a command names an item or a task: an id, or ``PROCESS:KEY`` (the process's key field).

``show``, ``explain``, ``move``, ``task done``, ``outbox --item`` and
``documents --item`` all resolve what the user typed here, so they accept
the same forms and refuse the same mistakes with the same words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..definitions.model import Process, Project
from ..errors import UsageError
from ..store.names import items_table, quote
from .source import fetch_dicts, find_process

_TASK_ID = re.compile(r"#?(\d+)")


@dataclass(frozen=True)
class ItemRef:
    """An item that exists: its process, id and (when the process has a key field) key."""

    process: Process
    id: int
    key: str | None = None

    @property
    def name(self) -> str:
        """How the user can name it again: ``PROCESS:KEY`` when it has a key, else its id."""
        return f"{self.process.name}:{self.key}" if self.key is not None else str(self.id)

    @property
    def label(self) -> str:
        """``7`` or ``7 (complaint:CLM-1)``, for messages."""
        return f"{self.id} ({self.name})" if self.key is not None else str(self.id)


def _key_sql(process: Process) -> str:
    return f"CAST({quote(process.key)} AS VARCHAR)" if process.key else "NULL::VARCHAR"


def find_item(project: Project, con, text: str) -> ItemRef:
    """The item named ``ID`` or ``PROCESS:KEY``; a :class:`UsageError` saying what is wrong otherwise."""
    text = str(text).strip()
    if ":" in text:
        name, key = text.split(":", 1)
        process = find_process(project, name)
        if not process.key:
            raise UsageError(f"process '{process.name}' has no key field; name the item by its id")
        row = con.execute(f"SELECT min(id) FROM {quote(items_table(process.name))} "
                          f"WHERE CAST({quote(process.key)} AS VARCHAR) = ?", [key]).fetchone()
        if row[0] is None:
            raise UsageError(f"no '{process.name}' item with {process.key} = {key!r}")
        return ItemRef(process, row[0], key)
    try:
        item = int(text)
    except ValueError:
        raise UsageError(f"'{text}' is not an item: give its id (e.g. 42) or PROCESS:KEY") from None
    parts = [f"SELECT ? AS process, {_key_sql(p)} AS key FROM {quote(items_table(p.name))} WHERE id = ?"
             for p in project.processes.values()]
    params = [value for name in project.processes for value in (name, item)]
    row = con.execute(" UNION ALL ".join(parts), params).fetchone() if parts else None
    if not row:
        raise UsageError(f"there is no item {item}")
    return ItemRef(project.processes[row[0]], item, row[1])


def resolve_item(engine, text: str) -> ItemRef:
    """The item ``text`` names in the engine's database (an id or ``PROCESS:KEY``).

    A wrong name is a :class:`UsageError`: ``'x' is not an item…``,
    ``there is no item 999``, ``no 'deal' item with number = 'D-9'``.
    """
    return find_item(engine.project, engine.con, text)


def resolve_task(engine, text: str, name: str | None = None) -> int:
    """The id of the task ``text`` names.

    ``12`` or ``#12`` is a task id. An item (``PROCESS:KEY``, or an id when
    ``name`` is given) names its open task called ``name``, or its only open
    task; several candidates are a :class:`UsageError` listing them.
    """
    text = str(text).strip()
    plain = _TASK_ID.fullmatch(text)
    if plain and name is None:
        return int(plain.group(1))
    if plain and text.startswith("#"):
        raise UsageError(f"{text} is a task id; --name picks a task of an item (PROCESS:KEY or its id)")
    item = resolve_item(engine, text)
    rows = fetch_dicts(engine.con, "SELECT id, name FROM rd_tasks WHERE process = ? AND item = ? AND status = 'open' "
                                   "ORDER BY id", [item.process.name, item.id])
    chosen = [r for r in rows if name is None or r["name"] == name]
    listed = ", ".join(f"#{r['id']} {r['name']}" for r in rows)
    if not chosen:
        what = f"no open '{name}' task" if name else "no open task"
        raise UsageError(f"item {item.label} has {what}" + (f" (open: {listed})" if rows else ""))
    if len(chosen) > 1:
        how = "give the task id" if name else "pass --name NAME or give the task id"
        raise UsageError(f"item {item.label} has {len(chosen)} open tasks ({listed}): {how}")
    return chosen[0]["id"]
