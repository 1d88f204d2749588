"""What a rule's actions can cause: stages entered, fields set, items created.

Shared by the reachability and cycle checks (and usable by ``ruledeck graph``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlglot import exp

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


def rule_effects(project: Project, rule: Rule) -> Effects:
    """What ``rule`` may cause when it fires."""
    effects = Effects()
    _collect(project, rule.actions, rule.process, effects)
    return effects


def _initial_stages(project: Project, process: str, spec: dict) -> set[str]:
    target = project.processes.get(process)
    if target is None:
        return set()
    if "stage" in spec:
        return {spec["stage"]}
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
            effects.entered.update((process, s) for s in stage_names_in(spec))
        elif action.kind == "resume" and process:
            effects.moved.add(process)
        elif action.kind == "set" and process and isinstance(spec, dict):
            effects.changed.update((process, name) for name in spec)
        elif action.kind in ("assign", "link") and process and isinstance(spec, dict):
            effects.changed.add((process, str(spec.get("field"))))
        elif action.kind in ("create", "schedule") and isinstance(spec, dict) and spec.get("process"):
            target = str(spec["process"])
            effects.created.add(target)
            effects.entered.update((target, s) for s in _initial_stages(project, target, spec))
        elif action.kind == "update" and isinstance(spec, dict):
            _collect(project, action.children, spec.get("process"), effects)
        elif action.kind == "complete_tasks" and process:
            name = spec if isinstance(spec, str) else (spec or {}).get("name")
            target = project.processes.get(process)
            names = [name] if name else list(target.tasks) if target else []
            effects.completed.update((process, n) for n in names)
        elif action.kind == "run" and isinstance(spec, str):
            effects.runs.add(spec)
