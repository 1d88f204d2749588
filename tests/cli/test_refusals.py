"""Refusals through the command line: the exact message, exit 1, and nothing changed (board, fields, tasks,
journal, clock)."""

from __future__ import annotations

import json

import duckdb
import pytest

from .conftest import REPO

PROJECT = str(REPO / "tests" / "fixtures" / "refusals_project")
MEDICAL = str(REPO / "definitions" / "medical_orders")


def line(event_id: str, kind: str, time: str, **payload) -> str:
    return json.dumps({"id": event_id, "type": kind, "time": f"2026-01-10T{time}:00+03:00", "payload": payload},
                      ensure_ascii=False)


REGISTERED = line("e1", "payment_registered", "10:00", number="P-1", client="ACME", line=1, amount=150.5,
                  phone="123")


@pytest.fixture
def db(cli, tmp_path):
    """A database holding payment P-1 (item 1, amount 150.50, its check task open)."""
    path = str(tmp_path / "r.duckdb")
    events = tmp_path / "first.jsonl"
    events.write_text(REGISTERED + "\n", encoding="utf-8")
    result = cli("ingest", str(events), "-p", PROJECT, "--db", path)
    assert (result.exit_code, result.output) == (0, "1 accepted, 0 duplicate, 0 rejected\n")
    return path


def state(cli, db: str, project: str = PROJECT, process: str = "payment") -> dict:
    """What a refusal must leave as it was: items and their fields, board, tasks, journal, events, clock."""
    snapshot = {
        "items": cli("items", process, "-p", project, "--db", db, "--format", "json").output,
        "tasks": cli("tasks", "--all", "-p", project, "--db", db, "--format", "json").output,
        "clock": cli("clock", "-p", project, "--db", db, "--format", "json").output,
    }
    con = duckdb.connect(db, read_only=True)
    try:
        for table in ("rd_journal", "rd_events", "rd_outbox", "rd_commands"):
            snapshot[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        snapshot["board"] = con.execute(f"SELECT stage, count(*) FROM items_{process} GROUP BY stage "
                                        "ORDER BY stage").fetchall()
    finally:
        con.close()
    return snapshot


def ingest(cli, tmp_path, db: str, *lines: str, project: str = PROJECT):
    events = tmp_path / "more.jsonl"
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cli("ingest", str(events), "-p", project, "--db", db)


def test_move_into_a_stage_whose_required_field_is_empty_is_refused(cli, db):
    before = state(cli, db)
    result = cli("move", "1", "approved", "-p", PROJECT, "--db", db)
    assert (result.exit_code, result.output) == (
        1, "Error: 'payment' item 1 cannot enter stage 'approved': field 'reason' is empty\n")
    assert (result.stdout, result.stderr) == ("", result.output)
    assert state(cli, db) == before


def test_move_refused_by_a_requirement_shows_its_message_with_decimals(cli, db, tmp_path):
    changed = ingest(cli, tmp_path, db, line("e2", "payment_changed", "11:00", number="P-1", reason="urgent"))
    assert changed.exit_code == 0
    before = state(cli, db)
    result = cli("move", "1", "approved", "-p", PROJECT, "--db", db)
    assert (result.exit_code, result.output) == (
        1, "Error: P-1: only an approved payment of 100 or more can be approved (amount 150.50, fee 15.05)\n")
    assert state(cli, db) == before
    assert cli("move", "1", "review", "-p", PROJECT, "--db", db).exit_code == 0


def test_task_done_whose_rule_moves_into_a_refused_stage_changes_nothing(cli, db):
    before = state(cli, db)
    result = cli("task", "done", "1", "--outcome", "approve", "-p", PROJECT, "--db", db)
    assert (result.exit_code, result.output) == (
        1, "Error: 'payment' item 1 cannot enter stage 'approved': field 'reason' is empty\n")
    after = state(cli, db)
    assert after == before
    assert json.loads(after["tasks"])[0]["status"] == "open"


def test_task_done_goes_in_once_the_stage_requirements_hold(cli, db, tmp_path):
    ingest(cli, tmp_path, db, line("e2", "payment_changed", "11:00", number="P-1", reason="urgent"))
    result = cli("task", "done", "1", "--outcome", "approve", "-p", PROJECT, "--db", db)
    assert result.exit_code == 0
    items = json.loads(cli("items", "payment", "-p", PROJECT, "--db", db, "--format", "json").output)
    assert (items[0]["stage"], items[0]["approved"]) == ("approved", True)


def test_refused_events_are_rejected_with_their_messages_and_change_nothing(cli, db, tmp_path):
    before = state(cli, db)
    result = ingest(
        cli, tmp_path, db,
        line("dup-key", "payment_registered", "12:00", number="P-1", client="Other", amount=10, phone="1"),
        line("dup-line", "payment_registered", "12:01", number="P-2", client="ACME", line=1, amount=10, phone="1"),
        line("zero", "payment_registered", "12:02", number="P-3", client="ACME", amount=0, phone="1"),
        line("no-contact", "payment_registered", "12:03", number="P-4", client="ACME", amount=1),
        line("bad-number", "payment_registered", "12:04", number="X-5", client="ACME", amount=1, phone="1"),
        line("blank", "payment_registered", "12:05", number="P-6", client="  ", amount=1, email="a@b"),
        line("bad-inn", "payment_changed", "12:06", number="P-1", inn="12ab"),
        line("too-small", "payment_changed", "12:07", number="P-1", amount=0),
        line("emptied", "payment_changed", "12:08", number="P-1", client=""),
    )
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "rejected dup-key (line 1): key field 'number' of 'payment' must be unique: 'P-1' is already held by "
        "item 1 \"P-1 · ACME\"",
        "rejected dup-line (line 2): field 'line' of 'payment' must be unique per client: 1 with client 'ACME' is "
        "already held by item 1 \"P-1 · ACME\"",
        "rejected zero (line 3): field 'amount' must be at least 0.01 (got 0.00)",
        "rejected no-contact (line 4): payment P-4: a phone or an e-mail is needed",
        "rejected bad-number (line 5): field 'number' must match the pattern '^P-[0-9]+$' (got 'X-5')",
        "rejected blank (line 6): field 'client' is required and cannot be blank (got '  ')",
        "rejected bad-inn (line 7): field 'inn' of 'payment' item 1 must match the pattern '^[0-9]{10}$' "
        "(got '12ab')",
        "rejected too-small (line 8): field 'amount' of 'payment' item 1 must be at least 0.01 (got 0.00)",
        "rejected emptied (line 9): field 'client' of 'payment' item 1 is required and cannot be blank",
        "0 accepted, 0 duplicate, 9 rejected",
    ]
    assert state(cli, db) == before
    rejected = json.loads(cli("rejected", "-p", PROJECT, "--db", db, "--format", "json").output)
    assert {r["event_id"]: r["reason"] for r in rejected}["too-small"] == (
        "field 'amount' of 'payment' item 1 must be at least 0.01 (got 0.00)")


