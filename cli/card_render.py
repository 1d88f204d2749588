"""Render one item (``show``) and its explanation (``explain``) as text or JSON-ready data."""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING, Any

from .textwidth import clean, display, pad, width

if TYPE_CHECKING:
    from ruledeck.engine import Explanation, ItemCard

NULL = "—"


def _value(value: Any) -> str:
    return display(value) if value is not None else NULL


def item_line(card: ItemCard) -> str:
    """``#7 Title (process)``."""
    return f"#{card.id} {clean(str(card.values.get('title') or ''))} ({card.process.name})".replace("  ", " ")


def stage_line(card: ItemCard) -> str:
    """Pipeline and stage with labels and kind, since when, and where it was held from."""
    values = card.values
    pipeline = card.process.pipelines.get(values["pipeline"])
    stage = card.stage
    p_label = f" ({clean(pipeline.label)})" if pipeline and pipeline.label else ""
    s_label = f" ({clean(stage.label)}, {stage.kind})" if stage and stage.label else f" ({values['stage_kind']})"
    line = f"pipeline {values['pipeline']}{p_label} · stage {values['stage']}{s_label} since " \
           f"{_value(values['stage_entered_at'])}"
    if values.get("held_from"):
        line += f" · held from {values['held_from']} at {_value(values.get('held_at'))}"
    return line


def _cause(entry) -> str:
    by = f" by {entry.actor}" if getattr(entry, "actor", None) else ""
    return _cause_only(entry) + by


def _cause_only(entry) -> str:
    if entry.cause == "event":
        return f"event {entry.cause_id}" + (f" ({entry.event_type})" if entry.event_type else "")
    if entry.cause == "tick":
        # A tick's cause id is the timed rule that fired (older databases hold the tick's time there).
        timed = entry.cause_id if entry.cause_id and entry.cause_id[:1].isalpha() else None
        return f"tick {timed}" if timed and timed != entry.rule else "tick"
    return f"command {entry.cause_id}" if entry.cause_id else "command"


def change_text(entry) -> str:
    """One journal entry as a change: ``stage later → done``, ``amount = 10``, ``task call: opened #5``."""
    if entry.kind == "created":
        return f"created in {entry.new}"
    if entry.kind == "stage":
        return f"stage {entry.old} → {entry.new}"
    if entry.kind == "field":
        new = clean(entry.new) if entry.new is not None else NULL
        return f"{entry.field} = {new}" if entry.old is None else f"{entry.field}: {clean(entry.old)} → {new}"
    return f"{entry.kind} {entry.field}: {clean(entry.new or '')}"


def _fields_block(card: ItemCard) -> list[str]:
    names = [n for n in card.values if n not in ("title", "stage_kind")]
    cells = max(width(n) for n in names)
    out = []
    for name in names:
        declared = card.process.fields.get(name)
        tag = ""
        if declared is not None and declared.compute is not None:
            tag = "  (computed)"
        elif declared is not None and declared.rollup is not None:
            tag = "  (rollup)"
        out.append(f"  {pad(name, cells)}  {_value(card.values[name])}{tag}")
    return out


def card_text(card: ItemCard) -> str:
    """``ruledeck show``: header, fields, open tasks, documents, timeline."""
    out = [item_line(card), stage_line(card), "", "Fields", *_fields_block(card), "", "Open tasks"]
    for task in card.tasks:
        outcomes = ", ".join(task["outcomes"] or [])
        out.append(f"  #{task['id']} {task['name']} · {clean(task['title'] or '')} · {task['assignee'] or NULL} · "
                   f"due {_value(task['due_at'])}" + (f" · outcomes {outcomes}" if outcomes else "")
                   + (f" · {clean(task['comment'])}" if task.get("comment") else ""))
    if not card.tasks:
        out.append("  none")
    out += ["", "Documents"]
    out += [f"  #{d['id']} {clean(d['filename'] or '')} (template {d['template']}) {_value(d['created_at'])}"
            for d in card.documents] or ["  none"]
    out += ["", "Timeline", *timeline_lines(card)]
    return "\n".join(out)


def _step(entry) -> tuple:
    return entry.at, entry.cause, entry.cause_id, entry.rule


def timeline_lines(card: ItemCard) -> list[str]:
    """Journal entries grouped by moment, cause and rule."""
    out = []
    for (at, _, _, rule), entries in groupby(card.journal, key=_step):
        entries = list(entries)
        head = f"  {_value(at)}  {_cause(entries[0])}" + (f" · rule {rule}" if rule else "")
        out.append(head)
        out += [f"      {change_text(e)}" for e in entries]
    return out or ["  no journal entries"]


def card_dict(card: ItemCard) -> dict[str, Any]:
    """``ruledeck show --format json``."""
    return {"id": card.id, "process": card.process.name, "values": card.values, "tasks": card.tasks,
            "documents": card.documents, "timeline": [_entry_dict(e) for e in card.journal]}


def _entry_dict(entry) -> dict[str, Any]:
    return {"seq": entry.seq, "at": entry.at, "kind": entry.kind, "field": entry.field, "old": entry.old,
            "new": entry.new, "cause": entry.cause, "cause_id": entry.cause_id, "event_type": entry.event_type,
            "event_time": entry.event_time, "rule": entry.rule, "depth": entry.depth,
            "actor": entry.actor}


# -- explain --------------------------------------------------------------------------------
def _origin_text(origin) -> str:
    if origin.entry is None:
        return origin.note
    entry = origin.entry
    text = f"{_value(entry.at)} {_cause(entry)}" + (f" · rule {entry.rule}" if entry.rule else "")
    return text + (f" ({origin.note})" if origin.note else "")


