"""The clock: catch-up, idempotent re-ticks, ordering, dwell, date triggers, missed policies."""

from __future__ import annotations

import datetime as dt

import pytest
from ruledeck.engine import UsageError

MONTHLY = """
processes:
  card:
    fields:
      planned_on: {type: date}
      counter: {type: int, default: 0}
      note: {type: string}
    pipelines:
      main:
        stages:
          overdue: {}
          this_month: {}
          later: {}
          waiting: {}
          closed: {kind: success}
event_types:
  add:
    fields: {planned_on: {type: date, required: true}}
rules:
  add_card:
    when: {event: add}
    then: [{create: {process: card, stage: later, set: {planned_on: event.planned_on}}}]
  restage:
    process: card
    when: {cron: "0 6 1 * *"}
    if: "stage_kind = 'open' and stage <> 'waiting'"
    then:
      - move: >-
          case when planned_on < start_of_month(now()) then 'overdue'
               when planned_on < start_of_next_month(now()) then 'this_month'
               else 'later' end
      - set: {counter: "counter + 1"}
"""


def test_a_tick_over_six_months_fires_six_monthly_jobs_each_with_its_own_now(harness):
    h = harness(MONTHLY)
    h.event("a1", "add", "2026-01-10T10:00:00+03:00", planned_on="2026-04-20")
    summary = h.tick("2026-07-15 00:00")
    assert summary.fired == {"restage": 6}
    assert [str(m)[:16] for m, rule, _ in summary.log] == [
        "2026-02-01 06:00", "2026-03-01 06:00", "2026-04-01 06:00", "2026-05-01 06:00", "2026-06-01 06:00",
        "2026-07-01 06:00"]
    assert h.one("card", "stage, counter") == {"stage": "overdue", "counter": 6}
    stages = [row[4] for row in h.journal("kind = 'stage'")]
    assert stages == ["this_month", "overdue"]
    assert [str(r[0])[:10] for r in h.engine.con.execute(
        "SELECT at_time FROM rd_journal WHERE kind = 'stage' ORDER BY seq").fetchall()] == ["2026-04-01", "2026-05-01"]


def test_ticking_to_the_same_time_again_changes_nothing(harness):
    h = harness(MONTHLY)
    h.event("a1", "add", "2026-01-10T10:00:00+03:00", planned_on="2026-04-20")
    h.tick("2026-03-15 00:00")
    before = h.journal()
    again = h.tick("2026-03-15 00:00")
    assert again.fired == {} and h.journal() == before
    assert h.one("card", "counter")["counter"] == 2


def test_ticking_backwards_is_refused(harness):
    h = harness(MONTHLY)
    h.tick("2026-03-15 00:00")
    with pytest.raises(UsageError, match="cannot tick backwards: the clock is at 2026-03-15T00:00:00"):
        h.tick("2026-03-14 00:00")


def test_small_steps_fire_exactly_what_one_big_tick_fires(harness):
    big, small = harness(MONTHLY), harness(MONTHLY)
    for h in (big, small):
        h.event("a1", "add", "2026-01-10T10:00:00+03:00", planned_on="2026-04-20")
    big.tick("2026-06-02 00:00")
    for day in ("2026-02-01 05:59", "2026-02-01 06:00", "2026-03-20 00:00", "2026-06-02 00:00"):
        small.tick(day)
    strip = "item, kind, field, old, new, rule"
    assert big.engine.con.execute(f"SELECT {strip} FROM rd_journal ORDER BY seq").fetchall() == \
        small.engine.con.execute(f"SELECT {strip} FROM rd_journal ORDER BY seq").fetchall()


ORDERING = MONTHLY.replace("rules:\n", """rules:
  nine:
    process: card
    when: {cron: "0 9 * * *"}
    if: "stage = 'later'"
    then: [{set: {note: "concat(coalesce(note, ''), 'A')"}}]
  ten:
    process: card
    when: {cron: "0 10 * * *"}
    then: [{set: {note: "concat(coalesce(note, ''), 'B')"}}]
  eight_thirty:
    process: card
    when: {cron: "30 8 * * *"}
    then: [{set: {note: "concat(coalesce(note, ''), 'C')"}}]
""", 1)


def test_occurrences_interleave_in_time_order_across_rules(harness):
    h = harness(ORDERING)
    h.event("a1", "add", "2026-01-10T07:00:00+03:00", planned_on="2026-04-20")
    h.tick("2026-01-11 23:00")
    assert h.one("card", "note")["note"] == "CABCAB"


