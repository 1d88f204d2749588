"""Actions, each through a small project: what changes, and what the journal says."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

FOLLOWUP = """
processes:
  service:
    key: serial
    title: "{{ '👶' if child else '🧑' }} {{ user }}"
    fields:
      serial: {type: string, required: true}
      user: {type: string, required: true}
      issued_on: {type: date, required: true}
      birth: {type: date, required: true}
      child: {type: bool, compute: "age_years(birth, issued_on) < 18"}
    pipelines: {main: {stages: {active: {}}}}
  call:
    title: "{{ label }} · {{ user }}"
    fields:
      service: {type: ref, process: service, required: true}
      user: {type: string, required: true}
      label: {type: string}
      planned_on: {type: date}
      questions: {type: string, many: true}
    pipelines:
      main:
        stages:
          planned: {}
          paused: {kind: on_hold}
          done: {kind: success}
period_tables:
  calls:
    variants:
      child:
        when: "age_years(birth, issued_on) < 18"
        rows:
          - {offset: 1 month, label: "1 month", questions: [fit, growth]}
          - {offset: 3 months, label: "3 months", questions: [growth]}
          - {offset: 6 months, label: "6 months", questions: [fit]}
      adult:
        default: true
        rows:
          - {offset: 1 month, label: "1 month", questions: [fit]}
          - {offset: 6 months, label: "6 months", questions: [fit, pain]}
event_types:
  issued:
    fields:
      serial: {type: string, required: true}
      user: {type: string, required: true}
      birth: {type: date, required: true}
  incident:
    fields: {user: {type: string, required: true}}
  resolved:
    fields: {user: {type: string, required: true}}
rules:
  issue:
    when: {event: issued}
    then:
      - create:
          process: service
          as: svc
          set: {serial: event.serial, user: event.user, birth: event.birth, issued_on: date(event.time)}
  plan_calls:
    process: service
    when: {created: true}
    then:
      - schedule:
          period_table: calls
          process: call
          anchor: issued_on
          set: {service: id, user: user, label: row.label, planned_on: "anchor + row.offset",
                questions: row.questions}
  pause_user:
    when: {event: incident}
    then:
      - update:
          process: call
          where: "user = event.user and stage_kind = 'open'"
          then:
            - hold: paused
  resume_user:
    when: {event: resolved}
    then:
      - update:
          process: call
          where: "user = event.user"
          then:
            - resume: {shift: [planned_on]}
