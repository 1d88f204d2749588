"""Which event types may be applied many at a time (see :mod:`.batch`).

An event type qualifies when everything its events can cause stays inside
the items each event creates: its rules have no process (they select no
existing items, they create), and the rules those new items wake only set,
move, hold, resume, assign or create – never ``update`` or ``link`` (which
reach other items) nor tasks, notifications or documents (which share
counters and outputs across events). Then no event of a batch can see
another's work, and one statement per rule over the whole batch leaves what
one event at a time would. A counter two actions of one event would share (a
sequence field, a round-robin) would interleave differently in a batch, so it
also rules the type out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from sqlglot import exp

from ..definitions.model import Action, Rule
from ..expressions import parse
from .compiled import CompiledProject

SAFE_ACTIONS = frozenset({"create", "schedule", "set", "move", "hold", "resume", "run", "assign"})
CHANGING_ACTIONS = frozenset({"set", "move", "hold", "resume", "assign"})
MAX_DEPTH = 25
NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class NotBatchable(Exception):
    """Why an event type must be applied one event at a time."""


def _as_set(value) -> set[str]:
    return {str(v) for v in (value if isinstance(value, list) else [value])}


def _stages_of_move(spec, every: set[str]) -> set[str]:
    """The stages a ``move`` can reach: its name, the literals of a ``case`` of literals, else any."""
    if isinstance(spec, str) and NAME.match(spec):
        return {spec}
    try:
        tree = parse(str(spec)).tree
    except Exception:  # noqa: BLE001 - validated already; assume any stage
        return every
    if isinstance(tree, exp.Case):
        results = [i.args.get("true") for i in tree.args.get("ifs") or []] + [tree.args.get("default")]
        if all(isinstance(r, exp.Literal) and r.is_string for r in results):
            return {r.this for r in results}
    return every


@dataclass
class _Walk:
    compiled: CompiledProject
    counters: Counter

    def woken(self, process: str, kind: str, values: set[str]) -> list[Rule]:
        return [r for r in self.compiled.by_process_trigger.get((process, kind), [])
                if kind == "left" or _as_set(r.trigger.value) & values]

    def actions(self, actions: list[Action], rule: Rule, process: str | None, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise NotBatchable(f"rules reached from '{rule.name}' cascade more than {MAX_DEPTH} levels")
        project = self.compiled.project
        for action in actions:
            kind, spec = action.kind, action.spec
            if kind not in SAFE_ACTIONS:
                raise NotBatchable(f"rule '{rule.name}' has a '{kind}' action")
            if kind == "assign" and isinstance(spec, dict) and spec.get("method") == "round_robin":
                raise NotBatchable(f"rule '{rule.name}' assigns round-robin")
            if kind == "run":
                called = project.rules[spec]
                if called.enabled:
                    self.actions(called.actions, called, process, depth + 1)
            elif kind in ("create", "schedule"):
                self.created(spec, rule, depth)
            elif process is not None:
                self.changed(process, kind, spec, depth)

    def changed(self, name: str, kind: str, spec, depth: int) -> None:
        process = self.compiled.project.processes[name]
        every = {stage for pipeline in process.pipelines.values() for stage in pipeline.stages}
        woken: list[Rule] = []
        if kind == "set":
            woken = self.woken(name, "changed", set(spec))
        elif kind == "assign":
            woken = self.woken(name, "changed", {spec["field"]})
        else:
            stages = {"move": lambda: _stages_of_move(spec, every), "hold": lambda: _stages_of_move(spec, every),
                      "resume": lambda: every}[kind]()
            woken = self.woken(name, "left", every) + self.woken(name, "entered", stages)
            if kind in ("hold", "resume"):
                woken += self.woken(name, "changed", {f for f in process.fields})
        for rule in woken:
            self.actions(rule.actions, rule, name, depth + 1)

    def created(self, spec: dict, rule: Rule, depth: int) -> None:
        name = spec["process"]
        process = self.compiled.project.processes[name]
        for field_name, declared in process.fields.items():
            if declared.type == "ref" and declared.many:
                raise NotBatchable(f"'{name}' has a many-valued reference '{field_name}'")
            if declared.sequence:
                if "{year}" in declared.sequence:
                    raise NotBatchable(f"'{name}.{field_name}' is numbered per year")
                self.counters[(name, field_name)] += 1
                if self.counters[(name, field_name)] > 1:
                    raise NotBatchable(f"'{name}.{field_name}' is numbered by more than one action per event")
        if "stage" in spec:
            stages = _stages_of_move(spec["stage"], process.stage_names())
        elif "pipeline_expr" in spec:
            stages = {next(iter(p.stages)) for p in process.pipelines.values()}
        else:
            stages = {process.initial_stage}
        woken = self.compiled.by_process_trigger.get((name, "created"), []) + self.woken(name, "entered", stages)
        for woken_rule in woken:
            self.actions(woken_rule.actions, woken_rule, name, depth + 1)


def why_not_batchable(compiled: CompiledProject, event_type: str) -> str | None:
    """None when events of ``event_type`` can be batched, else the reason they cannot."""
    declared = compiled.project.event_types.get(event_type)
    if declared is None:
        return "it is not a declared event type"
    refs = [name for name, f in declared.fields.items() if f.type == "ref"]
    if refs:
        return f"its field '{refs[0]}' names an existing item"
    walk = _Walk(compiled, Counter())
    try:
        for rule in compiled.rules_for_event(event_type):
            if rule.process:
                raise NotBatchable(f"rule '{rule.name}' selects existing '{rule.process}' items")
            walk.actions(rule.actions, rule, None, 0)
    except NotBatchable as reason:
        return str(reason)
    return None


def batchable_event_types(compiled: CompiledProject) -> frozenset[str]:
    """The event types whose events may be applied in batches."""
    return frozenset(name for name in compiled.project.event_types if why_not_batchable(compiled, name) is None)
