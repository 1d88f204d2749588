"""Many-valued fields: list literals where they are set, ``append`` adding to them (tests/fixtures/actions_project)."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from .conftest import REPO

PROJECT = REPO / "tests" / "fixtures" / "actions_project"


@pytest.fixture
def db(cli, tmp_path):
    """The fixture's events ingested: C-1 filed with tag web and rejected twice, C-2 filed without a tag."""
    path = str(tmp_path / "a.duckdb")
    events = [line for line in (PROJECT / "events.jsonl").read_text(encoding="utf-8").splitlines()
              if json.loads(line)["type"] in ("claim_filed", "claim_rejected")]
    (tmp_path / "e.jsonl").write_text("\n".join(events) + "\n", encoding="utf-8")
    result = cli("ingest", str(tmp_path / "e.jsonl"), "-p", str(PROJECT), "--db", path)
    assert (result.exit_code, result.output) == (0, "4 accepted, 0 duplicate, 0 rejected\n")
    return path


def items(cli, db: str) -> list[tuple]:
    result = cli("items", "claim", "-p", str(PROJECT), "--db", db, "--fields", "number,tags,rejections,amounts",
                 "--format", "json")
    return [(i["number"], i["tags"], i["rejections"], i["amounts"]) for i in json.loads(result.output)]


def journal(db: str, item: int, field: str) -> list[tuple]:
    con = duckdb.connect(db, read_only=True)
    try:
        return con.execute("SELECT cause_id, old, new FROM rd_journal WHERE item = ? AND field = ? "
                           "ORDER BY seq", [item, field]).fetchall()
    finally:
        con.close()


def test_list_literals_and_appends_give_the_lists(cli, db):
    # tags: ['filed', event.tag] leaves out C-2's missing tag; append adds one element, a list, or a YAML list
    assert items(cli, db) == [
        ("C-1", ["filed", "web", "x", "y"], ["late", "duplicate"], [1, 1, 1]),
        ("C-2", ["filed"], None, []),
    ]


def test_the_journal_records_each_append_as_a_change_of_the_field(cli, db):
    assert journal(db, 1, "rejections") == [("r1", None, "[late]"), ("r2", "[late]", "[late, duplicate]")]
    # r2 had no tags: appending nothing leaves the list as it is, and nothing is journaled
    assert journal(db, 1, "tags") == [("f1", None, "[filed, web]"), ("r1", "[filed, web]", "[filed, web, x, y]")]
    shown = cli("show", "claim:C-1", "-p", str(PROJECT), "--db", db).output
    assert "      rejections: [late] → [late, duplicate]\n" in shown


def test_set_replaces_the_list_of_every_item_in_one_statement(cli, db, tmp_path):
    (tmp_path / "r.jsonl").write_text('{"id": "x1", "type": "claims_reset", "time": "2026-12-02T09:00:00+03:00", '
                                      '"payload": {}}\n', encoding="utf-8")
    assert cli("ingest", str(tmp_path / "r.jsonl"), "-p", str(PROJECT), "--db", db).exit_code == 0
    assert [row[1] for row in items(cli, db)] == [["reset"], ["reset"]]
    assert journal(db, 2, "tags")[-1] == ("x1", "[filed]", "[reset]")


def test_changed_rules_fire_on_each_append(cli, db):
    result = cli("items", "claim", "-p", str(PROJECT), "--db", db, "--fields", "number,rejection_count",
                 "--format", "json")
    assert [(i["number"], i["rejection_count"]) for i in json.loads(result.output)] == [("C-1", 2), ("C-2", None)]
    assert journal(db, 1, "rejection_count") == [("r1", None, "1"), ("r2", "1", "2")]


def test_append_inside_update_reaches_only_the_related_items(cli, db, tmp_path):
    (tmp_path / "u.jsonl").write_text('{"id": "u1", "type": "claims_escalated", "time": "2026-12-02T09:00:00+03:00", '
                                      '"payload": {}}\n', encoding="utf-8")
    assert cli("ingest", str(tmp_path / "u.jsonl"), "-p", str(PROJECT), "--db", db).exit_code == 0
    assert [row[1] for row in items(cli, db)] == [["filed", "web", "x", "y"], ["filed", "escalated"]]
    assert journal(db, 2, "tags")[-1] == ("u1", "[filed]", "[filed, escalated]")


def _validate(cli, tmp_path, old: str, new: str):
    project = tmp_path / "p"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns(".ruledeck-cache"))
    path = project / "definitions.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return cli("validate", str(project))


@pytest.mark.parametrize(("old", "new", "finding"), [
    ("append: {rejections: event.reason,", "append: {priority: event.reason,",
     "error E-APPEND-FIELD at rules.reject_claim.then[0].append.priority: field 'priority' holds one value; "
     "'append' adds to a list (declare it with 'many: true', or use 'set')"),
    ("append: {rejections: event.reason,", "append: {rejections: \"'lost'\",",
     "error E-EXPR-TYPE at rules.reject_claim.then[0].append.rejections: "),
    ("amounts: [1, \"cardinality(rejections)\"]", "amounts: [1, \"number\"]",
     "error E-EXPR-TYPE at rules.reject_claim.then[0].append.amounts[1]: "),
    ("append: {field: tags, value:", "append: {field: priority, value:",
     "error E-APPEND-FIELD at rules.escalate_claims.then[0].update.then[0].append.field: field 'priority' holds one "
     "value; 'append' adds to a list (declare it with 'many: true', or use 'set')"),
    ("append: {field: tags, value: \"'escalated'\"}", "append: {field: tags, value: \"1\"}",
     "error E-EXPR-TYPE at rules.escalate_claims.then[0].update.then[0].append.value: "),
    ("priority: event.priority, tags:", "priority: [1], tags:",
     "error E-SET-LIST at rules.file_claim.then[0].create.set.priority: field 'priority' holds one value, "
     "not a list (declare it with 'many: true', or give one value)"),
    ("amounts: []}", "amounts: [], prio: [1]}",
     "error E-REF-FIELD at rules.file_claim.then[0].create.set.prio: process 'claim' has no field 'prio' "),
])
def test_misused_lists_are_positioned_findings(cli, tmp_path, old, new, finding):
    result = _validate(cli, tmp_path, old, new)
    assert result.exit_code == 1
    assert finding in result.output, result.output
