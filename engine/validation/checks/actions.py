"""Check a rule's actions, one function per action kind, in one registry.

Each check sees an :class:`ActionContext`: the process whose items the action
list runs over and the namespaces its expressions may use. ``update`` checks
its nested list in the related process's context, with ``source.`` bound to
the outer item; ``create ... as: NAME`` adds ``NAME.`` for later actions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlglot import exp

from ...definitions.append_spec import append_values
from ...definitions.model import Action, Loc, Process, Rule
from ...definitions.scopes import ROW_FIELDS, TASK_ROW_FIELDS, field_type, item_fields, rule_fields
from ...expressions import Scope, Type
from ..report import Report
from .common import check_expression, expression_tree, resolve, resolve_member
from .for_each import check_for_each
from .list_values import check_append_value, check_list_value
from .new_stage import check_new_stage
from .processes import check_assignee
from .reject import check_reject
from .task_due import check_due

NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
DATE_KINDS = ("date", "datetime")


@dataclass
class ActionContext:
    """What an action list runs over and which names its expressions see."""

    rule: Rule
    process: Process | None
    namespaces: dict[str, dict[str, Type]] = field(default_factory=dict)
    lookups: dict = field(default_factory=dict)
    """What ``lookup()`` may read (see ``definitions.scopes.lookup_types``)."""
    processes: dict = field(default_factory=dict)
    """What a ref field's ``.`` reaches (see ``definitions.scopes.process_types``)."""

    def scope(self, **extra: dict[str, Type]) -> Scope:
        """The expression scope here: the item's fields plus namespaces."""
        return Scope(rule_fields(self.process), {**self.namespaces, **extra}, lookups=self.lookups,
                     processes=self.processes)

    @property
    def owner(self) -> str:
        return f"process '{self.process.name}'" if self.process else "this rule"


def check_actions(report: Report, actions: list[Action], ctx: ActionContext) -> None:
    """Check an action list in order; ``create ... as`` names carry to later actions."""
    ctx = replace(ctx, namespaces=dict(ctx.namespaces))
    for action in actions:
        check = ACTION_CHECKS.get(action.kind)
        if check is not None:
            check(report, action, ctx)


def _needs_process(report: Report, action: Action, ctx: ActionContext) -> bool:
    if ctx.process is None:
        if ctx.rule.process is None:
            report.error(action.loc, "E-ACTION-NEEDS-ITEM",
                         f"'{action.kind}' acts on items, but rule '{ctx.rule.name}' has no process",
                         "add 'process: NAME' to the rule, or use 'create'/'update'")
        return False
    return True


def _set_values(report: Report, loc: Loc, values: Any, target: Process, scope: Scope) -> None:
    if not isinstance(values, dict):
        return
    for name, value in values.items():
        vloc = loc.at(name)
        if not resolve_member(report, vloc, "E-REF-FIELD", f"process '{target.name}'", "field", name,
                              target.fields):
            continue
        declared = target.fields[name]
        if not declared.settable:
            report.error(vloc, "E-FIELD-READONLY", f"field '{name}' is computed and cannot be set", key=True)
        elif isinstance(value, list):
            check_list_value(report, vloc, value, declared, scope)
        elif isinstance(value, str):
            check_expression(report, vloc, value, scope, field_type(declared))


def check_set(report: Report, action: Action, ctx: ActionContext) -> None:
    """``set: {field: expression}`` on the current items."""
    if _needs_process(report, action, ctx):
        _set_values(report, action.loc.at("set"), action.spec, ctx.process, ctx.scope())


def check_append(report: Report, action: Action, ctx: ActionContext) -> None:
    """``append: {field: value}``: many-valued, settable fields of the current items."""
    if not _needs_process(report, action, ctx) or not isinstance(action.spec, dict):
        return
    loc, scope = action.loc.at("append"), ctx.scope()
    for name, target in append_values(action.spec, ctx.process.fields).items():
        floc = loc.at(target.field_at)
        if not resolve_member(report, floc, "E-REF-FIELD", ctx.owner, "field", name, ctx.process.fields):
            continue
        declared = ctx.process.fields[name]
        if not declared.settable:
            report.error(floc, "E-FIELD-READONLY", f"field '{name}' is computed and cannot be set",
                         key=target.field_is_key)
        elif not declared.many:
            report.error(floc, "E-APPEND-FIELD", f"field '{name}' holds one value; 'append' adds to a list",
                         "declare it with 'many: true', or use 'set'", key=target.field_is_key)
        else:
            check_append_value(report, loc.at(target.value_at), target.value, declared, scope)


