"""Item triggers (entered, left, called) and the remaining actions (cancel, re-anchor, pipeline by expression)."""

from __future__ import annotations

import datetime as dt

FLOW = """
roles:
  team: {}
people:
  ann: {roles: [team]}
processes:
  deal:
    key: ref
    fields:
      ref: {type: string, required: true}
      region: {type: enum, values: [north, south], required: true}
      log: {type: string, default: ""}
    pipelines:
      north:
        stages: {new: {}, approval: {}, won: {kind: success}, lost: {kind: failure}}
      south:
        stages: {intake: {}, approval: {}, won: {kind: success}}
    tasks:
      visa:
        assignee: {role: team}
        outcomes: [approved, declined]
event_types:
  opened:
    fields:
      ref: {type: string, required: true}
      region: {type: enum, values: [north, south], required: true}
  advance:
    fields: {ref: {type: ref, process: deal, required: true}}
  withdraw:
    fields: {ref: {type: ref, process: deal, required: true}}
rules:
  open:
    when: {event: opened}
    then:
      - create: {process: deal, pipeline_expr: event.region, set: {ref: event.ref, region: event.region}}
  advance:
    process: deal
    when: {event: advance}
    if: "id = event.ref"
    then: [{move: approval}]
  ask_for_visa:
    process: deal
    when: {entered: approval}
    then:
      - task: visa
      - run: note
  left_approval:
    process: deal
    when: {left: approval}
    then:
      - cancel_tasks: {name: visa}
      - set: {log: "concat(log, 'left;')"}
  note:
    process: deal
    when: {called: true}
    if: "pipeline = 'north'"
    then: [{set: {log: "concat(log, 'noted;')"}}]
  approved:
    process: deal
    when: {task: visa, outcome: approved}
    then: [{move: won}]
  withdraw:
    process: deal
    when: {event: withdraw}
    if: "id = event.ref and pipeline = 'north'"
    then: [{move: lost}]
"""


def test_create_picks_the_pipeline_from_an_expression_and_starts_in_its_first_stage(harness):
    h = harness(FLOW)
    h.event("o1", "opened", "2026-01-10T10:00:00+03:00", ref="N-1", region="north")
    h.event("o2", "opened", "2026-01-10T11:00:00+03:00", ref="S-1", region="south")
    assert h.items("deal", "ref, pipeline, stage") == [
        {"ref": "N-1", "pipeline": "north", "stage": "new"},
        {"ref": "S-1", "pipeline": "south", "stage": "intake"},
    ]


def test_entering_a_stage_creates_its_task_and_runs_a_called_rule(harness):
    h = harness(FLOW)
    h.event("o1", "opened", "2026-01-10T10:00:00+03:00", ref="N-1", region="north")
    h.event("o2", "opened", "2026-01-10T11:00:00+03:00", ref="S-1", region="south")
    h.event("a1", "advance", "2026-01-11T10:00:00+03:00", ref="N-1")
    h.event("a2", "advance", "2026-01-11T11:00:00+03:00", ref="S-1")
    assert [(t["item"], t["name"], t["assignee"]) for t in h.engine.task_list()] == [
        (1, "visa", "role:team"), (2, "visa", "role:team")]
    assert h.items("deal", "ref, log") == [{"ref": "N-1", "log": "noted;"}, {"ref": "S-1", "log": ""}]
    assert h.engine.task_list(assignee="ann")[0]["item"] == 1


def test_leaving_a_stage_cancels_its_open_tasks(harness):
    h = harness(FLOW)
    h.event("o1", "opened", "2026-01-10T10:00:00+03:00", ref="N-1", region="north")
    h.event("a1", "advance", "2026-01-11T10:00:00+03:00", ref="N-1")
    h.event("w1", "withdraw", "2026-01-12T10:00:00+03:00", ref="N-1")
    assert h.one("deal", "stage, log") == {"stage": "lost", "log": "noted;left;"}
    task = h.engine.task_list(include_closed=True)[0]
    assert (task["status"], task["outcome"]) == ("cancelled", None)
    assert h.journal("kind = 'task'")[-1][3:5] == ("open", "cancelled #1")


