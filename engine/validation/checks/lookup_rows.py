"""Check lookup rows against their columns' constraints: ``required``, bounds, lengths, ``pattern``, ``unique``.

A lookup table changes only with the definitions, so what a field constraint
refuses at ingest for an event or an item is refused here, at the row's cell,
before anything runs. The constraints themselves are checked as everywhere
(a bound that is no value of the type, a pattern that does not compile); a
cell whose type is wrong is left to :mod:`.directory`, which reports it.
"""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from typing import Any

from ...definitions.bounds import BOUNDED_TYPES, TEXT_TYPES, BadBound, bound_value, shown
from ...definitions.build import build_fields
from ...definitions.model import Definition, FieldDef
from ...timing import parse_date, parse_datetime
from ..report import Report
from .constraints import RE2_MISSING, check_field_constraints
from .directory import lookup_value_problem


def check_lookup_rows(report: Report) -> None:
    """Every lookup row's cells against the constraints of their columns; ``unique`` columns across the rows."""
    for lookup in report.project.lookups.values():
        fields = build_fields(lookup.spec.get("fields"), lookup.loc.at("fields"))
        rows = [row for row in lookup.spec.get("rows") or [] if isinstance(row, dict)]
        for declared in fields.values():
            # unique is checked below across the rows, not as for an event's field
            check_field_constraints(report, dataclasses.replace(declared, unique=False), report.project.timezone,
                                    None)
            _check_cells(report, lookup, declared, rows)
            if declared.unique:
                _check_unique(report, lookup, declared, rows, fields)


def _check_cells(report: Report, lookup: Definition, declared: FieldDef, rows: list[dict]) -> None:
    name, column = lookup.name, declared.name
    bounds = _bounds(declared, report.project.timezone)
    pattern = _pattern(declared)
    for i, row in enumerate(rows):
        value = row.get(column)
        loc = lookup.loc.at("rows", i)
        blank = value is None or (isinstance(value, str) and not value.strip() and declared.type in TEXT_TYPES)
        if blank:
            if declared.required:
                report.error(loc.at(column) if column in row else loc, "E-LOOKUP-VALUE",
                             f"lookup '{name}', row {i}: column '{column}' is required and has no value",
                             f"give the row a {column}, or drop 'required' from the column")
            continue
        if lookup_value_problem(declared, value):
            continue
        problem = _problem(declared, _typed(declared, value, report.project.timezone), bounds, pattern)
        if problem:
            report.error(loc.at(column), "E-LOOKUP-VALUE", f"lookup '{name}', column '{column}' {problem}",
                         "change the row's value, or the column's constraint")


def _bounds(declared: FieldDef, timezone: str) -> tuple[Any, Any]:
    if declared.type not in BOUNDED_TYPES:
        return None, None
    try:
        low, high = bound_value(declared, "min", timezone), bound_value(declared, "max", timezone)
    except BadBound:  # reported by check_field_constraints
        return None, None
    return (None, None) if low is not None and high is not None and low > high else (low, high)


def _pattern(declared: FieldDef) -> re.Pattern | None:
    if declared.pattern is None or declared.type not in TEXT_TYPES or RE2_MISSING.search(declared.pattern):
        return None
    try:
        return re.compile(declared.pattern)
    except re.error:  # reported by check_field_constraints
        return None


def _typed(declared: FieldDef, value: Any, timezone: str) -> Any:
    """A cell as the constraint compares it: decimals exact, dates and datetimes parsed."""
    if declared.type == "decimal":
        return Decimal(str(value))
    if declared.type == "date" and isinstance(value, str):
        return parse_date(value)
    if declared.type == "datetime" and isinstance(value, str):
        return parse_datetime(value, timezone)
    return value


def _problem(declared: FieldDef, value: Any, bounds: tuple[Any, Any], pattern: re.Pattern | None) -> str | None:
    """What a well-typed cell fails, worded as ingest words it for a field; None when it passes."""
    low, high = bounds
    if low is not None and value < low:
        return f"must be at least {shown(low)} (got {shown(value)})"
    if high is not None and value > high:
        return f"must be at most {shown(high)} (got {shown(value)})"
    if declared.type not in TEXT_TYPES:
        return None
    if declared.min_length is not None and len(value) < declared.min_length:
        return f"must have at least {declared.min_length} characters (got {shown(value)})"
    if declared.max_length is not None and len(value) > declared.max_length:
        return f"must have at most {declared.max_length} characters (got {len(value)})"
    if pattern is not None and pattern.fullmatch(value) is None:
        return f"must match the pattern {declared.pattern!r} (got {shown(value)})"
    return None


def _check_unique(report: Report, lookup: Definition, declared: FieldDef, rows: list[dict],
                  fields: dict[str, FieldDef]) -> None:
    column = declared.name
    scope = tuple(declared.unique) if isinstance(declared.unique, tuple) else ()
    unknown = [n for n in scope if n not in fields or n == column]
    if unknown:
        report.error(declared.loc.at("unique"), "E-FIELD-UNIQUE", f"lookup '{lookup.name}', column '{column}': "
                     f"'unique' is scoped by {', '.join(repr(n) for n in unknown)}, which is no other column",
                     f"list other columns of the lookup: {', '.join(n for n in fields if n != column)}")
        return
    seen: dict[tuple, int] = {}
    for i, row in enumerate(rows):
        if row.get(column) is None:
            continue
        values = (row[column], *(row.get(n) for n in scope))
        if values in seen:
            within = "".join(f", {n} {shown(row.get(n))}" for n in scope)
            report.error(lookup.loc.at("rows", i, column), "E-LOOKUP-DUPLICATE",
                         f"lookup '{lookup.name}', column '{column}' is unique, but {shown(row[column])}{within} "
                         f"appears in rows {seen[values]} and {i}")
        seen.setdefault(values, i)
