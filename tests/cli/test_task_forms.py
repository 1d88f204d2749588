"""Task forms: a completion carries checked field values that the task's rules read as task.FIELD."""

from __future__ import annotations

import json

from tests.conftest import write_project_files

PROJECT = {
    "ruledeck.yaml": """\
ruledeck: 1
name: forms
timezone: Europe/Moscow
people:
  petrov: {name: Petrov}
processes:
  request:
    key: number
    fields:
      number: {type: string}
      engineer: {type: person}
      failure: {type: string}
      cost: {type: decimal}
      areas: {type: string, many: true}
    pipelines:
      main:
        stages:
          new: {}
          done: {kind: success}
          failed: {kind: failure}
    tasks:
      visit:
        form:
          engineer: {type: person, required: true}
          reason: {type: enum, values: [no_access, no_parts]}
          cost: {type: decimal, min: 0}
          areas: {type: string, many: true}
        outcomes:
          done: {}
          failed: {require: [reason], comment_required: true}
event_types:
  request_received:
    fields: {number: {type: string, required: true}}
rules:
  open_request:
    when: {event: request_received}
    then:
      - create: {process: request, set: {number: event.number}}
  plan_visit:
    process: request
    when: {created: true}
    then: [{task: visit}]
  visit_done:
    process: request
    when: {task: visit, outcome: done}
    then:
      - set: {engineer: task.engineer, cost: task.cost, areas: task.areas}
      - move: done
  visit_failed:
    process: request
    when: {task: visit, outcome: failed}
    then:
      - set: {engineer: task.engineer, failure: "concat(task.reason, ': ', task.comment)"}
      - move: failed
""",
    "events.jsonl": "".join(line + "\n" for line in [
        '{"id": "r1", "type": "request_received", "time": "2026-12-03T10:00:00+03:00", "payload": {"number": "R-1"}}',
        '{"id": "r2", "type": "request_received", "time": "2026-12-03T10:05:00+03:00", "payload": {"number": "R-2"}}',
        ('{"id": "d1", "type": "task_done", "time": "2026-12-03T11:00:00+03:00", "payload": {"task": 1, "outco'
         'me": "done", "fields": {"engineer": "petrov", "cost": "12.50", "areas": ["pump", "valve"]}}}'),
        ('{"id": "d2", "type": "task_done", "time": "2026-12-03T11:00:00+03:00", "payload": {"task": 2, "outco'
         'me": "failed", "fields": {"engineer": "petrov"}}}'),
        ('{"id": "d3", "type": "task_done", "time": "2026-12-03T11:00:00+03:00", "payload": {"task": 2, "outco'
         'me": "failed", "fields": {"engineer": "petrov", "reason": "no_parts"}}}'),
        ('{"id": "d4", "type": "task_done", "time": "2026-12-03T11:00:00+03:00", "payload": {"task": 2, "outco'
         'me": "failed", "fields": {"engineer": "ivanov", "reason": "no_parts"}}}'),
        ('{"id": "d5", "type": "task_done", "time": "2026-12-03T11:00:00+03:00", "payload": {"task": 2, "outco'
         'me": "failed", "fields": {"engineer": "petrov", "reasn": "no_parts"}}}'),
        ('{"id": "d6", "type": "task_done", "time": "2026-12-03T11:00:00+03:00", "payload": {"task": 2, "outco'
         'me": "failed", "comment": "no pump in stock",'
         ' "fields": {"engineer": "petrov", "reason": "no_parts", "cost": "-1"}}}'),
        ('{"id": "d7", "type": "task_done", "time": "2026-12-03T11:00:00+03:00", "payload": {"task": 2, "outco'
         'me": "failed", "comment": "no pump in stock", "fields": {"engineer": "petrov", "reason": "no_parts"}}}'),
    ]),
}


def _project(tmp_path, files=PROJECT) -> str:
    return str(write_project_files(tmp_path / "p", files))


def test_task_done_events_carry_form_fields_checked_like_payloads(cli, tmp_path):
    project = _project(tmp_path)
    db = str(tmp_path / "t.duckdb")
    result = cli("ingest", f"{project}/events.jsonl", "-p", project, "--db", db)
    assert result.exit_code == 1
    assert result.output == (
        "rejected d2 (line 4): task #2 'visit': outcome 'failed' needs field 'reason' (--set reason=…)\n"
        "rejected d3 (line 5): task #2 'visit': outcome 'failed' needs a comment (--comment …)\n"
        "rejected d4 (line 6): task #2 'visit': field 'engineer' is not a known person (got \"ivanov\")\n"
        "rejected d5 (line 7): task #2 'visit' has no field 'reasn' (did you mean 'reason'?)\n"
        "rejected d6 (line 8): task #2 'visit': field 'cost' must be at least 0 (got -1.00)\n"
        "4 accepted, 0 duplicate, 5 rejected\n")
    items = json.loads(cli("items", "request", "-p", project, "--db", db, "--format", "json").output)
    assert [(i["stage"], i["engineer"], i["cost"], i["areas"], i["failure"]) for i in items] == [
        ("done", "petrov", "12.50", ["pump", "valve"], None),
        ("failed", "petrov", None, None, "no_parts: no pump in stock"),
    ]
    tasks = json.loads(cli("tasks", "--all", "-p", project, "--db", db, "--format", "json").output)
    assert [t["status"] for t in tasks] == ["done", "done"]


