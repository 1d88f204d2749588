"""Semantic checks of a spec against its project: every name it uses must exist.

Runs after the JSON Schema check and before anything is executed, so a typo
in an expectation (``process 'feedbak'``, ``field 'planed_at'``) is a
positioned error, not a confusing failure halfway through a run.
"""

from __future__ import annotations

from typing import Any

from ..definitions.model import Loc, Process, Project
from ..definitions.scopes import item_fields
from ..errors import DurationError, Finding, UsageError
from ..expressions import Type
from ..suggest import did_you_mean
from ..timing import parse_datetime, parse_duration
from ..validation.checks.common import check_expression, resolve, resolve_member
from ..validation.report import Report
from .spec import ACTIONS, Spec, default_event_id, step_kind

TASK_DONE = "task_done"


def check_spec(spec: Spec, project: Project) -> list[Finding]:
    """Every error in ``spec``'s references to ``project``."""
    report = Report(project)
    data = spec.data
    if "start" in data:
        _datetime(report, spec.loc("start"), data["start"], project)
    for index, step in enumerate(spec.steps()):
        _step(report, spec, project, index, step)
    return sorted(report.findings, key=lambda f: (f.line, f.col, f.code))


def _step(report: Report, spec: Spec, project: Project, index: int, step: dict) -> None:
    loc = spec.loc("steps", index)
    present = [k for k in ACTIONS if k in step]
    if len(present) > 1:
        report.error(loc.at(present[1]), "E-SPEC-STEP", f"a step does one thing, this one has {' and '.join(present)}",
                     "split it into separate steps (an 'expect' may stay with either)", key=True)
    if not present and "expect" not in step:
        report.error(loc, "E-SPEC-STEP", "this step does nothing",
                     f"give one of {', '.join(ACTIONS)} or expect")
    kind = step_kind(step)
    expect = step.get("expect") if isinstance(step.get("expect"), dict) else {}
    meant = {str(entry.get("id")) for entry in expect.get("rejected") or [] if isinstance(entry, dict)}
    if kind == "event":
        _event(report, loc.at("event"), step["event"], project, meant)
    elif kind == "events":
        for i, event in enumerate(step["events"]):
            _event(report, loc.at("events", i), event, project, meant)
    elif kind == "ingest":
        target = step["ingest"] if isinstance(step["ingest"], str) else step["ingest"].get("file", "")
        if not (spec.path.parent / target).is_file():
            report.error(loc.at("ingest"), "E-SPEC-FILE", f"there is no file '{target}'",
                         "the path is relative to the spec file")
    elif kind == "task_done" and str(step["task_done"].get("id", default_event_id(spec, index))) not in meant:
        _task_done(report, loc.at("task_done"), step["task_done"], project)
    elif kind == "tick":
        tick = step["tick"]
        if isinstance(tick, str) or "to" in tick:
            _datetime(report, loc.at("tick") if isinstance(tick, str) else loc.at("tick", "to"),
                      tick if isinstance(tick, str) else tick["to"], project)
        elif "by" in tick:
            try:
                parse_duration(str(tick["by"]))
            except DurationError as exc:
                report.error(loc.at("tick", "by"), "E-DURATION", exc.message, exc.hint)
    if isinstance(step.get("expect"), dict):
        _expect(report, loc.at("expect"), step["expect"], project)


def _datetime(report: Report, loc: Loc, text: Any, project: Project) -> None:
    try:
        parse_datetime(str(text), project.timezone)
    except UsageError as exc:
        report.error(loc, "E-SPEC-TIME", str(exc))


def _event(report: Report, loc: Loc, event: dict, project: Project, meant: set[str]) -> None:
    """Check an event's type and payload names, unless the step expects it to be rejected."""
    if str(event.get("id")) in meant:
        return
    kind = event.get("type")
    if kind != TASK_DONE and resolve(report, loc.at("type"), "event_types", kind):
        declared = project.event_types[kind].fields
        for name in event.get("payload") or {}:
            resolve_member(report, loc.at("payload", name), "E-SPEC-FIELD", f"event type '{kind}'", "field",
                           name, declared)
    if "time" in event:
        _datetime(report, loc.at("time"), event["time"], project)


def _task_done(report: Report, loc: Loc, spec: dict, project: Project) -> None:
    if "process" not in spec:
        return
    process = _process(report, loc.at("process"), spec["process"], project)
    if process is None:
        return
    _match(report, loc.at("match"), spec.get("match"), process)
    name = spec.get("name")
    if resolve_member(report, loc.at("name"), "E-SPEC-TASK", f"process '{process.name}'", "task", name,
                      process.tasks):
        outcomes = process.tasks[name].outcomes
        if outcomes:
            resolve_member(report, loc.at("outcome"), "E-SPEC-OUTCOME", f"task '{name}'", "outcome",
                           spec.get("outcome"), outcomes)
    if "time" in spec:
        _datetime(report, loc.at("time"), spec["time"], project)


def _process(report: Report, loc: Loc, name: Any, project: Project) -> Process | None:
    return project.processes[name] if resolve(report, loc, "processes", name) else None


def _match(report: Report, loc: Loc, match: Any, process: Process) -> None:
    for name in match or {}:
        _field(report, loc.at(name), process, name)


def _field(report: Report, loc: Loc, process: Process, name: str) -> bool:
    return resolve_member(report, loc, "E-SPEC-FIELD", f"process '{process.name}'", "field", name,
                          item_fields(process))