def test_a_reject_action_refuses_with_its_message(cli, db, tmp_path):
    assert cli("move", "1", "done", "-p", PROJECT, "--db", db).exit_code == 0
    before = state(cli, db)
    result = ingest(cli, tmp_path, db, line("late", "payment_changed", "13:00", number="P-1", amount=5.5))
    assert (result.exit_code, result.output) == (
        1, "rejected late (line 1): P-1 is closed: a change of 5.50 is refused\n0 accepted, 0 duplicate, 1 rejected\n")
    assert state(cli, db) == before


def test_a_manual_move_of_a_deal_into_prepayment_before_approval_is_refused(cli, tmp_path):
    db = str(tmp_path / "m.duckdb")
    sample = (REPO / "samples" / "medical_orders" / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert ingest(cli, tmp_path, db, *sample[:2], project=MEDICAL).exit_code == 0
    before = state(cli, db, MEDICAL, "deal")
    result = cli("move", "1", "prepayment", "-p", MEDICAL, "--db", db)
    assert (result.exit_code, result.output) == (
        1, "Error: MED-2026-0001 · ООО «Клиника Медлайн»: договор ещё не согласован (клиент: нет, директор: нет)\n")
    assert state(cli, db, MEDICAL, "deal") == before


def test_explain_shows_the_refusals_of_the_events_that_named_the_item(cli, db, tmp_path):
    ingest(cli, tmp_path, db, line("too-small", "payment_changed", "12:07", number="P-1", amount=0))
    done = tmp_path / "done.jsonl"
    done.write_text(json.dumps({"id": "visa", "type": "task_done", "time": "2026-01-10T12:30:00+03:00",
                                "payload": {"task": {"process": "payment", "match": {"number": "P-1"},
                                                     "name": "check"}, "outcome": "approve"}}) + "\n")
    assert cli("ingest", str(done), "-p", PROJECT, "--db", db).exit_code == 1
    text = cli("explain", "1", "-p", PROJECT, "--db", db).output
    assert text.split("\n\nRefused:", 1)[1] == (
        " events that named this item and were rejected (nothing of them was applied)\n"
        "  event too-small (payment_changed) 2026-01-10 10:00: field 'amount' of 'payment' item 1 must be at "
        "least 0.01 (got 0.00)\n"
        "  event visa (task_done) 2026-01-10 10:00: 'payment' item 1 cannot enter stage 'approved': field 'reason' "
        "is empty\n")
    refusals = json.loads(cli("explain", "1", "-p", PROJECT, "--db", db, "--format", "json").output)["refusals"]
    assert [(r["event"], r["type"]) for r in refusals] == [("too-small", "payment_changed"), ("visa", "task_done")]


def test_constraints_on_set_refuse_naming_the_item_and_change_nothing(cli, db, tmp_path):
    second = line("e2", "payment_registered", "11:00", number="P-2", client="ACME", line=2, amount=10, phone="1")
    assert ingest(cli, tmp_path, db, second).exit_code == 0
    before = state(cli, db)
    result = ingest(
        cli, tmp_path, db,
        line("taken-line", "payment_changed", "12:00", number="P-2", line=1),
        line("too-big", "payment_changed", "12:01", number="P-2", amount=1000000.01),
        line("too-long", "payment_changed", "12:02", number="P-2", client="A" * 41),
    )
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "rejected taken-line (line 1): field 'line' of 'payment' must be unique per client: 1 with client 'ACME' is "
        "already held by item 1 \"P-1 · ACME\"",
        "rejected too-big (line 2): field 'amount' of 'payment' item 2 must be at most 1000000 (got 1000000.01)",
        "rejected too-long (line 3): field 'client' of 'payment' item 2 must have at most 40 characters "
        f"(got '{'A' * 41}')",
        "0 accepted, 0 duplicate, 3 rejected",
    ]
    assert state(cli, db) == before
