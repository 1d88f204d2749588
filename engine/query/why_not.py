"""Why rules did not fire for an item: the events that changed or named it, and its timers.

For each event, every rule listening to the event's type and every rule of
the item's process woken by changes (created, entered, left, changed, task)
is checked: fired, not woken, a near miss of its trigger (wrong stage,
outcome, pipeline, process), or a condition that did not hold. A condition
is evaluated with the reference interpreter twice: on the values *then*,
rebuilt from the journal as of the event's (or timer's) moment, rollups
included; and on the values *now*. Both are shown, so the answer never
silently passes today's values off as history.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ..definitions.model import Rule
from ..errors import RuledeckError
from ..expressions import Type, check, evaluate, names_used, parse
from ..runtime.clock import due_sql
from ..runtime.frame import Frame
from ..store.names import items_table, quote
from .asof import asof_ctes
from .card import ItemCard, JournalEntry, item_values
from .explain import EventCheck, RuleCheck, Verdict
from .rule_checks import NOT_WOKEN, completed_task_ids, stage_moves, trigger_mismatch
from .source import EPOCH, ItemSource

CHANGE_TRIGGERS = ("created", "entered", "left", "changed", "task")
VERDICTS = {True: "true", False: "false", None: "null (unknown, so not met)"}


class _Past:
    """The item's values as of given moments, rebuilt once per moment."""

    def __init__(self, engine, card: ItemCard):
        self.engine, self.card, self.cache = engine, card, {}

    def at(self, moment: dt.datetime) -> dict[str, Any] | None:
        if moment not in self.cache:
            shadows = asof_ctes(self.engine.project, self.card.process, moment, self.card.id)
            try:
                self.cache[moment] = item_values(self.engine, self.card.process, self.card.id, shadows, moment)[0]
            except RuledeckError:  # the item did not exist yet
                self.cache[moment] = None
        return self.cache[moment]


def event_checks(engine, card: ItemCard) -> list[EventCheck]:
    """Checks for every event that changed the item or names it in a ``ref`` field, in the order applied."""
    touched = [e.cause_id for e in card.journal if e.cause == "event"]
    past = _Past(engine, card)
    events = _events(engine, card, touched)
    for event, applied_at, payload in events:
        entries = [e for e in card.journal if e.cause == "event" and e.cause_id == event.id]
        fired = {e.rule for e in entries if e.rule} | _side_effect_rules(engine, card, applied_at)
        for rule in engine.project.rules.values():
            if rule.name in fired and rule.process != card.process.name and rule.trigger.value != event.type:
                event.checks.append(RuleCheck(rule.name, True, f"fired (a '{rule.process}' rule reaching this item)"))
                continue
            listens = rule.trigger.kind == "event" and rule.trigger.value == event.type
            reacts = rule.process == card.process.name and rule.trigger.kind in CHANGE_TRIGGERS
            if not (listens or reacts):
                continue
            if rule.name in fired:
                event.checks.append(RuleCheck(rule.name, True, "fired"))
                continue
            context = _Context(engine, card, rule, applied_at, past.at(applied_at), payload, event,
                               _task_values(engine, rule, entries))
            event.checks.append(_why_not(context, entries))
    return [event for event, _, _ in events]


class _Context:
    """What one rule's condition would have read for one event."""

    def __init__(self, engine, card: ItemCard, rule: Rule, moment: dt.datetime, then: dict | None, payload: dict,
                 event: EventCheck | None, extra: dict):
        self.engine, self.card, self.rule, self.moment, self.then = engine, card, rule, moment, then
        self.payload, self.event, self.extra = payload, event, extra


def _why_not(context: _Context, entries: list[JournalEntry]) -> RuleCheck:
    rule, card = context.rule, context.card
    if rule.process != card.process.name:
        where = f"acts on '{rule.process}' items" if rule.process else "runs without items"
        return RuleCheck(rule.name, False, f"wrong process: it {where}")
    mismatch = trigger_mismatch(rule, entries)
    if mismatch:
        group, detail = None, ""
        if mismatch.startswith("wrong stage: waits for "):
            group = f"wrong stage: {stage_moves(entries, rule.trigger.kind)}"
            detail = mismatch.removeprefix("wrong stage: waits for ").split(";")[0]
        return RuleCheck(rule.name, False, mismatch, woken=not mismatch.startswith(NOT_WOKEN), group=group,
                         detail=detail)
    if not rule.enabled:
        return RuleCheck(rule.name, False, "disabled (enabled: false)")
    if rule.pipeline and rule.pipeline != card.values["pipeline"]:
        return RuleCheck(rule.name, False, f"wrong pipeline: only for '{rule.pipeline}', "
                                           f"the item is in '{card.values['pipeline']}'")
    if rule.condition is None:
        return RuleCheck(rule.name, True, "fired (its trigger matched and it has no condition), "
                                          "but journaled no change of this item")
    return _evaluated(context)


