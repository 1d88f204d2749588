"""A refused input changes nothing: random streams with refusals mixed in, a byte-identical state around each one.

The inputs refused are of every kind: events failing their type's checks
(a missing field, an unknown value, a ``require``), events refused by an
action (``reject``, a field constraint, a required field left empty, a
duplicate key), backwards ticks, task completions with an outcome the task
does not have or of no task, and moves by hand into stages that are not
manual or whose ``require`` does not hold. Before and after each refusal the
items, tasks, documents, outbox, journal, clock, accepted events and command
log are the same, to the byte; at the end ``verify`` replays the accepted
inputs to the same state.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from ruledeck.engine import Engine, RawEvent, RuledeckError, load_project

DEFS = """
processes:
  ticket:
    key: ref
    title: "{{ ref }} ({{ size }})"
    fields:
      ref: {type: string, required: true}
      size: {type: int, default: 0, min: 0, max: 100}
      checked: {type: int, default: 0}
      note: {type: string}
    pipelines:
      main:
        stages:
          new: {}
          review: {manual: true, require: [note]}
          parked: {}
          done:
            kind: success
            manual: true
            require:
              - that: "size > 0"
                message: "{{ ref }} is empty"
    tasks:
      triage: {assignee: {role: staff}, due: 1d, outcomes: [accept, drop]}
roles:
  staff: {}
event_types:
  opened:
    fields:
      ref: {type: string, required: true}
      size: {type: int}
  grown:
    fields:
      ref: {type: string, required: true}
      size: {type: int, required: true}
    require:
      - that: "event.size <> 13"
        message: "{{ event.ref }}: 13 is unlucky"
  noted:
    fields:
      ref: {type: string, required: true}
      note: {type: string}
      tone: {type: enum, values: [calm, loud]}
  broken:
    fields:
      ref: {type: string, required: true}
      note: {type: string}
rules:
  open_ticket:
    when: {event: opened}
    then:
      - create: {process: ticket, set: {ref: event.ref, size: "coalesce(event.size, 0)"}}
  triage_new:
    process: ticket
    when: {created: true}
    then:
      - task: triage
      - notify: {to: {role: staff}, text: "new ticket {{ ref }}"}
  grow:
    process: ticket
    when: {event: grown}
    if: "ref = event.ref"
    then:
      - reject: {if: "event.size < 0", message: "{{ ref }}: cannot shrink by {{ event.size }}"}
      - set: {size: "size + event.size"}
  note:
    process: ticket
    when: {event: noted}
    if: "ref = event.ref"
    then:
      - set: {note: event.note}
  breaks:
    when: {event: broken}
    then:
      - create: {process: ticket, set: {ref: event.note}}
  accepted:
    process: ticket
    when: {task: triage, outcome: accept}
    then:
      - move: parked
  nightly_check:
    process: ticket
    when: {cron: "0 3 * * *"}
    if: "stage_kind = 'open'"
    then:
      - set: {checked: checked + 1}
"""
EXAMPLES = int(os.environ.get("REFUSAL_EXAMPLES", "30"))
TABLES = ("items_ticket", "rd_tasks", "rd_documents", "rd_outbox", "rd_journal", "rd_clock", "rd_events",
          "rd_commands")
REFS = ("T0", "T1", "T2")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))


def snapshot(engine: Engine) -> str:
    """The compared tables as one text: equal texts are byte-identical states."""
    return "\n".join(repr(engine.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()) for t in TABLES)


EVENTS = st.one_of(
    st.builds(lambda ref, size: ("opened", {"ref": ref, "size": size}), st.sampled_from(REFS),
              st.one_of(st.none(), st.integers(0, 5))),
    st.builds(lambda ref, size: ("grown", {"ref": ref, "size": size}), st.sampled_from(REFS),
              st.sampled_from([1, 2, 13, -1, 120])),
    st.builds(lambda ref, note, tone: ("noted", {"ref": ref, "note": note, "tone": tone}), st.sampled_from(REFS),
              st.sampled_from(["fine", None]), st.sampled_from(["calm", "loud", "shouting"])),
    st.builds(lambda ref, note: ("broken", {"ref": ref, "note": note}), st.sampled_from(REFS),
              st.sampled_from([None, "T9"])),
    st.just(("opened", {"size": 1})),
)
EVENT_STEP = st.tuples(st.just("event"), EVENTS, st.sampled_from([0, 1, 7, 30]))
STEPS = st.lists(st.one_of(
    EVENT_STEP, EVENT_STEP, EVENT_STEP,
    st.tuples(st.just("tick"), st.sampled_from([-30, -1, 2, 20])),
    st.tuples(st.just("task"), st.integers(1, 6), st.sampled_from(["accept", "drop", "later"])),
    st.tuples(st.just("move"), st.integers(1, 6), st.sampled_from(["review", "done", "parked", "nowhere"])),
), min_size=3, max_size=16)


def apply(engine: Engine, step: tuple, index: int, moment: dt.datetime) -> tuple[bool, dt.datetime]:
    """Apply one step; whether it was refused, and the stream's time after it."""
    kind = step[0]
    if kind == "event":
        (event_type, payload), hours = step[1], step[2]
        moment += dt.timedelta(hours=hours)
        data = {"id": f"e{index}", "type": event_type, "time": moment.isoformat(), "payload": payload}
        summary = engine.ingest([RawEvent(index, json.dumps(data), data)])
        assert not [r.reason for r in summary.rejected if r.reason.startswith("internal error")]
        return bool(summary.rejected), moment
    try:
        if kind == "tick":
            clock = engine.clock() or moment
            engine.tick(clock + dt.timedelta(hours=step[1]))
        elif kind == "task":
            engine.complete_task(step[1], step[2])
        else:
            engine.move(step[1], step[2])
    except RuledeckError:
        return True, moment
    return False, moment


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS)
def test_every_refused_input_leaves_the_state_byte_identical_and_verify_clean(steps):
    root = Path(tempfile.mkdtemp(prefix="rd-refusals-"))
    (root / "ruledeck.yaml").write_text("ruledeck: 1\nname: refusals\ntimezone: Europe/Moscow\n", encoding="utf-8")
    (root / "defs.yaml").write_text(DEFS, encoding="utf-8")
    with Engine.open(load_project(root), ":memory:") as engine:
        moment = START
        first = {"id": "e-first", "type": "opened", "time": START.isoformat(), "payload": {"ref": "T0", "size": 1}}
        assert engine.ingest([RawEvent(0, json.dumps(first), first)]).rejected == []
        for index, step in enumerate(steps, 1):
            before = snapshot(engine)
            refused, moment = apply(engine, step, index, moment)
            if refused:
                event(f"a refused {step[0]}")
                assert snapshot(engine) == before, f"step {index} {step} was refused but changed the state"
        report = engine.verify()
        assert report.differences == [], report.differences[:3]
