"""What a rule's actions can cause: stages entered, fields set, items created.

Shared by the reachability and cycle checks (and usable by ``ruledeck graph``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlglot import exp

from ...definitions.append_spec import append_values
from ...definitions.model import Action, Project, Rule
from .common import expression_tree

NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass
class Effects:
    """Everything one rule's actions may do, per process."""

    entered: set[tuple[str, str]] = field(default_factory=set)
    """(process, stage) pairs items may enter."""
    moved: set[str] = field(default_factory=set)
    """Processes whose items may change stage."""
    changed: set[tuple[str, str]] = field(default_factory=set)
    """(process, field) pairs that may be set."""
    created: set[str] = field(default_factory=set)
    completed: set[tuple[str, str]] = field(default_factory=set)
    """(process, task) pairs whose tasks may be completed."""
    runs: set[str] = field(default_factory=set)


def stage_names_in(value: object) -> set[str]:
    """Stage names a ``move`` value may produce: the name itself or the expression's string literals."""
    if not isinstance(value, str):
        return set()
    if NAME.match(value):
        return {value}
    tree = expression_tree(value)
    if tree is None:
        return set()
    return {lit.this for lit in tree.find_all(exp.Literal) if lit.is_string}


RETURNING = frozenset(("stage", "held_from"))
"""Item fields a ``move`` may read to go back where the item was: they reach no stage it was not in before."""


def move_targets(project: Project, process: str | None, value: object) -> tuple[set[str], bool]:
    """``(stages, exact)``: the stages a ``move`` value may give, and whether it gives nothing else.

    The results of a ``case``/``coalesce``/``if`` are followed to their leaves: a string literal is a stage, an
    enum field (of the item or the event) any of its values, ``stage`` or ``held_from`` a stage the item was in
    before (no new one); anything else may be any stage of the process, and is not exact.
    """
    if not isinstance(value, str):
        return set(), False
    if NAME.match(value):
        return {value}, True
    tree = expression_tree(value)
    if tree is None:
        return set(), False
    every = project.processes[process].stage_names() if process in project.processes else set()
    stages: set[str] = set()
    exact = True
    for leaf in _results(tree):
        if isinstance(leaf, exp.Literal) and leaf.is_string:
            stages.add(leaf.this)
        elif isinstance(leaf, exp.Null):
            continue
        elif isinstance(leaf, exp.Column) and not leaf.table and leaf.name in RETURNING:
            exact = False
        elif isinstance(leaf, exp.Column) and (values := _enum_values(project, process, leaf)) is not None:
            stages |= values
        else:
            stages |= every
            exact = False
    return stages, exact


def value_leaves(node: exp.Expr):
    """The leaves a value expression may take: its results through parentheses, case, coalesce and if."""
    return _results(node)


def _results(node: exp.Expr):
    """The leaves a value expression may take (through parentheses, case, coalesce, if)."""
    if isinstance(node, exp.Paren):
        yield from _results(node.this)
    elif isinstance(node, exp.Case):
        for branch in node.args.get("ifs") or []:
            yield from _results(branch.args["true"])
        if node.args.get("default") is not None:
            yield from _results(node.args["default"])
    elif isinstance(node, exp.Coalesce):
        yield from _results(node.this)
        for arg in node.expressions:
            yield from _results(arg)
    elif isinstance(node, exp.Anonymous) and str(node.this).lower() in ("coalesce", "if"):
        args = node.expressions[1:] if str(node.this).lower() == "if" else node.expressions
        for arg in args:
            yield from _results(arg)
    else:
        yield node


def _enum_values(project: Project, process: str | None, column: exp.Column) -> set[str] | None:
    """The values of an enum field a column names: an item field, or ``event.FIELD`` of any event type."""
    if not column.table:
        target = project.processes.get(process) if process else None
        declared = target.fields.get(column.name) if target else None
        return set(declared.values) if declared is not None and declared.type == "enum" else None
    if column.table == "event":
        values: set[str] = set()
        for event_type in project.event_types.values():
            declared = event_type.fields.get(column.name)
            if declared is not None:
                if declared.type != "enum":
                    return None
                values |= set(declared.values)
        return values or None
    return None


def rule_effects(project: Project, rule: Rule) -> Effects:
    """What ``rule`` may cause when it fires."""
    effects = Effects()
    _collect(project, rule.actions, rule.process, effects)
    return effects


def action_effects(project: Project, rule: Rule, action: Action) -> Effects:
    """What one of ``rule``'s top-level actions may cause."""
    effects = Effects()
    _collect(project, [action], rule.process, effects)
    return effects


