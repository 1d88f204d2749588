"""A role can be responsible: assign sets a person or a role (lookup, fallback), tasks and boards show either,
and anyone holding a responsible role may complete its task."""

from __future__ import annotations

import json

import duckdb
import pytest

from .conftest import REPO

PROJECT = str(REPO / "tests" / "fixtures" / "roles_project")


def event(event_id: str, kind: str, minute: int, **payload) -> str:
    return json.dumps({"id": event_id, "type": kind, "time": f"2026-01-10T10:{minute:02}:00+03:00",
                       "payload": payload}, ensure_ascii=False)


@pytest.fixture
def db(cli, tmp_path):
    """Tickets T-1 (billing: petrov), T-2 (network: role netops), T-3 (printers: no row, the first line)."""
    path = str(tmp_path / "r.duckdb")
    events = tmp_path / "open.jsonl"
    events.write_text("\n".join([event("e1", "ticket_opened", 0, number="T-1", service="billing"),
                                 event("e2", "ticket_opened", 5, number="T-2", service="network"),
                                 event("e3", "ticket_opened", 10, number="T-3", service="printers")]) + "\n")
    result = cli("ingest", str(events), "-p", PROJECT, "--db", path)
    assert (result.exit_code, result.output) == (0, "3 accepted, 0 duplicate, 0 rejected\n")
    return path


def responsible(cli, db: str) -> list[tuple]:
    items = json.loads(cli("items", "ticket", "-p", PROJECT, "--db", db, "--format", "json").output)
    return [(i["number"], i["responsible"]) for i in items]


def task_rows(cli, db: str, *options: str) -> list[tuple]:
    rows = json.loads(cli("tasks", *options, "-p", PROJECT, "--db", db, "--format", "json").output)
    return [(t["id"], t["assignee"], t["status"]) for t in rows]


def state(cli, db: str) -> dict:
    con = duckdb.connect(db, read_only=True)
    try:
        journal = con.execute("SELECT count(*) FROM rd_journal").fetchone()[0]
    finally:
        con.close()
    return {"items": responsible(cli, db), "tasks": task_rows(cli, db, "--all"), "journal": journal}


def test_assign_sets_a_person_or_a_role_from_the_lookup_or_the_fallback_role(cli, db):
    assert responsible(cli, db) == [("T-1", "petrov"), ("T-2", "role:netops"), ("T-3", "role:first_line")]
    assert task_rows(cli, db) == [(1, "petrov", "open"), (2, "role:netops", "open"), (3, "role:first_line", "open")]
    board = cli("board", "tickets", "-p", PROJECT, "--db", db, "--format", "json").output
    cards = json.loads(board)["columns"][0]["cards"]
    assert [c["fields"]["responsible"] for c in cards] == ["petrov", "role:netops", "role:first_line"]
    assert "  responsible: role:first_line" in cli("board", "tickets", "-p", PROJECT, "--db", db).output


@pytest.mark.parametrize("name", ["first_line", "@first_line", "role:first_line", "ivanova"])
def test_tasks_assignee_takes_a_role_by_name_or_a_person_holding_it(cli, db, name):
    assert task_rows(cli, db, "--assignee", name) == [(3, "role:first_line", "open")]


def test_tasks_assignee_names_the_people_and_roles_when_nobody_is_called_so(cli, db):
    result = cli("tasks", "--assignee", "netop", "-p", PROJECT, "--db", db)
    assert (result.exit_code, result.output) == (
        2, "Error: there is no person or role 'netop' (did you mean 'netops'?); the people are: ivanova, petrov, "
           "sidorov; the roles are: first_line, netops\n")


def test_anyone_holding_the_responsible_role_completes_its_task_and_nobody_else(cli, db):
    before = state(cli, db)
    refused = cli("task", "done", "3", "--outcome", "fixed", "--as", "sidorov", "-p", PROJECT, "--db", db)
    assert (refused.exit_code, refused.output) == (
        1, "Error: sidorov may not complete task #3 'handle' (only a person with role 'first_line' may)\n")
    assert state(cli, db) == before
    done = cli("task", "done", "3", "--outcome", "fixed", "--as", "ivanova", "-p", PROJECT, "--db", db)
    assert (done.exit_code, done.output) == (0, "task #3 completed as fixed\n")
    assert task_rows(cli, db, "--all")[2] == (3, "role:first_line", "done")


