"""Checks of list values: a YAML list where a field is set, and the values of ``append``."""

from __future__ import annotations

from ...definitions.model import FieldDef, Loc
from ...definitions.scopes import field_type
from ...expressions import Scope
from ..report import Report
from .common import check_expression


def check_list_value(report: Report, loc: Loc, values: list, declared: FieldDef, scope: Scope) -> None:
    """A YAML list set to a field: the field is many-valued, each element an expression of its element type."""
    if not declared.many:
        report.error(loc, "E-SET-LIST", f"field '{declared.name}' holds one value, not a list",
                     "declare it with 'many: true', or give one value")
        return
    element = field_type(declared).scalar()
    for index, value in enumerate(values):
        if isinstance(value, str):
            check_expression(report, loc.at(index), value, scope, element)


def check_append_value(report: Report, loc: Loc, value: object, declared: FieldDef, scope: Scope) -> None:
    """What ``append`` adds to a many-valued field: one element, a list of its type or a YAML list."""
    if isinstance(value, list):
        check_list_value(report, loc, value, declared, scope)
        return
    if not isinstance(value, str):
        return
    found = check_expression(report, loc, value, scope)
    if found is not None:
        # checked again against the type it is meant to have: enum literals, list element kinds
        expected = field_type(declared) if found.many else field_type(declared).scalar()
        check_expression(report, loc, value, scope, expected)