def _stage_literals(tree: exp.Expression) -> list[exp.Expression]:
    if isinstance(tree, exp.Paren):
        return _stage_literals(tree.this)
    if isinstance(tree, exp.Case):
        results = [branch.args.get("true") for branch in tree.args.get("ifs", [])]
        results.append(tree.args.get("default"))
        return [leaf for r in results if r is not None for leaf in _stage_literals(r)]
    return [tree]


def _check_stage_value(report: Report, loc: Loc, value: Any, ctx: ActionContext, kind: str) -> None:
    stages = [s for p in ctx.process.pipelines.values() for s in p.stages]
    if isinstance(value, str) and NAME.match(value):
        if value not in stages and value in item_fields(ctx.process):
            report.error(loc, "E-MOVE-FIELD", f"'{value}' is a field of {ctx.owner}, not a stage: '{kind}:' reads "
                         "a bare name as a stage name",
                         f"to {kind} to the stage the field holds, write it as an expression: "
                         f"{kind}: \"({value})\"")
            return
        if resolve_member(report, loc, "E-REF-STAGE", ctx.owner, "stage", value, stages) and kind == "hold":
            _check_hold_stage(report, loc, value, ctx.process)
        return
    if check_expression(report, loc, value, ctx.scope(), Type("string")) is None:
        return
    for leaf in _stage_literals(expression_tree(str(value))):
        if isinstance(leaf, exp.Literal) and leaf.is_string and leaf.this not in stages:
            resolve_member(report, loc, "E-REF-STAGE", ctx.owner, "stage", leaf.this, stages)


def _check_hold_stage(report: Report, loc: Loc, stage: str, process: Process) -> None:
    kinds = {p.stages[stage].kind for p in process.pipelines.values() if stage in p.stages}
    if "on_hold" not in kinds:
        report.error(loc, "E-HOLD-STAGE", f"'hold' needs an on_hold stage; '{stage}' is {', '.join(kinds)}",
                     "declare the stage with 'kind: on_hold'")


def check_move(report: Report, action: Action, ctx: ActionContext) -> None:
    """``move: STAGE`` or ``move: EXPRESSION`` giving a stage name."""
    if _needs_process(report, action, ctx):
        _check_stage_value(report, action.loc.at("move"), action.spec, ctx, "move")


def check_hold(report: Report, action: Action, ctx: ActionContext) -> None:
    """``hold: STAGE``: an on_hold stage of the current process."""
    if _needs_process(report, action, ctx):
        _check_stage_value(report, action.loc.at("hold"), action.spec, ctx, "hold")


def check_resume(report: Report, action: Action, ctx: ActionContext) -> None:
    """``resume: {shift: [fields]}`` / ``{reanchor: field, by: field}``."""
    if not _needs_process(report, action, ctx) or not isinstance(action.spec, dict):
        return
    loc, fields = action.loc.at("resume"), item_fields(ctx.process)
    shift = action.spec.get("shift") or []
    targets = [(loc.at("shift", i), name) for i, name in enumerate(shift if isinstance(shift, list) else [shift])]
    if "reanchor" in action.spec:
        targets.append((loc.at("reanchor"), action.spec["reanchor"]))
    for floc, name in targets:
        if resolve_member(report, floc, "E-REF-FIELD", ctx.owner, "field", name, ctx.process.fields) \
                and fields[name].kind not in DATE_KINDS:
            report.error(floc, "E-RESUME-FIELD", f"'{name}' is {fields[name].kind}; only date and datetime "
                         "fields can be shifted or re-anchored")
    if "by" in action.spec:
        resolve_member(report, loc.at("by"), "E-REF-FIELD", ctx.owner, "field", action.spec["by"],
                       ctx.process.fields)


def _target_process(report: Report, loc: Loc, name: Any) -> Process | None:
    if resolve(report, loc, "processes", name):
        return report.project.processes.get(name)
    return None