"""


def test_schedule_creates_one_card_per_row_of_the_matching_variant(harness):
    h = harness(FOLLOWUP)
    h.event("i1", "issued", "2026-01-15T10:00:00+03:00", serial="S1", user="kid", birth="2015-05-01")
    h.event("i2", "issued", "2026-01-20T10:00:00+03:00", serial="S2", user="adult", birth="1980-02-02")
    assert [s["title"] for s in h.items("service", "title")] == ["👶 kid", "🧑 adult"]
    calls = h.items("call", "user, label, planned_on, questions, title, stage")
    assert [(c["user"], c["label"], c["planned_on"], c["questions"]) for c in calls] == [
        ("kid", "1 month", dt.date(2026, 2, 15), ["fit", "growth"]),
        ("kid", "3 months", dt.date(2026, 4, 15), ["growth"]),
        ("kid", "6 months", dt.date(2026, 7, 15), ["fit"]),
        ("adult", "1 month", dt.date(2026, 2, 20), ["fit"]),
        ("adult", "6 months", dt.date(2026, 7, 20), ["fit", "pain"]),
    ]
    assert calls[0]["title"] == "1 month · kid" and {c["stage"] for c in calls} == {"planned"}


def test_hold_parks_every_open_card_of_the_user_and_resume_shifts_the_dates(harness):
    h = harness(FOLLOWUP)
    h.event("i1", "issued", "2026-01-15T10:00:00+03:00", serial="S1", user="ann", birth="1990-01-01")
    h.event("i2", "issued", "2026-01-16T10:00:00+03:00", serial="S2", user="ann", birth="1990-01-01")
    h.event("i3", "issued", "2026-01-16T11:00:00+03:00", serial="S3", user="bob", birth="1990-01-01")
    h.event("x1", "incident", "2026-03-01T09:00:00+03:00", user="ann")
    held = h.items("call", "stage, held_from", "\"user\" = 'ann'")
    assert held == [{"stage": "paused", "held_from": "planned"}] * 4
    assert {c["stage"] for c in h.items("call", "stage", "\"user\" = 'bob'")} == {"planned"}
    h.event("x2", "incident", "2026-03-05T09:00:00+03:00", user="ann")
    assert h.scalar("SELECT count(*) FROM rd_journal WHERE cause_id = 'x2'") == 0
    h.event("r1", "resolved", "2026-03-11T09:00:00+03:00", user="ann")
    resumed = h.items("call", "stage, held_from, planned_on", "\"user\" = 'ann'")
    assert resumed == [
        {"stage": "planned", "held_from": None, "planned_on": dt.date(2026, 2, 25)},
        {"stage": "planned", "held_from": None, "planned_on": dt.date(2026, 7, 25)},
        {"stage": "planned", "held_from": None, "planned_on": dt.date(2026, 2, 26)},
        {"stage": "planned", "held_from": None, "planned_on": dt.date(2026, 7, 26)},
    ]
    assert h.journal("cause_id = 'r1' AND field = 'planned_on'")[0][3:5] == ("2026-02-15", "2026-02-25")


TASKS = """
roles:
  engineers: {}
  dispatch: {}
people:
  anna: {roles: [engineers]}
  boris: {roles: [engineers]}
  dora: {roles: [dispatch]}
lookups:
  owners:
    key: service
    fields: {service: {type: string}, person: {type: person}}
    rows:
      - {service: printers, person: boris}
processes:
  device:
    fields:
      serial: {type: string, required: true}
    pipelines: {main: {stages: {active: {}}}}
  request:
    fields:
      number: {type: string, sequence: "REQ-{year}-{n:03}"}
      service: {type: string}
      serial: {type: string}
      device: {type: ref, process: device}
      engineer: {type: person}
      owner: {type: person}
      problems: {type: text}
    pipelines:
      main:
        stages:
          new: {}
          in_work: {}
          done: {kind: success}
    tasks:
      accept:
        title: "Accept {{ number }}"
        assignee: {field: engineer}
        due: 2d
        outcomes: [accepted, rejected]
templates:
  act:
    process: request
    filename: "act-{{ number }}.md"
    body: "Act {{ number }}: {{ problems }}"
event_types:
  device_added:
    fields: {serial: {type: string, required: true}}
  request_in:
    fields:
      service: {type: string}
      serial: {type: string}
  report:
    fields:
      number: {type: string, required: true}
      problems: {type: text, required: true}
rules:
  add_device:
    when: {event: device_added}
    then:
      - create: {process: device, set: {serial: event.serial}}
  new_request:
    when: {event: request_in}
    then:
      - create: {process: request, set: {service: event.service, serial: event.serial}}
  route:
    process: request
    when: {created: true}
    then:
      - link: {field: device, process: device, match: {serial: serial}}
      - assign: {field: engineer, role: engineers, method: round_robin}
      - assign: {field: owner, lookup: owners, key: service, fallback: {person: dora}}
      - task: accept
      - notify: {to: {field: engineer}, text: "New request {{ number }}"}
  accepted:
    process: request
    when: {task: accept, outcome: accepted}
    then:
      - move: in_work
  reported:
    process: request
    when: {event: report}
    if: "number = event.number"
    then:
      - set: {problems: event.problems}
      - complete_tasks: {name: accept, outcome: accepted}
      - move: done
      - document: {template: act}
