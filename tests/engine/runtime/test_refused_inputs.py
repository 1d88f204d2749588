"""A refused input changes nothing: not the items, not the clock, not the command log."""

from __future__ import annotations

import pytest
from ruledeck.engine import UsageError

DEFS = """
processes:
  ticket:
    key: ref
    fields:
      ref: {type: string, required: true}
      size: {type: int, default: 0}
      checked: {type: int, default: 0}
    pipelines:
      main:
        stages:
          new: {}
          done: {kind: success}
event_types:
  opened:
    fields:
      ref: {type: string, required: true}
  broken:
    fields:
      ref: {type: string, required: true}
      note: {type: string}
rules:
  open_ticket:
    when: {event: opened}
    then:
      - create: {process: ticket, set: {ref: event.ref}}
  nightly_check:
    process: ticket
    when: {cron: "0 3 * * *"}
    then:
      - set: {checked: checked + 1}
  breaks:
    when: {event: broken}
    then:
      - create: {process: ticket, set: {ref: event.note}}
"""


def _snapshot(h) -> tuple:
    con = h.engine.con
    return (con.execute("SELECT * FROM items_ticket ORDER BY id").fetchall(),
            con.execute("SELECT * FROM rd_journal ORDER BY seq").fetchall(),
            con.execute("SELECT now FROM rd_clock").fetchall(),
            con.execute("SELECT kind, payload FROM rd_commands ORDER BY seq").fetchall(),
            con.execute("SELECT * FROM rd_fired ORDER BY ALL").fetchall())


def test_an_event_refused_by_an_action_does_not_move_the_clock_or_fire_what_fell_due(harness):
    h = harness(DEFS)
    h.event("e1", "opened", "2026-01-10T10:00:00+03:00", ref="T-1")
    before = _snapshot(h)
    # A month ahead: thirty nightly checks would fall due on the way, but the event itself fails.
    summary = h.event("e2", "broken", "2026-02-10T10:00:00+03:00", ref="T-1")
    assert [r.event_id for r in summary.rejected] == ["e2"]
    assert summary.rejected[0].reason == (
        "rule 'breaks' would create a 'ticket' without its required field(s) ref")
    assert _snapshot(h) == before
    assert h.scalar("SELECT checked FROM items_ticket") == 0
    assert h.scalar("SELECT count(*) FROM rd_rejected WHERE event_id = 'e2'") == 1


def test_an_accepted_event_still_fires_what_fell_due_before_it(harness):
    h = harness(DEFS)
    h.event("e1", "opened", "2026-01-10T10:00:00+03:00", ref="T-1")
    summary = h.event("e2", "opened", "2026-01-13T10:00:00+03:00", ref="T-2")
    assert summary.rejected == []
    assert [row["checked"] for row in h.items("ticket", "checked")] == [3, 0]


def test_a_backwards_tick_is_refused_and_not_logged_so_verify_still_passes(harness):
    h = harness(DEFS)
    h.event("e1", "opened", "2026-01-10T10:00:00+03:00", ref="T-1")
    h.tick("2026-01-12 12:00")
    before = _snapshot(h)
    with pytest.raises(UsageError, match="cannot tick backwards"):
        h.tick("2026-01-11 12:00")
    assert _snapshot(h) == before
    report = h.engine.verify()
    assert (report.events, report.commands, report.differences) == (1, 1, [])


def test_an_internal_error_rejects_the_event_with_a_reason_and_changes_nothing(harness, monkeypatch):
    from ruledeck.engine.runtime import run as run_module

    h = harness(DEFS)
    h.event("e1", "opened", "2026-01-10T10:00:00+03:00", ref="T-1")
    before = _snapshot(h)

    def explode(self, rule):
        raise KeyError("t.number")

    monkeypatch.setattr(run_module.Run, "fire_event_rule", explode)
    summary = h.event("e2", "opened", "2026-02-10T10:00:00+03:00", ref="T-2")
    assert [(r.event_id, r.reason) for r in summary.rejected] == [
        ("e2", "internal error (KeyError): 't.number'; run with --debug for the details")]
    assert _snapshot(h) == before


def test_a_key_two_items_share_names_neither_and_the_event_is_refused(harness):
    h = harness(DEFS.replace("event_types:\n", "event_types:\n  grown:\n    fields:\n"
                                  "      ticket: {type: ref, process: ticket, required: true}\n", 1))
    h.event("e1", "opened", "2026-01-10T10:00:00+03:00", ref="T-1")
    # A database from before keys were unique: a second item with the same key.
    h.engine.con.execute("INSERT INTO items_ticket SELECT * REPLACE (2 AS id) FROM items_ticket")
    before = _snapshot(h)
    summary = h.event("e3", "grown", "2026-01-10T12:00:00+03:00", ticket="T-1")
    assert [(r.event_id, r.reason) for r in summary.rejected] == [
        ("e3", "field 'ticket': 1 and 2 are both 'ticket' items with ref 'T-1', so it names neither; "
               "give the item's id")]
    assert _snapshot(h) == before
