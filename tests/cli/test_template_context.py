"""Documents and notifications read the item's fields first, ruledeck's own values under ``ruledeck.``."""

from __future__ import annotations

import json

import pytest

DEFS = """\
processes:
  order:
    key: number
    fields:
      number: {type: string, required: true}
      project: {type: string}
    pipelines:
      main:
        stages:
          new: {}
          shipped: {kind: success, manual: true}
people:
  ann: {name: Ann Lee}
  bob: {name: Bob Stone}
event_types:
  order_in:
    fields:
      number: {type: string, required: true}
      project: {type: string}
templates:
  receipt:
    process: order
    filename: "{{ number }}-{{ ruledeck.rule }}.md"
    body: |
      Order {{ number }} for the project «{{ project }}»
      made by {{ ruledeck.project }} on {{ ruledeck.now | date }}
      (rule {{ ruledeck.rule }}, by {{ ruledeck.actor_name }})
rules:
  order_in:
    when: {event: order_in}
    then:
      - create: {process: order, set: {number: event.number, project: event.project}}
      - notify: {to: {person: bob}, text: "{{ event.id }}: order {{ event.number }} in from {{ ruledeck.actor }}"}
  welcome:
    process: order
    when: {created: true}
    then: [{document: {template: receipt}}]
  shipped:
    process: order
    when: {entered: shipped}
    then:
      - notify:
          to: {person: bob}
          text: "{{ number }} ({{ project }}) shipped by {{ ruledeck.actor }} at {{ ruledeck.now }}"
"""


@pytest.fixture
def shop(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "shop"
    root.mkdir()
    (root / "ruledeck.yaml").write_text("ruledeck: 1\nname: shop\ntimezone: Europe/Moscow\n")
    (root / "defs.yaml").write_text(DEFS)
    db = str(tmp_path / "shop.duckdb")

    def run(*args: str):
        return cli(*args, "-p", str(root), "--db", db)

    run.root, run.tmp = root, tmp_path
    run.validate = lambda *args: cli("validate", "shop", *args)
    return run


def _ingest(shop, *events: dict):
    path = shop.tmp / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return shop("ingest", str(path))


ORDER = {"id": "o1", "type": "order_in", "time": "2026-03-02T10:00:00+03:00", "actor": "ann",
         "payload": {"number": "A-1", "project": "Packing line LF-4"}}


def test_a_field_named_project_is_the_field_and_ruledeck_gives_its_own_values(shop):
    assert shop.validate().exit_code == 0
    assert _ingest(shop, ORDER).output == "1 accepted, 0 duplicate, 0 rejected\n"
    document = shop.root / "documents" / "A-1-welcome.md"
    assert document.read_text() == ("Order A-1 for the project «Packing line LF-4»\n"
                                    "made by shop on 02.03.2026\n(rule welcome, by Ann Lee)\n")
    assert [m["text"] for m in json.loads(shop("outbox", "--format", "json").output)] == [
        "o1: order A-1 in from ann"]


def test_ruledeck_actor_is_who_moved_the_card(shop):
    _ingest(shop, ORDER)
    assert shop("tick", "--to", "2026-03-03 09:30").exit_code == 0
    assert shop("move", "order:A-1", "shipped", "--as", "bob").exit_code == 0
    texts = [m["text"] for m in json.loads(shop("outbox", "--rule", "shipped", "--format", "json").output)]
    assert texts == ["A-1 (Packing line LF-4) shipped by bob at 2026-03-03 09:30:00+03:00"]


def test_nobody_acting_prints_as_nothing(shop):
    _ingest(shop, {k: v for k, v in ORDER.items() if k != "actor"})
    assert (shop.root / "documents" / "A-1-welcome.md").read_text().endswith("\n(rule welcome, by )\n")
    assert json.loads(shop("outbox", "--format", "json").output)[0]["text"] == "o1: order A-1 in from "


@pytest.mark.parametrize(("old", "new", "finding"), [
    ("made by {{ ruledeck.project }}", "made by {{ project_name }}",
     "shop/defs.yaml:26:1: error E-TEMPLATE-UNKNOWN-NAME at templates.receipt.body: "
     "template uses 'project_name', which is not a field "
     "here (did you mean 'project'?)"),
    ("on {{ ruledeck.now | date }}", "on {{ now | date }}",
     "shop/defs.yaml:26:1: error E-TEMPLATE-UNKNOWN-NAME at templates.receipt.body: "
     "template uses 'now', which is not a field here "
     "(ruledeck's own value is written 'ruledeck.now')"),
    ("(rule {{ ruledeck.rule }},", "(rule {{ ruledeck.rul }},",
     "shop/defs.yaml:27:1: error E-TEMPLATE-UNKNOWN-NAME at templates.receipt.body: "
     "template uses 'ruledeck.rul': 'ruledeck.' has no "
     "'rul' (did you mean 'rule'?)"),
    ("order {{ event.number }} in", "order {{ event.numbr }} in",
     "shop/defs.yaml:33:43: error E-TEMPLATE-UNKNOWN-NAME at rules.order_in.then[1].notify.text: "
     "template uses 'event.numbr': 'event.' "
     "has no 'numbr' (did you mean 'number'?)"),
    ("{{ number }} ({{ project }}) shipped", "{{ event.number }} shipped",
     "shop/defs.yaml:44:17: error E-TEMPLATE-UNKNOWN-NAME at rules.shipped.then[0].notify.text: "
     "template uses 'event', which is not a "
     "field here ('event.' is read in rules triggered by an event)"),
    ("      project: {type: string}\n    pipelines", "      project: {type: string}\n      ruledeck: {type: string}"
                                                     "\n    pipelines",
     "shop/defs.yaml:7:7: error E-FIELD-RESERVED at processes.order.fields.ruledeck: "
     "field 'ruledeck' of process 'order': documents and "
     "notifications read ruledeck's own values under 'ruledeck.' (ruledeck.project, ruledeck.now, ruledeck.rule, "
     "ruledeck.actor, ruledeck.actor_name) (rename the field, e.g. to 'ruledeck_value')"),
])
def test_validation_names_the_fix(shop, old, new, finding):
    assert old in DEFS
    (shop.root / "defs.yaml").write_text(DEFS.replace(old, new, 1))
    result = shop.validate()
    assert result.exit_code == 1
    assert [line for line in result.stdout.splitlines() if line.startswith("shop/")] == [finding]


def test_a_field_hiding_the_event_is_a_positioned_warning(shop):
    hidden = DEFS.replace("      project: {type: string}\n    pipelines",
                          "      project: {type: string}\n      event: {type: string}\n    pipelines", 1)
    hidden = hidden.replace("  shipped:\n    process: order\n    when: {entered: shipped}",
                            "  shipped:\n    process: order\n    when: {event: order_in}")
    hidden = hidden.replace("{{ number }} ({{ project }}) shipped", "{{ event }} shipped")
    (shop.root / "defs.yaml").write_text(hidden)
    result = shop.validate()
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "shop/defs.yaml:45:17: warning W-TEMPLATE-AMBIGUOUS at rules.shipped.then[0].notify.text: template "
        "reads 'event', which is both a field and 'event.' here: the field wins (rename the field to read 'event.…')")
    assert shop.validate("--strict").exit_code == 1


