"""Why an item is where it is (``ruledeck explain``): the journal entry behind its stage and each value,
and (see :mod:`.why_not`) the rules the events on it could have woken that did not fire, and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .card import ItemCard, JournalEntry, item_card


@dataclass
class Origin:
    """Where a current value came from: the journal entry that set it, or why there is none."""

    name: str
    value: Any
    entry: JournalEntry | None = None
    note: str = ""


@dataclass
class Verdict:
    """A condition evaluated on one set of values."""

    basis: str
    """``"then"`` (values rebuilt from the journal as of the event or timer) or ``"now"`` (current values)."""
    result: Any
    """True, False, None (SQL's unknown), or the error text when it could not be evaluated."""
    seen: dict[str, Any] = field(default_factory=dict)
    """The values the condition read (``event.x`` for payload fields)."""


@dataclass
class RuleCheck:
    """One rule that could have acted on the item: whether it did, and if not, why."""

    rule: str
    fired: bool
    reason: str
    condition: str | None = None
    verdicts: list[Verdict] = field(default_factory=list)
    woken: bool = True
    """False when the trigger's kind of change did not happen at all (no stage change for ``entered``)."""
    group: str | None = None
    """Checks failing for one shared reason carry it here (``the item entered 'draft'``), to be listed together,"""
    detail: str = ""
    """with what each one waited for (``entered 'done'``)."""


@dataclass
class EventCheck:
    """An event that touched the item and the rules checked against it."""

    id: str
    type: str | None
    time: Any
    checks: list[RuleCheck] = field(default_factory=list)


@dataclass
class Explanation:
    """The answers of ``ruledeck explain``."""

    card: ItemCard
    stage: Origin
    fields: list[Origin]
    events: list[EventCheck]
    timers: list[RuleCheck]
    refusals: list = field(default_factory=list)
    """Rejected events that named the item (:class:`.refusals.Refusal`): which refusal fired, and why."""
    tasks: list[dict] = field(default_factory=list)
    """The item's tasks, closed ones too: outcome, comment and the values of their form."""


def explain_item(engine, text: str) -> Explanation:
    """Explain the item named ``text`` (an id or ``PROCESS:KEY``)."""
    from .refusals import refusals_of
    from .why_not import event_checks, timer_checks

    card = item_card(engine, text)
    return Explanation(card, _stage_origin(card), _field_origins(card), event_checks(engine, card),
                       timer_checks(engine, card), refusals_of(engine, card), _tasks_of(engine, card))


def _tasks_of(engine, card: ItemCard) -> list[dict]:
    import json

    from .source import fetch_dicts

    rows = fetch_dicts(engine.con, "SELECT id, name, status, outcome, comment, form, closed_at FROM rd_tasks "
                                   "WHERE item = ? AND process = ? ORDER BY id", [card.id, card.process.name])
    for row in rows:
        row["form"] = json.loads(row["form"]) if row["form"] else None
    return rows


# -- why here, why these values -------------------------------------------------------------
def _stage_origin(card: ItemCard) -> Origin:
    entries = [e for e in card.journal if e.kind in ("stage", "created")]
    return Origin("stage", card.values["stage"], entries[-1] if entries else None,
                  "" if entries else "no journal entry")


def _field_origins(card: ItemCard) -> list[Origin]:
    last: dict[str, JournalEntry] = {}
    for entry in card.journal:
        if entry.kind == "field" and entry.field:
            last[entry.field] = entry
    out = []
    for name, declared in card.process.fields.items():
        value = card.values.get(name)
        if declared.compute is not None:
            out.append(Origin(name, value, note=f"computed: {declared.compute}"))
        elif declared.rollup is not None:
            out.append(Origin(name, value, note=f"rollup over {declared.rollup.get('process')} items"))
        elif name in last:
            entry = last[name]
            note = "" if entry.new == card.texts.get(name) else f"the journal's last value is {entry.new!r}"
            out.append(Origin(name, value, entry, note))
        else:
            out.append(Origin(name, value, note="never set" if value is None else "set without a journal entry"))
    if card.values.get("held_from") is not None and "held_from" in last:
        out.append(Origin("held_from", card.values["held_from"], last["held_from"]))
    return out
