"""Did an event's changes to an item match a rule's trigger? Read from the item's journal entries."""

from __future__ import annotations

import re
from typing import Any

from ..definitions.model import Rule

_COMPLETED = re.compile(r"^completed #(\d+)(?: as (\S+))?(?: · .*)?$", re.S)
"""A completion's journal text: ``completed #12 as reached · the comment`` (outcome and comment optional)."""


def _listed(value: Any) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list) else [value])]


NOT_WOKEN = "not woken"
"""The prefix of a mismatch meaning the trigger's kind of change did not happen at all."""


def trigger_mismatch(rule: Rule, entries: list) -> str | None:
    """Why the event's journal ``entries`` for the item do not wake ``rule``; None when they do.

    A reason starting with :data:`NOT_WOKEN` means nothing of the trigger's
    kind happened (no stage change for ``entered``); others name a near miss.
    """
    kind, wanted = rule.trigger.kind, _listed(rule.trigger.value)
    names = "/".join(wanted)
    if kind == "created":
        return None if any(e.kind == "created" for e in entries) else f"{NOT_WOKEN}: not created by this event"
    if kind in ("entered", "left"):
        moves = [e for e in entries if e.kind == "stage" or (e.kind == "created" and kind == "entered")]
        if not moves:
            return f"{NOT_WOKEN}: the item's stage did not change in this event"
        if kind == "entered":
            if any(e.new in wanted for e in moves):
                return None
            return f"wrong stage: waits for entered '{names}'; {stage_moves(entries, kind)}"
        if any(e.old in wanted for e in moves):
            return None
        return f"wrong stage: waits for left '{names}'; {stage_moves(entries, kind)}"
    if kind == "changed":
        if any(e.kind == "field" and e.field in wanted for e in entries):
            return None
        return f"{NOT_WOKEN}: '{names}' did not change in this event"
    if kind == "task":
        return _task_mismatch(rule, entries, wanted)
    return None


def stage_moves(entries: list, kind: str = "entered") -> str:
    """``the item entered 'done'`` (or ``left``): what the entries did to the item's stage."""
    if kind == "entered":
        moves = [e.new for e in entries if e.kind in ("stage", "created")]
    else:
        moves = [e.old for e in entries if e.kind == "stage"]
    return f"the item {kind} {_quoted(moves)}"


def _task_mismatch(rule: Rule, entries: list, wanted: list[str]) -> str | None:
    outcomes = rule.trigger.options.get("outcome")
    done = [(e.field, _COMPLETED.match(e.new or "")) for e in entries if e.kind == "task" and e.field in wanted]
    done = [(name, m) for name, m in done if m]
    if not done:
        return f"{NOT_WOKEN}: no '{'/'.join(wanted)}' task was completed in this event"
    if outcomes is None:
        return None
    allowed = _listed(outcomes)
    got = [m.group(2) for _, m in done]
    if any(o in allowed for o in got):
        return None
    return f"wrong outcome: waits for {'/'.join(allowed)}, the task was completed as {_quoted(got)}"


def completed_task_ids(entries: list) -> list[int]:
    """Ids of the tasks the entries say were completed."""
    return [int(m.group(1)) for e in entries if e.kind == "task" and (m := _COMPLETED.match(e.new or ""))]


def _quoted(values) -> str:
    return ", ".join(f"'{v}'" for v in dict.fromkeys(values)) or "nothing"