def test_a_responsible_that_is_no_person_or_role_is_refused_and_changes_nothing(cli, db, tmp_path):
    events = tmp_path / "more.jsonl"
    events.write_text("\n".join([event("h1", "ticket_handed_over", 30, number="T-1", to="role:first_line"),
                                 event("h2", "ticket_handed_over", 31, number="T-2", to="role:nobody"),
                                 event("h3", "ticket_renamed", 32, number="T-2", to="first_line")]) + "\n")
    before = state(cli, db)
    result = cli("ingest", str(events), "-p", PROJECT, "--db", db)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "rejected h2 (line 2): field 'to' is neither a known person nor role:ROLE of a known role "
        "(got \"role:nobody\")",
        "rejected h3 (line 3): field 'responsible' of 'ticket' item 2 must be a person's name or role:ROLE of a role "
        "(got 'first_line')",
        "1 accepted, 0 duplicate, 2 rejected",
    ]
    assert responsible(cli, db) == [("T-1", "role:first_line"), *before["items"][1:]]
    assert task_rows(cli, db) == [(2, "role:netops", "open"), (3, "role:first_line", "open"),
                                  (4, "role:first_line", "open")]
    assert cli("verify", "-p", PROJECT, "--db", db).exit_code == 0


def test_a_lookup_naming_an_unknown_role_or_person_is_a_validation_error(cli, tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    defs = (REPO / "tests" / "fixtures" / "roles_project" / "definitions.yaml").read_text(encoding="utf-8")
    (root / "ruledeck.yaml").write_text("ruledeck: 1\nname: p\ntimezone: UTC\n")
    (root / "defs.yaml").write_text(defs.replace('"role:netops"', '"role:netop"').replace("owner: petrov",
                                                                                          "owner: petrow"))
    result = cli("validate", str(root))
    assert result.exit_code == 1
    assert [line.split(": error ")[1] for line in result.stdout.splitlines() if ": error " in line] == [
        "E-REF-PERSON at lookups.service_owner.rows[0].owner: there is no person 'petrow' (did you mean 'petrov'?)",
        "E-REF-ROLE at lookups.service_owner.rows[1].owner: there is no role 'netop' (did you mean 'netops'?)",
    ]


def test_a_default_naming_an_unknown_person_or_role_is_a_validation_error(cli, tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    (root / "ruledeck.yaml").write_text("ruledeck: 1\nname: p\ntimezone: UTC\n")
    (root / "defs.yaml").write_text(
        "roles: {desk: {}}\npeople: {petrov: {name: P}}\nprocesses:\n  t:\n    fields:\n"
        "      a: {type: assignee, default: \"role:dsk\"}\n      b: {type: assignee, default: petrow}\n"
        "      c: {type: role, default: desc}\n      d: {type: assignee, default: \"role:desk\"}\n"
        "      e: {type: person, default: petrov}\n    pipelines: {main: {stages: {new: {}}}}\n")
    result = cli("validate", str(root))
    assert result.exit_code == 1
    assert [line.split(": error ")[1] for line in result.stdout.splitlines() if ": error " in line] == [
        "E-REF-ROLE at processes.t.fields.a.default: there is no role 'dsk' (did you mean 'desk'?)",
        "E-REF-PERSON at processes.t.fields.b.default: there is no person 'petrow' (did you mean 'petrov'?)",
        "E-REF-ROLE at processes.t.fields.c.default: there is no role 'desc' (did you mean 'desk'?)",
    ]


def test_a_person_field_cannot_take_a_lookup_column_that_may_name_a_role(cli, tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    defs = (REPO / "tests" / "fixtures" / "roles_project" / "definitions.yaml").read_text(encoding="utf-8")
    (root / "ruledeck.yaml").write_text("ruledeck: 1\nname: p\ntimezone: UTC\n")
    (root / "defs.yaml").write_text(defs.replace("responsible: {type: assignee}", "responsible: {type: person}"))
    result = cli("validate", str(root))
    assert result.exit_code == 1
    assert [line.split(": error ")[1] for line in result.stdout.splitlines() if ": error " in line] == [
        "E-ASSIGNEE-TYPE at rules.responsible_by_service.then[0].assign.lookup: lookup 'service_owner' gives column "
        "'owner' (assignee), which person field 'responsible' cannot hold (make 'responsible' an assignee field (a "
        "person, or role:NAME), or look up a person column with 'value:')",
    ]


def test_a_task_assigned_to_nobody_is_refused_to_everyone_with_the_reason(cli, db, tmp_path):
    events = tmp_path / "release.jsonl"
    events.write_text(event("r1", "ticket_released", 40, number="T-1") + "\n")
    assert cli("ingest", str(events), "-p", PROJECT, "--db", db).exit_code == 0
    assert task_rows(cli, db) == [(2, "role:netops", "open"), (3, "role:first_line", "open"), (4, None, "open")]
    before = state(cli, db)
    result = cli("task", "done", "4", "--outcome", "fixed", "--as", "petrov", "-p", PROJECT, "--db", db)
    assert (result.exit_code, result.output) == (
        1, "Error: petrov may not complete task #4 'handle' (only its assignee may, and it is assigned to nobody)\n")
    assert state(cli, db) == before
