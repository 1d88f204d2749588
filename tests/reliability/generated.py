"""Hypothesis strategies for random small projects built from the language's constructs, and event streams.

A project has two processes, ``p0`` and ``p1`` (``p1.up`` links an item to a
``p0``; ``p0`` rolls its ``p1`` items up), each with stored, computed and
rollup fields, a pipeline with an on-hold and a success stage, a task kind,
one event type creating items per process and a shared ``bump`` event; a
period table; and rules drawn from templates covering every trigger and
action the generator knows (event, created, changed, entered, task, cron,
date, left, dwell, called; set, move, hold, resume, create with ``as:``,
nested ``update``, ``link``, ``task``, ``complete_tasks``, ``schedule``,
``reject``, ``notify``, ``assign``, ``run``).
Every template is valid on its own; a project that still fails validation is
skipped by the test (and counted).
"""

from __future__ import annotations

import datetime as dt
import json

import yaml
from hypothesis import strategies as st

PROCESSES = ("p0", "p1")
CODES = ("A", "B", "C")
START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))


def process_def(name: str) -> dict:
    """A process: stored fields of most types, computed fields, rollups on ``p0``, a task kind."""
    fields: dict = {
        "code": {"type": "string", "required": True},
        "n": {"type": "int", "default": 0},
        "amount": {"type": "decimal"},
        "flag": {"type": "bool", "default": False},
        "kind": {"type": "enum", "values": ["a", "b", "c"]},
        "due_at": {"type": "datetime"},
        "label": {"type": "string"},
        "owner": {"type": "person"},
        "n2": {"type": "int", "compute": "n * 2"},
        "big": {"type": "bool", "compute": "n > 3"},
    }
    if name == "p1":
        fields["up"] = {"type": "ref", "process": "p0"}
    else:
        fields["kids"] = {"type": "int", "rollup": {"process": "p1", "link": "up", "count": True}}
        fields["kid_sum"] = {"type": "int", "rollup": {"process": "p1", "link": "up", "sum": "n2",
                                                       "where": "stage_kind = 'open'"}}
        fields["all_done"] = {"type": "bool", "rollup": {"process": "p1", "link": "up",
                                                         "all": "stage_kind = 'success'"}}
        fields["score"] = {"type": "int", "compute": "n2 + kid_sum"}
    return {
        "key": "code",
        "fields": fields,
        "pipelines": {"main": {"stages": {"s0": {}, "s1": {}, "paused": {"kind": "on_hold"},
                                          "done": {"kind": "success"}}}},
        "tasks": {"check": {"assignee": {"role": "staff"}, "due": "1d", "outcomes": ["ok", "bad"]}},
    }


def base_definitions() -> dict:
    """Everything but the rules."""
    return {
        "roles": {"staff": {}},
        "people": {"ann": {"name": "Ann", "roles": ["staff"]}, "bob": {"name": "Bob", "roles": ["staff"]}},
        "processes": {name: process_def(name) for name in PROCESSES},
        "event_types": {
            **{f"new_{p}": {"fields": {"code": {"type": "string", "required": True}, "n": {"type": "int"},
                                       "kind": {"type": "enum", "values": ["a", "b", "c"]}}} for p in PROCESSES},
            "bump": {"fields": {"code": {"type": "string", "required": True}, "n": {"type": "int"}}},
        },
        "period_tables": {"plan": {"variants": {
            "small": {"when": "n < 2", "rows": [{"offset": "1d", "label": "first"}, {"offset": "1 month",
                                                                                  "label": "later"}]},
            "other": {"default": True, "rows": [{"offset": "2d", "label": "only"}]}}}},
    }


INT_VALUES = ("n + 1", "n2", "length(code)", "coalesce(n, 0) - 1", "case when big then 0 else n + 2 end")
CONDITIONS = ("n > 2", "stage = 's0'", "big", "code is not null", "not flag", "kind = 'a'", "n2 >= 2")
P0_CONDITIONS = ("kids > 0", "kid_sum > 1", "all_done", "score > 3")


@st.composite
def condition(draw, process: str) -> str:
    pool = CONDITIONS + (P0_CONDITIONS if process == "p0" else ())
    return draw(st.sampled_from(pool))


