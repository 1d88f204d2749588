"""Refusals at run time: batched ingest refuses like one at a time; statements are built once."""

from __future__ import annotations

from ruledeck.engine.runtime import refusals

DEFS = """
processes:
  device:
    key: serial
    fields:
      serial: {type: string, required: true}
      model: {type: string, min_length: 2}
    pipelines:
      main:
        stages:
          new: {require: [model]}
          done: {}
event_types:
  added:
    fields:
      serial: {type: string, required: true}
      model: {type: string}
rules:
  add:
    when: {event: added}
    then:
      - create: {process: device, set: {serial: event.serial, model: event.model}}
"""


def _added(n: int, serial: str, model: str | None = "Model") -> tuple:
    payload = {"serial": serial} if model is None else {"serial": serial, "model": model}
    return (f"a{n}", "added", f"2026-01-01T10:{n:02d}:00+03:00", payload)


def test_a_batch_refuses_each_bad_event_and_takes_the_others(harness):
    h = harness(DEFS)
    events = [_added(n, f"S-{n}") for n in range(40)]
    events[20] = _added(20, "S-20", None)
    events[30] = _added(30, "S-10")
    events[35] = _added(35, "S-35", "M")
    summary = h.events(*events)
    assert [(r.event_id, r.reason) for r in summary.rejected] == [
        ("a20", "a new 'device' cannot enter stage 'new': field 'model' is empty"),
        ("a30", "key field 'serial' of 'device' must be unique: 'S-10' is already held by item 11"),
        ("a35", "field 'model' of a new 'device' must have at least 2 characters (got 'M')"),
    ]
    assert summary.accepted == 37
    assert h.scalar("SELECT count(*) FROM items_device") == 37
    assert h.scalar("SELECT max(id) FROM items_device") == 37


def test_the_checks_are_built_once_whatever_the_number_of_events(harness, monkeypatch):
    h = harness(DEFS)
    builds = []
    get = refusals.Memo.get

    def counting(self, owner, key, build):
        return get(self, owner, key, lambda: builds.append(key) or build())

    monkeypatch.setattr(refusals.Memo, "get", counting)
    h.events(*[_added(n, f"S-{n}") for n in range(5)])
    first = len(builds)
    assert first > 0
    h.events(*[_added(n, f"T-{n}") for n in range(5, 50)])
    assert len(builds) == first


ORDERS = """
processes:
  order:
    key: number
    fields:
      number: {type: string, required: true}
      total: {type: decimal, default: 0}
    pipelines:
      main:
        stages:
          open: {}
          paused:
            kind: on_hold
            require: [{that: "total > 0", message: "{{ number }}: nothing to pause ({{ total }})"}]
    tasks:
      check: {outcomes: [ok, veto]}
event_types:
  placed:
    fields:
      number: {type: string, required: true}
      total: {type: decimal, required: true}
  paused:
    fields:
      number: {type: string, required: true}
rules:
  no_big_orders:
    when: {event: placed}
    then:
      - reject: {if: "event.total > 1000", message: "order {{ event.number }}: {{ event.total }} is over the limit"}
  place:
    when: {event: placed}
    then:
      - create: {process: order, set: {number: event.number, total: event.total}}
  check_it:
    process: order
    when: {created: true}
    then:
      - task: check
  veto:
    process: order
    when: {task: check, outcome: veto}
    then:
      - reject: {message: "{{ number }}: vetoed by {{ task.name }} ({{ task.outcome }}, {{ task.comment }})"}
  pause:
    process: order
    when: {event: paused}
    if: "number = event.number"
    then:
      - hold: paused
"""


def test_reject_in_a_rule_without_items_hold_into_a_required_stage_and_a_task_rule(harness):
    h = harness(ORDERS)
    summary = h.events(("big", "placed", "2026-01-01T10:00:00+03:00", {"number": "O-1", "total": 1500.5}),
                       ("free", "placed", "2026-01-01T10:01:00+03:00", {"number": "O-2", "total": 0}),
                       ("hold-free", "paused", "2026-01-01T10:02:00+03:00", {"number": "O-2"}))
    assert [(r.event_id, r.reason) for r in summary.rejected] == [
        ("big", "order O-1: 1500.50 is over the limit"),
        ("hold-free", "O-2: nothing to pause (0.00)"),
    ]
    journal = h.scalar("SELECT count(*) FROM rd_journal")
    task = h.scalar("SELECT id FROM rd_tasks")
    veto = h.events(("v", "task_done", "2026-01-01T10:03:00+03:00",
                     {"task": task, "outcome": "veto", "comment": "too cheap"}))
    assert [r.reason for r in veto.rejected] == ["O-2: vetoed by check (veto, too cheap)"]
    assert h.scalar("SELECT status FROM rd_tasks") == "open"
    assert h.scalar("SELECT count(*) FROM rd_journal") == journal
    assert h.one("order", "stage")["stage"] == "open"
