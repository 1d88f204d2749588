"""Which event types may be applied many at a time (see :mod:`.batch`).

An event type qualifies when one statement per rule over the whole batch
leaves what one event at a time would. Its rules may create items, and may
select existing items when they *pin* them: the rule's condition says
``F = event.G`` (``and`` other conditions) for fields ``F`` no action ever
changes (``id``, a key set only when the item is created), so the items an
event can reach are known whatever the others did. The rules the touched
items wake may set, move, hold, resume, assign, create and ``update`` the
items a reference links them with (a ``where`` saying ``id = source.REF`` or
``REF = source.id``) – never ``link`` (which reaches any item), tasks,
notifications or documents (which share counters and outputs across events).
Whether two events of a batch touched the same item (or items linked by a
reference) is only known after the batch ran: :mod:`.batch_footprint` checks
it, and the batch is cut before the first event that did. A counter two
actions of one event would share (a sequence field, a round-robin) would
interleave differently in a batch, so it also rules the type out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from sqlglot import exp

from ..definitions.model import Action, Project, Rule
from ..expressions import parse
from .compiled import CompiledProject

SAFE_ACTIONS = frozenset({"create", "schedule", "set", "append", "move", "hold", "resume", "run", "assign",
                          "update", "notify", "task", "complete_tasks", "cancel_tasks"})
CHANGING_ACTIONS = frozenset({"set", "move", "hold", "resume", "assign"})
FIELD_WRITERS = {"set": lambda spec: set(spec) if isinstance(spec, dict) else set(),
                 "assign": lambda spec: {spec["field"]} if isinstance(spec, dict) and "field" in spec else set(),
                 "append": lambda spec: ({*spec, spec.get("field")} - {None}) if isinstance(spec, dict) else set(),
                 "link": lambda spec: {spec["field"]} if isinstance(spec, dict) and "field" in spec else set()}
"""Action kinds that change fields of existing items, and which fields (by name, whatever the process)."""
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
    kinds: set[str] = field(default_factory=set)
    """Every action kind the event's rules can reach."""

    def woken(self, process: str, kind: str, values: set[str]) -> list[Rule]:
        return [r for r in self.compiled.by_process_trigger.get((process, kind), [])
                if kind == "left" or _as_set(r.trigger.value) & values]

    def actions(self, actions: list[Action], rule: Rule, process: str | None, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise NotBatchable(f"rules reached from '{rule.name}' cascade more than {MAX_DEPTH} levels")
        project = self.compiled.project
        for action in actions:
            kind, spec = action.kind, action.spec
            self.kinds.add(kind)
            if kind not in SAFE_ACTIONS:
                raise NotBatchable(f"rule '{rule.name}' has a '{kind}' action")
            if kind == "assign" and isinstance(spec, dict) and spec.get("method") == "round_robin":
                raise NotBatchable(f"rule '{rule.name}' assigns round-robin")
            if kind == "task" and isinstance(spec, dict) and spec.get("as"):
                raise NotBatchable(f"rule '{rule.name}' names its task (as: {spec['as']}): its id is read before "
                                   "it is final")
            if kind == "run":
                called = project.rules[spec]
                if called.enabled:
                    self.actions(called.actions, called, process, depth + 1)
            elif kind == "update":
                target = spec["process"]
                if process is None or not linked_by_reference(project, process, target, spec.get("where")):
                    raise NotBatchable(f"rule '{rule.name}' updates '{target}' items no reference links it with")
                self.actions(action.children, rule, target, depth + 1)
            elif kind in ("create", "schedule"):
                self.created(spec, rule, depth)
            elif kind == "complete_tasks" and process is not None:
                names = {spec if isinstance(spec, str) else (spec or {}).get("name")} - {None}
                for woken in self.compiled.by_process_trigger.get((process, "task"), []):
                    if not names or _as_set(woken.trigger.value) & names:
                        self.actions(woken.actions, woken, process, depth + 1)
            elif process is not None and kind not in ("notify", "task", "cancel_tasks"):   # these wake no rule
                self.changed(process, kind, spec, depth)

    def changed(self, name: str, kind: str, spec, depth: int) -> None:
        process = self.compiled.project.processes[name]
        every = {stage for pipeline in process.pipelines.values() for stage in pipeline.stages}
        woken: list[Rule] = []
        if kind == "set":
            woken = self.woken(name, "changed", set(spec))
        elif kind in ("assign", "append"):
            woken = self.woken(name, "changed", FIELD_WRITERS[kind](spec))
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


def _conjuncts(tree: exp.Expression) -> list[exp.Expression]:
    return [c for c in tree.flatten()] if isinstance(tree, exp.And) else [tree]


def _equalities(condition: str | None) -> list[tuple[exp.Column, exp.Column]]:
    """The ``a = b`` conjuncts of a condition between two names (both orders)."""
    if not condition:
        return []
    try:
        tree = parse(str(condition)).tree
    except Exception:  # noqa: BLE001 - validated already; nothing is known about it
        return []
    pairs = []
    for conjunct in _conjuncts(tree):
        if isinstance(conjunct, exp.EQ) and isinstance(conjunct.this, exp.Column) \
                and isinstance(conjunct.expression, exp.Column):
            pairs += [(conjunct.this, conjunct.expression), (conjunct.expression, conjunct.this)]
    return pairs


def linked_by_reference(project: Project, source: str, target: str, where: str | None) -> bool:
    """Whether ``update``'s ``where`` ties each target to the source by a reference (either way)."""
    source_fields, target_fields = project.processes[source].fields, project.processes[target].fields

    def is_ref(fields, name: str, to: str) -> bool:
        declared = fields.get(name)
        return (declared is not None and declared.type == "ref" and not declared.many and declared.compute is None
                and declared.rollup is None and declared.process == to)

    for own, other in _equalities(where):
        if own.table or other.table != "source":
            continue
        if own.name == "id" and is_ref(source_fields, other.name, target):
            return True
        if other.name == "id" and is_ref(target_fields, own.name, source):
            return True
    return False


def mutable_fields(project: Project) -> frozenset[str]:
    """Names of fields some action may change after the item was created (whatever their process)."""
    names: set[str] = set()

    def walk(actions: list[Action]) -> None:
        for action in actions:
            names.update(FIELD_WRITERS.get(action.kind, lambda spec: set())(action.spec))
            walk(action.children)

    for rule in project.rules.values():
        walk(rule.actions)
    return frozenset(names)


def event_pins(project: Project, rule: Rule, mutable: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """``(item field, event field)`` pairs the rule's condition equates, for fields no action changes."""
    process = project.processes[rule.process]
    pins = []
    for own, other in _equalities(rule.condition):
        if own.table or other.table != "event":
            continue
        declared = process.fields.get(own.name)
        stored = own.name == "id" or (declared is not None and declared.compute is None and declared.rollup is None
                                      and not declared.many)
        if stored and own.name not in mutable:
            pins.append((own.name, other.name))
    return tuple(dict.fromkeys(pins))


def why_not_batchable(compiled: CompiledProject, event_type: str) -> str | None:
    """None when events of ``event_type`` can be batched, else the reason they cannot."""
    reason, _ = _plan(compiled, event_type)
    return reason


def reaches_existing_items(compiled: CompiledProject, event_type: str) -> bool:
    """Whether a batchable type's events can touch items that existed before (so may overlap in a batch)."""
    _, walk = _plan(compiled, event_type)
    return "update" in walk.kinds or any(rule.process for rule in compiled.rules_for_event(event_type))


def _plan(compiled: CompiledProject, event_type: str) -> tuple[str | None, _Walk]:
    walk = _Walk(compiled, Counter())
    declared = compiled.project.event_types.get(event_type)
    if declared is None:
        return "it is not a declared event type", walk
    refs = [name for name, f in declared.fields.items() if f.type == "ref"]
    if refs:
        return f"its field '{refs[0]}' names an existing item", walk
    mutable = mutable_fields(compiled.project)
    try:
        for rule in compiled.rules_for_event(event_type):
            if rule.process and not event_pins(compiled.project, rule, mutable):
                raise NotBatchable(f"rule '{rule.name}' selects existing '{rule.process}' items without naming "
                                   "them by a field that never changes (as in \"id = event.FIELD\")")
            walk.actions(rule.actions, rule, rule.process, 0)
    except NotBatchable as reason:
        return str(reason), walk
    return None, walk


def batchable_event_types(compiled: CompiledProject) -> frozenset[str]:
    """The event types whose events may be applied in batches."""
    return frozenset(name for name in compiled.project.event_types if why_not_batchable(compiled, name) is None)
