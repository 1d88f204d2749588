"""Why an item is where it is (``ruledeck explain``): the journal entry behind its stage and each value,
and for the events that touched it, the rules that did not fire for it and why.

Conditions are re-evaluated with the reference interpreter against the
item's *current* values (and the event's stored payload); the journal keeps
changes, not whole snapshots, so each check says so and flags the fields it
read that changed after the event.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from ..definitions.model import Rule
from ..errors import RuledeckError
from ..expressions import Type, check, evaluate, names_used, parse
from ..runtime.clock import due_sql
from ..runtime.frame import Frame
from ..store.names import items_table, quote
from .card import ItemCard, JournalEntry, item_card
from .rule_checks import NOT_WOKEN, completed_task_ids, trigger_mismatch
from .source import EPOCH

CHANGE_TRIGGERS = ("created", "entered", "left", "changed", "task")


@dataclass
class Origin:
    """Where a current value came from: the journal entry that set it, or why there is none."""

    name: str
    value: Any
    entry: JournalEntry | None = None
    note: str = ""


@dataclass
class RuleCheck:
    """One rule that could have acted on the item: whether it did, and if not, why."""

    rule: str
    fired: bool
    reason: str
    condition: str | None = None
    seen: dict[str, Any] = field(default_factory=dict)
    """The values the condition read (``event.x`` for payload fields)."""
    changed_since: list[str] = field(default_factory=list)
    """Fields the condition read that changed after the event: the verdict may differ from then."""
    woken: bool = True
    """False when the trigger's kind of change did not happen at all (no stage change for ``entered``)."""


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


def explain_item(engine, text: str) -> Explanation:
    """Explain the item named ``text`` (an id or ``PROCESS:KEY``)."""
    card = item_card(engine, text)
    return Explanation(card, _stage_origin(card), _field_origins(card), _event_checks(engine, card),
                       _timer_checks(engine, card))


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


# -- why not ----------------------------------------------------------------------------------
def _event_checks(engine, card: ItemCard) -> list[EventCheck]:
    """Checks for every event that changed the item or names it in a ``ref`` field, in the order applied."""
    project = engine.project
    touched = [e.cause_id for e in card.journal if e.cause == "event"]
    events = _events(engine, card, touched)
    for event, applied_at, payload in events:
        entries = [e for e in card.journal if e.cause == "event" and e.cause_id == event.id]
        fired = {e.rule for e in entries if e.rule}
        fired |= _side_effect_rules(engine, card, applied_at)
        later = _changed_after(card, max(e.seq for e in entries)) if entries else _changed_since(card, applied_at)
        for rule in project.rules.values():
            if rule.name in fired and rule.process != card.process.name and rule.trigger.value != event.type:
                event.checks.append(RuleCheck(rule.name, True, f"fired (a '{rule.process}' rule reaching this item)"))
            listens = rule.trigger.kind == "event" and rule.trigger.value == event.type
            reacts = rule.process == card.process.name and rule.trigger.kind in CHANGE_TRIGGERS
            if not (listens or reacts):
                continue
            if rule.name in fired:
                event.checks.append(RuleCheck(rule.name, True, "fired"))
                continue
            event.checks.append(_why_not(engine, card, rule, entries, payload, event, later))
    return [event for event, _, _ in events]


def _why_not(engine, card: ItemCard, rule: Rule, entries: list[JournalEntry], payload: dict,
             event: EventCheck, later: set[str]) -> RuleCheck:
    if rule.process != card.process.name:
        where = f"acts on '{rule.process}' items" if rule.process else "runs without items"
        return RuleCheck(rule.name, False, f"wrong process: it {where}")
    mismatch = trigger_mismatch(rule, entries)
    if mismatch:
        return RuleCheck(rule.name, False, mismatch, woken=not mismatch.startswith(NOT_WOKEN))
    if not rule.enabled:
        return RuleCheck(rule.name, False, "disabled (enabled: false)")
    if rule.pipeline and rule.pipeline != card.values["pipeline"]:
        return RuleCheck(rule.name, False, f"wrong pipeline: only for '{rule.pipeline}', "
                                           f"the item is in '{card.values['pipeline']}'")
    return _evaluated(engine, card, rule, payload, event, later, _task_values(engine, rule, entries))