def check_create(report: Report, action: Action, ctx: ActionContext) -> None:
    """``create: {process, pipeline?, stage?, set, as?}``."""
    spec, loc = action.spec or {}, action.loc.at("create")
    target = _target_process(report, loc.at("process"), spec.get("process"))
    if target is None:
        return
    pipeline = spec.get("pipeline", target.initial_pipeline)
    if "pipeline" in spec:
        resolve_member(report, loc.at("pipeline"), "E-REF-PIPELINE", f"process '{target.name}'", "pipeline",
                       pipeline, target.pipelines)
    if "pipeline_expr" in spec:
        check_expression(report, loc.at("pipeline_expr"), spec["pipeline_expr"], ctx.scope(), Type("string"))
    source = item_fields(ctx.process) if ctx.process else {}
    if "stage" in spec:
        if "pipeline_expr" in spec:
            owner, stages = f"process '{target.name}'", sorted(target.stage_names())
        else:
            owner = f"pipeline '{pipeline}'"
            stages = list(target.pipelines[pipeline].stages) if pipeline in target.pipelines else []
        check_new_stage(report, loc.at("stage"), spec["stage"], owner, stages, ctx.scope(source=source),
                        ctx.process)
    _set_values(report, loc.at("set"), spec.get("set"), target, ctx.scope(source=source))
    _check_required(report, loc, target, spec.get("set") or {})
    if isinstance(spec.get("as"), str):
        ctx.namespaces[spec["as"]] = item_fields(target)


def _check_required(report: Report, loc: Loc, target: Process, values: dict, extra: set[str] = frozenset()) -> None:
    for name, declared in target.fields.items():
        if declared.required and declared.default is None and declared.sequence is None \
                and declared.settable and name not in values and name not in extra:
            report.error(loc, "E-CREATE-REQUIRED", f"creating a '{target.name}' leaves required field "
                         f"'{name}' empty", f"add '{name}' under 'set'")


def check_update(report: Report, action: Action, ctx: ActionContext) -> None:
    """``update: {process, where, then}``: nested actions over related items."""
    spec, loc = action.spec or {}, action.loc.at("update")
    target = _target_process(report, loc.at("process"), spec.get("process"))
    if target is None:
        return
    source = item_fields(ctx.process) if ctx.process else {}
    inner = ActionContext(ctx.rule, target, {**ctx.namespaces, "source": source}, ctx.lookups, ctx.processes)
    if "where" in spec:
        check_expression(report, loc.at("where"), spec["where"], inner.scope(), Type("bool"))
    check_actions(report, action.children, inner)


def _task_spec(action: Action) -> dict:
    return {"name": action.spec} if isinstance(action.spec, str) else dict(action.spec or {})


def check_task(report: Report, action: Action, ctx: ActionContext) -> None:
    """``task: NAME`` or ``task: {name, assignee?, due?, comment?}``."""
    if not _needs_process(report, action, ctx):
        return
    spec, loc = _task_spec(action), action.loc.at("task")
    name_loc = loc if isinstance(action.spec, str) else loc.at("name")
    resolve_member(report, name_loc, "E-REF-TASK", ctx.owner, "task", spec.get("name"), ctx.process.tasks)
    if "assignee" in spec:
        check_assignee(report, loc.at("assignee"), spec["assignee"], ctx.process)
    if "due" in spec:
        check_due(report, loc.at("due"), spec["due"], ctx.scope())
    if "comment" in spec:
        check_expression(report, loc.at("comment"), spec["comment"], ctx.scope(), Type("text"))
    if isinstance(spec.get("as"), str):
        if spec["as"] in ("event", "task", "source", "row"):
            report.error(loc.at("as"), "E-NAME-RESERVED", f"'{spec['as']}' is a namespace of expressions",
                         "pick another name, e.g. 'new_task'")
        else:
            ctx.namespaces[spec["as"]] = dict(TASK_ROW_FIELDS)


def check_close_tasks(report: Report, action: Action, ctx: ActionContext) -> None:
    """``complete_tasks`` / ``cancel_tasks``: a task kind of the process and an allowed outcome."""
    if not _needs_process(report, action, ctx):
        return
    spec, loc = _task_spec(action), action.loc.at(action.kind)
    name = spec.get("name")
    if name is not None and resolve_member(report, loc.at("name") if not isinstance(action.spec, str) else loc,
                                           "E-REF-TASK", ctx.owner, "task", name, ctx.process.tasks):
        outcome = spec.get("outcome")
        if outcome is not None:
            resolve_member(report, loc.at("outcome"), "E-REF-OUTCOME", f"task '{name}'", "outcome", outcome,
                           ctx.process.tasks[name].outcomes)


