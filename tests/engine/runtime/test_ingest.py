"""Ingest: exactly once, all-or-nothing per event, bad events kept with a reason."""

from __future__ import annotations

DEFS = """
processes:
  ticket:
    key: ref
    title: "{{ ref }}: {{ subject }}"
    fields:
      ref: {type: string, required: true}
      subject: {type: string}
      size: {type: int, default: 0}
      parent: {type: ref, process: ticket}
    pipelines:
      main:
        stages:
          new: {}
          big: {}
          done: {kind: success}
event_types:
  opened:
    fields:
      ref: {type: string, required: true}
      subject: {type: string}
      size: {type: int}
  grown:
    fields:
      ticket: {type: ref, process: ticket, required: true}
      size: {type: int, required: true}
  broken:
    fields:
      ref: {type: string, required: true}
      note: {type: string}
rules:
  open_ticket:
    when: {event: opened}
    then:
      - create:
          process: ticket
          set: {ref: event.ref, subject: event.subject, size: "coalesce(event.size, 0)"}
  grow:
    process: ticket
    when: {event: grown}
    if: "id = event.ticket"
    then:
      - set: {size: event.size}
  big_tickets:
    process: ticket
    when: {changed: size}
    if: "size > 10"
    then:
      - move: big
  half_broken:
    when: {event: broken}
    then:
      - create: {process: ticket, set: {ref: event.ref}}
      - create: {process: ticket, set: {ref: event.note}}
"""


def test_events_create_items_with_titles_and_journal(harness):
    h = harness(DEFS)
    summary = h.event("e1", "opened", "2026-01-10T10:00:00+03:00", ref="T-1", subject="Printer")
    assert (summary.accepted, summary.duplicates, summary.rejected) == (1, 0, [])
    assert h.one("ticket", "id, ref, title, stage, size") == {
        "id": 1, "ref": "T-1", "title": "T-1: Printer", "stage": "new", "size": 0}
    assert h.journal() == [
        (1, "created", None, None, "new", "event", "e1", "open_ticket"),
        (1, "field", "ref", None, "T-1", "event", "e1", "open_ticket"),
        (1, "field", "subject", None, "Printer", "event", "e1", "open_ticket"),
        (1, "field", "size", None, "0", "event", "e1", "open_ticket"),
    ]


def test_a_second_ingest_of_the_same_events_changes_nothing(harness):
    h = harness(DEFS)
    events = [("e1", "opened", "2026-01-10T10:00:00+03:00", {"ref": "T-1"}),
              ("e2", "grown", "2026-01-11T10:00:00+03:00", {"ticket": "T-1", "size": 20})]
    h.events(*events)
    journal = h.journal()
    again = h.events(*events)
    assert (again.accepted, again.duplicates) == (0, 2)
    assert h.journal() == journal
    assert h.scalar("SELECT count(*) FROM rd_events") == 2


def test_a_ref_names_an_item_by_key_or_by_id_and_cascades_fire(harness):
    h = harness(DEFS)
    h.event("e1", "opened", "2026-01-10T10:00:00+03:00", ref="T-1")
    h.event("e2", "grown", "2026-01-11T10:00:00+03:00", ticket="T-1", size=5)
    assert h.one("ticket", "size, stage") == {"size": 5, "stage": "new"}
    h.event("e3", "grown", "2026-01-12T10:00:00+03:00", ticket=1, size=50)
    assert h.one("ticket", "size, stage") == {"size": 50, "stage": "big"}
    assert h.journal("kind = 'stage'") == [(1, "stage", "stage", "new", "big", "event", "e3", "big_tickets")]