def test_misused_forms_are_positioned_findings(cli, tmp_path):
    files = dict(PROJECT)
    files["ruledeck.yaml"] = (PROJECT["ruledeck.yaml"]
                              .replace("reason: {type: enum", "comment: {type: string}\n          reason: {type: enum")
                              .replace("require: [reason]", "require: [reasons]")
                              .replace("concat(task.reason,", "concat(task.reson,"))
    result = cli("validate", _project(tmp_path, files))
    assert result.exit_code == 1
    out = result.output
    assert "error E-FIELD-RESERVED at processes.request.tasks.visit.form.comment: 'comment' is a system field" in out
    assert ("error E-REF-FIELD at processes.request.tasks.visit.outcomes.failed.require[0]: the form of task "
            "'visit' has no field 'reasons' (did you mean 'reason'?)") in out
    assert "error E-EXPR-UNKNOWN-FIELD at rules.visit_failed.then[0].set.failure: 'task' has no field 'reson' " \
           "(did you mean 'reason'?)" in out


def test_task_done_sets_form_fields_from_the_command_line(cli, tmp_path):
    project = _project(tmp_path)
    db = str(tmp_path / "t.duckdb")
    first_two = "".join(PROJECT["events.jsonl"].splitlines(keepends=True)[:2])
    (tmp_path / "two.jsonl").write_text(first_two)
    assert cli("ingest", str(tmp_path / "two.jsonl"), "-p", project, "--db", db).exit_code == 0

    def done(*args):
        return cli("task", "done", *args, "-p", project, "--db", db)

    refused = done("2", "--outcome", "failed", "--set", "engineer=petrov", "--set", "reason=no_parts")
    assert (refused.exit_code, refused.output) == (1, "Error: task #2 'visit': outcome 'failed' needs a comment "
                                                      "(--comment …)\n")
    wrong = done("1", "--outcome", "done", "--set", "engineer=petrov", "--set", "cost=lots")
    assert wrong.output == "Error: task #1 'visit': field 'cost' must be a number (got \"lots\")\n"
    assert done("1", "--outcome", "done", "--set", "cost").exit_code == 2
    ok = done("1", "--outcome", "done", "--set", "engineer=petrov", "--set", "cost=7.5",
              "--set", "areas=pump", "--set", "areas=valve")
    assert (ok.exit_code, ok.output) == (0, "task #1 completed as done\n")
    assert done("request:R-2", "--name", "visit", "--outcome", "failed", "--set", "engineer=petrov",
                "--set", "reason=no_access", "--comment", "locked").exit_code == 0
    items = json.loads(cli("items", "request", "-p", project, "--db", db, "--format", "json").output)
    assert [(i["stage"], i["cost"], i["areas"], i["failure"]) for i in items] == [
        ("done", "7.50", ["pump", "valve"], None), ("failed", None, None, "no_access: locked")]
    assert cli("verify", "-p", project, "--db", db).exit_code == 0


def test_the_comment_shows_in_tasks_show_explain_and_the_journal(cli, tmp_path):
    project = _project(tmp_path)
    db = str(tmp_path / "t.duckdb")
    cli("ingest", f"{project}/events.jsonl", "-p", project, "--db", db)
    tasks = json.loads(cli("tasks", "--all", "-p", project, "--db", db, "--format", "json").output)
    assert [t["comment"] for t in tasks] == [None, "no pump in stock"]
    assert "no pump in stock" in cli("tasks", "--all", "-p", project, "--db", db).output.splitlines()[3]
    shown = cli("show", "request:R-2", "-p", project, "--db", db).output
    assert "      task visit: completed #2 as failed · no pump in stock\n" in shown
    explained = cli("explain", "request:R-2", "-p", project, "--db", db).output
    assert ("Tasks\n  #2 visit: done as failed 2026-12-03 11:00 · engineer=petrov, reason=no_parts · no pump in stock"
            in explained)
    data = json.loads(cli("explain", "request:R-2", "-p", project, "--db", db, "--format", "json").output)
    assert data["tasks"][0] | {"closed_at": None} == {
        "id": 2, "name": "visit", "status": "done", "outcome": "failed", "comment": "no pump in stock",
        "form": {"engineer": "petrov", "reason": "no_parts"}, "closed_at": None}