DWELL = """
processes:
  case:
    fields: {subject: {type: string}}
    pipelines:
      main:
        stages:
          new: {}
          needs_clarification: {}
          closed: {kind: success}
event_types:
  open: {fields: {subject: {type: string}}}
  ask: {fields: {subject: {type: string, required: true}}}
  answer: {fields: {subject: {type: string, required: true}}}
rules:
  opened:
    when: {event: open}
    then: [{create: {process: case, set: {subject: event.subject}}}]
  asked:
    process: case
    when: {event: ask}
    if: "subject = event.subject"
    then: [{move: needs_clarification}]
  answered:
    process: case
    when: {event: answer}
    if: "subject = event.subject"
    then: [{move: new}]
  auto_close:
    process: case
    when: {dwell: needs_clarification, for: 5d}
    then: [{move: closed}]
"""


def test_dwell_counts_from_entering_the_stage_and_resets_when_leaving(harness):
    h = harness(DWELL)
    h.event("o1", "open", "2026-03-01T10:00:00+03:00", subject="a")
    h.event("o2", "open", "2026-03-01T10:00:00+03:00", subject="b")
    h.event("q1", "ask", "2026-03-02T10:00:00+03:00", subject="a")
    h.event("q2", "ask", "2026-03-02T10:00:00+03:00", subject="b")
    h.event("r1", "answer", "2026-03-05T10:00:00+03:00", subject="a")
    h.event("q3", "ask", "2026-03-06T10:00:00+03:00", subject="a")
    h.tick("2026-03-07 10:00")
    assert [c["stage"] for c in h.items("case", "stage")] == ["needs_clarification", "closed"]
    h.tick("2026-03-11 09:59")
    assert [c["stage"] for c in h.items("case", "stage")] == ["needs_clarification", "closed"]
    h.tick("2026-03-11 10:00")
    assert [c["stage"] for c in h.items("case", "stage")] == ["closed", "closed"]
    assert h.journal("kind = 'stage' AND new = 'closed'")[0][5:] == ("tick", "auto_close", "auto_close")


DATED = """
processes:
  contract:
    fields:
      starts_on: {type: date, required: true}
      ends_on: {type: date, required: true}
      reminded: {type: int, default: 0}
    pipelines: {main: {stages: {waiting: {}, active: {}, ended: {kind: success}}}}
  maintenance:
    fields:
      contract: {type: ref, process: contract, required: true}
      due_on: {type: date, required: true}
    pipelines: {main: {stages: {open: {}}}}
event_types:
  signed:
    fields: {starts_on: {type: date, required: true}, ends_on: {type: date, required: true}}
  moved:
    fields: {starts_on: {type: date, required: true}}
rules:
  sign:
    when: {event: signed}
    then: [{create: {process: contract, set: {starts_on: event.starts_on, ends_on: event.ends_on}}}]
  reschedule:
    process: contract
    when: {event: moved}
    then: [{set: {starts_on: event.starts_on}}]
  remind:
    process: contract
    when: {date: starts_on, offset: -1d}
    then: [{set: {reminded: "reminded + 1"}}]
  start:
    process: contract
    when: {date: starts_on}
    then:
      - move: active
      - create: {process: maintenance, set: {contract: id, due_on: end_of_month(today())}}
  monthly:
    process: contract
    when: {cron: "0 0 1 * *"}
    if: "stage = 'active' and today() <= ends_on"
    then:
      - create: {process: maintenance, set: {contract: id, due_on: end_of_month(today())}}
  finish:
    process: contract
    when: {date: ends_on, offset: 1d}
    then: [{move: ended}]
"""


def test_date_triggers_follow_the_field_and_the_monthly_contract_runs_start_to_end(harness):
    h = harness(DATED)
    h.event("s1", "signed", "2026-01-05T10:00:00+03:00", starts_on="2026-02-10", ends_on="2026-05-20")
    h.event("m1", "moved", "2026-01-06T10:00:00+03:00", starts_on="2026-03-10")
    h.tick("2026-02-28 00:00")
    assert h.one("contract", "stage, reminded") == {"stage": "waiting", "reminded": 0}
    h.tick("2026-08-01 00:00")
    assert h.one("contract", "stage, reminded") == {"stage": "ended", "reminded": 1}
    due = [m["due_on"] for m in h.items("maintenance", "due_on")]
    assert due == [dt.date(2026, 3, 31), dt.date(2026, 4, 30), dt.date(2026, 5, 31)]
    assert h.scalar("SELECT count(*) FROM rd_fired WHERE rule = 'remind'") == 1


MISSED = """
processes:
  log:
    fields: {n: {type: int, default: 0}}
    pipelines: {main: {stages: {open: {}}}}
event_types:
  begin: {fields: {}}
rules:
  begin:
    when: {event: begin}
    then: [{create: {process: log}}]
  daily:
    process: log
    when: {cron: "0 12 * * *", missed: MODE}
    then: [{set: {n: "n + 1"}}]
"""


