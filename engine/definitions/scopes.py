"""The names an expression may use in each place of a definition, with their types."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from ..expressions import Type
from .model import SYSTEM_FIELDS, EventType, FieldDef, Process, TaskKind

EVENT_SYSTEM_FIELDS = {"id": Type("string"), "type": Type("string"), "time": Type("datetime")}
TASK_FIELDS = {
    "id": Type("int"),
    "name": Type("string"),
    "outcome": Type("string"),
    "comment": Type("text"),
    "assignee": Type("string"),
}


def task_fields(kind: TaskKind | None) -> dict[str, Type]:
    """The ``task.`` namespace of a task trigger: the task's own columns, then its kind's form fields."""
    names = dict(TASK_FIELDS)
    if kind is not None and kind.form is not None:
        names.update({name: field_type(f) for name, f in kind.form.fields.fields.items() if name not in names})
    return names


TASK_ROW_FIELDS = {
    "id": Type("int"),
    "name": Type("string"),
    "title": Type("string"),
    "assignee": Type("string"),
    "due_at": Type("datetime"),
    "status": Type("string"),
    "created_at": Type("datetime"),
}
"""What later actions read of a task made by ``task: {name: …, as: NAME}`` (``NAME.id``, ``NAME.due_at``)."""

ROW_FIELDS = {
    "offset": Type("interval"),
    "label": Type("string"),
    "questions": Type("string", many=True),
    "index": Type("int"),
}


_STAGE_KINDS = ("open", "success", "failure", "on_hold")


@lru_cache(maxsize=4096)
def _type(kind: str, many: bool, values: tuple[str, ...], process: str | None) -> Type:
    """Types are immutable: one instance per distinct type is shared by every scope."""
    return Type(kind, many=many, values=values, process=process)


def field_type(field: FieldDef) -> Type:
    """The expression type of a declared field (a list of records: a list of values read only by ``for_each``)."""
    if field.type == "list":
        return _type("any", True, (), None)
    return _type(field.type, field.many, tuple(field.values), field.process)


_MEMO: ContextVar[dict[int, tuple[Process, dict[str, Type]]] | None] = ContextVar("item_fields_memo", default=None)


@contextmanager
def processes_fixed() -> Iterator[None]:
    """Inside the block no process changes, so :func:`item_fields` works each one out once (validation)."""
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def item_fields(process: Process) -> dict[str, Type]:
    """Every name usable for an item of ``process``: system fields, then its own (a new dict each call)."""
    memo = _MEMO.get()
    if memo is None:
        return _item_fields(process)
    entry = memo.get(id(process))
    if entry is None or entry[0] is not process:
        entry = memo[id(process)] = (process, _item_fields(process))
    return dict(entry[1])


def _item_fields(process: Process) -> dict[str, Type]:
    names = {name: _type(kind, False, (), None) for name, kind in SYSTEM_FIELDS.items()}
    stages = _type("enum", False, tuple(sorted(process.stage_names())), None)
    names["stage"] = stages
    names["held_from"] = stages
    names["pipeline"] = _type("enum", False, tuple(process.pipelines), None)
    names["stage_kind"] = _type("enum", False, _STAGE_KINDS, None)
    names["id"] = _type("ref", False, (), process.name)
    names.update({name: field_type(f) for name, f in process.fields.items()})
    return names


class ProcessTypes(dict):
    """Process name -> its item fields' types; built once per project, so caches may note a ``digest`` on it."""


def process_types(project) -> dict[str, dict[str, Type]]:
    """Every process's item fields, by process name: what a ref field's ``.`` reaches (``device.client.name``).

    Worked out once per project (kept with its compiled SQL, which a changed project starts afresh).
    """
    found = project.compiled_sql.get(("process_types",))
    if found is None:
        found = ProcessTypes({name: item_fields(process) for name, process in project.processes.items()})
        project.compiled_sql[("process_types",)] = found
    return found


ACTOR_FIELDS = {"actor": Type("person"), "actor_roles": Type("role", many=True)}
"""Who acts (``--as``, an event's ``actor``) and the roles they hold, readable in rules; null / empty for nobody."""


def rule_fields(process: Process | None) -> dict[str, Type]:
    """The bare names a rule's expressions read: ``actor`` and ``actor_roles``, then the item's fields (which win)."""
    names = dict(ACTOR_FIELDS)
    if process is not None:
        names.update(item_fields(process))
    return names


def element_fields(declared: FieldDef) -> dict[str, Type]:
    """What ``for_each … as: NAME`` reads of an element of ``declared``: ``NAME.index`` (from 0) and a record's
    fields (which win), or ``NAME.value`` for a list of plain values."""
    if declared.type == "list":
        return {"index": Type("int"), **{n: field_type(f) for n, f in (declared.of or {}).items()}}
    return {"index": Type("int"), "value": field_type(declared).scalar()}


def event_fields(event_type: EventType | None) -> dict[str, Type]:
    """The ``event.`` namespace of an event type."""
    names = dict(EVENT_SYSTEM_FIELDS)
    if event_type is not None:
        names.update({name: field_type(f) for name, f in event_type.fields.items()})
    return names


def lookup_types(project) -> dict[str, tuple[str, dict[str, Type]]]:
    """What ``lookup()`` may read: each lookup's key field and its columns' types (declared lookups only)."""
    found = {}
    for name, lookup in project.lookups.items():
        fields = lookup.spec.get("fields") or {}
        key = lookup.spec.get("key")
        if key not in fields:
            continue
        found[name] = (key, {column: _type(str((spec or {}).get("type", "string")), bool((spec or {}).get("many")),
                                           tuple(str(v) for v in (spec or {}).get("values") or ()),
                                           (spec or {}).get("process"))
                             for column, spec in fields.items()})
    return found