def test_bad_events_are_rejected_with_reasons_and_the_good_ones_still_go_in(harness):
    h = harness(DEFS)
    summary = h.events(
        ("ok1", "opened", "2026-01-10T10:00:00+03:00", {"ref": "T-1"}),
        ("bad-type", "opend", "2026-01-10T11:00:00+03:00", {"ref": "T-2"}),
        ("bad-missing", "opened", "2026-01-10T12:00:00+03:00", {"subject": "x"}),
        ("bad-int", "opened", "2026-01-10T13:00:00+03:00", {"ref": "T-3", "size": "big"}),
        ("bad-ref", "grown", "2026-01-10T14:00:00+03:00", {"ticket": "T-404", "size": 1}),
        ("bad-field", "opened", "2026-01-10T15:00:00+03:00", {"ref": "T-4", "colour": "red"}),
        ("ok2", "opened", "2026-01-10T16:00:00+03:00", {"ref": "T-5"}),
    )
    assert summary.accepted == 2
    assert [(r.event_id, r.reason) for r in summary.rejected] == [
        ("bad-type", "unknown event type 'opend' (did you mean 'opened'?)"),
        ("bad-missing", "required field 'ref' is missing"),
        ("bad-int", 'field \'size\' must be a whole number (got "big")'),
        ("bad-ref", "field 'ticket': there is no 'ticket' item 'T-404'"),
        ("bad-field", "'opened' has no field 'colour'"),
    ]
    assert [r["ref"] for r in h.items("ticket", "ref")] == ["T-1", "T-5"]
    kept = h.engine.con.execute("SELECT event_id, reason FROM rd_rejected ORDER BY event_id").fetchall()
    assert [k[0] for k in kept] == ["bad-field", "bad-int", "bad-missing", "bad-ref", "bad-type"]


def test_an_event_failing_half_way_leaves_nothing_behind(harness):
    h = harness(DEFS)
    summary = h.event("e1", "broken", "2026-01-10T10:00:00+03:00", ref="T-9")
    assert summary.accepted == 0
    assert summary.rejected[0].reason == (
        "rule 'half_broken' would create a 'ticket' without its required field(s) ref")
    assert h.items("ticket") == []
    assert h.journal() == []
    assert h.scalar("SELECT count(*) FROM rd_events") == 0
    assert h.scalar("SELECT count(*) FROM rd_counters WHERE name = 'item_id' AND value > 0") == 0


def test_malformed_lines_are_rejected_with_their_line(harness):
    from ruledeck.engine import RawEvent

    h = harness(DEFS)
    summary = h.engine.ingest([RawEvent(1, "{nope", error="not valid JSON: Expecting property name at column 2"),
                               RawEvent(2, "[]", [])])
    assert [(r.event_id, r.reason) for r in summary.rejected] == [
        ("line 1", "not valid JSON: Expecting property name at column 2"),
        ("line 2", "an event must be a JSON object with id, type, time and payload"),
    ]


def test_a_rejected_event_is_retried_and_goes_in_once_it_can(harness):
    h = harness(DEFS)
    h.event("g1", "grown", "2026-01-10T10:00:00+03:00", ticket="T-1", size=3)
    assert h.scalar("SELECT count(*) FROM rd_rejected") == 1
    h.event("o1", "opened", "2026-01-10T11:00:00+03:00", ref="T-1")
    summary = h.event("g1", "grown", "2026-01-10T10:00:00+03:00", ticket="T-1", size=3)
    assert summary.accepted == 1 and summary.late == 1
    assert h.one("ticket", "size")["size"] == 3
    assert h.scalar("SELECT count(*) FROM rd_rejected") == 0


def test_late_events_apply_at_the_clock_and_keep_their_own_time(harness):
    h = harness(DEFS)
    h.event("e1", "opened", "2026-01-10T10:00:00+03:00", ref="T-1")
    summary = h.event("e0", "opened", "2026-01-01T10:00:00+03:00", ref="T-0")
    assert summary.late == 1
    created = h.items("ticket", "ref, created_at")
    assert created[1]["created_at"] == created[0]["created_at"]
    assert str(h.scalar("SELECT time FROM rd_events WHERE id = 'e0'"))[:10] == "2026-01-01"


CYCLE = DEFS + """
  ping:
    process: ticket
    when: {changed: size}
    then:
      - set: {subject: "concat('ping ', size)"}
  pong:
    process: ticket
    when: {changed: subject}
    then:
      - set: {size: "size + 1"}
"""


def test_a_cascade_loop_is_stopped_and_the_event_rejected_naming_the_loop(harness):
    h = harness(CYCLE)
    h.event("e1", "opened", "2026-01-10T10:00:00+03:00", ref="T-1")
    summary = h.event("e2", "grown", "2026-01-11T10:00:00+03:00", ticket="T-1", size=1)
    reason = summary.rejected[0].reason
    assert reason.startswith("rules fired each other more than 10 levels deep: grow -> ")
    assert "ping -> pong -> ping" in reason
    assert h.one("ticket", "size")["size"] == 0