"""


def test_create_link_assign_task_notify(harness):
    h = harness(TASKS)
    h.event("d1", "device_added", "2026-01-10T10:00:00+03:00", serial="SN-1")
    h.event("r1", "request_in", "2026-01-11T10:00:00+03:00", service="printers", serial="SN-1")
    h.event("r2", "request_in", "2026-01-11T11:00:00+03:00", service="network", serial="SN-404")
    h.event("r3", "request_in", "2026-01-11T12:00:00+03:00", service="network")
    rows = h.items("request", "number, device, engineer, owner")
    assert rows == [
        {"number": "REQ-2026-001", "device": 1, "engineer": "anna", "owner": "boris"},
        {"number": "REQ-2026-002", "device": None, "engineer": "boris", "owner": "dora"},
        {"number": "REQ-2026-003", "device": None, "engineer": "anna", "owner": "dora"},
    ]
    tasks = h.engine.task_list()
    assert [(t["name"], t["title"], t["assignee"], t["outcomes"]) for t in tasks] == [
        ("accept", "Accept REQ-2026-001", "anna", ["accepted", "rejected"]),
        ("accept", "Accept REQ-2026-002", "boris", ["accepted", "rejected"]),
        ("accept", "Accept REQ-2026-003", "anna", ["accepted", "rejected"]),
    ]
    assert str(tasks[0]["due_at"])[:16] == "2026-01-13 10:00"
    outbox = h.engine.con.execute("SELECT recipient, text FROM rd_outbox ORDER BY id").fetchall()
    assert outbox == [("anna", "New request REQ-2026-001"), ("boris", "New request REQ-2026-002"),
                      ("anna", "New request REQ-2026-003")]


def test_completing_a_task_fires_the_rule_waiting_on_its_outcome(harness):
    from ruledeck.engine.runtime.events import EventRejected

    h = harness(TASKS)
    h.event("r1", "request_in", "2026-01-11T10:00:00+03:00", service="printers")
    try:
        h.engine.complete_task(1, "maybe")
        raise AssertionError("an outcome the task does not allow must be refused")
    except EventRejected as exc:
        assert str(exc) == "task #1 'accept' has no outcome 'maybe' (allowed: accepted, rejected)"
    h.engine.complete_task(1, "accepted", "on my way")
    assert h.one("request", "stage")["stage"] == "in_work"
    task = h.engine.task_list(include_closed=True)[0]
    assert (task["status"], task["outcome"], task["comment"]) == ("done", "accepted", "on my way")
    try:
        h.engine.complete_task(1, "accepted")
        raise AssertionError("a closed task cannot be completed again")
    except EventRejected as exc:
        assert str(exc) == "task #1 'accept' is already done"


def test_task_done_event_by_item_match_and_document_generation(harness, tmp_path):
    h = harness(TASKS)
    h.event("r1", "request_in", "2026-01-11T10:00:00+03:00", service="printers")
    summary = h.event("t1", "task_done", "2026-01-12T10:00:00+03:00",
                      task={"process": "request", "match": {"number": "REQ-2026-001"}, "name": "accept"},
                      outcome="accepted")
    assert summary.accepted == 1
    assert h.one("request", "stage")["stage"] == "in_work"
    h.event("p1", "report", "2026-01-13T10:00:00+03:00", number="REQ-2026-001", problems="worn roller")
    assert h.one("request", "stage, problems") == {"stage": "done", "problems": "worn roller"}
    docs = h.engine.con.execute("SELECT template, filename, body FROM rd_documents").fetchall()
    assert docs == [("act", "act-REQ-2026-001.md", "Act REQ-2026-001: worn roller")]


def test_documents_are_written_after_commit_inside_the_documents_folder(harness):
    h = harness(TASKS, db="state.duckdb")
    h.event("r1", "request_in", "2026-01-11T10:00:00+03:00", service="printers")
    h.event("p1", "report", "2026-01-13T10:00:00+03:00", number="REQ-2026-001", problems="roller")
    written = h.engine.documents_dir() / "act-REQ-2026-001.md"
    assert written.read_text() == "Act REQ-2026-001: roller"
    assert [p.name for p in written.parent.iterdir()] == ["act-REQ-2026-001.md"]


ROLLUP = """
processes:
  contract:
    key: number
    fields:
      number: {type: string, required: true}
      total: {type: decimal, required: true}
      paid: {type: decimal, rollup: {process: payment, link: contract, sum: amount, where: "status = 'paid'"}}
      remaining: {type: decimal, compute: "total - paid"}
      unpaid_count: {type: int, rollup: {process: payment, link: contract, count: true, where: "status <> 'paid'"}}
    pipelines: {main: {stages: {open: {}, closed: {kind: success}}}}
  payment:
    fields:
      contract: {type: ref, process: contract, required: true}
      amount: {type: decimal, required: true}
      status: {type: enum, values: [planned, paid], default: planned}
    pipelines: {main: {stages: {planned: {}}}}