def _evaluated(context: _Context, prefix: str = "") -> RuleCheck:
    """The rule's ``if`` on the values then and now, with a reason naming both verdicts."""
    rule = context.rule
    verdicts = []
    if context.then is not None:
        verdicts.append(_verdict(context, "then", context.then))
    verdicts.append(_verdict(context, "now", context.card.values))
    parts = []
    for verdict in verdicts:
        when = "at the time (rebuilt from the journal)" if verdict.basis == "then" else "with the current values"
        if isinstance(verdict.result, str):
            parts.append(f"could not be evaluated {when}: {verdict.result}")
        else:
            parts.append(f"{VERDICTS.get(verdict.result, repr(verdict.result))} {when}")
    reason = prefix + "condition is " + "; ".join(parts)
    if verdicts[0].result is True:
        reason += " — yet nothing was journaled for this item (the rule may have changed nothing)"
    return RuleCheck(rule.name, False, reason, rule.condition, verdicts)


def _verdict(context: _Context, basis: str, item: dict[str, Any]) -> Verdict:
    engine, card, rule, event = context.engine, context.card, context.rule, context.event
    values = {(None, k): v for k, v in item.items()}
    if event is not None:
        values.update({("event", k): v for k, v in context.payload.items()})
        values.update({("event", "id"): event.id, ("event", "type"): event.type, ("event", "time"): event.time})
    values.update(context.extra)
    names = sorted(names_used(parse(rule.condition)), key=lambda n: (n[0] or "", n[1]))
    if basis == "now":
        values.update(_followed_refs(engine, card, [n for n in names if n not in values]))
    seen = {(f"{ns}." if ns else "") + n: values.get((ns, n)) for ns, n in names}
    missing = [f"{ns + '.' if ns else ''}{n}" for ns, n in names if (ns, n) not in values]
    if missing:
        return Verdict(basis, f"it reads {', '.join(missing)}, which is not kept", seen)
    frame = Frame(engine.project, "", card.process, card.now or EPOCH,
                  event=engine.project.event_types.get(event.type) if event else None,
                  has_event=rule.trigger.kind == "event", task=rule.trigger.kind == "task")
    try:
        expr = parse(rule.condition)
        check(expr, frame.scope(), Type("bool"))
        moment = context.moment if basis == "then" else frame.now
        return Verdict(basis, evaluate(expr, values, moment, engine.zone), seen)
    except (RuledeckError, KeyError, TypeError, ValueError, ArithmeticError) as exc:
        return Verdict(basis, str(exc) or type(exc).__name__, seen)


def _followed_refs(engine, card: ItemCard, names: list[tuple[str | None, str]]) -> dict:
    """Current values of the paths through the item's ref fields (``device.client.name``), read in one query.

    Only for the values *now*: the referenced items' past values are not rebuilt.
    """
    refs = {name for name, declared in card.process.fields.items() if declared.type == "ref" and not declared.many}
    paths = [(ns, n) for ns, n in names if ns in refs]
    if not paths:
        return {}
    source = ItemSource(engine.project, card.process, engine.clock() or EPOCH)
    try:
        selected = ", ".join(source.expression(f"{ns}.{n}")[0] for ns, n in paths)
    except RuledeckError:
        return {}  # not a path through refs after all: reported as not kept
    row = engine.con.execute(f"SELECT {selected} FROM {source.from_clause()} WHERE it.id = ?", [card.id]).fetchone()
    found = {}
    for (ns, n), value in zip(paths, row or [None] * len(paths), strict=True):
        found[(None, f"{ns}.{n}")] = found[(ns, n)] = value  # as evaluate() reads it, and as names_used names it
    return found


def _task_values(engine, rule: Rule, entries: list[JournalEntry]) -> dict:
    """``task.*`` values of the task a task-triggered rule would have seen."""
    ids = completed_task_ids(entries) if rule.trigger.kind == "task" else []
    if not ids:
        return {}
    row = engine.con.execute("SELECT id, name, outcome, comment, assignee FROM rd_tasks WHERE id = ?",
                             [ids[-1]]).fetchone()
    names = ("id", "name", "outcome", "comment", "assignee")
    return {("task", n): v for n, v in zip(names, row, strict=True)} if row else {}


def _events(engine, card: ItemCard, touched: list[str]) -> list[tuple[EventCheck, Any, dict]]:
    """The events that changed the item (``touched``) or name it in a ref field, with payloads, oldest first."""
    conditions, params = [], []
    if touched:
        ids = list(dict.fromkeys(touched))
        conditions.append(f"id IN ({', '.join('?' for _ in ids)})")
        params += ids
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


# -- timers -------------------------------------------------------------------------------------
def timer_checks(engine, card: ItemCard) -> list[RuleCheck]:
    """The item's ``date`` and ``dwell`` rules: fired, not due yet, wrong stage, or a condition that failed."""
    past = _Past(engine, card)
    return [_timer_check(engine, card, rule, past) for rule in engine.project.rules.values()
            if rule.process == card.process.name and rule.trigger.kind in ("date", "dwell") and rule.enabled]


def _timer_check(engine, card: ItemCard, rule: Rule, past: _Past) -> RuleCheck:
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
    if went_off is not None and rule.condition is None:
        return RuleCheck(rule.name, True, f"fired at {_moment(went_off)} (no condition), leaving nothing on this item")
    if went_off is not None:
        context = _Context(engine, card, rule, went_off, past.at(went_off), {}, None, {})
        return _evaluated(context, f"its time came ({_moment(went_off)}) but ")
    due = engine.con.execute(f"SELECT {due_sql(rule)} FROM {quote(items_table(card.process.name))} it "
                             "WHERE it.id = ?", [card.id]).fetchone()[0]
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
