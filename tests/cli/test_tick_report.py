"""``tick`` lists each occurrence with its due time; the journal names the timed rule behind every change."""

from __future__ import annotations

import json

import pytest

DEFS = """\
processes:
  card:
    key: number
    fields:
      number: {type: string, required: true}
      due_on: {type: date, required: true}
      note: {type: string}
    pipelines:
      main:
        stages: {open: {}, late: {}, done: {kind: success, manual: true}}
event_types:
  card_in:
    fields:
      number: {type: string, required: true}
      due_on: {type: date, required: true}
rules:
  card_in:
    when: {event: card_in}
    then: [{create: {process: card, set: {number: event.number, due_on: event.due_on}}}]
  restage_monthly:
    process: card
    when: {cron: "0 6 1 * *"}
    if: "stage = 'open' and due_on < now()"
    then: [{move: late}]
  on_late:
    process: card
    when: {entered: late}
    then: [{set: {note: "'overdue'"}}]
  remind:
    process: card
    when: {date: due_on, offset: -1d}
    then:
      - set: {note: "'reminded'"}
      - notify: {to: {person: ann}, text: "{{ number }} is due on {{ due_on | date }} (sent {{ ruledeck.now }})"}
people:
  ann: {name: Ann}
"""
CARDS = [("C-1", "2026-01-20"), ("C-2", "2026-02-05"), ("C-3", "2026-02-05")]


@pytest.fixture
def deck(cli, tmp_path):
    root = tmp_path / "deck"
    root.mkdir()
    (root / "ruledeck.yaml").write_text("ruledeck: 1\nname: deck\ntimezone: Europe/Moscow\n")
    (root / "defs.yaml").write_text(DEFS)
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps({"id": number, "type": "card_in", "time": "2026-01-10T09:00:00+03:00",
                                          "payload": {"number": number, "due_on": due}}) + "\n"
                              for number, due in CARDS))
    db = str(tmp_path / "deck.duckdb")

    def run(*args: str):
        return cli(*args, "-p", str(root), "--db", db)

    assert run("ingest", str(events)).exit_code == 0
    return run


def test_tick_lists_every_occurrence_with_its_due_time_then_the_summary(deck):
    result = deck("tick", "--to", "2026-03-15 12:00")
    assert (result.exit_code, result.output) == (0, (
        "remind           2026-01-19 00:00 ×1\n"
        "restage_monthly  2026-02-01 06:00 ×1\n"
        "remind           2026-02-04 00:00 ×2\n"
        "restage_monthly  2026-03-01 06:00 ×1\n"
        "clock 2026-01-10T09:00:00+03:00 -> 2026-03-15T12:00:00+03:00: 2 step(s); remind ×3, restage_monthly ×2\n"))
    again = deck("tick", "--to", "2026-03-15 12:00")
    assert again.output == ("clock 2026-03-15T12:00:00+03:00 -> 2026-03-15T12:00:00+03:00: 0 step(s); "
                            "nothing fired\n")


def test_tick_json_lists_the_occurrences(deck):
    summary = json.loads(deck("tick", "--to", "2026-03-15 12:00", "--format", "json").output)
    assert summary["fired"] == {"remind": 3, "restage_monthly": 2}
    assert summary["occurrences"] == [
        {"rule": "remind", "due": "2026-01-19 00:00:00+03:00", "count": 1, "items": 1},
        {"rule": "restage_monthly", "due": "2026-02-01 06:00:00+03:00", "count": 1, "items": 1},
        {"rule": "remind", "due": "2026-02-04 00:00:00+03:00", "count": 2, "items": 2},
        {"rule": "restage_monthly", "due": "2026-03-01 06:00:00+03:00", "count": 1, "items": 2},
    ]


def test_a_change_made_by_a_rule_a_timed_rule_woke_names_the_timed_rule(deck):
    deck("tick", "--to", "2026-02-02 12:00")
    shown = deck("show", "card:C-1").output
    assert shown.split("Timeline\n", 1)[1].splitlines()[4:] == [
        "  2026-01-19 00:00  tick · rule remind",
        "      note = reminded",
        "  2026-02-01 06:00  tick · rule restage_monthly",
        "      stage open → late",
        "  2026-02-01 06:00  tick restage_monthly · rule on_late",
        "      note: reminded → overdue"]
    timeline = json.loads(deck("show", "card:C-1", "--format", "json").output)["timeline"]
    assert [(e["cause"], e["cause_id"], e["rule"], e["new"]) for e in timeline if e["cause"] == "tick"] == [
        ("tick", "remind", "remind", "reminded"), ("tick", "restage_monthly", "restage_monthly", "late"),
        ("tick", "restage_monthly", "on_late", "overdue")]
    assert "  set at 2026-02-01 06:00 by tick restage_monthly · rule on_late\n    note    overdue\n" \
        in deck("explain", "card:C-1").output


def test_preview_lists_the_same_occurrences_and_changes_nothing(deck):
    preview = deck("preview", "--to", "2026-03-15 12:00", "--format", "csv")
    assert preview.output == ("at,rule,items\n2026-01-19T00:00:00+03:00,remind,1\n"
                              "2026-02-01T06:00:00+03:00,restage_monthly,1\n2026-02-04T00:00:00+03:00,remind,2\n"
                              "2026-03-01T06:00:00+03:00,restage_monthly,2\n")
    assert deck("clock").output.startswith("clock: 2026-01-10T09:00:00+03:00\n")


def test_a_timer_in_a_long_tick_sends_its_message_at_its_own_due_time(deck):
    deck("tick", "--to", "2026-03-15 12:00")
    messages = json.loads(deck("outbox", "--format", "json").output)
    assert [(m["at"], m["text"]) for m in messages] == [
        ("2026-01-19 00:00:00+03:00", "C-1 is due on 20.01.2026 (sent 2026-01-19 00:00:00+03:00)"),
        ("2026-02-04 00:00:00+03:00", "C-2 is due on 05.02.2026 (sent 2026-02-04 00:00:00+03:00)"),
        ("2026-02-04 00:00:00+03:00", "C-3 is due on 05.02.2026 (sent 2026-02-04 00:00:00+03:00)")]
