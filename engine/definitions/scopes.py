"""The names an expression may use in each place of a definition, with their types."""

from __future__ import annotations

from ..expressions import Type
from .model import SYSTEM_FIELDS, EventType, FieldDef, Process

EVENT_SYSTEM_FIELDS = {"id": Type("string"), "type": Type("string"), "time": Type("datetime")}
TASK_FIELDS = {
    "id": Type("int"),
    "name": Type("string"),
    "outcome": Type("string"),
    "comment": Type("text"),
    "assignee": Type("string"),
}
ROW_FIELDS = {
    "offset": Type("interval"),
    "label": Type("string"),
    "questions": Type("string", many=True),
    "index": Type("int"),
}


def field_type(field: FieldDef) -> Type:
    """The expression type of a declared field."""
    return Type(field.type, many=field.many, values=field.values, process=field.process)


def item_fields(process: Process) -> dict[str, Type]:
    """Every name usable for an item of ``process``: system fields, then its own."""
    names = {name: Type(kind) for name, kind in SYSTEM_FIELDS.items()}
    stages = tuple(sorted(process.stage_names()))
    names["stage"] = Type("enum", values=stages)
    names["held_from"] = Type("enum", values=stages)
    names["pipeline"] = Type("enum", values=tuple(process.pipelines))
    names["stage_kind"] = Type("enum", values=("open", "success", "failure", "on_hold"))
    names["id"] = Type("ref", process=process.name)
    names.update({name: field_type(f) for name, f in process.fields.items()})
    return names


def event_fields(event_type: EventType | None) -> dict[str, Type]:
    """The ``event.`` namespace of an event type."""
    names = dict(EVENT_SYSTEM_FIELDS)
    if event_type is not None:
        names.update({name: field_type(f) for name, f in event_type.fields.items()})
    return names