@pytest.mark.parametrize(("mode", "fired"), [("all", 10), ("last", 1), ("none", 0)])
def test_missed_occurrences_follow_the_declared_policy(harness, mode, fired):
    h = harness(MISSED.replace("MODE", mode))
    h.event("b", "begin", "2026-01-01T13:00:00+03:00")
    h.tick("2026-01-11 13:00")
    assert h.one("log", "n")["n"] == fired
    h.tick("2026-01-12 13:00")
    assert h.one("log", "n")["n"] == fired + 1


DST = MISSED.replace("MODE", "all").replace('"0 12 * * *"', '"30 2 * * *"')


def test_cron_across_dst_in_the_project_zone(harness):
    h = harness(DST, tz="Europe/Berlin")
    h.event("b", "begin", "2026-03-27T12:00:00+01:00")
    summary = h.tick("2026-03-31 00:00")
    assert [m.isoformat() for m, _, _ in summary.log] == [
        "2026-03-28T02:30:00+01:00", "2026-03-29T03:30:00+02:00", "2026-03-30T02:30:00+02:00"]
    autumn = harness(DST, tz="Europe/Berlin")
    autumn.event("b", "begin", "2026-10-24T12:00:00+02:00")
    summary = autumn.tick("2026-10-27 00:00")
    assert [m.isoformat() for m, _, _ in summary.log] == [
        "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]


def test_the_clock_reports_what_is_due_next(harness):
    h = harness(DATED)
    h.event("s1", "signed", "2026-01-05T10:00:00+03:00", starts_on="2026-02-10", ends_on="2026-05-20")
    upcoming = [(m.isoformat(), rule, n) for m, rule, n in h.engine.upcoming(3)]
    assert upcoming == [("2026-02-01T00:00:00+03:00", "monthly", None),
                        ("2026-02-09T00:00:00+03:00", "remind", 1),
                        ("2026-02-10T00:00:00+03:00", "start", 1)]


def test_preview_lists_what_would_fire_and_changes_nothing(harness):
    h = harness(DATED)
    h.event("s1", "signed", "2026-01-05T10:00:00+03:00", starts_on="2026-02-10", ends_on="2026-05-20")
    from ruledeck.engine import parse_datetime

    preview = h.engine.preview(parse_datetime("2026-03-02", "Europe/Moscow"))
    assert [(m.date().isoformat(), rule, n) for m, rule, n in preview.log] == [
        ("2026-02-09", "remind", 1), ("2026-02-10", "start", 1), ("2026-03-01", "monthly", 1)]
    assert h.engine.clock().isoformat() == "2026-01-05T10:00:00+03:00"
    assert h.one("contract", "stage")["stage"] == "waiting"


def test_a_timer_passed_by_a_long_tick_fires_with_its_own_due_time(harness):
    h = harness(DWELL)
    h.event("o1", "open", "2026-03-01T10:00:00+03:00", subject="a")
    h.event("q1", "ask", "2026-03-02T10:00:00+03:00", subject="a")
    h.tick("2026-03-30 00:00")
    closed = h.engine.con.execute(
        "SELECT strftime(at_time, '%Y-%m-%d %H:%M'), cause_id FROM rd_journal WHERE new = 'closed'").fetchall()
    assert closed == [("2026-03-07 10:00", "auto_close")]  # the cause names the timed rule, not the tick
    assert str(h.one("case", "stage_entered_at")["stage_entered_at"])[:16] == "2026-03-07 10:00"


TIMERS = """
processes:
  card:
    fields:
      early: {type: datetime, required: true}
      late: {type: datetime, required: true}
      note: {type: string, default: ""}
    pipelines: {main: {stages: {open: {}}}}
event_types:
  add: {fields: {early: {type: datetime, required: true}, late: {type: datetime, required: true}}}
rules:
  add:
    when: {event: add}
    then: [{create: {process: card, set: {early: event.early, late: event.late}}}]
  at_late:
    process: card
    when: {date: late}
    then: [{set: {note: "concat(note, 'L')"}}]
  at_early:
    process: card
    when: {date: early}
    then: [{set: {note: "concat(note, 'E')"}}]
"""


def test_timers_of_different_rules_fire_in_time_order_whatever_their_declaration_order(harness):
    h = harness(TIMERS)
    h.event("a1", "add", "2026-01-10T08:00:00+03:00", early="2026-01-10T09:00:00+03:00",
            late="2026-01-10T10:00:00+03:00")
    h.event("a2", "add", "2026-01-10T08:00:00+03:00", early="2026-01-12T09:00:00+03:00",
            late="2026-01-11T10:00:00+03:00")
    summary = h.tick("2026-01-20 00:00")
    assert [n["note"] for n in h.items("card", "note")] == ["EL", "LE"]
    assert [(m.isoformat()[:16], rule) for m, rule, _ in summary.log] == [
        ("2026-01-10T09:00", "at_early"), ("2026-01-10T10:00", "at_late"), ("2026-01-12T09:00", "at_early")]
