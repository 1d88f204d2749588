"""Check processes: field declarations, computed and rollup fields, pipelines, task kinds."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ...definitions.model import SYSTEM_FIELDS, FieldDef, Loc, Process
from ...definitions.scopes import field_type, item_fields, lookup_types, process_types, rule_fields
from ...expressions import Scope, Type
from ..report import Report
from .common import check_expression, resolve, resolve_member
from .task_due import check_due

SEQUENCE_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
SEQUENCE_PARTS = re.compile(r"^(n(:0?\d{1,2})?|year)$")
NUMERIC = ("int", "decimal")
DEFAULT_TYPES = {
    "string": str, "text": str, "enum": str, "person": str, "role": str, "assignee": str,
    "int": int, "decimal": (int, float), "bool": bool, "date": str, "datetime": str,
}


def check_processes(report: Report) -> None:
    """Every process's fields, pipelines and task kinds are sound."""
    for process in report.project.processes.values():
        for field in process.fields.values():
            check_field(report, field)
            if field.compute is not None:
                scope = Scope({k: v for k, v in item_fields(process).items() if k != field.name},
                              lookups=lookup_types(report.project), processes=process_types(report.project))
                check_expression(report, field.loc.at("compute"), field.compute, scope, field_type(field))
            if field.rollup is not None:
                _check_rollup(report, process, field)
        _check_initial(report, process)
        if process.key is not None and resolve_member(report, process.loc.at("key"), "E-REF-FIELD",
                                                      f"process '{process.name}'", "field", process.key,
                                                      process.fields):
            if process.fields[process.key].type not in ("string", "int") or process.fields[process.key].many:
                report.error(process.loc.at("key"), "E-KEY-TYPE", f"key field '{process.key}' must be a single "
                             "string or int field")
        for task in process.tasks.values():
            if task.assignee:
                check_assignee(report, task.loc.at("assignee"), task.assignee, process)
            if task.due is not None:
                check_due(report, task.loc.at("due"), task.due,
                          Scope(item_fields(process), processes=process_types(report.project)))
            if task.completed_by is not None:
                check_completed_by(report, task.loc.at("completed_by"), task.completed_by, process)


def check_field(report: Report, field: FieldDef, reserved: Iterable[str] = tuple(SYSTEM_FIELDS)) -> None:
    """A field declaration: reserved names, targets, defaults, sequences."""
    if field.name in reserved:
        report.error(field.loc, "E-FIELD-RESERVED", f"'{field.name}' is a system field of every item",
                     f"rename the field; system fields are {', '.join(SYSTEM_FIELDS)}", key=True)
    if field.type == "ref" and field.process is not None:
        resolve(report, field.loc.at("process"), "processes", field.process)
    if field.default is not None:
        _check_default(report, field)
    if field.sequence is not None:
        if field.type != "string":
            report.error(field.loc.at("sequence"), "E-FIELD-SEQUENCE",
                         f"an auto-number sequence needs a string field, '{field.name}' is {field.type}")
        parts = SEQUENCE_PLACEHOLDER.findall(field.sequence)
        bad = [p for p in parts if not SEQUENCE_PARTS.match(p)]
        if bad or not any(p.startswith("n") for p in parts):
            report.error(field.loc.at("sequence"), "E-FIELD-SEQUENCE",
                         f"sequence '{field.sequence}' needs a counter {{n}} and only {{n}}, {{n:05}}, {{year}}",
                         "write e.g. CLM-{year}-{n:05}")


def _check_default(report: Report, field: FieldDef) -> None:
    expected = DEFAULT_TYPES.get(field.type)
    values = field.default if field.many and isinstance(field.default, list) else [field.default]
    for value in values:
        wrong_type = expected is not None and (not isinstance(value, expected) or
                                               (isinstance(value, bool) and field.type != "bool"))
        if wrong_type:
            report.error(field.loc.at("default"), "E-FIELD-DEFAULT",
                         f"default {value!r} is not a {field.type}")
        elif field.type == "enum" and value not in field.values:
            resolve_member(report, field.loc.at("default"), "E-FIELD-DEFAULT", f"field '{field.name}'",
                           "value", value, field.values)
        elif field.type in ("person", "role", "assignee"):
            role = value.removeprefix("role:") if field.type == "assignee" else value
            is_role = field.type == "role" or role != value
            resolve(report, field.loc.at("default"), "roles" if is_role else "people", role)


