"""outbox and documents, the documents folder, and naming items by id or PROCESS:KEY in every command."""

from __future__ import annotations

import json

import pytest

DEFS = """\
processes:
  order:
    key: number
    fields:
      number: {type: string, required: true}
      client: {type: string}
    pipelines:
      main:
        stages:
          new: {}
          parked: {manual: true}
          done: {kind: success}
    tasks:
      check: {assignee: {role: desk}, due: 1d, outcomes: [ok, bad]}
      call: {assignee: {person: ann}, due: 2d, outcomes: [reached]}
  note:
    fields:
      text: {type: string}
    pipelines: {main: {stages: {open: {}}}}
roles:
  desk: {label: Desk}
people:
  ann: {name: Ann, roles: [desk]}
event_types:
  order_in:
    fields:
      number: {type: string, required: true}
      client: {type: string}
  note_in:
    fields:
      text: {type: string}
templates:
  receipt:
    process: order
    filename: "receipt-{{ number }}.md"
    body: "Receipt {{ number }} for {{ client }}"
rules:
  order_in:
    when: {event: order_in}
    then: [{create: {process: order, set: {number: event.number, client: event.client}}}]
  note_in:
    when: {event: note_in}
    then: [{create: {process: note, set: {text: event.text}}}]
  welcome:
    process: order
    when: {created: true}
    then:
      - notify: {to: {role: desk}, text: "New order {{ number }} from {{ client }}"}
      - document: {template: receipt}
      - task: check
  checked:
    process: order
    when: {task: check, outcome: ok}
    then:
      - notify: {to: {person: ann}, text: "Call {{ client }}"}
      - task: call
"""
EVENTS = [
    {"id": "o1", "type": "order_in", "time": "2026-03-02T10:00:00+03:00",
     "payload": {"number": "A-1", "client": "Acme"}},
    {"id": "o2", "type": "order_in", "time": "2026-03-05T09:30:00+03:00",
     "payload": {"number": "B-2", "client": "Bolt"}},
    {"id": "n1", "type": "note_in", "time": "2026-03-06T09:00:00+03:00", "payload": {"text": "hi"}},
]


@pytest.fixture
def shop(cli, tmp_path):
    """A project with orders (keyed by number) and notes, its three events ingested into a database file."""
    root = tmp_path / "shop"
    root.mkdir()
    (root / "ruledeck.yaml").write_text("ruledeck: 1\nname: shop\ntimezone: Europe/Moscow\n")
    (root / "defs.yaml").write_text(DEFS)
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(e) + "\n" for e in EVENTS))
    db = str(tmp_path / "shop.duckdb")
    assert cli("ingest", str(events), "-p", str(root), "--db", db).exit_code == 0

    def run(*args: str, db_path: str = db):
        return cli(*args, "-p", str(root), "--db", db_path)

    run.root = root
    run.events = events
    return run


def test_outbox_lists_every_message_with_recipient_item_and_rule(shop):
    result = shop("outbox")
    assert (result.exit_code, result.output) == (0, (
        "id    at                to         item       rule     sent    text\n"
        "----  ----------------  ---------  ---------  -------  ------  -----------------------\n"
        "1     2026-03-02 10:00  role:desk  order:A-1  welcome  no      New order A-1 from Acme\n"
        "2     2026-03-05 09:30  role:desk  order:B-2  welcome  no      New order B-2 from Bolt\n"))


def test_outbox_json_has_every_field(shop):
    rows = json.loads(shop("outbox", "--format", "json").output)
    assert rows == [
        {"id": 1, "at": "2026-03-02 10:00:00+03:00", "process": "order", "item": 1, "key": "A-1", "to": "role:desk",
         "text": "New order A-1 from Acme", "rule": "welcome", "sent": False},
        {"id": 2, "at": "2026-03-05 09:30:00+03:00", "process": "order", "item": 2, "key": "B-2", "to": "role:desk",
         "text": "New order B-2 from Bolt", "rule": "welcome", "sent": False},
    ]


def test_outbox_filters_by_item_rule_recipient_and_time(shop):
    assert shop("task", "done", "order:A-1", "--outcome", "ok").output == "task #1 completed as ok\n"
    ids = lambda *args: [r["id"] for r in json.loads(shop("outbox", *args, "--format", "json").output)]  # noqa: E731
    assert ids() == [1, 2, 3]
    assert ids("--item", "order:A-1") == [1, 3]
    assert ids("--item", "2") == [2]
    assert ids("--rule", "checked") == [3]
    assert ids("--to", "ann") == [3]
    assert ids("--since", "2026-03-05 09:30") == [2, 3]
    assert ids("--limit", "1") == [1]
    assert ids("--rule", "welcome", "--item", "order:B-2") == [2]
    assert shop("outbox", "--rule", "nothing").output == "no messages\n"
    csv = shop("outbox", "--item", "order:A-1", "--format", "csv").output.splitlines()
    assert csv == ["id,at,to,item,rule,sent,text", "1,2026-03-02T10:00:00+03:00,role:desk,order:A-1,welcome,false,"
                   "New order A-1 from Acme", "3,2026-03-06T09:00:00+03:00,ann,order:A-1,checked,false,Call Acme"]


