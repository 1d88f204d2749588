"""Warn about stages that no rule, creation or person can ever put a card in."""

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
                                   "add a rule that moves cards here, or mark the stage 'manual: true'",
                                   key=True)


def _manual(loc) -> bool:
    node = loc.doc.data
    for part in loc.path:
        node = node.get(part) if isinstance(node, dict) else None
    return isinstance(node, dict) and node.get("manual") is True
