"""Lists of records in events and ``for_each`` over them (tests/fixtures/actions_project): one item or task per
element in element order, malformed elements rejected naming the element and field."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from .conftest import REPO

PROJECT = REPO / "tests" / "fixtures" / "actions_project"


@pytest.fixture
def db(cli, tmp_path):
    """The fixture's plan events ingested: PL-1 with three steps, PL-2 with one, four malformed, PL-1 reviewed."""
    path = str(tmp_path / "a.duckdb")
    events = [line for line in (PROJECT / "events.jsonl").read_text(encoding="utf-8").splitlines()
              if json.loads(line)["type"] in ("plan_submitted", "plan_reviewed")]
    (tmp_path / "e.jsonl").write_text("\n".join(events) + "\n", encoding="utf-8")
    result = cli("ingest", str(tmp_path / "e.jsonl"), "-p", str(PROJECT), "--db", path)
    assert result.exit_code == 1
    assert result.output == (
        "rejected p3 (line 3): required field 'steps[1].title' is missing\n"
        "rejected p4 (line 4): field 'steps[0].deadline' 'soon' is not a date (got \"soon\")\n"
        "rejected p5 (line 5): field 'steps[0].title' must have at most 40 characters (got 49)\n"
        "rejected p6 (line 6): field 'steps' is required and cannot be empty\n"
        "3 accepted, 0 duplicate, 4 rejected\n")
    return path


def items(cli, db: str, process: str, fields: str) -> list[tuple]:
    result = cli("items", process, "-p", str(PROJECT), "--db", db, "--fields", fields, "--format", "json")
    return [tuple(row.values()) for row in json.loads(result.output)]


def test_one_item_per_element_in_element_order(cli, db):
    plans = items(cli, db, "plan", "id,number,steps_count")
    assert plans == [(1, "PL-1", 3), (5, "PL-2", 1)]
    assert items(cli, db, "step", "id,plan,position,name,executor,deadline,stage") == [
        (2, 1, 1, "Survey", "anna", "2026-12-01", "late"),  # its deadline is before the event: straight to late
        (3, 1, 2, "Design", "boris", "2026-12-10", "todo"),
        (4, 1, 3, "Build", None, None, "todo"),
        (6, 5, 1, "Only step", None, "2026-12-20", "todo"),
    ]


def test_one_task_per_element_on_the_rules_item(cli, db):
    result = cli("tasks", "-p", str(PROJECT), "--db", db, "--format", "json")
    tasks = [(t["id"], t["item"], t["name"], t["due_at"], t["comment"]) for t in json.loads(result.output)]
    assert sorted(tasks) == [(1, 1, "check", "2026-12-05", "Budget"), (2, 1, "check", "2026-12-04", "Risks")]


def test_the_journal_keeps_element_order(db):
    con = duckdb.connect(db, read_only=True)
    try:
        rows = con.execute("SELECT item, new, cause_id, rule FROM rd_journal WHERE process = 'step' "
                           "AND kind = 'created' ORDER BY seq").fetchall()
    finally:
        con.close()
    assert rows == [(2, "late", "p1", "submit_plan"), (3, "todo", "p1", "submit_plan"),
                    (4, "todo", "p1", "submit_plan"), (6, "todo", "p2", "submit_plan")]


