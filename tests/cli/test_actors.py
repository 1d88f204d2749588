"""Who acts: --as and RULEDECK_ACTOR, an event's actor, completed_by refusals, the journal's actor, verify."""

from __future__ import annotations

import json

import duckdb
import pytest

from .conftest import REPO

PROJECT = str(REPO / "tests" / "fixtures" / "actors_project")


def event(event_id: str, actor: str | None = None, **payload) -> str:
    data = {"id": event_id, "type": "request_received", "time": "2026-01-10T10:00:00+03:00", "payload": payload}
    return json.dumps(data | ({"actor": actor} if actor else {}), ensure_ascii=False)


@pytest.fixture
def db(cli, tmp_path):
    """Request R-1 (item 1), received by sidorov, its manager: tasks #1 approve (petrov), #2 check (role clerks),
    #3 sign (completed_by role lead), #4 review (completed_by a condition)."""
    path = str(tmp_path / "a.duckdb")
    events = tmp_path / "first.jsonl"
    events.write_text(event("e1", "sidorov", number="R-1", manager="sidorov") + "\n", encoding="utf-8")
    result = cli("ingest", str(events), "-p", PROJECT, "--db", path)
    assert (result.exit_code, result.output) == (0, "1 accepted, 0 duplicate, 0 rejected\n")
    return path


