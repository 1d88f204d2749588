"""Check roles, people and lookup tables."""

from __future__ import annotations

from ...definitions.build import build_fields
from ...definitions.scopes import field_type
from ..report import Report
from .common import resolve, resolve_member
from .processes import check_field

PYTHON_TYPES = {"int": int, "decimal": (int, float), "bool": bool}


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
                if kind == "person" and value is not None:
                    resolve(report, rloc.at(column), "people", value)
                elif kind == "role" and value is not None:
                    resolve(report, rloc.at(column), "roles", value)
                elif kind in PYTHON_TYPES and not isinstance(value, PYTHON_TYPES[kind]):
                    report.error(rloc.at(column), "E-LOOKUP-VALUE", f"{value!r} is not a {kind}")
            if key in row:
                if row[key] in seen:
                    report.error(rloc.at(key), "E-LOOKUP-DUPLICATE",
                                 f"key {row[key]!r} appears twice in lookup '{lookup.name}' "
                                 f"(rows {seen[row[key]]} and {i})")
                seen.setdefault(row[key], i)