def _task_values(engine, rule: Rule, entries: list[JournalEntry]) -> dict:
    """``task.*`` values of the task a task-triggered rule would have seen."""
    if rule.trigger.kind != "task":
        return {}
    ids = completed_task_ids(entries)
    if not ids:
        return {}
    row = engine.con.execute("SELECT id, name, outcome, comment, assignee FROM rd_tasks WHERE id = ?",
                             [ids[-1]]).fetchone()
    names = ("id", "name", "outcome", "comment", "assignee")
    return {("task", n): v for n, v in zip(names, row, strict=True)} if row else {}


def _evaluated(engine, card: ItemCard, rule: Rule, payload: dict, event: EventCheck | None,
               later: set[str], extra: dict | None = None) -> RuleCheck:
    """Evaluate the rule's ``if`` now; the reason names the verdict and that it is today's values."""
    if rule.condition is None:
        return RuleCheck(rule.name, True, "fired (its trigger matched and it has no condition), "
                                          "but journaled no change of this item")
    values = {(None, k): v for k, v in card.values.items()}
    if event is not None:
        values.update({("event", k): v for k, v in payload.items()})
        values.update({("event", "id"): event.id, ("event", "type"): event.type, ("event", "time"): event.time})
    values.update(extra or {})
    names = _names(rule.condition)
    seen = {(f"{ns}." if ns else "") + n: values.get((ns, n)) for ns, n in names}
    changed = sorted(n for ns, n in names if ns is None and n in later)
    try:
        frame = Frame(engine.project, "", card.process, card.now or EPOCH,
                      event=engine.project.event_types.get(event.type) if event else None,
                      has_event=rule.trigger.kind == "event", task=rule.trigger.kind == "task")
        expr = parse(rule.condition)
        check(expr, frame.scope(), Type("bool"))
        missing = [n for n in names if n not in values]
        if missing:
            return RuleCheck(rule.name, False, "condition reads " + ", ".join(
                f"{ns + '.' if ns else ''}{n}" for ns, n in missing) + ", which is not kept after the fact",
                rule.condition, seen, changed)
        result = evaluate(expr, values, frame.now, engine.zone)
    except (RuledeckError, KeyError, TypeError, ValueError) as exc:
        return RuleCheck(rule.name, False, f"condition could not be evaluated: {exc}", rule.condition, seen, changed)
    verdict = {True: "true", False: "false", None: "null (unknown, so not met)"}.get(result, repr(result))
    if result is True:
        reason = ("condition is true with the current values, yet nothing was journaled for this item: "
                  "the values may have differed then, or the rule changed nothing")
    else:
        reason = f"condition is {verdict} with the current values"
    return RuleCheck(rule.name, False, reason, rule.condition, seen, changed)


def _names(text: str) -> list[tuple[str | None, str]]:
    try:
        return sorted(names_used(parse(text)), key=lambda n: (n[0] or "", n[1]))
    except RuledeckError:
        return []


def _events(engine, card: ItemCard, touched: list[str]) -> list[tuple[EventCheck, Any, dict]]:
    """The events that changed the item (``touched``) or name it in a ref field, with payloads, oldest first."""
    conditions, params = [], []
    if touched:
        conditions.append(f"id IN ({', '.join('?' for _ in dict.fromkeys(touched))})")
        params += list(dict.fromkeys(touched))
    for name, event_type in engine.project.event_types.items():
        for field_name, declared in event_type.fields.items():
            if declared.type == "ref" and declared.process == card.process.name and not declared.many:
                conditions.append("(type = ? AND TRY_CAST(json_extract_string(payload, ?) AS BIGINT) = ?)")
                params += [name, f"$.{field_name}", card.id]
    if not conditions:
        return []
    rows = engine.con.execute(f"SELECT id, type, time, applied_at, payload FROM rd_events "
                              f"WHERE {' OR '.join(conditions)} ORDER BY seq", params).fetchall()
    return [(EventCheck(event_id, kind, time), applied_at, _payload(engine, kind, payload))
            for event_id, kind, time, applied_at, payload in rows]


def _payload(engine, kind: str, payload: str | None) -> dict:
    """A stored payload with its values converted to the declared field types."""
    from ..runtime.events import convert_value

    data = json.loads(payload) if payload else {}
    declared = engine.project.event_types.get(kind)
    converted = {}
    for name, value in data.items():
        spec = declared.fields.get(name) if declared else None
        try:
            converted[name] = convert_value(value, spec, engine.project, True) if spec and value is not None \
                else value
        except RuledeckError:
            converted[name] = value
    return converted


