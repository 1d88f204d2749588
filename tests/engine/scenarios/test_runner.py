"""Running specs: steps, every expectation kind, failures with positions, xfail, rejected events."""

from __future__ import annotations

from ruledeck.engine.scenarios import Status, run_project

BASE = """\
spec: Tickets
start: 2026-03-02 09:00
steps:
"""

HAPPY = BASE + """\
  - ingest: {file: ../samples/events.jsonl, until: e2}
    expect:
      counts: {ticket: 2}
      clock: 2026-03-02 11:00
      items:
        - process: ticket
          key: T-001
          stage: new
          fields: {amount: 10.50, double: 21, tags: null, title: {contains: Printer}}
        - {process: ticket, match: {tags: [a, b]}, fields: {subject: Mail, tags: {contains: b}}}
        - process: ticket
          order_by: number
          rows:
            - {number: T-001, subject: Printer}
            - {number: T-002, subject: {in: [Mail, Fax]}}
      tasks:
        - {name: handle, count: 2, assignee: role:support, due: {not: 2026-01-01}}
        - {name: handle, item: {number: T-001}, due: 2026-03-03 10:00, title: Handle T-001}
      outbox:
        - {to: anna, contains: "New T-002", count: 1}
  - task_done: {process: ticket, match: {number: T-001}, name: handle, outcome: solved, time: 2026-03-02 12:00}
    expect:
      items:
        - {process: ticket, where: "stage = 'done'", count: 1}
      documents:
        - {template: receipt, item: {number: T-001}, filename: receipt-T-001.md, contains: [solved, Printer]}
      boards:
        - {board: open_tickets, columns: {new: 1, done: 0}}
        - {process: ticket, columns: {new: 1, done: 1}}
      open_tasks: 1
  - ingest: ../samples/events.jsonl
  - task_done: {process: ticket, match: {number: T-003}, name: handle, outcome: wait}
  - tick: {by: 2d}
    expect:
      outbox:
        - {to: role:support, rule: reminder, contains: T-003 waits, count: 1}
      clock: 2026-03-05 09:00
"""


def _run(spec_project, specs: dict[str, str], select: str | None = None):
    return run_project(spec_project(specs), select)


def test_a_spec_that_holds_passes_with_every_expectation_counted(spec_project):
    run = _run(spec_project, {"happy.yaml": HAPPY})
    (spec,) = run.specs
    assert [c.message() for c in spec.failures] == []
    assert spec.error is None and spec.findings == []
    assert spec.status == "passed"
    assert len(spec.checks) == spec.count(Status.PASSED) == 30
    assert run.expectations == 30


def test_a_failed_expectation_says_where_what_was_expected_and_what_is(spec_project):
    text = BASE + """\
  - ingest: ../samples/events.jsonl
    expect:
      items:
        - process: ticket
          key: T-001
          stage: done
          fields: {amount: 10.5, due_on: 2026-01-01}
"""
    (spec,) = _run(spec_project, {"bad.yaml": text}).specs
    assert spec.status == "failed"
    messages = [(c.line, c.col, c.message()) for c in spec.failures]
    assert messages == [
        (9, 18, 'ticket #1 "T-001 · Printer": stage: expected "done", got "new"'),
        (10, 42, 'ticket #1 "T-001 · Printer": due_on: expected 2026-01-01, got null'),
    ]
    assert spec.failures[0].file.endswith("tests/bad.yaml")


def test_a_field_of_many_items_lists_the_ones_that_differ(spec_project):
    text = BASE + """\
  - ingest: ../samples/events.jsonl
    expect:
      items:
        - {process: ticket, stage: new, fields: {subject: Printer}}
"""
    (spec,) = _run(spec_project, {"many.yaml": text}).specs
    (failure,) = spec.failures
    assert failure.message() == ('ticket: subject: expected "Printer", got 2 of 3 differ: '
                                 'ticket #2 "T-002 · Mail": "Mail"; ticket #3 "T-003 · VPN": "VPN"')


def test_xfail_counts_separately_and_an_xpass_fails_the_run(spec_project):
    text = BASE + """\
  - ingest: ../samples/events.jsonl
    expect:
      items:
        - {process: ticket, key: T-001, stage: done, fields: {subject: Printer}, xfail: "engine bug #1"}
        - {process: ticket, key: T-002, stage: new, xfail: "engine bug #2"}
"""
    (spec,) = _run(spec_project, {"x.yaml": text}).specs
    assert [c.status for c in spec.checks] == [Status.XFAILED, Status.XFAILED, Status.XPASSED]
    assert spec.status == "failed"
    assert spec.failures[0].message() == ("ticket T-002: stage holds but is marked xfail (engine bug #2): "
                                          "remove the mark")


