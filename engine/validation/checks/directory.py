"""Check roles, people and lookup tables."""

from __future__ import annotations

import datetime as dt

from ...definitions.build import build_fields
from ...definitions.model import FieldDef
from ...definitions.scopes import field_type
from ...suggest import did_you_mean
from ..report import Report
from .common import resolve, resolve_member
from .processes import check_field

PYTHON_TYPES = {"int": int, "decimal": (int, float), "bool": bool, "ref": int}
TEXT_TYPES = ("string", "text", "enum", "person", "role", "assignee")


def lookup_value_problem(declared: FieldDef, value: object) -> str | None:
    """What is wrong with a lookup row's value for its column, or None.

    >>> lookup_value_problem(FieldDef("size", "enum", None, values=("s", "m")), "xl")
    "'xl' is not one of its values (s, m)"
    """
    kind = declared.type
    if isinstance(value, list | dict):
        return f"{value!r} is not a single value (a lookup column holds one value per row)"
    if kind in PYTHON_TYPES:
        if isinstance(value, bool) != (kind == "bool") or not isinstance(value, PYTHON_TYPES[kind]):
            return f"{value!r} is not a{'n' if kind == 'int' else ''} {kind}"
        return None
    if kind in TEXT_TYPES and not isinstance(value, str):
        return f"{value!r} is not text"
    if kind == "enum" and value not in declared.values:
        return f"{value!r} is not one of its values ({', '.join(declared.values)})"
    if kind in ("date", "datetime"):
        return _time_problem(kind, value)
    return None


def _time_problem(kind: str, value: object) -> str | None:
    if kind == "date" and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return None
    if kind == "datetime" and isinstance(value, dt.datetime):
        return None
    try:
        parsed = (dt.date if kind == "date" else dt.datetime).fromisoformat(str(value))
    except ValueError:
        parsed = None
    if parsed is None or not isinstance(value, str):
        return f"{value!r} is not a {kind}"
    return None


def _hint(declared: FieldDef, value: object) -> str:
    if declared.type == "enum" and isinstance(value, str):
        return did_you_mean(value, list(declared.values)) or f"write one of: {', '.join(declared.values)}"
    return {"date": "write it like 2026-01-31", "datetime": "write it like 2026-01-31T09:00:00+03:00"}.get(
        declared.type, f"write a {declared.type} value")


def check_directory(report: Report) -> None:
    """People's roles exist; lookup rows fit their declared columns and keys are unique."""
    project = report.project
    for person in project.people.values():
        for i, role in enumerate(person.spec.get("roles") or []):
            resolve(report, person.loc.at("roles", i), "roles", role)
    for lookup in project.lookups.values():
        fields = build_fields(lookup.spec.get("fields"), lookup.loc.at("fields"))
        for declared in fields.values():
            check_field(report, declared, reserved=())
        key = lookup.spec.get("key")
        if key is not None:
            resolve_member(report, lookup.loc.at("key"), "E-REF-FIELD", f"lookup '{lookup.name}'", "column", key,
                           fields)
        seen: dict[object, int] = {}
        for i, row in enumerate(lookup.spec.get("rows") or []):
            rloc = lookup.loc.at("rows", i)
            for column, value in row.items():
                if not resolve_member(report, rloc.at(column), "E-REF-FIELD", f"lookup '{lookup.name}'",
                                      "column", column, fields):
                    continue
                kind = field_type(fields[column]).kind
                problem = None if value is None else lookup_value_problem(fields[column], value)
                if problem:
                    report.error(rloc.at(column), "E-LOOKUP-VALUE", f"lookup '{lookup.name}', column "
                                 f"'{column}': {problem}", _hint(fields[column], value))
                elif kind == "person" and value is not None:
                    resolve(report, rloc.at(column), "people", value)
                elif kind == "role" and value is not None:
                    resolve(report, rloc.at(column), "roles", value)
                elif kind == "assignee" and value is not None:
                    role = value.removeprefix("role:")
                    resolve(report, rloc.at(column), "roles" if role != value else "people", role)
            if key in row:
                if row[key] in seen:
                    report.error(rloc.at(key), "E-LOOKUP-DUPLICATE",
                                 f"key {row[key]!r} appears twice in lookup '{lookup.name}' "
                                 f"(rows {seen[row[key]]} and {i})")
                seen.setdefault(row[key], i)
