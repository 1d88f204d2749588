"""ingest, tick, clock, preview, plan, tasks and task done through the command line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import pytest

from .conftest import REPO

COMPLAINTS = str(REPO / "definitions" / "complaints")


@pytest.fixture
def complaints(tmp_path) -> str:
    """A copy of the shipped complaints set-up: commands write its documents into its own folder."""
    return str(shutil.copytree(COMPLAINTS, tmp_path / "complaints", ignore=shutil.ignore_patterns("documents")))


SAMPLE = str(REPO / "samples" / "complaints" / "events.jsonl")


def test_ingest_twice_reports_duplicates_and_changes_nothing(cli, tmp_path, complaints):
    db = str(tmp_path / "c.duckdb")
    first = cli("ingest", SAMPLE, "-p", complaints, "--db", db)
    assert (first.exit_code, first.output) == (0, "24 accepted, 0 duplicate, 0 rejected\n")
    second = cli("ingest", SAMPLE, "-p", complaints, "--db", db, "--format", "json")
    assert second.exit_code == 0
    assert json.loads(second.output) | {"changes": []} == {
        "accepted": 0, "without_effect": [], "duplicates": 24, "rejected": [], "late": 0, "dry_run": False,
        "changes": []}


def test_a_rejected_event_means_exit_1_with_its_id_and_reason(cli, tmp_path, complaints):
    events = tmp_path / "bad.jsonl"
    events.write_text('{"id": "x1", "type": "nope", "time": "2026-01-01T10:00:00+03:00", "payload": {}}\n'
                      'not json\n')
    result = cli("ingest", str(events), "-p", complaints, "--db", str(tmp_path / "c.duckdb"))
    assert result.exit_code == 1
    assert "rejected x1 (line 1): unknown event type 'nope'" in result.output
    assert "rejected line 2 (line 2): not valid JSON: Expecting value at column 1" in result.output
    assert result.output.endswith("0 accepted, 0 duplicate, 2 rejected\n")


def test_dry_run_shows_changes_and_keeps_the_database_as_it_was(cli, tmp_path, complaints):
    db = str(tmp_path / "c.duckdb")
    result = cli("ingest", SAMPLE, "-p", complaints, "--db", db, "--dry-run")
    assert result.exit_code == 0
    assert "created" in result.output and "(would be applied)" in result.output
    assert cli("clock", "-p", complaints, "--db", db).output == (
        "clock: not started (ingest an event or tick --to)\n")


def test_tick_by_a_month_and_refusing_to_go_back(cli, tmp_path, complaints):
    db = str(tmp_path / "c.duckdb")
    cli("ingest", SAMPLE, "-p", complaints, "--db", db)
    moved = cli("tick", "--by", "1 month", "-p", complaints, "--db", db)
    assert moved.exit_code == 0
    assert moved.output.startswith("clock 2026-03-26T12:00:00+03:00 -> 2026-04-26T12:00:00+03:00")
    back = cli("tick", "--to", "2026-01-01", "-p", complaints, "--db", db)
    assert back.exit_code == 2
    assert back.output == ("Error: cannot tick backwards: the clock is at 2026-04-26T12:00:00+03:00, "
                           "2026-01-01T00:00:00+03:00 is earlier\n")
    bad = cli("tick", "--by", "1 fortnight", "-p", complaints, "--db", db)
    assert bad.exit_code == 1 and "is not a duration" in bad.output


def test_task_done_refuses_an_outcome_the_task_does_not_allow(cli, tmp_path, complaints):
    db = str(tmp_path / "c.duckdb")
    events = tmp_path / "one.jsonl"
    events.write_text(open(SAMPLE).readline())
    cli("ingest", str(events), "-p", complaints, "--db", db)
    listed = cli("tasks", "-p", complaints, "--db", db, "--format", "json")
    task = json.loads(listed.output)[0]
    assert (task["id"], task["name"], task["status"]) == (1, "review", "open")
    refused = cli("task", "done", "1", "--outcome", "maybe", "-p", complaints, "--db", db)
    assert refused.exit_code == 1
    assert refused.output == ("Error: task #1 'review' has no outcome 'maybe' "
                              "(allowed: insufficient, unjustified, justified)\n")
    done = cli("task", "done", "1", "--outcome", "unjustified", "-p", complaints, "--db", db)
    assert (done.exit_code, done.output) == (0, "task #1 completed as unjustified\n")


def test_a_second_process_on_the_database_gets_a_clear_message(cli, tmp_path, complaints):
    db = tmp_path / "locked.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(db)!r})
        print("ready", flush=True)
        time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = cli("clock", "-p", complaints, "--db", str(db), "--wait", "0.5")
        assert result.exit_code == 1
        assert result.output.startswith(f"Error: the database {db} is in use by another ruledeck process (process ")
        assert result.output.endswith("wait for it to finish, or retry with --wait SECONDS\n")
    finally:
        holder.kill()
        holder.wait()


def test_plan_shows_additive_changes_and_refuses_lossy_ones(cli, tmp_path):
    project = tmp_path / "proj"
    shutil.copytree(COMPLAINTS, project)
    db = str(tmp_path / "c.duckdb")
    cli("ingest", SAMPLE, "-p", str(project), "--db", db)
    assert cli("plan", "-p", str(project), "--db", db).output == "the database matches the definitions\n"
    processes = project / "processes.yaml"
    text = processes.read_text()
    processes.write_text(text.replace("    fields:\n", "    fields:\n      urgency: {type: int}\n", 1))
    additive = cli("plan", "-p", str(project), "--db", db)
    assert additive.exit_code == 0 and "apply    add field 'urgency' (BIGINT) to process" in additive.output
    processes.write_text(text.replace("          rejected:", "          refused:", 1))
    for rules in (project / "rules").glob("*.yaml"):
        rules.write_text(rules.read_text().replace("move: rejected", "move: refused")
                         .replace("entered: rejected", "entered: refused"))
    lossy = cli("plan", "-p", str(project), "--db", db)
    assert lossy.exit_code == 1
    assert lossy.output == ("REFUSED  stage 'rejected' of 'complaint' is gone: stage 'rejected' of process "
                            "'complaint' was removed, and 1 card(s) are in it\n")
    refused = cli("clock", "-p", str(project), "--db", db)
    assert refused.exit_code == 1
    assert refused.output == ("Error: the definitions no longer match the database, and migrating would lose "
                              "data:\n  - stage 'rejected' of process 'complaint' was removed, and 1 card(s) are "
                              "in it\nrestore the removed definitions, or move/clear those items first\n")


CSV_PROJECT = {
    "ruledeck.yaml": "ruledeck: 1\nname: csv\ntimezone: Europe/Moscow\n",
    "defs.yaml": """