def test_an_unexpected_rejection_stops_the_spec_at_its_step(spec_project):
    text = BASE + """\
  - event: {type: opened, payload: {amount: 3}}
  - expect: {counts: {ticket: 1}}
"""
    (spec,) = _run(spec_project, {"stop.yaml": text}).specs
    assert spec.status == "error"
    assert (spec.error.line, spec.error.col) == (4, 12)
    assert spec.error.message == "event stop-1 was rejected: required field 'subject' is missing"
    assert spec.checks == []


def test_an_expected_rejection_is_checked_not_fatal(spec_project):
    text = BASE + """\
  - event: {id: bad, type: opened, payload: {subject: X, colour: red}}
    expect:
      rejected:
        - {id: bad, reason: "has no field 'colour'"}
      counts: {ticket: 0}
  - task_done: {id: late, process: ticket, match: {number: T-9}, name: handle, outcome: solved}
    expect:
      rejected:
        - {id: late, reason: "no open 'handle' task"}
"""
    (spec,) = _run(spec_project, {"rejected.yaml": text}).specs
    assert spec.status == "passed", [c.message() for c in spec.failures]
    assert len(spec.checks) == 3


def test_names_a_spec_uses_are_checked_before_it_runs(spec_project):
    text = BASE + """\
  - event: {type: openned, payload: {subject: X}}
    expect:
      items:
        - {process: tiket}
        - {process: ticket, stage: wating, fields: {subjct: X}, where: "amount > 'x'"}
      boards:
        - {board: open_tickets, columns: {closed: 1}}
      tasks:
        - {name: hanlde}
  - tick: {by: 2 dayz}
"""
    (spec,) = _run(spec_project, {"names.yaml": text}).specs
    assert spec.status == "error" and spec.checks == []
    found = [(f.line, f.col, f.code, f.message, f.hint) for f in spec.findings]
    assert found == [
        (4, 19, "E-REF-EVENT-TYPE", "there is no event type 'openned'", "did you mean 'opened'?"),
        (7, 21, "E-REF-PROCESS", "there is no process 'tiket'", "did you mean 'ticket'?"),
        (8, 36, "E-SPEC-STAGE", "process 'ticket' has no stage 'wating'", "did you mean 'waiting'?"),
        (8, 61, "E-SPEC-FIELD", "process 'ticket' has no field 'subjct'", "did you mean 'subject'?"),
        (8, 80, "E-EXPR-TYPE", "cannot compare decimal with string", ""),
        (10, 51, "E-SPEC-STAGE", "pipeline 'main' has no stage 'closed'", "pipeline 'main' has: new, waiting, done"),
        (12, 18, "E-SPEC-TASK", "there is no task 'hanlde'", "did you mean 'handle'?"),
        (13, 16, "E-DURATION", "'2 dayz' is not a duration: unknown unit 'dayz'", "did you mean 'days'?"),
    ]


def test_the_schema_refuses_a_malformed_spec(spec_project):
    (spec,) = _run(spec_project, {"schema.yaml": "steps:\n  - tick: {by: 1d, to: 2026-01-01}\n  - boom: 1\n"}).specs
    assert [(f.line, f.code) for f in spec.findings] == [(2, "E-SCHEMA-CONFLICT"), (3, "E-SCHEMA-UNKNOWN-KEY")]


def test_k_selects_specs_by_file_name_or_title(spec_project):
    specs = {"one.yaml": "spec: Alpha\nsteps:\n  - tick: 2026-01-01\n",
             "two.yaml": "spec: Beta\nsteps:\n  - tick: 2026-01-01\n"}
    assert [s.title for s in _run(spec_project, specs, "BETA").specs] == ["Beta"]
    assert [s.title for s in _run(spec_project, specs, "one").specs] == ["Alpha"]


def test_an_ingest_until_an_unknown_event_is_an_error(spec_project):
    text = BASE + "  - ingest: {file: ../samples/events.jsonl, until: e9}\n"
    (spec,) = _run(spec_project, {"until.yaml": text}).specs
    assert spec.error.message == "there is no event 'e9' in ../samples/events.jsonl"
