"""``create``/``schedule`` straight into a computed stage (tests/fixtures/actions_project): one journal entry, only
that stage's ``entered`` rules, a stage the pipeline lacks rejects the event."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from .conftest import REPO

PROJECT = REPO / "tests" / "fixtures" / "actions_project"


@pytest.fixture
def db(cli, tmp_path):
    """The fixture's ticket events ingested: T-1 (priority 5) urgent, T-2 normal, T-3 named 'new', T-4 'closed'."""
    path = str(tmp_path / "a.duckdb")
    events = [line for line in (PROJECT / "events.jsonl").read_text(encoding="utf-8").splitlines()
              if json.loads(line)["type"] == "ticket_opened"]
    (tmp_path / "e.jsonl").write_text("\n".join(events) + "\n", encoding="utf-8")
    result = cli("ingest", str(tmp_path / "e.jsonl"), "-p", str(PROJECT), "--db", path)
    assert result.exit_code == 1
    assert result.output == (
        "rejected t4 (line 4): rule 'open_ticket' would create a 'ticket' in stage 'closed', which pipeline 'main' "
        "does not have (its stages: new, urgent, normal)\n"
        "3 accepted, 0 duplicate, 1 rejected\n")
    return path


def items(cli, db: str, process: str, fields: str) -> list[dict]:
    result = cli("items", process, "-p", str(PROJECT), "--db", db, "--fields", fields, "--format", "json")
    return json.loads(result.output)


def test_items_start_in_the_computed_stage_and_only_its_entered_rules_fire(cli, db):
    tickets = items(cli, db, "ticket", "number,stage,passed_new,escalations")
    assert [(t["number"], t["stage"], t["passed_new"], t["escalations"]) for t in tickets] == [
        ("T-1", "urgent", None, 1),  # entered urgent once; never passed through 'new'
        ("T-2", "normal", None, 0),
        ("T-3", "new", True, 0),
    ]
    checkups = items(cli, db, "checkup", "label,due_on,stage,flagged")
    assert [(c["label"], c["due_on"], c["stage"], c["flagged"]) for c in checkups] == [
        ("first", "2026-11-21", "overdue", 1),  # opened 2026-11-20 + 1d is before now: straight to overdue
        ("second", "2026-12-20", "planned", 0),
    ]


def test_one_journal_entry_puts_the_item_in_its_stage(cli, db):
    con = duckdb.connect(db, read_only=True)
    try:
        rows = con.execute("SELECT i.number, j.kind, j.new, j.rule FROM rd_journal j JOIN items_ticket i "
                           "ON i.id = j.item WHERE j.kind IN ('created', 'stage') ORDER BY j.seq").fetchall()
        checkups = con.execute("SELECT kind, new, rule FROM rd_journal WHERE process = 'checkup' "
                               "AND kind IN ('created', 'stage') ORDER BY seq").fetchall()
    finally:
        con.close()
    assert rows == [("T-1", "created", "urgent", "open_ticket"), ("T-2", "created", "normal", "open_ticket"),
                    ("T-3", "created", "new", "open_ticket")]
    assert checkups == [("created", "overdue", "ticket_escalated"), ("created", "planned", "ticket_escalated")]
    shown = cli("show", "ticket:T-1", "-p", str(PROJECT), "--db", db).output
    assert "      created in urgent\n" in shown


def _validate(cli, tmp_path, old: str, new: str):
    project = tmp_path / "p"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns(".ruledeck-cache"))
    path = project / "definitions.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return cli("validate", str(project))


@pytest.mark.parametrize(("old", "new", "finding"), [
    ("else 'normal' end)\"", "else 'norma' end)\"",
     "error E-REF-STAGE at rules.open_ticket.then[0].create.stage: pipeline 'main' has no stage 'norma' "
     "(did you mean 'normal'?)"),
    ("stage: \"coalesce(event.stage,", "stage: \"coalesce(event.priority,",
     "error E-EXPR-TYPE at rules.open_ticket.then[0].create.stage: "),
    ("then 'overdue' else 'planned' end\"", "then 'overdue' else 'later' end\"",
     "error E-REF-STAGE at rules.ticket_escalated.then[1].schedule.stage: pipeline 'main' has no stage 'later' "),
    ("stage: \"case when anchor + row.offset < now() then 'overdue' else 'planned' end\"", "stage: number",
     "error E-REF-STAGE at rules.ticket_escalated.then[1].schedule.stage: pipeline 'main' has no stage 'number'; "
     "a bare name here is a stage (to take the stage from field 'number', write it as an expression: "
     "\"(number)\")"),
])
def test_a_stage_the_pipeline_lacks_is_a_positioned_finding(cli, tmp_path, old, new, finding):
    result = _validate(cli, tmp_path, old, new)
    assert result.exit_code == 1
    assert finding in result.output, result.output