def _literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + clean(value) + "'"
    if isinstance(value, list | tuple):
        return "(" + ", ".join(_literal(v) for v in value) + ")"
    return display(value)


def explanation_text(result: Explanation) -> str:
    """``ruledeck explain``: why here, why these values, why not."""
    card = result.card
    stage = result.stage
    out = [item_line(card), stage_line(card), "", f"Why in stage '{stage.value}'?"]
    if stage.entry is not None:
        out.append(f"  {change_text(stage.entry)}  ← {_origin_text(stage)}")
    else:
        out.append(f"  {stage.note}")
    out += ["", "Why these values?", *_values_lines(result)]
    out += ["", "Why not? The rules the events on this item could have woken.",
            "Conditions are evaluated with the event's payload on the item's values then (rebuilt from the",
            "journal as of the event) and now."]
    for event in result.events:
        out.append(f"  event {event.id} ({event.type}) {_value(event.time)}")
        out += _event_lines(event.checks)
    if not result.events:
        out.append("  no events touched this item")
    if result.timers:
        out += ["", "Timers (date and dwell rules of this process)"]
        for rule_check in result.timers:
            out += _check_lines(rule_check)
    if result.tasks:
        out += ["", "Tasks"]
        for task in result.tasks:
            done = f" as {task['outcome']}" if task["outcome"] else ""
            filled = ", ".join(f"{k}={clean(str(v))}" for k, v in (task["form"] or {}).items())
            out.append(f"  #{task['id']} {task['name']}: {task['status']}{done}"
                       + (f" {_value(task['closed_at'])}" if task["closed_at"] else "")
                       + (f" · {filled}" if filled else "")
                       + (f" · {clean(task['comment'])}" if task["comment"] else ""))
    if result.refusals:
        out += ["", "Refused: events that named this item and were rejected (nothing of them was applied)"]
        out += [f"  event {r.event_id} ({r.type}) {_value(r.rejected_at)}: {r.reason}" for r in result.refusals]
    return "\n".join(out)


def _values_lines(result: Explanation) -> list[str]:
    """Fields grouped by the journal step that set them; computed, rollup and never-set ones after."""
    cells = max((width(o.name) for o in result.fields), default=0)
    groups: dict[str, list[str]] = {}
    never = []
    for origin in result.fields:
        if origin.entry is None and origin.note == "never set":
            never.append(origin.name)
            continue
        if origin.entry is not None:
            entry = origin.entry
            head = f"set at {_value(entry.at)} by {_cause(entry)}" + (f" · rule {entry.rule}" if entry.rule else "")
            tail = f"  ({origin.note})" if origin.note else ""
        else:
            head, tail = origin.note.split(":")[0] if origin.note.startswith("computed") else origin.note, ""
            if origin.note.startswith("computed"):
                tail = f"  = {origin.note.split(': ', 1)[1]}"
        groups.setdefault(head, []).append(f"    {pad(origin.name, cells)}  {_value(origin.value)}{tail}")
    out = []
    for head, lines in groups.items():
        out += [f"  {head}", *lines]
    if never:
        out += ["  never set", f"    {', '.join(never)}"]
    return out


def _event_lines(checks) -> list[str]:
    """Checks one per line, except near misses sharing a reason (one line each) and rules not woken (one line)."""
    out: list[str] = []
    groups: dict[str, list[str]] = {}
    for rule_check in checks:
        if rule_check.group and rule_check.woken:
            detail = f" ({rule_check.detail})" if rule_check.detail else ""
            groups.setdefault(rule_check.group, []).append(rule_check.rule + detail)
        elif rule_check.woken:
            out += _check_lines(rule_check)
    for group, rules in groups.items():
        out.append(f"    ✗ {group}; not for: {', '.join(rules)}")
    quiet = [c.rule for c in checks if not c.woken]
    if quiet:
        out.append(f"    · not woken (their trigger did not happen in this event): {', '.join(quiet)}")
    return out


def _check_lines(rule_check) -> list[str]:
    mark = "✓" if rule_check.fired else "✗"
    out = [f"    {mark} {rule_check.rule}: {rule_check.reason}"]
    if rule_check.condition and not rule_check.fired:
        out.append(f"        if {clean(rule_check.condition)}")
        for verdict in rule_check.verdicts:
            if verdict.seen:
                seen = ", ".join(f"{n} = {_literal(v)}" for n, v in verdict.seen.items())
                out.append(f"        {verdict.basis + ':':5} {seen}")
    return out


def explanation_dict(result: Explanation) -> dict[str, Any]:
    """``ruledeck explain --format json``."""
    def origin(o):
        return {"name": o.name, "value": o.value, "note": o.note or None,
                "entry": _entry_dict(o.entry) if o.entry else None}

    def check(c):
        return {"rule": c.rule, "fired": c.fired, "woken": c.woken, "reason": c.reason, "group": c.group,
                "condition": c.condition,
                "verdicts": [{"basis": v.basis, "result": v.result, "seen": v.seen} for v in c.verdicts]}

    return {"id": result.card.id, "process": result.card.process.name, "stage": origin(result.stage),
            "fields": [origin(o) for o in result.fields],
            "events": [{"id": e.id, "type": e.type, "time": e.time, "rules": [check(c) for c in e.checks]}
                       for e in result.events],
            "timers": [check(c) for c in result.timers],
            "refusals": [{"event": r.event_id, "type": r.type, "reason": r.reason, "rejected_at": r.rejected_at,
                          "attempts": r.attempts} for r in result.refusals],
            "tasks": result.tasks}
