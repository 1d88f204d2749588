"""Check what refuses input: field constraints, stages' and event types' ``require:`` lists.

Everything that can be found before running is an error here, at its place:
a bound that is not a value of the field's type, a pattern that does not
compile (or uses what DuckDB's RE2 lacks), ``unique`` on a computed field or
scoped by a field that does not exist, a requirement reading an unknown field.
"""

from __future__ import annotations

import re

from ...definitions.bounds import BOUNDED_TYPES, TEXT_TYPES, BadBound, bound_value
from ...definitions.model import EventType, FieldDef, Process, Requirement
from ...definitions.scopes import event_fields, item_fields
from ...expressions import Scope, Type
from ..report import Report
from .common import check_expression, resolve_member
from .presentation import OUTPUT_NAMESPACES, check_template_text

RE2_MISSING = re.compile(r"\(\?<?[=!]|\(\?P=|\\[1-9]")
"""Look-arounds and back-references: Python's ``re`` has them, DuckDB's RE2 does not."""


def check_constraints(report: Report) -> None:
    """Field constraints of processes and event types; stage and event-type requirements."""
    project = report.project
    for process in project.processes.values():
        for declared in process.fields.values():
            check_field_constraints(report, declared, project.timezone, process)
        scope = Scope(item_fields(process))
        names = [*item_fields(process), "now"]
        for pipeline in process.pipelines.values():
            for stage in pipeline.stages.values():
                for requirement in stage.require:
                    _check_requirement(report, requirement, scope, names, process)
    for event_type in project.event_types.values():
        for declared in event_type.fields.values():
            check_field_constraints(report, declared, project.timezone, None)
        _check_event_requirements(report, event_type)


def check_field_constraints(report: Report, declared: FieldDef, timezone: str, process: Process | None) -> None:
    """Bounds, lengths, pattern and ``unique`` of one field (``process`` None: an event type's field)."""
    loc = declared.loc
    derived = not declared.settable
    for which in ("unique", "min", "max", "min_length", "max_length", "pattern"):
        if derived and getattr(declared, which) not in (None, False):
            report.error(loc.at(which), "E-FIELD-CONSTRAINT", f"'{which}' cannot constrain computed field "
                         f"'{declared.name}': its value is worked out, never set",
                         "constrain the fields it is computed from, or require it on a stage")
            return
    bounds = {}
    for which in ("min", "max"):
        if getattr(declared, which) is None or declared.type not in BOUNDED_TYPES:
            continue
        try:
            bounds[which] = bound_value(declared, which, timezone)
        except BadBound as exc:
            report.error(loc.at(which), "E-FIELD-BOUND", str(exc))
    if len(bounds) == 2 and bounds["min"] > bounds["max"]:
        report.error(loc.at("max"), "E-FIELD-BOUND", f"max {declared.max} is below min {declared.min}")
    if declared.min_length is not None and declared.max_length is not None \
            and declared.min_length > declared.max_length:
        report.error(loc.at("max_length"), "E-FIELD-LENGTH",
                     f"max_length {declared.max_length} is below min_length {declared.min_length}")
    if declared.pattern is not None and declared.type in TEXT_TYPES:
        _check_pattern(report, declared)
    if declared.unique:
        _check_unique(report, declared, process)


def _check_pattern(report: Report, declared: FieldDef) -> None:
    loc = declared.loc.at("pattern")
    try:
        re.compile(declared.pattern)
    except re.error as exc:
        report.error(loc, "E-FIELD-PATTERN", f"pattern {declared.pattern!r} is not a regular expression: {exc}",
                     "escape special characters with a backslash, e.g. \\. for a dot")
        return
    if RE2_MISSING.search(declared.pattern):
        report.error(loc, "E-FIELD-PATTERN", f"pattern {declared.pattern!r} uses a look-around or a "
                     "back-reference, which the database's regular expressions (RE2) do not have",
                     "rewrite it without (?=, (?!, (?<=, (?<! or \\1")


def _check_unique(report: Report, declared: FieldDef, process: Process | None) -> None:
    loc = declared.loc.at("unique")
    if process is None:
        report.error(loc, "E-FIELD-UNIQUE", f"'unique' is for process fields; event field '{declared.name}' "
                     "is not stored with others to compare", "declare it on the process field the event sets")
        return
    if declared.many:
        report.error(loc, "E-FIELD-UNIQUE", f"'unique' needs a single-valued field; '{declared.name}' is many: true")
        return
    scope = declared.unique if isinstance(declared.unique, tuple) else ()
    stored = [n for n, f in process.fields.items() if f.settable and n != declared.name]
    for index, name in enumerate(scope):
        if name == declared.name:
            report.error(loc.at(index), "E-FIELD-UNIQUE", f"'{name}' cannot scope its own uniqueness",
                         "list the fields it is unique within, e.g. unique: [client]")
        elif resolve_member(report, loc.at(index), "E-REF-FIELD", f"process '{process.name}'", "field", name,
                            stored) and process.fields[name].many:
            report.error(loc.at(index), "E-FIELD-UNIQUE", f"'{name}' is many: true and cannot scope 'unique'")


def _check_requirement(report: Report, requirement: Requirement, scope: Scope, names: list[str],
                       process: Process) -> None:
    if requirement.field is not None:
        resolve_member(report, requirement.loc, "E-REF-FIELD", f"process '{process.name}'", "field",
                       requirement.field, process.fields)
        return
    check_expression(report, requirement.loc.at("that"), requirement.that, scope, Type("bool"),
                     "in a stage's require")
    check_template_text(report, requirement.loc.at("message"), requirement.message, names,
                        namespaces=OUTPUT_NAMESPACES)


def _check_event_requirements(report: Report, event_type: EventType) -> None:
    scope = Scope({}, {"event": event_fields(event_type)}, allow_now=False)
    for requirement in event_type.require:
        check_expression(report, requirement.loc.at("that"), requirement.that, scope, Type("bool"),
                         "an event type's require reads the payload as event.FIELD")
        check_template_text(report, requirement.loc.at("message"), requirement.message, ["event"])