def _expect(report: Report, loc: Loc, expect: dict, project: Project) -> None:
    if "clock" in expect:
        _datetime(report, loc.at("clock"), expect["clock"], project)
    for name in expect.get("counts") or {}:
        resolve(report, loc.at("counts", name), "processes", name)
    for i, entry in enumerate(expect.get("items") or []):
        _items(report, loc.at("items", i), entry, project)
    for i, entry in enumerate(expect.get("tasks") or []):
        _tasks(report, loc.at("tasks", i), entry, project)
    for i, entry in enumerate(expect.get("documents") or []):
        if "template" in entry and resolve(report, loc.at("documents", i, "template"), "templates",
                                           entry["template"]):
            owner = project.templates[entry["template"]].spec.get("process")
            if owner in project.processes:
                _match(report, loc.at("documents", i, "item"), entry.get("item"), project.processes[owner])
    for i, entry in enumerate(expect.get("outbox") or []):
        _outbox(report, loc.at("outbox", i), entry, project)
    for i, entry in enumerate(expect.get("boards") or []):
        _board(report, loc.at("boards", i), entry, project)


def _items(report: Report, loc: Loc, entry: dict, project: Project) -> None:
    process = _process(report, loc.at("process"), entry.get("process"), project)
    if process is None:
        return
    if "where" in entry:
        check_expression(report, loc.at("where"), entry["where"], _scope(process, project), Type("bool"))
    _match(report, loc.at("match"), entry.get("match"), process)
    if "key" in entry and not process.key:
        report.error(loc.at("key"), "E-SPEC-KEY", f"process '{process.name}' has no key field",
                     "pick the item with match: {FIELD: VALUE} or where: …", key=True)
    if "order_by" in entry:
        _field(report, loc.at("order_by"), process, entry["order_by"])
    _stage_value(report, loc.at("stage"), entry.get("stage"), process)
    if isinstance(entry.get("pipeline"), str):
        resolve_member(report, loc.at("pipeline"), "E-SPEC-PIPELINE", f"process '{process.name}'", "pipeline",
                       entry["pipeline"], process.pipelines)
    for name in entry.get("fields") or {}:
        if _field(report, loc.at("fields", name), process, name) and name == "stage":
            _stage_value(report, loc.at("fields", name), entry["fields"][name], process)
    for r, row in enumerate(entry.get("rows") or []):
        for name in row:
            if _field(report, loc.at("rows", r, name), process, name) and name == "stage":
                _stage_value(report, loc.at("rows", r, name), row[name], process)


def _stage_value(report: Report, loc: Loc, value: Any, process: Process) -> None:
    if isinstance(value, str):
        resolve_member(report, loc, "E-SPEC-STAGE", f"process '{process.name}'", "stage", value,
                       sorted(process.stage_names()))


def _scope(process: Process, project: Project):
    from ..definitions.scopes import process_types
    from ..expressions import Scope

    return Scope(item_fields(process), processes=process_types(project))


def _tasks(report: Report, loc: Loc, entry: dict, project: Project) -> None:
    process = None
    if "process" in entry:
        process = _process(report, loc.at("process"), entry["process"], project)
        if process is None:
            return
    name = entry.get("name")
    if name is not None:
        owners = [p for p in project.processes.values() if name in p.tasks and (process is None or p is process)]
        if not owners:
            known = sorted({t for p in project.processes.values() for t in p.tasks
                            if process is None or p is process})
            report.error(loc.at("name"), "E-SPEC-TASK", f"there is no task '{name}'"
                         + (f" in process '{process.name}'" if process else ""),
                         did_you_mean(str(name), known) or f"tasks: {', '.join(known)}")
        elif process is None and len(owners) == 1:
            process = owners[0]
    if "item" in entry:
        if process is None:
            report.error(loc.at("item"), "E-SPEC-PROCESS", "'item' needs the task's process",
                         "add process: NAME (or a task name only one process has)", key=True)
        else:
            _match(report, loc.at("item"), entry["item"], process)


def _outbox(report: Report, loc: Loc, entry: dict, project: Project) -> None:
    if "rule" in entry:
        resolve(report, loc.at("rule"), "rules", entry["rule"])
    recipient = entry.get("to")
    if isinstance(recipient, str):
        if recipient.startswith("role:"):
            resolve(report, loc.at("to"), "roles", recipient[5:])
        elif recipient not in project.people:
            hint = did_you_mean(recipient, project.people) or "a person's name, or role:NAME"
            report.error(loc.at("to"), "E-REF-PERSON", f"there is no person '{recipient}'", hint)
    if "item" in entry and "process" not in entry:
        report.error(loc.at("item"), "E-SPEC-PROCESS", "'item' needs 'process'", key=True)
    if "process" in entry:
        process = _process(report, loc.at("process"), entry["process"], project)
        if process is not None:
            _match(report, loc.at("item"), entry.get("item"), process)


def _board(report: Report, loc: Loc, entry: dict, project: Project) -> None:
    if "board" in entry:
        if not resolve(report, loc.at("board"), "boards", entry["board"]):
            return
        spec = project.boards[entry["board"]].spec
        process = project.processes.get(spec.get("process"))
        pipeline = entry.get("pipeline") or spec.get("pipeline")
    else:
        process = _process(report, loc.at("process"), entry.get("process"), project)
        pipeline = entry.get("pipeline")
    if process is None:
        return
    if pipeline is None:
        pipeline = next(iter(process.pipelines))
    if not resolve_member(report, loc.at("pipeline"), "E-SPEC-PIPELINE", f"process '{process.name}'", "pipeline",
                          pipeline, process.pipelines):
        return
    stages = process.pipelines[pipeline].stages
    for name in entry.get("columns") or {}:
        resolve_member(report, loc.at("columns", name), "E-SPEC-STAGE", f"pipeline '{pipeline}'", "stage", name,
                       stages)
