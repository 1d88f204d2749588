"""What an action changed, as temp tables that triggered rules select from.

A change table always has an ``id`` column (the item). Each kind of change
knows which rules it wakes and with which filter over its table (aliased
``m``), so a triggered rule's items are chosen in one statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..definitions.model import Rule
from ..store.names import quote


def _literals(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _as_list(value) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list) else [value])]


@dataclass
class Change:
    """Items of ``process`` that changed, listed in temp table ``table``."""

    process: str
    table: str

    def filter_for(self, rule: Rule) -> str | None:
        """SQL over ``m`` selecting the items that fire ``rule``, or None when it does not apply."""
        raise NotImplementedError


@dataclass
class Created(Change):
    """Items were created (their ``stage`` column holds the stage they start in)."""

    def filter_for(self, rule: Rule) -> str | None:
        kind = rule.trigger.kind
        if rule.process != self.process:
            return None
        if kind == "created":
            return "TRUE"
        if kind == "entered":
            return f"m.stage IN ({_literals(_as_list(rule.trigger.value))})"
        return None


@dataclass
class Staged(Change):
    """Items changed stage (``old_stage`` → ``new_stage``)."""

    def filter_for(self, rule: Rule) -> str | None:
        if rule.process != self.process or rule.trigger.kind not in ("entered", "left"):
            return None
        column = "new_stage" if rule.trigger.kind == "entered" else "old_stage"
        return (f"m.old_stage IS DISTINCT FROM m.new_stage AND "
                f"m.{column} IN ({_literals(_as_list(rule.trigger.value))})")


@dataclass
class FieldsChanged(Change):
    """Items had fields set (``old_<f>`` / ``new_<f>`` columns)."""

    fields: tuple[str, ...] = ()

    def filter_for(self, rule: Rule) -> str | None:
        if rule.process != self.process or rule.trigger.kind != "changed":
            return None
        wanted = [f for f in _as_list(rule.trigger.value) if f in self.fields]
        if not wanted:
            return None
        return "(" + " OR ".join(f"m.{quote('old_' + f)} IS DISTINCT FROM m.{quote('new_' + f)}"
                                 for f in wanted) + ")"


@dataclass
class TasksClosed(Change):
    """Tasks were completed (``id`` = item, ``task``, ``name``, ``outcome``)."""

    statuses: tuple[str, ...] = field(default=("done",))

    def filter_for(self, rule: Rule) -> str | None:
        if rule.process != self.process or rule.trigger.kind != "task":
            return None
        condition = f"m.status = 'done' AND m.name IN ({_literals(_as_list(rule.trigger.value))})"
        outcome = rule.trigger.options.get("outcome")
        if outcome is not None:
            condition += f" AND m.outcome IN ({_literals(_as_list(outcome))})"
        return condition