roles: {desk: {}}
people: {ann: {roles: [desk]}}
processes:
  lead:
    fields:
      email: {type: string, required: true}
      budget: {type: decimal}
      tags: {type: string, many: true}
    pipelines: {main: {stages: {new: {}, called: {kind: success}}}}
    tasks:
      call: {assignee: {role: desk}, due: 1d, outcomes: [reached]}
event_types:
  lead_in:
    fields:
      email: {type: string, required: true}
      budget: {type: decimal}
      tags: {type: string, many: true}
rules:
  lead_in:
    when: {event: lead_in}
    then: [{create: {process: lead, set: {email: event.email, budget: event.budget, tags: event.tags}}}]
  call_back:
    process: lead
    when: {created: true}
    then: [{task: call}]
  remind:
    process: lead
    when: {dwell: new, for: 3d}
    then: [{set: {budget: 0}}]
""",
}


def _write(root, files):
    for name, text in files.items():
        (root / name).write_text(text)
    return str(root)


def test_csv_events_of_a_declared_type(cli, tmp_path):
    project = _write(tmp_path, CSV_PROJECT)
    events = tmp_path / "leads.csv"
    events.write_text("id,time,email,budget,tags\n"
                      "l1,2026-01-10 10:00,a@example.com,1500.50,web;vip\n"
                      "l2,2026-01-10 11:00,b@example.com,lots,web\n")
    result = cli("ingest", str(events), "--csv-type", "lead_in", "-p", project, "--db", str(tmp_path / "s.duckdb"))
    assert result.exit_code == 1
    assert "rejected l2 (line 3): field 'budget' must be a number (got \"lots\")" in result.output
    assert result.output.endswith("1 accepted, 0 duplicate, 1 rejected\n")


def test_overdue_tasks_preview_and_verify(cli, tmp_path):
    project = _write(tmp_path, CSV_PROJECT)
    db = str(tmp_path / "s.duckdb")
    events = tmp_path / "leads.jsonl"
    events.write_text('{"id": "l1", "type": "lead_in", "time": "2026-01-10T10:00:00+03:00", '
                      '"payload": {"email": "a@example.com"}}\n')
    cli("ingest", str(events), "-p", project, "--db", db)
    assert cli("tasks", "--overdue", "-p", project, "--db", db).output == "no tasks\n"
    preview = cli("preview", "--to", "2026-01-20", "-p", project, "--db", db, "--format", "csv")
    assert preview.output == "at,rule,items\n2026-01-13T10:00:00+03:00,remind,1\n"
    cli("tick", "--to", "2026-01-12", "-p", project, "--db", db)
    overdue = cli("tasks", "--overdue", "--assignee", "ann", "-p", project, "--db", db, "--format", "csv")
    assert overdue.output.splitlines()[1].startswith("1,lead,1,call,,role:desk,2026-01-11 10:00:00+03:00,open")
    assert cli("verify", "-p", project, "--db", db).output == (
        "verified: 1 event(s) and 1 command(s) replayed; 7 tables match\n")
    (tmp_path / "defs.yaml").write_text(CSV_PROJECT["defs.yaml"].replace("for: 3d", "for: 1d"))
    changed = cli("verify", "-p", project, "--db", db)
    assert changed.exit_code == 1
    assert changed.output.startswith("items_lead: 1 row(s) only in the database, 1 only in the replay\n")


def test_moving_a_card_by_hand_only_into_manual_stages_and_listing_rejections(cli, tmp_path):
    files = dict(CSV_PROJECT)
    files["defs.yaml"] = files["defs.yaml"].replace("called: {kind: success}",
                                                    "called: {kind: success}, parked: {manual: true}")
    project = _write(tmp_path, files)
    db = str(tmp_path / "s.duckdb")
    events = tmp_path / "leads.jsonl"
    events.write_text('{"id": "l1", "type": "lead_in", "time": "2026-01-10T10:00:00+03:00", '
                      '"payload": {"email": "a@example.com"}}\n'
                      '{"id": "l2", "type": "lead_in", "time": "2026-01-10T11:00:00+03:00", "payload": {}}\n')
    cli("ingest", str(events), "-p", project, "--db", db)
    refused = cli("move", "1", "called", "-p", project, "--db", db)
    assert (refused.exit_code, refused.output) == (1, "Error: stage 'called' of 'lead' is reached by rules only; "
                                                      "mark it 'manual: true' in the definitions to move cards "
                                                      "there by hand\n")
    assert cli("move", "7", "parked", "-p", project, "--db", db).output == "Error: there is no item 7\n"
    moved = cli("move", "1", "parked", "-p", project, "--db", db)
    assert (moved.exit_code, moved.output) == (0, "item 1 moved to parked\n")
    assert cli("verify", "-p", project, "--db", db).exit_code == 0
    listed = cli("rejected", "-p", project, "--db", db, "--format", "csv").output.splitlines()
    assert listed[1].startswith(f"l2,{events},2,required field 'email' is missing,1,")


def test_batched_and_one_at_a_time_ingest_give_the_same_board(cli, tmp_path):
    project = shutil.copytree(REPO / "definitions" / "prosthesis_followup", tmp_path / "prosthesis")
    sample = str(REPO / "samples" / "prosthesis_followup" / "events.jsonl")
    boards = []
    for size in ("1", "5000"):
        db = str(tmp_path / f"p{size}.duckdb")
        result = cli("ingest", sample, "-p", project, "--db", db, "--batch-size", size, "--format", "json")
        assert result.exit_code == 0, result.output
        board = cli("board", "feedback_calls", "-p", project, "--db", db, "--format", "json")
        assert board.exit_code == 0, board.output
        journal = cli("show", "1", "-p", project, "--db", db)
        boards.append((json.loads(result.output), json.loads(board.output), journal.output))
    assert boards[0] == boards[1]
    assert boards[0][0]["accepted"] > 0 and boards[0][1]["columns"]


def test_a_batch_size_below_one_is_a_usage_error(cli, tmp_path, complaints):
    result = cli("ingest", SAMPLE, "-p", complaints, "--db", str(tmp_path / "c.duckdb"), "--batch-size", "0")
    assert result.exit_code == 2
    assert "Invalid value for '--batch-size': 0 is not in the range x>=1." in result.output
