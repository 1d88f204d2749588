"""Warn about stages that no rule, creation or person can ever put a card in.

A stage is reached by being initial or ``manual: true``, or by a ``move`` or ``hold`` naming it (a computed
move reaches the literals its results can be, and every value of an enum field it returns), or by a
``create`` / ``schedule`` whose ``stage:`` (or pipeline's first stage) it is. ``resume`` and moves to
``held_from`` or ``stage`` only return cards to stages they were in before, so they reach nothing new.
"""

from __future__ import annotations

from ..report import Report
from .effects import rule_effects


def check_reachability(report: Report) -> None:
    """A stage is reachable when it is initial, manual, or some action moves or creates cards into it."""
    project = report.project
    reached: set[tuple[str, str]] = set()
    for rule in project.rules.values():
        reached |= rule_effects(project, rule).entered
    for process in project.processes.values():
        reached.add((process.name, process.initial_stage))
        for pipeline in process.pipelines.values():
            for stage in pipeline.stages.values():
                manual = bool(stage.loc.doc.data and _manual(stage.loc))
                if (process.name, stage.name) not in reached and not manual:
                    report.warning(stage.loc, "W-STAGE-UNREACHABLE",
                                   f"no rule or person can put a '{process.name}' card in stage '{stage.name}'",
                                   _hint(process.name, stage.name, stage.kind), key=True)


def _hint(process: str, stage: str, kind: str) -> str:
    """What would make the stage reachable."""
    if kind == "on_hold":
        return f"add 'hold: {stage}' to a rule of process '{process}', or mark the stage 'manual: true'"
    return (f"add 'move: {stage}' to a rule of process '{process}' (or 'stage: {stage}' to a create of it), "
            "or mark the stage 'manual: true' so people can move cards there with 'ruledeck move'")


def _manual(loc) -> bool:
    node = loc.doc.data
    for part in loc.path:
        node = node.get(part) if isinstance(node, dict) else None
    return isinstance(node, dict) and node.get("manual") is True