GUARDED = """\
processes:
  order:
    key: number
    fields:
      number: {type: string, required: true}
      signed: {type: bool, default: false}
    pipelines:
      main:
        stages:
          new: {}
          approved:
            manual: true
            require: [{that: "signed", message: "{{ number }}: {{ ruledeck.actor }} cannot approve it unsigned"}]
          archived: {kind: success, manual: true}
people:
  ann: {name: Ann Lee}
  bob: {name: Bob Stone}
event_types:
  order_in:
    fields: {number: {type: string, required: true}}
rules:
  order_in:
    when: {event: order_in}
    then: [{create: {process: order, set: {number: event.number}}}]
  archive_by_ann:
    process: order
    when: {entered: archived}
    then:
      - reject:
          if: "actor <> 'ann'"
          message: "{{ number }}: {{ ruledeck.actor_name }} may not archive it in {{ ruledeck.project }}"
"""


def test_refusal_messages_read_ruledeck_too(shop):
    (shop.root / "defs.yaml").write_text(GUARDED)
    assert shop.validate("--strict").exit_code == 0
    assert _ingest(shop, {**ORDER, "payload": {"number": "A-1"}}).exit_code == 0
    refused = shop("move", "order:A-1", "archived", "--as", "bob")
    assert (refused.exit_code, refused.output) == (1, "Error: A-1: Bob Stone may not archive it in shop\n")
    unsigned = shop("move", "order:A-1", "approved", "--as", "ann")
    assert (unsigned.exit_code, unsigned.output) == (1, "Error: A-1: ann cannot approve it unsigned\n")
    assert shop("move", "order:A-1", "archived", "--as", "ann").exit_code == 0


VISITS = """\
processes:
  request:
    key: number
    fields: {number: {type: string, required: true}}
    pipelines: {main: {stages: {new: {}}}}
    tasks:
      visit:
        assignee: {person: ann}
        form:
          reason: {type: enum, values: [no_access, no_parts]}
          cost: {type: decimal, scale: 2}
        outcomes: {done: {}, failed: {require: [reason]}}
people:
  ann: {name: Ann Lee}
event_types:
  request_in:
    fields: {number: {type: string, required: true}}
rules:
  request_in:
    when: {event: request_in}
    then: [{create: {process: request, set: {number: event.number}}}]
  new_request:
    process: request
    when: {created: true}
    then: [{task: visit}]
  visited:
    process: request
    when: {task: visit}
    then:
      - notify:
          to: {person: ann}
          text: "{{ number }}: visit #{{ task.id }} {{ task.outcome }} ({{ task.reason }}, {{ task.cost }}):
            {{ task.comment }}"
"""


def test_a_notification_of_a_task_rule_reads_the_task_and_its_form(shop):
    (shop.root / "defs.yaml").write_text(VISITS)
    assert shop.validate("--strict").exit_code == 0
    assert _ingest(shop, {"id": "r1", "type": "request_in", "time": "2026-03-02T10:00:00+03:00",
                          "payload": {"number": "R-1"}}).exit_code == 0
    done = shop("task", "done", "request:R-1", "--outcome", "failed", "--set", "reason=no_parts",
                "--set", "cost=12.5", "--comment", "no pump", "--as", "ann")
    assert done.exit_code == 0
    assert [m["text"] for m in json.loads(shop("outbox", "--format", "json").output)] == [
        "R-1: visit #1 failed (no_parts, 12.50): no pump"]
    (shop.root / "defs.yaml").write_text(VISITS.replace("{{ task.reason }}", "{{ task.reasn }}"))
    result = shop.validate()
    assert [line for line in result.stdout.splitlines() if line.startswith("shop/")] == [
        "shop/defs.yaml:32:17: error E-TEMPLATE-UNKNOWN-NAME at rules.visited.then[0].notify.text: template uses "
        "'task.reasn': 'task.' has no 'reasn' (did you mean 'reason'?)"]
