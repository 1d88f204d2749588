"""Check rules: the process they act on, their trigger and their condition.

Actions are checked by :mod:`.actions`, which this module calls with the
scope the trigger provides (``event.``, ``task.``).
"""

from __future__ import annotations

from ...definitions.model import Process, Rule
from ...definitions.scopes import TASK_FIELDS, event_fields, item_fields, lookup_types, process_types, rule_fields
from ...definitions.scopes import task_fields as form_task_fields
from ...errors import CronError
from ...expressions import Scope, Type
from ...timing import parse_cron
from ..report import Report
from .actions import ActionContext, check_actions
from .common import check_duration, check_expression, resolve, resolve_member

ITEM_TRIGGERS = ("created", "entered", "left", "changed", "date", "dwell", "task")
BUILTIN_EVENTS = ("task_done",)


def check_rules(report: Report) -> None:
    """Every rule's process, trigger, condition and actions are sound."""
    broken = report.project.broken.get("processes", set())
    for rule in report.project.rules.values():
        if rule.process in broken:
            continue  # its process failed the schema; checking against half of it would mislead
        process = _rule_process(report, rule)
        namespaces = _check_trigger(report, rule, process)
        if namespaces is None:
            continue  # its event type is unknown: every 'event.' name would be a false alarm
        fields = rule_fields(process)
        if rule.condition is not None:
            check_expression(report, rule.loc.at("if"), rule.condition,
                             Scope(fields, namespaces, lookups=lookup_types(report.project),
                                   processes=process_types(report.project)), Type("bool"))
        check_actions(report, rule.actions, ActionContext(rule, process, namespaces, lookup_types(report.project),
                                                          process_types(report.project)))


def _rule_process(report: Report, rule: Rule) -> Process | None:
    if rule.process is None:
        if rule.trigger.kind in ITEM_TRIGGERS:
            report.error(rule.trigger.loc, "E-RULE-NEEDS-PROCESS",
                         f"a '{rule.trigger.kind}' trigger needs the rule's 'process'",
                         "add 'process: NAME' to the rule")
        return None
    if not resolve(report, rule.loc.at("process"), "processes", rule.process):
        return None
    process = report.project.processes.get(rule.process)
    if process is not None and rule.pipeline is not None:
        resolve_member(report, rule.loc.at("pipeline"), "E-REF-PIPELINE", f"process '{process.name}'",
                       "pipeline", rule.pipeline, process.pipelines)
    return process


def rule_stages(rule: Rule, process: Process) -> list[str]:
    """The stages a rule's stage triggers may name: its pipeline's, or any pipeline's."""
    if rule.pipeline in process.pipelines:
        return list(process.pipelines[rule.pipeline].stages)
    return [s for p in process.pipelines.values() for s in p.stages]


def _check_trigger(report: Report, rule: Rule, process: Process | None) -> dict[str, dict[str, Type]] | None:
    trigger, loc = rule.trigger, rule.trigger.loc.at(rule.trigger.kind)
    namespaces: dict[str, dict[str, Type]] = {}
    kind, value = trigger.kind, trigger.value
    if kind == "event":
        if value in BUILTIN_EVENTS:
            namespaces["event"] = event_fields(None) | {"task": Type("int"), "outcome": Type("string"),
                                                        "comment": Type("text")}
        elif resolve(report, loc, "event_types", value) and value in report.project.event_types:
            namespaces["event"] = event_fields(report.project.event_types[value])
        else:
            return None
    elif kind == "cron":
        try:
            parse_cron(str(value))
        except CronError as exc:
            report.error(loc, "E-CRON", exc.message, exc.hint)
    if process is None:
        return namespaces
    where = f"process '{process.name}'"
    if kind in ("entered", "left"):
        for i, stage in enumerate(value if isinstance(value, list) else [value]):
            sloc = loc.at(i) if isinstance(value, list) else loc
            resolve_member(report, sloc, "E-REF-STAGE", where, "stage", stage, rule_stages(rule, process))
    elif kind == "changed":
        for i, name in enumerate(value if isinstance(value, list) else [value]):
            floc = loc.at(i) if isinstance(value, list) else loc
            resolve_member(report, floc, "E-REF-FIELD", where, "field", name, process.fields)
    elif kind == "date":
        if resolve_member(report, loc, "E-REF-FIELD", where, "field", value, item_fields(process)):
            field_kind = item_fields(process)[value].kind
            if field_kind not in ("date", "datetime"):
                report.error(loc, "E-TRIGGER-DATE", f"field '{value}' is {field_kind}; a date trigger needs "
                             "a date or datetime field")
        if "offset" in trigger.options:
            check_duration(report, trigger.loc.at("offset"), trigger.options["offset"])
    elif kind == "dwell":
        resolve_member(report, loc, "E-REF-STAGE", where, "stage", value, rule_stages(rule, process))
        if "for" in trigger.options:
            check_duration(report, trigger.loc.at("for"), trigger.options["for"])
    elif kind == "task":
        if resolve_member(report, loc, "E-REF-TASK", where, "task", value, process.tasks):
            outcomes = trigger.options.get("outcome")
            allowed = process.tasks[value].outcomes
            for i, outcome in enumerate(outcomes if isinstance(outcomes, list) else [outcomes]):
                if outcome is not None:
                    oloc = trigger.loc.at("outcome", i) if isinstance(outcomes, list) else trigger.loc.at("outcome")
                    resolve_member(report, oloc, "E-REF-OUTCOME", f"task '{value}'", "outcome", outcome, allowed)
        namespaces["task"] = form_task_fields(process.tasks.get(value)) if isinstance(value, str) else dict(TASK_FIELDS)
    return namespaces
