"""Warn about rules that can fire each other in a loop."""

from __future__ import annotations

from ...definitions.model import Action, Project, Rule
from ..report import Report
from .effects import Effects, action_effects, move_targets, stages_required


def _fires(effects: Effects, target: Rule) -> bool:
    trigger, process = target.trigger, target.process
    values = trigger.value if isinstance(trigger.value, list) else [trigger.value]
    if trigger.kind == "entered":
        return any((process, v) in effects.entered for v in values)
    if trigger.kind == "left":
        return process in effects.moved
    if trigger.kind == "changed":
        return any((process, v) in effects.changed for v in values)
    if trigger.kind == "created":
        return process in effects.created
    if trigger.kind == "task":
        return (process, trigger.value) in effects.completed
    if trigger.kind == "called":
        return target.name in effects.runs
    return False


def _touched(effects: Effects) -> set[str]:
    """The processes an action list can change (only their rules can be woken)."""
    return ({p for p, _ in effects.entered} | effects.moved | {p for p, _ in effects.changed} | effects.created
            | {p for p, _ in effects.completed})


SAME_ITEM = frozenset(("move", "hold", "resume", "set", "append", "assign", "link", "complete_tasks", "run"))
"""Actions that change the rule's own items: the rules they wake act on the same item, in a stage we may know."""


def rule_graph(project: Project) -> dict[str, list[str]]:
    """Which rules each rule's actions may fire directly (candidates looked up by process, not all pairs).

    A rule woken on the same item is left out when the stages it requires (``when: {entered: …}``, ``stage =
    '…'`` in ``if``) cannot hold there: the item's stage is followed through the rule's own moves.
    """
    rules = [r for r in project.rules.values() if r.enabled]
    order = {r.name: i for i, r in enumerate(rules)}
    by_process: dict[str | None, list[Rule]] = {}
    for rule in rules:
        by_process.setdefault(rule.process, []).append(rule)
    required = {r.name: stages_required(r) for r in rules}
    graph = {}
    for rule in rules:
        fired: dict[str, Rule] = {}
        stage = required[rule.name]
        for action in rule.actions:
            stage = _stage_after(project, rule, action, stage)
            effects = action_effects(project, rule, action)
            candidates = {t.name: t for p in _touched(effects) for t in by_process.get(p, [])}
            candidates.update({name: project.rules[name] for name in effects.runs if name in order})
            for target in candidates.values():
                if target.name in fired or not _fires(effects, target):
                    continue
                need = required[target.name]
                same_item = action.kind in SAME_ITEM and target.process == rule.process
                if same_item and need is not None and stage is not None and not need & stage:
                    continue  # it wants the item in a stage the item cannot be in here
                fired[target.name] = target
        graph[rule.name] = [t.name for t in sorted(fired.values(), key=lambda t: order[t.name])]
    return graph


def _stage_after(project: Project, rule: Rule, action: Action, stage: set[str] | None) -> set[str] | None:
    """The stages the rule's item may be in after ``action`` (None: any)."""
    if action.kind in ("move", "hold"):
        stages, exact = move_targets(project, rule.process, action.spec)
        return stages if exact else None
    if action.kind == "resume":
        return None
    return stage


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """One loop per strongly connected group of rules (Tarjan), as a path back to its start.

    >>> find_cycles({"a": ["b"], "b": ["a"], "c": ["c"], "d": []})
    [['a', 'b', 'a'], ['c', 'c']]
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, []):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1 or node in graph.get(node, []):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(_path(graph, group) for group in groups)


def _path(graph: dict[str, list[str]], group: list[str]) -> list[str]:
    """The shortest loop from the group's first rule back to itself."""
    start, members = group[0], set(group)
    parents: dict[str, str] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in graph.get(node, []):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(parents[path[-1]])
                return [*reversed(path), start]
            if nxt in members and nxt not in parents:
                parents[nxt] = node
                queue.append(nxt)
    return [start, start]


def check_cycles(report: Report) -> None:
    """Each loop of rules firing rules gets one warning at its first rule."""
    project = report.project
    for loop in find_cycles(rule_graph(project)):
        first = project.rules[loop[0]]
        report.warning(first.trigger.loc, "W-RULE-CYCLE", f"rules can fire each other in a loop: "
                       f"{' -> '.join(loop)}", f"the engine stops such a cascade at depth "
                       f"{project.cascade_depth}; add a condition that breaks the loop")