def _initial_stages(project: Project, process: str, spec: dict, source: str | None = None) -> set[str]:
    """The stages a ``create``/``schedule`` of ``process`` from a rule over ``source`` may put items in."""
    target = project.processes.get(process)
    if target is None:
        return set()
    if "stage" in spec:
        stages, exact = move_targets(project, source, spec["stage"])  # bare names read the rule's item
        return stages if exact else stages | target.stage_names()
    if "pipeline_expr" in spec:
        return {next(iter(p.stages), "") for p in target.pipelines.values()}
    pipeline = target.pipelines.get(spec.get("pipeline", target.initial_pipeline))
    if pipeline is None:
        return set()
    return {target.initial_stage} if pipeline.name == target.initial_pipeline else {next(iter(pipeline.stages), "")}


def _collect(project: Project, actions: list[Action], process: str | None, effects: Effects) -> None:
    for action in actions:
        spec = action.spec
        if action.kind in ("move", "hold") and process:
            effects.moved.add(process)
            effects.entered.update((process, s) for s in move_targets(project, process, spec)[0])
        elif action.kind == "resume" and process:
            effects.moved.add(process)
        elif action.kind == "set" and process and isinstance(spec, dict):
            effects.changed.update((process, name) for name in spec)
        elif action.kind == "append" and process in project.processes:
            effects.changed.update((process, name) for name in append_values(spec, project.processes[process].fields))
        elif action.kind in ("assign", "link") and process and isinstance(spec, dict):
            effects.changed.add((process, str(spec.get("field"))))
        elif action.kind in ("create", "schedule") and isinstance(spec, dict) and spec.get("process"):
            target = str(spec["process"])
            effects.created.add(target)
            effects.entered.update((target, s) for s in _initial_stages(project, target, spec, process))
        elif action.kind == "update" and isinstance(spec, dict):
            _collect(project, action.children, spec.get("process"), effects)
        elif action.kind == "for_each":
            _collect(project, action.children, process, effects)
        elif action.kind == "complete_tasks" and process:
            name = spec if isinstance(spec, str) else (spec or {}).get("name")
            target = project.processes.get(process)
            names = [name] if name else list(target.tasks) if target else []
            effects.completed.update((process, n) for n in names)
        elif action.kind == "run" and isinstance(spec, str):
            effects.runs.add(spec)


def equalities(tree: exp.Expr | None) -> tuple[str, set[str]] | None:
    """``(field, values)`` when ``tree`` is ``field = 'v'``, ``field in ('v', …)`` or an ``or`` of them."""
    while isinstance(tree, exp.Paren):
        tree = tree.this
    if isinstance(tree, exp.Or):
        left, right = equalities(tree.this), equalities(tree.expression)
        if left is None or right is None or left[0] != right[0]:
            return None
        return left[0], left[1] | right[1]
    if isinstance(tree, exp.EQ):
        column, literal = tree.this, tree.expression
        if isinstance(column, exp.Literal):
            column, literal = literal, column
        if _bare(column) and isinstance(literal, exp.Literal) and literal.is_string:
            return column.name, {literal.this}
    if isinstance(tree, exp.In) and _bare(tree.this):
        values = tree.expressions
        if values and all(isinstance(v, exp.Literal) and v.is_string for v in values):
            return tree.this.name, {v.this for v in values}
    return None


def _bare(node: exp.Expr) -> bool:
    return isinstance(node, exp.Column) and not node.table


def stages_required(rule: Rule) -> set[str] | None:
    """The stages an item must be in for ``rule`` to act on it (``when: {entered: …}`` and ``stage = '…'`` /
    ``stage in (…)`` conjuncts of ``if``), or None when it may be in any."""
    required: set[str] | None = None
    if rule.trigger.kind == "entered":
        value = rule.trigger.value
        required = {str(v) for v in (value if isinstance(value, list) else [value])}
    tree = expression_tree(rule.condition) if rule.condition is not None else None
    for conjunct in _conjuncts(tree):
        found = equalities(conjunct)
        if found is not None and found[0] == "stage":
            required = found[1] if required is None else required & found[1]
    return required


def _conjuncts(tree: exp.Expr | None):
    while isinstance(tree, exp.Paren):
        tree = tree.this
    if isinstance(tree, exp.And):
        yield from _conjuncts(tree.this)
        yield from _conjuncts(tree.expression)
    elif tree is not None:
        yield tree
