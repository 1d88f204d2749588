"""Check what people read: titles, templates, notifications, boards and reports."""

from __future__ import annotations

from ...definitions.model import Loc, Process
from ...definitions.scopes import item_fields, process_types
from ...expressions import Scope, Type
from ...templating import CONTEXT, CONTEXT_NAMES, template_problems
from ..report import Report
from .common import check_expression, resolve, resolve_member

AGGREGATES = ("sum", "min", "max", "avg", "count")
TASK_COLUMNS = {"id": Type("int"), "name": Type("string"), "process": Type("string"), "item": Type("int"),
                "assignee": Type("string"), "status": Type("string"), "outcome": Type("string"),
                "due_at": Type("datetime"), "created_at": Type("datetime"), "closed_at": Type("datetime"),
                "overdue": Type("bool")}


OUTPUT_NAMESPACES = {CONTEXT: tuple(CONTEXT_NAMES)}
"""What a document or notification template reads besides the item's fields."""


def check_template_text(report: Report, loc: Loc, text: object, names: list[str], line_offset: int = 0,
                        namespaces: dict | None = None) -> None:
    """Report template problems at the template's place (its line, for block scalars)."""
    if not isinstance(text, str):
        return
    problems = template_problems(text, names, namespaces)
    if not problems:
        return  # positions are worked out only for findings
    start = loc.position()
    block = start.style in ("|", ">")
    for problem in problems:
        line = start.line + (problem.line if block else 0) + line_offset
        report.findings.append(_at(report, loc, line, start.col if not block else 1, problem))


def _at(report: Report, loc: Loc, line: int, col: int, problem):
    from ...errors import Finding, Severity
    from ..schema import format_path
    severity = Severity.WARNING if problem.code.startswith("W-") else Severity.ERROR
    return Finding(loc.file, line, col, problem.code, problem.message, severity, path=format_path(loc.path),
                   hint=problem.hint)


def check_presentation(report: Report) -> None:
    """Titles, document templates, notifications, boards and reports refer to real things."""
    project = report.project
    for process in project.processes.values():
        _check_reserved_field(report, process)
        names = list(item_fields(process))
        check_template_text(report, process.loc.at("title"), process.title, names)
        for task in process.tasks.values():
            check_template_text(report, task.loc.at("title"), task.title, names)
    for rule in project.rules.values():
        outer = project.processes.get(rule.process) if rule.process else None
        for action, process in _walk(rule.actions, outer, project):
            if action.kind == "notify" and isinstance(action.spec, dict):
                names = list(item_fields(process)) if process else []
                check_template_text(report, action.loc.at("notify", "text"), action.spec.get("text"), names,
                                    namespaces={**OUTPUT_NAMESPACES, **_event_namespace(project, rule),
                                                **_task_namespace(outer, rule)})
    for template in project.templates.values():
        _check_document_template(report, template)
    for board in project.boards.values():
        _check_board(report, board)
    for report_def in project.reports.values():
        _check_report(report, report_def)


def _check_reserved_field(report: Report, process: Process) -> None:
    declared = process.fields.get(CONTEXT)
    if declared is not None:
        report.error(declared.loc, "E-FIELD-RESERVED",
                     f"field '{CONTEXT}' of process '{process.name}': documents and notifications read ruledeck's "
                     f"own values under '{CONTEXT}.' ({', '.join(f'{CONTEXT}.{n}' for n in CONTEXT_NAMES)})",
                     f"rename the field, e.g. to '{CONTEXT}_value'", key=True)


def _event_namespace(project, rule) -> dict:
    """``event.`` in a notification of an event rule: the event type's fields (all event types: not checked)."""
    if rule.trigger.kind != "event":
        return {}
    from ...definitions.scopes import event_fields

    event = project.event_types.get(rule.trigger.value) if isinstance(rule.trigger.value, str) else None
    return {"event": tuple(event_fields(event)) if event is not None else None}


def _task_namespace(process: Process | None, rule) -> dict:
    """``task.`` in a notification of a task rule: the task's columns and its kind's form fields."""
    if rule.trigger.kind != "task" or process is None:
        return {}
    from ...definitions.scopes import task_fields

    return {"task": tuple(task_fields(process.tasks.get(rule.trigger.value)))}


def _walk(actions, process: Process | None, project):
    """Every action with the process whose items it runs over (``update`` runs its list over another)."""
    for action in actions:
        yield action, process
        inner = process
        if action.kind == "update" and isinstance(action.spec, dict):
            inner = project.processes.get(action.spec.get("process"))
        yield from _walk(action.children, inner, project)


