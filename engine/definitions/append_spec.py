"""The two spellings of ``append``: ``{FIELD: VALUE, …}`` and ``{field: FIELD, value: VALUE}``."""

from __future__ import annotations

from collections.abc import Container
from typing import Any, NamedTuple


class Appended(NamedTuple):
    """One field ``append`` adds to: the value, and where the value and the field's name are in the spec."""

    value: Any
    value_at: str
    field_at: str
    field_is_key: bool
    """Whether the field's name is a key of the spec (``{tags: …}``) rather than a value (``{field: tags}``)."""


def append_values(spec: Any, fields: Container[str]) -> dict[str, Appended]:
    """The fields an ``append`` spec adds to (over a process with ``fields``), in order.

    ``{field: F, value: V}`` is read as ``{F: V}`` unless the process has a field named ``field``.

    >>> append_values({"field": "tags", "value": "'x'"}, {"tags"})
    {'tags': Appended(value="'x'", value_at='value', field_at='field', field_is_key=False)}
    >>> list(append_values({"tags": "'x'", "notes": "'y'"}, {"tags", "notes"}))
    ['tags', 'notes']
    """
    if not isinstance(spec, dict):
        return {}
    if set(spec) == {"field", "value"} and "field" not in fields and isinstance(spec["field"], str):
        return {spec["field"]: Appended(spec["value"], "value", "field", False)}
    return {name: Appended(value, name, name, True) for name, value in spec.items()}
