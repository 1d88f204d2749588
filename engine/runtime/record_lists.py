"""Lists of records in event payloads (``type: list, of: {FIELD: declaration, …}``).

Each element is a JSON object whose fields are checked and converted like
payload fields; a refusal names the element by its index from 0 and the
field, as validation paths do: ``field 'steps[1].deadline' must be a date like
2026-01-31 (got "soon")``.

>>> from pathlib import Path
>>> from ruledeck.engine.definitions.model import FieldDef, Project
>>> of = {"title": FieldDef("title", "string", None, required=True), "due": FieldDef("due", "date", None)}
>>> steps = FieldDef("steps", "list", None, of=of)
>>> convert_records([{"title": "Plan", "due": "2026-01-31"}], steps, Project(Path("."), "demo", "UTC"))
[{'title': 'Plan', 'due': datetime.date(2026, 1, 31)}]
>>> convert_records([{"title": "Plan"}, {"due": "2026-01-31"}], steps, Project(Path("."), "demo", "UTC"))
Traceback (most recent call last):
...
ruledeck.engine.runtime.events.EventRejected: required field 'steps[1].title' is missing
"""

from __future__ import annotations

import json
from typing import Any

from ..definitions.model import FieldDef, Project

__all__ = ["convert_records", "element_name"]


def element_name(declared: FieldDef, index: int, field: str | None = None) -> str:
    """How a refusal names an element (``steps[1]``) or one of its fields (``steps[1].title``)."""
    return f"{declared.name}[{index}]" + (f".{field}" if field else "")


def convert_records(value: Any, declared: FieldDef, project: Project, text_input: bool = False) -> list[dict]:
    """A JSON list of objects as a list of converted records; :class:`~.events.EventRejected` naming the element."""
    from .events import EventRejected, convert_fields

    if not isinstance(value, list):
        raise EventRejected(f"field '{declared.name}' must be a list of objects (got "
                            f"{json.dumps(value, default=str)[:60]})")
    if declared.required and not value:
        raise EventRejected(f"field '{declared.name}' is required and cannot be empty")
    fields = declared.of or {}
    records = []
    for index, element in enumerate(value):
        if not isinstance(element, dict):
            raise EventRejected(f"field '{element_name(declared, index)}' must be an object with "
                                f"{', '.join(fields)} (got {json.dumps(element, default=str)[:60]})")
        records.append(convert_fields(element, fields, element_name(declared, index), project, text_input,
                                      lambda name, at=index: element_name(declared, at, name)))
    return records