def check_assign(report: Report, action: Action, ctx: ActionContext) -> None:
    """``assign: {field, role|person|lookup, key?, fallback?, method?}``."""
    if not _needs_process(report, action, ctx):
        return
    spec, loc = action.spec or {}, action.loc.at("assign")
    if resolve_member(report, loc.at("field"), "E-REF-FIELD", ctx.owner, "field", spec.get("field"),
                      ctx.process.fields):
        kind = ctx.process.fields[spec["field"]].type
        if kind not in ("person", "role", "assignee", "string"):
            report.error(loc.at("field"), "E-ASSIGNEE-TYPE", f"field '{spec['field']}' is {kind}; "
                         "assign sets a person, role or assignee field")
    check_assignee(report, loc, {k: v for k, v in spec.items() if k in ("role", "person")}, ctx.process)
    if "lookup" in spec and resolve(report, loc.at("lookup"), "lookups", spec["lookup"]):
        lookup = report.project.lookups.get(spec["lookup"])
        if "key" in spec:
            check_expression(report, loc.at("key"), spec["key"], ctx.scope())
        if lookup is not None and "value" in spec:
            resolve_member(report, loc.at("value"), "E-REF-FIELD", f"lookup '{lookup.name}'", "column",
                           spec["value"], lookup.spec.get("fields") or {})
        if lookup is not None and spec.get("field") in ctx.process.fields:
            _check_looked_up_type(report, loc, spec, lookup.name, lookup.spec, ctx.process.fields[spec["field"]])
    if isinstance(spec.get("fallback"), dict):
        check_assignee(report, loc.at("fallback"), spec["fallback"], ctx.process)


_HOLDS = {"person": ("role", "assignee"), "role": ("person", "assignee")}
"""Lookup column types whose values a person or role field cannot hold (an assignee field holds both)."""


def _check_looked_up_type(report: Report, loc, spec: dict, name: str, lookup: dict, target) -> None:
    """The lookup column ``assign`` reads (``value``, else the first column besides the key) fits the field."""
    fields = lookup.get("fields") or {}
    key = lookup.get("key") or next(iter(fields), None)
    column = spec.get("value") or next((n for n in fields if n != key), key)
    kind = (fields.get(column) or {}).get("type") if isinstance(fields.get(column), dict) else None
    if kind in _HOLDS.get(target.type, ()):
        report.error(loc.at("lookup"), "E-ASSIGNEE-TYPE",
                     f"lookup '{name}' gives column '{column}' ({kind}), which {target.type} field "
                     f"'{target.name}' cannot hold",
                     f"make '{target.name}' an assignee field (a person, or role:NAME), or look up a "
                     f"{target.type} column with 'value:'")


def check_link(report: Report, action: Action, ctx: ActionContext) -> None:
    """``link: {field, process, match: {target_field: expression}}``."""
    if not _needs_process(report, action, ctx):
        return
    spec, loc = action.spec or {}, action.loc.at("link")
    target = _target_process(report, loc.at("process"), spec.get("process"))
    name = spec.get("field")
    if resolve_member(report, loc.at("field"), "E-REF-FIELD", ctx.owner, "field", name, ctx.process.fields):
        declared = ctx.process.fields[name]
        unknown_target = declared.type == "ref" and not report.project.known("processes", declared.process)
        if not unknown_target and (declared.type != "ref" or (target and declared.process != target.name)):
            report.error(loc.at("field"), "E-LINK-FIELD",
                         f"field '{name}' must be a ref to process '{spec.get('process')}' to link to it")
    if target is None:
        return
    for column, value in (spec.get("match") or {}).items():
        mloc = loc.at("match", column)
        if resolve_member(report, mloc, "E-REF-FIELD", f"process '{target.name}'", "field", column,
                          item_fields(target)):
            check_expression(report, mloc, value, ctx.scope(), item_fields(target)[column])