def _side_effect_rules(engine, card: ItemCard, at: Any) -> set[str]:
    """Rules that acted on the item at the event's moment without changing it (messages, documents, tasks)."""
    rows = engine.con.execute(
        "SELECT rule FROM rd_outbox WHERE item = ? AND process = ? AND created_at = ? UNION "
        "SELECT rule FROM rd_documents WHERE item = ? AND process = ? AND created_at = ? UNION "
        "SELECT rule FROM rd_tasks WHERE item = ? AND process = ? AND created_at = ?",
        [card.id, card.process.name, at] * 3).fetchall()
    return {r[0] for r in rows if r[0]}


def _acted(engine, card: ItemCard, rule: Rule) -> bool:
    """Whether ``rule`` ever left a message, document or task for the item."""
    row = engine.con.execute(
        "SELECT count(*) FROM (SELECT rule FROM rd_outbox WHERE item = ? AND rule = ? UNION ALL "
        "SELECT rule FROM rd_documents WHERE item = ? AND rule = ? UNION ALL "
        "SELECT rule FROM rd_tasks WHERE item = ? AND rule = ?)", [card.id, rule.name] * 3).fetchone()
    return bool(row[0])


def _changed_since(card: ItemCard, at: Any) -> set[str]:
    """Fields changed after the moment ``at``."""
    later = [e.seq for e in card.journal if e.at > at]
    return _changed_after(card, min(later) - 1) if later else set()


def _changed_after(card: ItemCard, seq: int) -> set[str]:
    names = set()
    for e in card.journal:
        if e.seq > seq and e.kind in ("field", "stage"):
            names.add(e.field or "stage")
            if e.kind == "stage":
                names.add("stage_kind")
    return names


# -- timers -------------------------------------------------------------------------------------
def _timer_checks(engine, card: ItemCard) -> list[RuleCheck]:
    out = []
    for rule in engine.project.rules.values():
        if rule.process != card.process.name or rule.trigger.kind not in ("date", "dwell") or not rule.enabled:
            continue
        out.append(_timer_check(engine, card, rule))
    return out


def _timer_check(engine, card: ItemCard, rule: Rule) -> RuleCheck:
    fired_entries = [e for e in card.journal if e.rule == rule.name and e.cause == "tick"]
    went_off = engine.con.execute("SELECT max(due) FROM rd_fired WHERE rule = ? AND item = ?",
                                  [rule.name, card.id]).fetchone()[0]
    if fired_entries:
        return RuleCheck(rule.name, True, f"fired at {_moment(fired_entries[-1].at)}")
    if went_off is not None and _acted(engine, card, rule):
        return RuleCheck(rule.name, True, f"fired at {_moment(went_off)} (a message, task or document)")
    if rule.trigger.kind == "dwell" and card.values["stage"] != rule.trigger.value and went_off is None:
        return RuleCheck(rule.name, False, f"wrong stage: waits for {rule.trigger.options.get('for')} in "
                                           f"'{rule.trigger.value}', the item is in '{card.values['stage']}'")
    due = engine.con.execute(f"SELECT {due_sql(rule)} FROM {quote(items_table(card.process.name))} it "
                             "WHERE it.id = ?", [card.id]).fetchone()[0]
    later = _changed_after(card, max((e.seq for e in card.journal), default=0))
    if went_off is not None:
        result = _evaluated(engine, card, rule, {}, None, later)
        result.reason = f"already fired (went off at {_moment(went_off)}); {result.reason}"
        return result
    if due is None:
        return RuleCheck(rule.name, False, f"no due time: '{rule.trigger.value}' is empty"
                         if rule.trigger.kind == "date" else "no due time")
    if card.now is None or due > card.now:
        return RuleCheck(rule.name, False, f"not due yet: due {_moment(due)}")
    return RuleCheck(rule.name, False, f"due {_moment(due)} had already passed when the item got it "
                                       "(timers fire only for times the clock moves over)")


def _moment(value: dt.datetime) -> str:
    """``2026-03-21 00:00+03:00``."""
    return value.isoformat(sep=" ", timespec="minutes")