def _check_rollup(report: Report, process: Process, field: FieldDef) -> None:
    spec, loc = field.rollup or {}, field.loc.at("rollup")
    child_name = spec.get("process")
    if not resolve(report, loc.at("process"), "processes", child_name):
        return
    child = report.project.processes.get(child_name)
    if child is None:
        return
    link = spec.get("link")
    if resolve_member(report, loc.at("link"), "E-REF-FIELD", f"process '{child_name}'", "field", link,
                      child.fields):
        target = child.fields[link]
        unknown_target = target.type == "ref" and not report.project.known("processes", target.process)
        if not unknown_target and (target.type != "ref" or target.process != process.name):
            report.error(loc.at("link"), "E-ROLLUP-LINK",
                         f"'{child_name}.{link}' must be a ref to process '{process.name}' to roll up over it")
    child_scope = Scope(item_fields(child), processes=process_types(report.project))
    for agg in ("sum", "min", "max", "avg"):
        if agg in spec:
            name = spec[agg]
            if resolve_member(report, loc.at(agg), "E-REF-FIELD", f"process '{child_name}'", "field", name,
                              item_fields(child)):
                kind = item_fields(child)[name].kind
                if agg in ("sum", "avg") and kind not in NUMERIC:
                    report.error(loc.at(agg), "E-ROLLUP-TYPE", f"cannot {agg} '{name}': it is {kind}, not a number")
    for agg in ("all", "any"):
        if agg in spec:
            check_expression(report, loc.at(agg), spec[agg], child_scope, Type("bool"))
    if "where" in spec:
        check_expression(report, loc.at("where"), spec["where"], child_scope, Type("bool"))


def _check_initial(report: Report, process: Process) -> None:
    loc = process.loc.at("initial")
    if process.initial_pipeline not in process.pipelines:
        resolve_member(report, loc.at("pipeline"), "E-REF-PIPELINE", f"process '{process.name}'", "pipeline",
                       process.initial_pipeline, process.pipelines)
        return
    stages = process.pipelines[process.initial_pipeline].stages
    resolve_member(report, loc.at("stage"), "E-REF-STAGE", f"pipeline '{process.initial_pipeline}'", "stage",
                   process.initial_stage, stages)


def check_completed_by(report: Report, loc: Loc, rule: str | dict, process: Process) -> None:
    """``assignee``, ``{role: R}`` naming a role, or a condition over the item and who acts."""
    if isinstance(rule, dict):
        if "role" in rule:
            resolve(report, loc.at("role"), "roles", rule["role"])
    elif rule != "assignee":
        check_expression(report, loc, rule, Scope(rule_fields(process)), Type("bool"))


def check_assignee(report: Report, loc: Loc, assignee: dict, process: Process | None) -> None:
    """``{role: R}``, ``{person: P}`` or ``{field: F}`` names something that exists."""
    if "role" in assignee:
        resolve(report, loc.at("role"), "roles", assignee["role"])
    if "person" in assignee:
        resolve(report, loc.at("person"), "people", assignee["person"])
    if "field" in assignee and process is not None:
        name = assignee["field"]
        if resolve_member(report, loc.at("field"), "E-REF-FIELD", f"process '{process.name}'", "field", name,
                          process.fields):
            kind = process.fields[name].type
            if kind not in ("person", "role", "assignee", "string"):
                report.error(loc.at("field"), "E-ASSIGNEE-TYPE",
                             f"field '{name}' is {kind}; an assignee field must be a person, role or assignee")