def state(cli, db: str) -> dict:
    snapshot = {
        "items": cli("items", "request", "-p", PROJECT, "--db", db, "--format", "json").output,
        "tasks": cli("tasks", "--all", "-p", PROJECT, "--db", db, "--format", "json").output,
        "clock": cli("clock", "-p", PROJECT, "--db", db, "--format", "json").output,
    }
    con = duckdb.connect(db, read_only=True)
    try:
        for table in ("rd_journal", "rd_events", "rd_commands"):
            snapshot[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()
    return snapshot


def journal_actors(db: str) -> list[tuple]:
    con = duckdb.connect(db, read_only=True)
    try:
        return con.execute("SELECT kind, field, new, actor FROM rd_journal ORDER BY seq").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize(("args", "message"), [
    (("1", "--outcome", "approved", "--as", "ivanova"),
     "Error: ivanova may not complete task #1 'approve' (only the assignee petrov may)\n"),
    (("1", "--outcome", "approved"),
     "Error: nobody was named to complete task #1 'approve' (only the assignee petrov may): say who acts with "
     "--as PERSON (or RULEDECK_ACTOR), or the event's actor\n"),
    (("2", "--outcome", "ok", "--as", "ivanova"),
     "Error: ivanova may not complete task #2 'check' (only a person with role 'clerks' may)\n"),
    (("3", "--outcome", "signed", "--as", "petrov"),
     "Error: petrov may not complete task #3 'sign' (only a person with role 'lead' may)\n"),
    (("4", "--outcome", "done", "--as", "petrov"),
     "Error: petrov may not complete task #4 'review' (only when actor = manager or contains(actor_roles, 'lead') "
     "holds)\n"),
])
def test_anyone_but_who_may_complete_a_task_is_refused_and_nothing_changes(cli, db, args, message):
    before = state(cli, db)
    result = cli("task", "done", *args, "-p", PROJECT, "--db", db)
    assert (result.exit_code, result.output) == (1, message)
    assert state(cli, db) == before


def test_the_assignee_the_role_holder_and_the_condition_let_people_complete(cli, db, monkeypatch):
    assert cli("task", "done", "1", "--outcome", "approved", "--as", "petrov", "-p", PROJECT, "--db", db).output == (
        "task #1 completed as approved\n")
    assert cli("task", "done", "2", "--outcome", "ok", "--as", "petrov", "-p", PROJECT, "--db", db).exit_code == 0
    assert cli("task", "done", "3", "--outcome", "signed", "--as", "ivanova", "-p", PROJECT, "--db", db).exit_code == 0
    monkeypatch.setenv("RULEDECK_ACTOR", "sidorov")
    assert cli("task", "done", "4", "--outcome", "done", "-p", PROJECT, "--db", db).exit_code == 0
    items = json.loads(cli("items", "request", "-p", PROJECT, "--db", db, "--format", "json").output)
    assert (items[0]["note"], items[0]["approved_by"]) == ("sidorov", "petrov")
    assert [row for row in journal_actors(db) if row[0] == "task" and row[2].startswith("completed")] == [
        ("task", "approve", "completed #1 as approved", "petrov"), ("task", "check", "completed #2 as ok", "petrov"),
        ("task", "sign", "completed #3 as signed", "ivanova"), ("task", "review", "completed #4 as done", "sidorov")]
    assert cli("verify", "-p", PROJECT, "--db", db).exit_code == 0


def test_an_unknown_person_is_a_usage_error_naming_the_people(cli, db):
    before = state(cli, db)
    result = cli("task", "done", "1", "--outcome", "approved", "--as", "petrow", "-p", PROJECT, "--db", db)
    assert (result.exit_code, result.output) == (
        2, "Error: there is no person 'petrow' (did you mean 'petrov'?); the people are: ivanova, petrov, sidorov\n")
    assert cli("move", "1", "approved", "--as", "x", "-p", PROJECT, "--db", db).exit_code == 2
    assert state(cli, db) == before


def test_a_move_journals_its_actor_and_rules_read_actor_roles(cli, db):
    before = state(cli, db)
    refused = cli("move", "1", "archived", "--as", "petrov", "-p", PROJECT, "--db", db)
    assert (refused.exit_code, refused.output) == (1, "Error: R-1: only a lead may archive a request\n")
    assert state(cli, db) == before
    moved = cli("move", "1", "archived", "--as", "ivanova", "-p", PROJECT, "--db", db)
    assert (moved.exit_code, moved.output) == (0, "item 1 (request:R-1) moved to archived\n")
    assert journal_actors(db)[-1] == ("stage", "stage", "archived", "ivanova")
    shown = cli("show", "1", "-p", PROJECT, "--db", db).output
    assert "  2026-01-10 10:00  event e1 (request_received) by sidorov · rule open_request\n" in shown
    assert "  2026-01-10 10:00  command move:1 by ivanova\n" in shown
    assert "by ivanova" in cli("explain", "1", "-p", PROJECT, "--db", db).output
    timeline = json.loads(cli("show", "1", "-p", PROJECT, "--db", db, "--format", "json").output)["timeline"]
    assert timeline[-1]["actor"] == "ivanova"
    assert cli("verify", "-p", PROJECT, "--db", db).exit_code == 0


def test_an_event_with_an_unknown_actor_is_rejected(cli, db, tmp_path):
    events = tmp_path / "more.jsonl"
    events.write_text(event("e2", "nobody", number="R-2") + "\n" + event("e3", number="R-3") + "\n", encoding="utf-8")
    result = cli("ingest", str(events), "-p", PROJECT, "--db", db)
    assert result.exit_code == 1
    assert result.output == (
        "rejected e2 (line 1): there is no person 'nobody'; the people are: ivanova, petrov, sidorov\n"
        "1 accepted, 0 duplicate, 1 rejected\n")
    items = json.loads(cli("items", "request", "-p", PROJECT, "--db", db, "--format", "json").output)
    assert [(i["number"], i["note"]) for i in items] == [("R-1", "sidorov"), ("R-3", "nobody")]


def test_a_task_done_event_completes_as_its_actor(cli, db, tmp_path):
    done = {"id": "d1", "type": "task_done", "time": "2026-01-10T11:00:00+03:00", "actor": "ivanova",
            "payload": {"task": 1, "outcome": "approved"}}
    events = tmp_path / "done.jsonl"
    events.write_text(json.dumps(done) + "\n", encoding="utf-8")
    result = cli("ingest", str(events), "-p", PROJECT, "--db", db)
    assert (result.exit_code, result.output) == (
        1, "rejected d1 (line 1): ivanova may not complete task #1 'approve' (only the assignee petrov may)\n"
           "0 accepted, 0 duplicate, 1 rejected\n")
    events.write_text(json.dumps(done | {"actor": "petrov"}) + "\n", encoding="utf-8")
    assert cli("ingest", str(events), "-p", PROJECT, "--db", db).exit_code == 0
    assert ("field", "approved_by", "petrov", "petrov") in journal_actors(db)


def test_an_old_database_gets_the_actor_column(cli, db):
    con = duckdb.connect(db)
    con.execute("ALTER TABLE rd_journal DROP COLUMN actor")
    con.close()
    assert cli("move", "1", "archived", "--as", "ivanova", "-p", PROJECT, "--db", db).exit_code == 0
    actors = journal_actors(db)
    assert actors[0][3] is None and actors[-1] == ("stage", "stage", "archived", "ivanova")


def test_ingest_as_acts_in_the_events_that_name_nobody(cli, db, tmp_path, monkeypatch):
    events = tmp_path / "more.jsonl"
    events.write_text(event("e2", number="R-2") + "\n" + event("e3", "sidorov", number="R-3") + "\n",
                      encoding="utf-8")
    result = cli("ingest", str(events), "--as", "petrov", "-p", PROJECT, "--db", db)
    assert (result.exit_code, result.output) == (0, "2 accepted, 0 duplicate, 0 rejected\n")
    items = json.loads(cli("items", "request", "-p", PROJECT, "--db", db, "--format", "json").output)
    assert [(i["number"], i["note"]) for i in items] == [("R-1", "sidorov"), ("R-2", "petrov"), ("R-3", "sidorov")]
    assert "event e2 (request_received) by petrov" in cli("show", "request:R-2", "-p", PROJECT, "--db", db).output
    monkeypatch.setenv("RULEDECK_ACTOR", "ivanova")
    events.write_text(event("e4", number="R-4") + "\n", encoding="utf-8")
    assert cli("ingest", str(events), "-p", PROJECT, "--db", db).exit_code == 0
    items = json.loads(cli("items", "request", "-p", PROJECT, "--db", db, "--format", "json").output)
    assert items[-1]["note"] == "ivanova"
    assert cli("verify", "-p", PROJECT, "--db", db).exit_code == 0


def test_ingest_and_tick_as_an_unknown_person_are_usage_errors_that_change_nothing(cli, db, tmp_path):
    events = tmp_path / "more.jsonl"
    events.write_text(event("e2", number="R-2") + "\n", encoding="utf-8")
    before = state(cli, db)
    message = "Error: there is no person 'petrow' (did you mean 'petrov'?); the people are: ivanova, petrov, sidorov\n"
    result = cli("ingest", str(events), "--as", "petrow", "-p", PROJECT, "--db", db)
    assert (result.exit_code, result.output) == (2, message)
    result = cli("tick", "--to", "2026-01-11 04:00", "--as", "petrow", "-p", PROJECT, "--db", db)
    assert (result.exit_code, result.output) == (2, message)
    assert state(cli, db) == before


def test_tick_as_journals_the_person_with_what_the_tick_fires(cli, db):
    result = cli("tick", "--to", "2026-01-11 04:00", "--as", "ivanova", "-p", PROJECT, "--db", db)
    assert (result.exit_code, result.output.split("; ")[-1]) == (0, "nightly_note ×1\n")
    items = json.loads(cli("items", "request", "-p", PROJECT, "--db", db, "--format", "json").output)
    assert items[0]["note"] == "ivanova"
    assert journal_actors(db)[-1] == ("field", "note", "ivanova", "ivanova")
    shown = cli("show", "1", "-p", PROJECT, "--db", db).output
    assert "  2026-01-11 03:00  tick by ivanova · rule nightly_note\n" in shown
    assert cli("tick", "--to", "2026-01-12 04:00", "-p", PROJECT, "--db", db).exit_code == 0
    assert journal_actors(db)[-1] == ("field", "note", "the clock", None)
    assert cli("verify", "-p", PROJECT, "--db", db).exit_code == 0
