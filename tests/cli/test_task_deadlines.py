"""Task deadlines as expressions: a date is due all day (overdue from the next day's 00:00), a datetime once passed."""

from __future__ import annotations

import json

from tests.conftest import write_project_files

PROJECT = {
    "ruledeck.yaml": """\
ruledeck: 1
name: deadlines
timezone: Europe/Moscow
processes:
  visit:
    key: code
    fields:
      code: {type: string}
      planned_on: {type: date}
      planned_at: {type: datetime}
    pipelines:
      main:
        stages:
          new: {}
          done: {kind: success, manual: true}
    tasks:
      report: {due: "end_of_month(now())", outcomes: [sent]}
      call: {due: planned_on, outcomes: [reached]}
      check: {due: planned_at}
      prepare: {due: "add_working_days(now(), 2)"}
      plain: {due: 1d}
event_types:
  visit_planned:
    fields:
      code: {type: string, required: true}
      planned_on: {type: date}
      planned_at: {type: datetime}
rules:
  plan:
    when: {event: visit_planned}
    then:
      - create: {process: visit, set: {code: event.code, planned_on: event.planned_on, planned_at: event.planned_at}}
  tasks_for_visit:
    process: visit
    when: {created: true}
    then:
      - task: report
      - task: call
      - task: check
      - task: prepare
      - task: plain
      - task: {name: call, due: "add_days(planned_on, 6)"}
""",
    "events.jsonl": '{"id": "e1", "type": "visit_planned", "time": "2026-12-03 10:00:00+03:00", "payload": '
                    '{"code": "V-1", "planned_on": "2026-12-04", "planned_at": "2026-12-04 15:00:00+03:00"}}\n',
}


def _tasks(cli, project, db, *extra):
    result = cli("tasks", *extra, "-p", project, "--db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    return [(t["id"], t["name"], t["due_at"]) for t in json.loads(result.output)]


def test_deadlines_from_expressions_and_when_they_are_overdue(cli, tmp_path):
    project = str(write_project_files(tmp_path / "p", PROJECT))
    db = str(tmp_path / "t.duckdb")
    assert cli("ingest", f"{project}/events.jsonl", "-p", project, "--db", db).exit_code == 0
    assert _tasks(cli, project, db) == [
        (2, "call", "2026-12-04"),                    # a date field: due that day
        (5, "plain", "2026-12-04 10:00:00+03:00"),    # a duration from creation
        (3, "check", "2026-12-04 15:00:00+03:00"),    # a datetime field
        (4, "prepare", "2026-12-07 10:00:00+03:00"),  # Thursday + 2 working days = Monday, same time
        (6, "call", "2026-12-10"),                    # the action's own deadline
        (1, "report", "2026-12-31"),                  # end of the month
    ]
    cli("tick", "--to", "2026-12-04 23:59", "-p", project, "--db", db)
    assert _tasks(cli, project, db, "--overdue") == [(5, "plain", "2026-12-04 10:00:00+03:00"),
                                                     (3, "check", "2026-12-04 15:00:00+03:00")]
    cli("tick", "--to", "2026-12-05 00:00", "-p", project, "--db", db)
    assert [t[0] for t in _tasks(cli, project, db, "--overdue")] == [2, 5, 3]
    text = cli("tasks", "--overdue", "-p", project, "--db", db).output
    assert "2026-12-04 " in text.splitlines()[2]  # the date deadline shows as a date


def test_a_deadline_that_is_not_a_date_is_refused_with_its_place(cli, tmp_path):
    files = dict(PROJECT)
    files["ruledeck.yaml"] = (files["ruledeck.yaml"]
                              .replace('check: {due: planned_at}', 'check: {due: code}')
                              .replace('due: "add_days(planned_on, 6)"', 'due: "3 dayz"'))
    project = str(write_project_files(tmp_path / "p", files))
    result = cli("validate", project)
    assert result.exit_code == 1
    assert ("ruledeck.yaml:19:20: error E-EXPR-TYPE at processes.visit.tasks.check.due: a deadline must be a "
            "duration, a date or a datetime, got string") in result.output
    assert "error E-DURATION at rules.tasks_for_visit.then[5].task.due" in result.output
