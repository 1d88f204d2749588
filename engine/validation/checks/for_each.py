"""Checks of lists of records: ``type: list`` field declarations and the ``for_each`` action."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from ...definitions.model import Action, FieldDef
from ...definitions.scopes import element_fields, field_type
from ..report import Report
from .common import resolve_member
from .constraints import check_field_constraints
from .processes import check_field

LIST_SOURCE = re.compile(r"^\s*event\.([a-z][a-z0-9_]{0,62})\s*$")
RECORD_TYPES = ("string", "text", "int", "decimal", "bool", "date", "datetime", "enum", "person", "role")
EACH_ACTIONS = ("create", "task")
RESERVED = ("event", "task", "source", "row", "actor", "ruledeck")


def check_record_lists(report: Report) -> None:
    """``type: list`` fields: in event types only, with plain record fields checked like payload fields."""
    project = report.project
    for event_type in project.event_types.values():
        check_list_fields(report, event_type.fields, f"event type '{event_type.name}'", allowed=True)
    for process in project.processes.values():
        check_list_fields(report, process.fields, f"process '{process.name}'", allowed=False)
        for task in process.tasks.values():
            if task.form is not None:
                check_list_fields(report, task.form.fields.fields, f"task '{task.name}'", allowed=False)
    for lookup in project.lookups.values():
        for name, spec in (lookup.spec.get("fields") or {}).items():
            if isinstance(spec, dict) and spec.get("type") == "list":
                report.error(lookup.loc.at("fields", name, "type"), "E-FIELD-LIST", f"field '{name}' of lookup "
                             f"'{lookup.name}' is a list of records, which only event types declare")


def check_list_fields(report: Report, fields: dict[str, FieldDef], owner: str, *, allowed: bool) -> None:
    """``type: list`` only where ``allowed`` (event types); its record's fields plain, one value each."""
    for declared in fields.values():
        if declared.type != "list":
            continue
        if not allowed:
            report.error(declared.loc.at("type"), "E-FIELD-LIST", f"field '{declared.name}' of {owner} is a list "
                         "of records, which only event types declare",
                         "use 'many: true' for a list of values, or another process linked by a ref field")
            continue
        if declared.many:
            report.error(declared.loc.at("many"), "E-FIELD-LIST", f"field '{declared.name}' is a list already; "
                         "drop 'many: true'", key=True)
        for sub in (declared.of or {}).values():
            check_field(report, sub, reserved=())
            check_field_constraints(report, sub, report.project.timezone, None)
            problem = ("a list of values" if sub.many else f"of type {sub.type}" if sub.type not in RECORD_TYPES
                       else "computed" if not sub.settable else "unique" if sub.unique
                       else "numbered" if sub.sequence else None)
            if problem is not None:
                report.error(sub.loc, "E-RECORD-FIELD", f"field '{declared.name}.{sub.name}' is {problem}; a "
                             f"record's fields hold one plain value ({', '.join(RECORD_TYPES)})", key=True)


def check_for_each(report: Report, action: Action, ctx, check_actions: Callable) -> None:
    """``for_each: {in: event.FIELD, as: NAME, then}``: a list field of the event (of records, or many-valued);
    nested create and task."""
    spec, loc = action.spec if isinstance(action.spec, dict) else {}, action.loc.at("for_each")
    rule = ctx.rule
    event_type = report.project.event_types.get(rule.trigger.value) if rule.trigger.kind == "event" else None
    found = LIST_SOURCE.match(str(spec.get("in", "")))
    declared = None
    if rule.trigger.kind != "event":
        report.error(loc.at("in"), "E-FOR-EACH-SOURCE", f"'for_each' reads a list of the triggering event, but "
                     f"rule '{rule.name}' is not started by an event", "give the rule 'when: {event: TYPE}'")
    elif found is None:
        report.error(loc.at("in"), "E-FOR-EACH-SOURCE", f"'for_each' takes a list field of the event, not "
                     f"{spec.get('in')!r}", "write e.g. 'in: event.steps'")
    elif event_type is not None and resolve_member(report, loc.at("in"), "E-REF-FIELD",
                                                   f"event type '{event_type.name}'", "field", found.group(1),
                                                   event_type.fields):
        declared = event_type.fields[found.group(1)]
        if declared.type != "list" and not declared.many:
            report.error(loc.at("in"), "E-FOR-EACH-SOURCE", f"field '{declared.name}' of event type "
                         f"'{event_type.name}' is {field_type(declared)}, not a list",
                         "declare it with 'type: list' and its record's fields under 'of', or 'many: true'")
            declared = None
    name = spec.get("as")
    if isinstance(name, str) and (name in RESERVED or name in ctx.namespaces):
        report.error(loc.at("as"), "E-NAME-RESERVED", f"'{name}' is already a name expressions read here",
                     "pick another name, e.g. 'step'")
    for child in action.children:
        if child.kind not in EACH_ACTIONS:
            report.error(child.loc, "E-FOR-EACH-ACTION", f"'for_each' runs {' and '.join(EACH_ACTIONS)} actions, "
                         f"one per element, not '{child.kind}'",
                         f"put the '{child.kind}' before or after the for_each: it acts on the rule's items once",
                         key=True)
    if isinstance(name, str) and declared is not None:  # else the element's names are unknown: nothing to check
        inner = replace(ctx, namespaces={**ctx.namespaces, name: element_fields(declared)})
        check_actions(report, [c for c in action.children if c.kind in EACH_ACTIONS], inner)

