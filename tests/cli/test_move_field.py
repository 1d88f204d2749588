"""``move:`` a bare name is a stage; a field's stage is written as an expression, and a bare field is refused."""

from __future__ import annotations

import json

DEFS = """\
processes:
  request:
    fields:
      next_stage: {type: string}
    pipelines: {main: {stages: {new: {}, review: {}, done: {kind: success}}}}
event_types:
  route:
    fields: {to: {type: string, required: true}}
rules:
  route:
    when: {event: route}
    then: [{create: {process: request, set: {next_stage: event.to}}}]
  moved:
    process: request
    when: {created: true}
    then:
      - move: MOVE
"""


def _project(tmp_path, move: str):
    root = tmp_path / "p"
    root.mkdir(exist_ok=True)
    (root / "ruledeck.yaml").write_text("ruledeck: 1\nname: p\ntimezone: UTC\n")
    (root / "defs.yaml").write_text(DEFS.replace("MOVE", move))
    return root


def _events(tmp_path, *targets: str):
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps({"id": f"r{i}", "type": "route", "time": "2026-03-02T10:00:00Z",
                                        "payload": {"to": to}}) + "\n" for i, to in enumerate(targets, 1)))
    return str(path)


def test_a_bare_field_name_given_to_move_is_refused_with_the_fix(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _project(tmp_path, "next_stage")
    result = cli("validate", "p")
    assert result.exit_code == 1
    assert result.stdout == (
        "p/defs.yaml:17:15: error E-MOVE-FIELD at rules.moved.then[0].move: 'next_stage' is a field of process "
        "'request', not a stage: 'move:' reads a bare name as a stage name (to move to the stage the field holds, "
        "write it as an expression: move: \"(next_stage)\")\n"
        "  17 |       - move: next_stage\n"
        "     |               ^\n")
    assert result.stderr == "p: FAILED (1 error(s), 0 warning(s))\n"


def test_a_move_to_the_stage_a_field_holds(cli, tmp_path):
    root = _project(tmp_path, '"(next_stage)"')
    assert cli("validate", str(root)).exit_code == 0
    db = str(tmp_path / "p.duckdb")
    result = cli("ingest", _events(tmp_path, "review", "done", "nowhere"), "-p", str(root), "--db", db)
    assert result.exit_code == 1
    assert result.stdout == "2 accepted, 0 duplicate, 1 rejected\n"
    assert "rejected r3 (line 3): " in result.stderr and "'nowhere'" in result.stderr
    items = json.loads(cli("items", "request", "--fields", "next_stage,stage", "-p", str(root), "--db", db,
                           "--format", "json").stdout)
    assert [(i["next_stage"], i["stage"]) for i in items] == [("review", "review"), ("done", "done")]


def test_a_stage_literal_inside_a_computed_move_is_checked(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _project(tmp_path, "\"case when next_stage = 'x' then 'reviw' else 'new' end\"")
    result = cli("validate", "p")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "p/defs.yaml:17:15: error E-REF-STAGE at rules.moved.then[0].move: process 'request' has no stage 'reviw' "
        "(did you mean 'review'?)")