def test_an_element_with_an_unknown_field_or_not_an_object_is_rejected(cli, tmp_path):
    db = str(tmp_path / "b.duckdb")
    lines = [
        {"id": "x1", "type": "plan_submitted", "time": "2026-12-02T10:00:00+03:00",
         "payload": {"number": "X-1", "steps": [{"title": "A", "titel": "B"}]}},
        {"id": "x2", "type": "plan_submitted", "time": "2026-12-02T10:01:00+03:00",
         "payload": {"number": "X-2", "steps": [{"title": "A"}, "B"]}},
        {"id": "x3", "type": "plan_submitted", "time": "2026-12-02T10:02:00+03:00",
         "payload": {"number": "X-3", "steps": [{"title": "A", "executor": "nobody"}]}},
        {"id": "x4", "type": "plan_submitted", "time": "2026-12-02T10:03:00+03:00",
         "payload": {"number": "X-4", "steps": {"title": "A"}}},
    ]
    (tmp_path / "x.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = cli("ingest", str(tmp_path / "x.jsonl"), "-p", str(PROJECT), "--db", db)
    assert (result.exit_code, result.output) == (1, (
        "rejected x1 (line 1): 'steps[0]' has no field 'titel' (did you mean 'title'?)\n"
        "rejected x2 (line 2): field 'steps[1]' must be an object with title, executor, deadline (got \"B\")\n"
        "rejected x3 (line 3): field 'steps[0].executor' is not a known person (got \"nobody\")\n"
        "rejected x4 (line 4): field 'steps' must be a list of objects (got {\"title\": \"A\"})\n"
        "0 accepted, 0 duplicate, 4 rejected\n"))


def test_a_list_of_plain_values_gives_value_and_index(cli, tmp_path):
    db = str(tmp_path / "v.duckdb")
    event = {"id": "v1", "type": "plan_submitted", "time": "2026-12-02T10:00:00+03:00",
             "payload": {"number": "V-1", "steps": [{"title": "First"}], "extras": ["Tidy up", "Report"]}}
    (tmp_path / "v.jsonl").write_text(json.dumps(event) + "\n", encoding="utf-8")
    result = cli("ingest", str(tmp_path / "v.jsonl"), "-p", str(PROJECT), "--db", db)
    assert (result.exit_code, result.output) == (0, "1 accepted, 0 duplicate, 0 rejected\n")
    assert items(cli, db, "step", "id,plan,position,name") == [(2, 1, 1, "First"), (3, 1, 100, "Tidy up"),
                                                               (4, 1, 101, "Report")]


def _validate(cli, tmp_path, *replacements: tuple[str, str]):
    project = tmp_path / "p"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns(".ruledeck-cache"))
    path = project / "definitions.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return cli("validate", str(project))


@pytest.mark.parametrize(("old", "new", "finding"), [
    ("          in: event.checks", "          in: event.number",
     "error E-FOR-EACH-SOURCE at rules.review_plan.then[0].for_each.in: field 'number' of event type "
     "'plan_reviewed' is string, not a list (declare it with 'type: list' and its record's fields under 'of', "
     "or 'many: true')"),
    ("          in: event.checks", "          in: checks",
     "error E-FOR-EACH-SOURCE at rules.review_plan.then[0].for_each.in: 'for_each' takes a list field of the "
     "event, not 'checks' (write e.g. 'in: event.steps')"),
    ("name: step.title,", "name: step.titel,",
     "error E-EXPR-UNKNOWN-FIELD at rules.submit_plan.then[1].for_each.then[0].create.set.name: 'step' has no "
     "field 'titel' (did you mean 'title'?)"),
    ("comment: item_check.what}", "comment: item_check.what}\n            - set: {steps_count: 1}",
     "error E-FOR-EACH-ACTION at rules.review_plan.then[0].for_each.then[1]: 'for_each' runs create and task "
     "actions, one per element, not 'set' (put the 'set' before or after the for_each: it acts on the rule's "
     "items once)"),
    ("      steps_count: {type: int}",
     "      steps_count: {type: int}\n      parts: {type: list, of: {a: {type: int}}}",
     "error E-FIELD-LIST at processes.plan.fields.parts.type: field 'parts' of process 'plan' is a list of "
     "records, which only event types declare"),
    ("          deadline: {type: date}\n      extras:", "          deadline: {type: ref, process: plan}\n"
     "      extras:",
     "error E-RECORD-FIELD at event_types.plan_submitted.fields.steps.of.deadline: field 'steps.deadline' is of "
     "type ref; a record's fields hold one plain value"),
    ("          as: item_check", "          as: event",
     "error E-NAME-RESERVED at rules.review_plan.then[0].for_each.as: 'event' is already a name expressions read "
     "here"),
    ("        type: list\n        of:\n          what", "        type: list\n        x_of:\n          what",
     "error E-SCHEMA-UNKNOWN-KEY at event_types.plan_reviewed.fields.checks.x_of: unknown key 'x_of'"),
])
def test_misused_record_lists_are_positioned_findings(cli, tmp_path, old, new, finding):
    result = _validate(cli, tmp_path, (old, new))
    assert result.exit_code == 1
    assert finding in result.output, result.output


def test_specs_feed_lists_of_records_too(cli):
    result = cli("test", str(PROJECT))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == ("1 spec(s): 1 passed, 0 failed, 0 error(s); 12 expectations: "
                                              "12 passed, 0 failed, 0 xfailed, 0 xpassed")
