"""A project prepared for running: rules indexed by what wakes them."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..definitions.model import Project, Rule
from .changes import Change, Created, FieldsChanged, Staged, TasksClosed

_CHANGE_TRIGGERS = {
    Created: ("created", "entered"),
    Staged: ("entered", "left"),
    FieldsChanged: ("changed",),
    TasksClosed: ("task",),
}


@dataclass
class CompiledProject:
    """The project plus lookups the runtime needs on every event."""

    project: Project
    by_event: dict[str, list[Rule]] = field(default_factory=dict)
    by_process_trigger: dict[tuple[str, str], list[Rule]] = field(default_factory=dict)
    timed: list[Rule] = field(default_factory=list)

    @classmethod
    def build(cls, project: Project) -> CompiledProject:
        """Index the enabled rules of ``project``."""
        compiled = cls(project)
        for rule in project.rules.values():
            if not rule.enabled:
                continue
            kind = rule.trigger.kind
            if kind == "event":
                compiled.by_event.setdefault(rule.trigger.value, []).append(rule)
            elif kind in ("cron", "date", "dwell"):
                compiled.timed.append(rule)
            elif rule.process:
                compiled.by_process_trigger.setdefault((rule.process, kind), []).append(rule)
        return compiled

    def rules_for_event(self, event_type: str) -> list[Rule]:
        """Rules woken by an event of this type, in declaration order."""
        return self.by_event.get(event_type, [])

    def rules_for_change(self, change: Change) -> list[Rule]:
        """Rules a change may wake (each still filters by its own trigger details)."""
        rules: list[Rule] = []
        for kind in _CHANGE_TRIGGERS[type(change)]:
            rules += self.by_process_trigger.get((change.process, kind), [])
        order = list(self.project.rules)
        return sorted(rules, key=lambda r: order.index(r.name))