@st.composite
def item_action(draw, process: str, other: str, depth: int = 0) -> dict:
    """One action over items of ``process``."""
    choices = ["set", "move", "hold", "resume", "task", "complete", "link", "notify", "create", "schedule", "assign",
               "run"]
    if depth == 0:
        choices.append("update")
    kind = draw(st.sampled_from(choices))
    if kind == "set":
        values = draw(st.dictionaries(st.sampled_from(["n", "flag", "label", "amount", "kind", "due_at"]),
                                      st.none(), min_size=1, max_size=3))
        exprs = {"n": draw(st.sampled_from(INT_VALUES)), "flag": "not flag", "label": "code || '!'",
                 "amount": "n * 1.5", "kind": "case when n > 1 then 'b' else 'c' end",
                 "due_at": "now() + interval '2h'"}
        return {"set": {name: exprs[name] for name in values}}
    if kind == "move":
        return {"move": draw(st.sampled_from(["s1", "done", "case when n > 2 then 's1' else 's0' end"]))}
    if kind == "hold":
        return {"hold": "paused"}
    if kind == "resume":
        return {"resume": draw(st.sampled_from([{}, {"shift": ["due_at"]}]))}
    if kind == "task":
        return {"task": draw(st.sampled_from(["check", {"name": "check", "due": "2h", "comment": "code"}]))}
    if kind == "complete":
        return {"complete_tasks": {"name": "check", "outcome": "ok"}}
    if kind == "link" and process == "p1":
        match = draw(st.sampled_from([{"code": "code"}, {"n2": "n2"}, {"kids": "0"}, {"stage_kind": "'open'"}]))
        return {"link": {"field": "up", "process": "p0", "match": match}}
    if kind == "assign":
        return {"assign": draw(st.sampled_from([{"field": "owner", "role": "staff"},
                                                {"field": "owner", "role": "staff", "method": "round_robin"}]))}
    if kind == "run":
        return {"run": f"recount_{process}"}
    if kind == "notify":
        return {"notify": {"to": {"role": "staff"}, "text": "{{ code }} is {{ stage }} ({{ n2 }})"}}
    if kind == "create":
        action = {"create": {"process": other, "set": {"code": "code || '+'", "n": "n2"}}}
        if other == "p1" and process == "p0":
            action["create"]["set"]["up"] = "id"
        return action
    if kind == "schedule":
        return {"schedule": {"period_table": "plan", "process": other, "anchor": "created_at",
                             "set": {"code": "code || '-' || row.label", "due_at": "anchor + row.offset"}}}
    if kind == "update":
        target = draw(st.sampled_from(PROCESSES))
        nested = draw(st.lists(item_action(target, "p1" if target == "p0" else "p0", depth + 1),
                               min_size=1, max_size=2))
        where = draw(st.sampled_from(["code = source.code", "stage_kind = 'open'", "n < source.n"]))
        return {"update": {"process": target, "where": where, "then": nested}}
    return {"set": {"n": "n + 1"}}


TRIGGERS = ("event", "created", "changed", "entered", "left", "dwell", "task", "cron", "date", "creator")


