"""Tasks addressable: ``task … as: NAME`` lets later actions read the new task; ``has_open_task('kind')``."""

from __future__ import annotations

import json

from tests.conftest import write_project_files

PROJECT = {
    "ruledeck.yaml": """\
ruledeck: 1
name: addressing
timezone: Europe/Moscow
processes:
  shipment:
    key: number
    fields:
      number: {type: string}
      check_task: {type: int}
      check_due: {type: datetime}
      pinged_open: {type: bool}
    pipelines:
      main:
        stages:
          new: {}
          cleared: {kind: success}
    tasks:
      customs_check: {due: 2d, outcomes: [cleared]}
event_types:
  shipment_arrived:
    fields: {number: {type: string, required: true}}
  ping:
    fields: {number: {type: string, required: true}}
rules:
  arrive:
    when: {event: shipment_arrived}
    then:
      - create: {process: shipment, set: {number: event.number}}
  open_check:
    process: shipment
    when: {created: true}
    then:
      - task: {name: customs_check, as: check}
      - set: {check_task: check.id, check_due: check.due_at}
  pinged:
    process: shipment
    when: {event: ping}
    if: "number = event.number"
    then:
      - set: {pinged_open: "has_open_task('customs_check')"}
  cleared:
    process: shipment
    when: {task: customs_check, outcome: cleared}
    if: "not has_open_task('customs_check')"
    then: [{move: cleared}]
""",
    "events.jsonl": "".join(line + "\n" for line in [
        '{"id": "a1", "type": "shipment_arrived", "time": "2026-12-03T10:00:00+03:00", "payload": {"number": "S-1"}}',
        '{"id": "a2", "type": "shipment_arrived", "time": "2026-12-03T10:30:00+03:00", "payload": {"number": "S-2"}}',
        '{"id": "p1", "type": "ping", "time": "2026-12-03T11:00:00+03:00", "payload": {"number": "S-1"}}',
        '{"id": "d1", "type": "task_done", "time": "2026-12-03T12:00:00+03:00", '
        '"payload": {"task": 1, "outcome": "cleared"}}',
        '{"id": "p2", "type": "ping", "time": "2026-12-03T13:00:00+03:00", "payload": {"number": "S-1"}}',
    ]),
}


def test_later_actions_read_the_new_task_and_conditions_ask_for_open_tasks(cli, tmp_path):
    project = str(write_project_files(tmp_path / "p", PROJECT))
    db = str(tmp_path / "t.duckdb")
    assert cli("ingest", f"{project}/events.jsonl", "-p", project, "--db", db).exit_code == 0
    items = json.loads(cli("items", "shipment", "-p", project, "--db", db, "--format", "json").output)
    assert [(i["number"], i["stage"], i["check_task"], i["check_due"], i["pinged_open"]) for i in items] == [
        ("S-1", "cleared", 1, "2026-12-05 10:00:00+03:00", False),
        ("S-2", "new", 2, "2026-12-05 10:30:00+03:00", None),
    ]


def test_misuse_is_a_positioned_finding(cli, tmp_path):
    files = dict(PROJECT)
    files["ruledeck.yaml"] = (PROJECT["ruledeck.yaml"].replace("check_due: check.due_at", "check_due: check.due")
                              .replace("has_open_task('customs_check')\"}", "has_open_task(number)\"}"))
    result = cli("validate", str(write_project_files(tmp_path / "p", files)))
    assert result.exit_code == 1
    assert ("ruledeck.yaml:34:54: error E-EXPR-UNKNOWN-FIELD at rules.open_check.then[1].set.check_due: 'check' "
            "has no field 'due' (did you mean 'due_at'?)") in result.output
    assert ("ruledeck.yaml:40:43: error E-EXPR-TYPE at rules.pinged.then[0].set.pinged_open: has_open_task() takes "
            "a task kind's name as a literal, e.g. has_open_task('call')") in result.output