event_types:
  signed:
    fields: {number: {type: string, required: true}, total: {type: decimal, required: true}}
  planned:
    fields: {contract: {type: ref, process: contract, required: true}, amount: {type: decimal, required: true}}
  paid:
    fields: {contract: {type: ref, process: contract, required: true}}
rules:
  sign:
    when: {event: signed}
    then: [{create: {process: contract, set: {number: event.number, total: event.total}}}]
  plan:
    when: {event: planned}
    then: [{create: {process: payment, set: {contract: event.contract, amount: event.amount}}}]
  pay:
    process: payment
    when: {event: paid}
    if: "contract = event.contract and status = 'planned'"
    then:
      - set: {status: "'paid'"}
  close_when_paid:
    process: contract
    when: {event: paid}
    if: "id = event.contract and remaining <= 0 and unpaid_count = 0"
    then:
      - move: closed
"""


def test_rollups_and_computed_fields_are_usable_in_conditions(harness):
    from ruledeck.engine.runtime.frame import Frame, FrameResolver

    h = harness(ROLLUP)
    h.event("s1", "signed", "2026-01-10T10:00:00+03:00", number="C-1", total="300.00")
    h.event("p1", "planned", "2026-01-10T11:00:00+03:00", contract="C-1", amount="100.00")
    h.event("p2", "planned", "2026-01-10T12:00:00+03:00", contract="C-1", amount="200.00")
    h.event("x1", "paid", "2026-01-11T10:00:00+03:00", contract="C-1")
    assert h.one("contract", "stage")["stage"] == "closed"
    frame = Frame(h.project, "(SELECT id FROM items_contract)", h.project.processes["contract"],
                  h.engine.clock())
    resolver = FrameResolver(frame)
    paid = resolver.item_column("it", frame.process, "m.id", "paid").sql("duckdb")
    remaining = resolver.item_column("it", frame.process, "m.id", "remaining").sql("duckdb")
    assert h.engine.con.execute(f"SELECT {paid}, {remaining} FROM {resolver.from_clause()}").fetchone() == (
        Decimal("300.00"), Decimal("0.00"))


def test_a_document_from_a_rolled_back_event_leaves_no_row_and_no_file(harness):
    failing = TASKS.replace("""      - document: {template: act}
""", """      - document: {template: act}
      - move: "case when problems = 'boom' then problems else 'done' end"
""")
    h = harness(failing, db="state.duckdb")
    h.event("r1", "request_in", "2026-01-11T10:00:00+03:00", service="printers")
    summary = h.event("p1", "report", "2026-01-13T10:00:00+03:00", number="REQ-2026-001", problems="boom")
    assert summary.rejected[0].reason == ("rule 'reported' would move item 1 of 'request' to stage 'boom', "
                                          "which pipeline 'main' does not have")
    assert h.scalar("SELECT count(*) FROM rd_documents") == 0
    assert not h.engine.documents_dir().exists() or not any(h.engine.documents_dir().iterdir())
    h.event("p2", "report", "2026-01-14T10:00:00+03:00", number="REQ-2026-001", problems="fine")
    assert [p.name for p in h.engine.documents_dir().iterdir()] == ["act-REQ-2026-001.md"]