def _check_document_template(report: Report, template) -> None:
    spec, loc = template.spec, template.loc
    process = None
    if "process" in spec and resolve(report, loc.at("process"), "processes", spec["process"]):
        process = report.project.processes.get(spec["process"])
    names = list(item_fields(process)) if process else None
    body = spec.get("body")
    if "file" in spec:
        base = loc.doc.source.parent if loc.doc.source else report.project.root
        path = (base / str(spec["file"])).resolve()
        if not path.is_relative_to(report.project.root.resolve()):
            report.error(loc.at("file"), "E-TEMPLATE-FILE", f"template file '{spec['file']}' is outside the project")
            return
        if not path.is_file():
            report.error(loc.at("file"), "E-TEMPLATE-FILE", f"template file '{spec['file']}' does not exist",
                         f"looked for {path}")
            return
        body = path.read_text(encoding="utf-8", errors="replace")
    if names is not None:
        check_template_text(report, loc.at("body") if "body" in spec else loc.at("file"), body, names,
                            namespaces=OUTPUT_NAMESPACES)
        check_template_text(report, loc.at("filename"), spec.get("filename"), names, namespaces=OUTPUT_NAMESPACES)
    filename = str(spec.get("filename", ""))
    if "/" in filename or "\\" in filename or filename.startswith("."):
        report.error(loc.at("filename"), "E-TEMPLATE-FILENAME",
                     f"document file name '{filename}' must be a plain name inside the documents folder",
                     "remove folders and leading dots")


def _process_of(report: Report, loc: Loc, name) -> Process | None:
    if resolve(report, loc, "processes", name):
        return report.project.processes.get(name)
    return None


def _check_board(report: Report, board) -> None:
    spec, loc = board.spec, board.loc
    process = _process_of(report, loc.at("process"), spec.get("process"))
    if process is None:
        return
    owner = f"process '{process.name}'"
    if "pipeline" in spec:
        resolve_member(report, loc.at("pipeline"), "E-REF-PIPELINE", owner, "pipeline", spec["pipeline"],
                       process.pipelines)
    fields = item_fields(process)
    for i, name in enumerate(spec.get("card") or []):
        resolve_member(report, loc.at("card", i), "E-REF-FIELD", owner, "field", name, fields)
    for name, agg in (spec.get("totals") or {}).items():
        if resolve_member(report, loc.at("totals", name), "E-REF-FIELD", owner, "field", name, fields) \
                and agg in ("sum", "avg") and fields[name].kind not in ("int", "decimal"):
            report.error(loc.at("totals", name), "E-BOARD-TOTAL", f"cannot {agg} '{name}': it is "
                         f"{fields[name].kind}, not a number")
    if "sort" in spec:
        resolve_member(report, loc.at("sort"), "E-REF-FIELD", owner, "field", str(spec["sort"]).lstrip("-"),
                       fields)
    if "where" in spec:
        check_expression(report, loc.at("where"), spec["where"], Scope(fields, processes=process_types(report.project)),
                         Type("bool"))


def _check_report(report: Report, definition) -> None:
    spec, loc = definition.spec, definition.loc
    if spec.get("source") == "tasks":
        fields = dict(TASK_COLUMNS)
        owner = "the tasks table"
    else:
        process = _process_of(report, loc.at("process"), spec.get("process"))
        if process is None:
            return
        fields, owner = item_fields(process), f"process '{process.name}'"
    scope = Scope(fields, processes={} if spec.get("source") == "tasks" else process_types(report.project))
    if "where" in spec:
        check_expression(report, loc.at("where"), spec["where"], scope, Type("bool"))
    for name, text in (spec.get("group_by") or {}).items():
        check_expression(report, loc.at("group_by", name), text, scope)
    for name, measure in (spec.get("measures") or {}).items():
        if isinstance(measure, dict):
            for agg, column in measure.items():
                if agg in AGGREGATES:
                    resolve_member(report, loc.at("measures", name, agg), "E-REF-FIELD", owner, "field", column,
                                   fields)
    columns = list(spec.get("group_by") or {}) + list(spec.get("measures") or {})
    for i, name in enumerate(spec.get("order_by") or []):
        resolve_member(report, loc.at("order_by", i), "E-REF-COLUMN", "this report", "column",
                       str(name).lstrip("-"), columns)