def test_documents_are_listed_with_their_file_in_the_projects_documents_folder(shop):
    folder = shop.root / "documents"
    result = shop("documents")
    assert result.exit_code == 0
    assert result.output.splitlines()[2:] == [
        f"1     2026-03-02 10:00  order:A-1  receipt     {folder / 'receipt-A-1.md'}  welcome",
        f"2     2026-03-05 09:30  order:B-2  receipt     {folder / 'receipt-B-2.md'}  welcome",
    ]
    assert (folder / "receipt-A-1.md").read_text() == "Receipt A-1 for Acme"
    rows = json.loads(shop("documents", "--item", "order:B-2", "--format", "json").output)
    assert rows == [{"id": 2, "at": "2026-03-05 09:30:00+03:00", "process": "order", "item": 2, "key": "B-2",
                     "template": "receipt", "file": str(folder / "receipt-B-2.md"), "rule": "welcome"}]
    assert shop("documents", "--template", "other").output == "no documents\n"
    assert [r["id"] for r in json.loads(shop("documents", "--since", "2026-03-03", "--format", "json").output)] == [2]


def test_a_memory_database_still_writes_documents_under_the_project(shop, tmp_path):
    folder = shop.root / "documents"
    for path in folder.iterdir():
        path.unlink()
    result = shop("ingest", str(shop.events), db_path=":memory:")
    assert (result.exit_code, result.output) == (0, "3 accepted, 0 duplicate, 0 rejected\n")
    assert sorted(p.name for p in folder.iterdir()) == ["receipt-A-1.md", "receipt-B-2.md"]
    assert not (tmp_path / "documents").exists()


def test_the_documents_setting_moves_the_folder(shop, tmp_path):
    (shop.root / "ruledeck.yaml").write_text("ruledeck: 1\nname: shop\ntimezone: Europe/Moscow\n"
                                             "documents: out/letters\n")
    result = shop("ingest", str(shop.events), db_path=str(tmp_path / "other.duckdb"))
    assert result.exit_code == 0
    assert sorted(p.name for p in (shop.root / "out" / "letters").iterdir()) == ["receipt-A-1.md", "receipt-B-2.md"]
    listed = json.loads(shop("documents", "--format", "json", db_path=str(tmp_path / "other.duckdb")).output)
    assert listed[0]["file"] == str(shop.root / "out" / "letters" / "receipt-A-1.md")


@pytest.mark.parametrize(("args", "message"), [
    (("outbox", "--item", "999"), "Error: there is no item 999\n"),
    (("outbox", "--item", "order:Z-9"), "Error: no 'order' item with number = 'Z-9'\n"),
    (("documents", "--item", "note:1"), "Error: process 'note' has no key field; name the item by its id\n"),
    (("documents", "--item", "abc"), "Error: 'abc' is not an item: give its id (e.g. 42) or PROCESS:KEY\n"),
    (("outbox", "--since", "soon"), "Error: 'soon' is not a date or date-time: write 2026-01-15, 2026-01-15 10:00, "
                                    "2026-01-15T10:00:00, 2026-01-15T10:00:00+03:00 or 2026-01-15T07:00:00Z\n"),
])
def test_wrong_filters_are_usage_errors(shop, args, message):
    result = shop(*args)
    assert (result.exit_code, result.output) == (2, message)


def test_move_show_and_explain_take_an_id_or_process_key(shop):
    assert shop("tick", "--to", "2026-03-06 10:00").exit_code == 0
    moved = shop("move", "order:B-2", "parked")
    assert (moved.exit_code, moved.output) == (0, "item 2 (order:B-2) moved to parked\n")
    by_id = shop("move", "3", "open")
    assert (by_id.exit_code, by_id.output) == (1, "Error: stage 'open' of 'note' is reached by rules only; mark it "
                                                  "'manual: true' in the definitions to move cards there by hand\n")
    card = json.loads(shop("show", "order:B-2", "--format", "json").output)
    assert card["values"]["stage"] == "parked"
    assert json.loads(shop("show", "2", "--format", "json").output) == card
    assert shop("explain", "order:B-2").exit_code == 0
    assert shop("explain", "order:B-2").output == shop("explain", "2").output
    assert shop("move", "order:Z-9", "parked").output == "Error: no 'order' item with number = 'Z-9'\n"


def test_task_done_takes_a_task_id_or_the_items_task(shop):
    assert shop("task", "done", "order:A-1", "--outcome", "ok").output == "task #1 completed as ok\n"
    several = shop("task", "done", "order:A-1", "--outcome", "reached")
    assert (several.exit_code, several.output) == (0, "task #3 completed as reached\n")
    none = shop("task", "done", "order:A-1", "--outcome", "ok")
    assert (none.exit_code, none.output) == (2, "Error: item 1 (order:A-1) has no open task\n")
    wrong = shop("task", "done", "2", "--name", "call", "--outcome", "ok")
    assert (wrong.exit_code, wrong.output) == (2, "Error: item 2 (order:B-2) has no open 'call' task "
                                                  "(open: #2 check)\n")
    named = shop("task", "done", "2", "--name", "check", "--outcome", "ok")
    assert (named.exit_code, named.output) == (0, "task #2 completed as ok\n")
    assert shop("task", "done", "#4", "--outcome", "reached").output == "task #4 completed as reached\n"
    refused = shop("task", "done", "#4", "--name", "call", "--outcome", "reached")
    assert refused.output == "Error: #4 is a task id; --name picks a task of an item (PROCESS:KEY or its id)\n"
    assert shop("verify").exit_code == 0


def test_an_item_with_several_open_tasks_needs_a_name(shop, tmp_path):
    (shop.root / "defs.yaml").write_text(DEFS.replace("      - task: check\n", "      - task: check\n"
                                                                                  "      - task: call\n"))
    db = str(tmp_path / "two.duckdb")
    assert shop("ingest", str(shop.events), db_path=db).exit_code == 0
    result = shop("task", "done", "order:A-1", "--outcome", "ok", db_path=db)
    assert (result.exit_code, result.output) == (2, "Error: item 1 (order:A-1) has 2 open tasks (#1 check, #2 call): "
                                                    "pass --name NAME or give the task id\n")