def check_notify(report: Report, action: Action, ctx: ActionContext) -> None:
    """``notify: {to, text}``: the recipient exists; the text is checked as a template."""
    spec = action.spec or {}
    if isinstance(spec.get("to"), dict):
        check_assignee(report, action.loc.at("notify", "to"), spec["to"], ctx.process)


def check_document(report: Report, action: Action, ctx: ActionContext) -> None:
    """``document: {template}``: the template exists and belongs to this process."""
    spec = action.spec if isinstance(action.spec, dict) else {"template": action.spec}
    loc = action.loc.at("document", "template") if isinstance(action.spec, dict) else action.loc.at("document")
    if resolve(report, loc, "templates", spec.get("template")):
        template = report.project.templates.get(spec["template"])
        owner = template.spec.get("process") if template else None
        if owner and ctx.process and owner != ctx.process.name:
            report.error(loc, "E-TEMPLATE-PROCESS", f"template '{template.name}' is for process '{owner}', "
                         f"but this action runs on '{ctx.process.name}'")


def check_schedule(report: Report, action: Action, ctx: ActionContext) -> None:
    """``schedule: {period_table, process, anchor, rows?, set}``."""
    spec, loc = action.spec or {}, action.loc.at("schedule")
    resolve(report, loc.at("period_table"), "period_tables", spec.get("period_table"))
    target = _target_process(report, loc.at("process"), spec.get("process"))
    table = report.project.period_tables.get(spec.get("period_table"))
    anchor_type = check_expression(report, loc.at("anchor"), spec.get("anchor"), ctx.scope())
    if anchor_type is not None and anchor_type.kind not in DATE_KINDS:
        report.error(loc.at("anchor"), "E-EXPR-TYPE", f"the anchor must be a date or datetime, "
                     f"not {anchor_type.kind}")
    row_scope = ctx.scope(row=dict(ROW_FIELDS))
    if "rows" in spec:
        check_expression(report, loc.at("rows"), spec["rows"], row_scope, Type("bool"))
    if table is not None:
        for variant in table.variants:
            if variant.when is not None:
                check_expression(report, variant.loc.at("when"), variant.when, ctx.scope(), Type("bool"),
                                 context=f"evaluated over '{ctx.owner}' by rule '{ctx.rule.name}'")
    if target is not None:
        source = item_fields(ctx.process) if ctx.process else {}
        kind = anchor_type.kind if anchor_type and anchor_type.kind in DATE_KINDS else "datetime"
        scope = Scope({**row_scope.fields, "anchor": Type(kind), "variant": Type("string")},
                      {**row_scope.namespaces, "source": source})
        _set_values(report, loc.at("set"), spec.get("set"), target, scope)
        _check_required(report, loc, target, spec.get("set") or {})
        if "stage" in spec and target.initial_pipeline in target.pipelines:
            check_new_stage(report, loc.at("stage"), spec["stage"], f"pipeline '{target.initial_pipeline}'",
                            list(target.pipelines[target.initial_pipeline].stages), scope, ctx.process)


def check_run(report: Report, action: Action, ctx: ActionContext) -> None:
    """``run: RULE``: a rule with a ``called`` trigger on the same process."""
    loc = action.loc.at("run")
    if resolve(report, loc, "rules", action.spec):
        called = report.project.rules.get(action.spec)
        if called is not None and called.trigger.kind != "called":
            report.error(loc, "E-RUN-TRIGGER", f"rule '{called.name}' is not started by 'run'",
                         "give it 'when: {called: true}'")
        elif called is not None and ctx.process and called.process not in (None, ctx.process.name):
            report.error(loc, "E-RUN-PROCESS", f"rule '{called.name}' acts on '{called.process}', "
                         f"not on '{ctx.process.name}'")


ACTION_CHECKS: dict[str, Callable[[Report, Action, ActionContext], None]] = {
    "set": check_set,
    "append": check_append,
    "move": check_move,
    "hold": check_hold,
    "resume": check_resume,
    "create": check_create,
    "update": check_update,
    "for_each": lambda report, action, ctx: check_for_each(report, action, ctx, check_actions),
    "task": check_task,
    "complete_tasks": check_close_tasks,
    "cancel_tasks": check_close_tasks,
    "assign": check_assign,
    "link": check_link,
    "notify": check_notify,
    "document": check_document,
    "schedule": check_schedule,
    "run": check_run,
    "reject": check_reject,
}