def test_a_task_outcome_moves_the_deal_on_and_a_later_event_can_move_it_again(harness):
    h = harness(FLOW)
    h.event("o1", "opened", "2026-01-10T10:00:00+03:00", ref="N-1", region="north")
    h.event("a1", "advance", "2026-01-11T10:00:00+03:00", ref="N-1")
    h.engine.complete_task(1, "approved")
    assert h.one("deal", "stage, log") == {"stage": "won", "log": "noted;left;"}
    stage_moves = h.journal("kind = 'stage'")
    h.event("a2", "advance", "2026-01-13T10:00:00+03:00", ref="N-1")
    assert h.one("deal", "stage")["stage"] == "approval"
    assert len(h.journal("kind = 'stage'")) == len(stage_moves) + 1


REANCHOR = """
processes:
  call:
    fields:
      user: {type: string, required: true}
      planned_on: {type: date, required: true}
    pipelines: {main: {stages: {planned: {}, paused: {kind: on_hold}}}}
event_types:
  plan: {fields: {user: {type: string, required: true}, planned_on: {type: date, required: true}}}
  pause: {fields: {user: {type: string, required: true}}}
  back: {fields: {user: {type: string, required: true}}}
rules:
  plan:
    when: {event: plan}
    then: [{create: {process: call, set: {user: event.user, planned_on: event.planned_on}}}]
  pause:
    process: call
    when: {event: pause}
    if: "user = event.user"
    then: [{hold: paused}]
  back:
    process: call
    when: {event: back}
    if: "user = event.user"
    then: [{resume: {reanchor: planned_on, by: user}}]
"""


def test_reanchor_makes_the_earliest_card_of_each_group_due_at_resume_and_keeps_spacing(harness):
    h = harness(REANCHOR)
    for i, (user, day) in enumerate([("a", "2026-02-01"), ("a", "2026-05-01"), ("b", "2026-03-01")]):
        h.event(f"p{i}", "plan", "2026-01-05T10:00:00+03:00", user=user, planned_on=day)
    h.event("x1", "pause", "2026-01-10T10:00:00+03:00", user="a")
    h.event("x2", "pause", "2026-01-10T10:00:00+03:00", user="b")
    h.event("r1", "back", "2026-04-10T10:00:00+03:00", user="a")
    assert h.items("call", "user, stage, planned_on") == [
        {"user": "a", "stage": "planned", "planned_on": dt.date(2026, 4, 10)},
        {"user": "a", "stage": "planned", "planned_on": dt.date(2026, 7, 8)},
        {"user": "b", "stage": "paused", "planned_on": dt.date(2026, 3, 1)},
    ]


NIGHTLY = FLOW + """
  nightly_same_if:
    process: deal
    when: {cron: "0 3 * * *"}
    if: "pipeline = 'north'"
    then: [{run: note}]
  nightly_all:
    process: deal
    when: {cron: "0 4 * * *"}
    then: [{run: note}]
"""


def test_a_called_rule_runs_on_the_items_its_own_if_picks_whether_or_not_the_caller_picked_the_same(harness):
    h = harness(NIGHTLY)
    h.event("o1", "opened", "2026-01-10T10:00:00+03:00", ref="N-1", region="north")
    h.event("o2", "opened", "2026-01-10T11:00:00+03:00", ref="S-1", region="south")
    h.tick("2026-01-11T03:30:00+03:00")           # the caller's if is note's: its items serve again
    assert h.items("deal", "ref, log") == [{"ref": "N-1", "log": "noted;"}, {"ref": "S-1", "log": ""}]
    h.tick("2026-01-11T04:30:00+03:00")           # the caller takes every deal: note picks the north ones
    assert h.items("deal", "ref, log") == [{"ref": "N-1", "log": "noted;noted;"}, {"ref": "S-1", "log": ""}]
    assert [(r[0], r[4], r[5]) for r in h.journal("field = 'log' AND rule = 'note'")] == [
        (1, "noted;", "tick"), (1, "noted;noted;", "tick")]