@st.composite
def rule(draw, index: int) -> tuple[str, dict]:
    """One rule from a template: a trigger, maybe a condition, one to three actions."""
    trigger = draw(st.sampled_from(TRIGGERS))
    process = draw(st.sampled_from(PROCESSES))
    other = "p1" if process == "p0" else "p0"
    actions = draw(st.lists(item_action(process, other), min_size=1, max_size=3))
    body: dict = {"process": process}
    if trigger == "creator":
        made = {"create": {"process": process, "as": "made",
                           "set": {"code": "event.code", "n": "coalesce(event.n, 0)", "kind": "event.kind"}}}
        follow = {"update": {"process": other, "where": "code = made.code || '+'",
                             "then": [{"set": {"label": "made.code", "n": "made.n + 1"}}]}}
        return f"r{index}_creator", {"when": {"event": f"new_{process}"},
                                     "then": [made, *draw(st.lists(st.just(follow), max_size=1))]}
    if trigger == "event":
        body["when"] = {"event": "bump"}
        body["if"] = "code = event.code"
        refusal = {"reject": {"if": "event.n < 0", "message": "{{ code }}: negative bump {{ event.n }}"}}
        actions = [*draw(st.lists(st.just(refusal), max_size=1)), {"set": {"n": "n + coalesce(event.n, 1)"}},
                   *actions]
    elif trigger == "created":
        body["when"] = {"created": True}
    elif trigger == "changed":
        body["when"] = {"changed": draw(st.sampled_from(["n", "flag", ["n", "label"]]))}
        body["if"] = draw(condition(process))
    elif trigger == "entered":
        body["when"] = {"entered": draw(st.sampled_from(["s1", "done", "paused"]))}
    elif trigger == "left":
        body["when"] = {"left": draw(st.sampled_from(["s0", "paused"]))}
    elif trigger == "dwell":
        body["when"] = {"dwell": draw(st.sampled_from(["s0", "s1"])), "for": draw(st.sampled_from(["2h", "1d"]))}
    elif trigger == "task":
        body["when"] = {"task": "check", "outcome": draw(st.sampled_from(["ok", "bad", ["ok", "bad"]]))}
    elif trigger == "cron":
        body["when"] = {"cron": draw(st.sampled_from(["0 6 * * *", "0 */8 * * *"]))}
        body["if"] = "stage_kind = 'open'"
    elif trigger == "date":
        body["when"] = {"date": "due_at", "offset": draw(st.sampled_from(["-1h", "0d", "1d"]))}
    if draw(st.booleans()) and "if" not in body and trigger != "creator":
        body["if"] = draw(condition(process))
    body["then"] = actions
    return f"r{index}_{trigger}", body


@st.composite
def definitions(draw) -> dict:
    """A whole project's definitions (one file): the base plus two to six rules, always creators of both."""
    defs = base_definitions()
    rules = {}
    for process in PROCESSES:
        rules[f"recount_{process}"] = {"process": process, "when": {"called": True}, "if": "stage_kind = 'open'",
                                       "then": [{"set": {"label": "concat(code, ':', n2)"}}]}
        rules[f"make_{process}"] = {"when": {"event": f"new_{process}"},
                                    "then": [{"create": {"process": process, "set": {
                                        "code": "event.code", "n": "coalesce(event.n, 0)", "kind": "event.kind"}}}]}
    for index in range(draw(st.integers(1, 5))):
        name, body = draw(rule(index))
        rules[name] = body
    defs["rules"] = rules
    return defs


def definitions_yaml(defs: dict) -> str:
    """The definitions as YAML text."""
    return yaml.safe_dump(defs, sort_keys=False, allow_unicode=True)


@st.composite
def stream(draw, size: int = 12) -> list[tuple]:
    """Steps: ``("event", data)`` or ``("tick", datetime)``; times move forward, sometimes back (late events)."""
    steps, moment = [], START
    for index in range(draw(st.integers(4, size))):
        moment += dt.timedelta(hours=draw(st.sampled_from([0, 1, 5, 20, 30, 24 * 9])))
        when = moment - dt.timedelta(hours=draw(st.sampled_from([0, 0, 0, 3])))
        kind = draw(st.sampled_from(["new_p0", "new_p1", "new_p1", "bump", "bump", "task_done", "tick"]))
        if kind == "tick":
            steps.append(("tick", moment))
            continue
        code = draw(st.sampled_from(CODES))
        if kind == "task_done":
            payload = {"task": {"process": draw(st.sampled_from(PROCESSES)), "match": {"code": code},
                                "name": "check"}, "outcome": draw(st.sampled_from(["ok", "bad", "maybe"]))}
        else:
            payload = {"code": code, "n": draw(st.one_of(st.none(), st.integers(-1, 5)))}
            if kind != "bump":
                payload["kind"] = draw(st.sampled_from(["a", "b"]))
        event_id = f"e{index}" if draw(st.integers(0, 9)) else "e0"  # now and then a repeated id
        steps.append(("event", {"id": event_id, "type": kind, "time": when.isoformat(), "payload": payload}))
    return steps


def raw(data: dict, line: int):
    """A stream step's event as the engine reads it."""
    from ruledeck.engine import RawEvent

    return RawEvent(line, json.dumps(data), data)
