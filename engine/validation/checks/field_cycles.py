"""Computed and rollup fields that read themselves, directly or through other fields and linked items.

A computed field is inlined wherever it is read, and a rollup is a subquery
over the linked items reading their fields the same way; a field that depends
on itself would be inlined for ever. Such a cycle – ``total = own_time +
children_total``, ``children_total`` the sum of the children's ``total`` –
is refused here, naming every step, before anything is compiled.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from ...definitions.model import FieldDef, Process, Project
from ..report import Report
from .common import expression_tree

Node = tuple[str, str]
"""(process, field) of a computed or rollup field."""


def check_field_cycles(report: Report) -> None:
    """Refuse every computed or rollup field that depends on itself, once per cycle."""
    project = report.project
    graph = {node: list(_reads(project, node)) for node in _derived(project)}
    reported: set[frozenset[Node]] = set()
    for start in graph:
        cycle = _cycle_from(graph, start)
        if cycle is None or frozenset(cycle) in reported:
            continue
        reported.add(frozenset(cycle))
        process, name = start
        declared = project.processes[process].fields[name]
        key = "compute" if declared.compute is not None else "rollup"
        steps = " -> ".join(f"{p}.{f}" for p, f in (*cycle, cycle[0]))
        report.error(declared.loc.at(key), "E-FIELD-CYCLE",
                     f"field '{process}.{name}' depends on itself: {steps}",
                     "a computed or rollup field cannot read itself, not even through linked items; "
                     "compute it from stored fields, or keep one of the steps in a stored field a rule sets")


def _derived(project: Project) -> Iterator[Node]:
    for process in project.processes.values():
        for declared in process.fields.values():
            if declared.compute is not None or declared.rollup is not None:
                yield process.name, declared.name


def _bare_names(text: object) -> set[str]:
    tree = expression_tree(text)
    if tree is None:
        return set()
    return {column.name for column in tree.find_all(exp.Column) if not column.table}


def _reads(project: Project, node: Node) -> Iterator[Node]:
    """The computed and rollup fields ``node`` reads."""
    process = project.processes[node[0]]
    declared: FieldDef = process.fields[node[1]]
    if declared.compute is not None:
        yield from _derived_among(process, _bare_names(declared.compute))
        return
    spec = declared.rollup if isinstance(declared.rollup, dict) else {}
    child = project.processes.get(spec.get("process"))
    if child is None:
        return
    names = set()
    for key in ("sum", "min", "max", "avg"):
        if isinstance(spec.get(key), str):
            names.add(spec[key])
    for key in ("where", "all", "any"):
        names |= _bare_names(spec.get(key))
    yield from _derived_among(child, names)


def _derived_among(process: Process, names: set[str]) -> Iterator[Node]:
    for name in sorted(names):
        declared = process.fields.get(name)
        if declared is not None and (declared.compute is not None or declared.rollup is not None):
            yield process.name, name


def _cycle_from(graph: dict[Node, list[Node]], start: Node) -> list[Node] | None:
    """The shortest path from ``start`` back to itself (breadth first), or None."""
    previous: dict[Node, Node] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in graph.get(node, ()):
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return path[::-1]
                if nxt not in previous:
                    previous[nxt] = node
                    following.append(nxt)
        frontier = following
    return None
