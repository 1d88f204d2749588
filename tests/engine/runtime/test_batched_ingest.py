"""Batched ingest leaves exactly the state one event at a time leaves: items, ids, journal, events, clock."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruledeck.engine import Engine, RawEvent, load_project
from ruledeck.engine.runtime import ingest as ingest_module
from ruledeck.engine.runtime.batch_plan import why_not_batchable
from ruledeck.engine.runtime.compiled import CompiledProject

DEFS = """
people:
  ann: {name: Ann}
processes:
  order:
    key: ref
    title: "#{{ id }} {{ ref }}"
    fields:
      ref: {type: string, required: true}
      number: {type: string, sequence: "ORD-{n:04}"}
      amount: {type: decimal, scale: 2}
      due_on: {type: date}
      size: {type: int, default: 0}
      lines: {type: int, rollup: {process: line, link: order, count: true}}
      note: {type: text}
      paid_at: {type: datetime}
      ship_on: {type: date}
      rush: {type: bool}
      tags: {type: string, many: true}
      calls: {type: datetime, many: true}
    tasks:
      confirm:
        title: "Confirm {{ ref }}"
        due: 1d
        outcomes: [ok, declined]
    pipelines:
      main:
        stages:
          new: {}
          small: {}
          large: {}
          done: {kind: success}
  line:
    title: "{{ order }}/{{ label }}"
    fields:
      order: {type: ref, process: order, required: true}
      label: {type: string}
      price: {type: decimal, scale: 2}
    pipelines:
      main:
        stages:
          open: {}
          priced: {}
event_types:
  ordered:
    fields:
      ref: {type: string, required: true}
      amount: {type: decimal, scale: 2}
      lines: {type: int}
      route: {type: string}
      note: {type: text}
      paid_at: {type: datetime}
      ship_on: {type: date}
      rush: {type: bool}
      tags: {type: string, many: true}
      calls: {type: datetime, many: true}
  resized:
    fields:
      order: {type: ref, process: order, required: true}
      size: {type: int, required: true}
  repriced:
    fields:
      ref: {type: string, required: true}
      amount: {type: decimal, scale: 2}
      label: {type: string}
rules:
  reprice:
    process: order
    when: {event: repriced}
    if: "ref = event.ref and stage_kind = 'open'"
    then:
      - set: {amount: event.amount, note: "concat(coalesce(note, ''), 'r')"}
      - notify: {to: {person: ann}, text: "{{ ref }} repriced to {{ amount }} ({{ event.id }}, {{ ruledeck.now }})"}
      - complete_tasks: {name: confirm, outcome: ok}
      - task: {name: confirm}
      - update:
          process: line
          where: "order = source.id and price is null"
          then:
            - set: {label: "coalesce(event.label, concat(label, '+'))"}
  confirmed:
    process: order
    when: {task: confirm, outcome: ok}
    then:
      - set: {note: "concat(coalesce(note, ''), 'c')"}
  line_relabelled:
    process: line
    when: {changed: label}
    then:
      - update:
          process: order
          where: "id = source.order"
          then:
            - set: {size: "size + lines"}
  take_order:
    when: {event: ordered}
    then:
      - create:
          process: order
          pipeline_expr: "coalesce(event.route, 'main')"
          set:
            ref: event.ref
            amount: event.amount
            due_on: "add_days(date(event.time), 2)"
            size: "coalesce(event.lines, 1)"
            note: event.note
            paid_at: event.paid_at
            ship_on: event.ship_on
            rush: event.rush
            tags: event.tags
            calls: event.calls
  add_lines:
    process: order
    when: {created: true}
    then:
      - create: {process: line, set: {order: id, label: "'first'", price: "amount / 2"}}
      - create: {process: line, set: {order: id, label: "'second'"}}
  sort_order:
    process: order
    when: {entered: new}
    then:
      - move: "case when amount > 100 then 'large' else 'small' end"
  announce_line:
    process: line
    when: {created: true}
    if: "label = 'second'"
    then:
      - notify: {to: {person: ann}, text: "line {{ label }} at {{ ruledeck.now }}"}
  price_line:
    process: line
    when: {created: true}
    if: "price is not null"
    then:
      - move: priced
  mark_size:
    process: order
    when: {entered: [large]}
    then:
      - set: {size: "size + 10"}
  resize:
    process: order
    when: {event: resized}
    if: "id = event.order"
    then:
      - set: {size: event.size}
  remind:
    process: order
    when: {date: due_on}
    if: "stage_kind = 'open'"
    then:
      - set: {size: "size + 100"}
  stale_small:
    process: order
    when: {dwell: small, for: 2h}
    then:
      - set: {size: "size + 1000"}
  nightly:
    process: order
    when: {cron: "0 3 * * *"}
    if: "stage = 'small'"
    then:
      - move: done
"""

START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))


_PROJECTS: dict[Path, object] = {}


def _engine(tmp_path: Path, name: str, defs: str = DEFS) -> Engine:
    root = tmp_path / name
    if root not in _PROJECTS:
        root.mkdir(parents=True, exist_ok=True)
        (root / "ruledeck.yaml").write_text("ruledeck: 1\nname: t\ntimezone: Europe/Moscow\n", encoding="utf-8")
        (root / "defs.yaml").write_text(defs, encoding="utf-8")
        _PROJECTS[root] = load_project(root)
    return Engine.open(_PROJECTS[root], ":memory:")


def _state(engine: Engine) -> dict[str, list]:
    con = engine.con
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name").fetchall()]
    state = {}
    for table in tables:
        state[table] = sorted(con.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
    state["journal order"] = con.execute(
        "SELECT seq, item, kind, field, new, cause_id, rule FROM rd_journal ORDER BY seq").fetchall()
    return state


def _records(events: list[tuple]) -> list[RawEvent]:
    records = []
    for line, (event_id, kind, minutes, payload) in enumerate(events, 1):
        data = {"id": event_id, "type": kind, "time": (START + dt.timedelta(minutes=minutes)).isoformat(),
                "payload": payload}
        records.append(RawEvent(line, json.dumps(data), data))
    return records


def _summary(summary) -> tuple:
    return (summary.accepted, summary.duplicates, summary.late,
            [(r.event_id, r.line, r.reason) for r in summary.rejected], summary.fired)


_EXTRAS = st.fixed_dictionaries({}, optional={
    "note": st.text(max_size=12),
    "paid_at": st.sampled_from(["2026-03-01T10:00:00+03:00", "2026-03-01T10:00:00.123456+05:45",
                                "2026-03-01T23:59:59Z", "2026-03-01T10:00:00", "1900-01-01T00:00:00+00:00"]),
    "ship_on": st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat),
    "rush": st.booleans(),
    "tags": st.lists(st.text(max_size=5), max_size=3),
    "calls": st.lists(st.sampled_from(["2026-03-02T08:00:00+03:00", "2026-03-02T08:00:00.5Z"]), max_size=2)})
"""Optional fields of every type, so the batch's typed event table is compared with one-at-a-time binding."""


def _event_kinds() -> list:
    """One strategy per kind of event; streams draw runs of one kind, so batches form and overlap."""
    ordered = st.tuples(st.integers(0, 12), st.sampled_from([None, "5.00", "150.50"]), st.sampled_from([None, 2]),
                        _EXTRAS)
    return [
        ordered.map(lambda t: ("ordered", {"ref": f"R{t[0]}", **({"amount": t[1]} if t[1] else {}),
                                            **({"lines": t[2]} if t[2] else {}), **t[3]})),
        st.integers(0, 12).map(lambda n: ("resized", {"order": f"R{n}", "size": n})),
        # updates of existing orders by key, often of the same order within a run: batches cut at overlaps
        st.tuples(st.integers(0, 12), st.sampled_from([None, "7.00", "300.00"]), st.sampled_from([None, "x"])).map(
            lambda t: ("repriced", {"ref": f"R{t[0]}", **({"amount": t[1]} if t[1] else {}),
                                    **({"label": t[2]} if t[2] else {})})),
        st.sampled_from([("ordered", {"amount": "1.00"}),                 # rejected: no ref
                         ("ordered", {"ref": "X", "colour": "red"}),      # rejected: unknown field
                         ("ordered", {"ref": "Y", "route": "nowhere"})]),  # rejected by its create action
    ]


@st.composite
def _streams(draw):
    count = draw(st.integers(1, 40))
    kinds = _event_kinds()
    minutes, events = 0, []
    while len(events) < count:
        kind = kinds[draw(st.integers(0, len(kinds) - 1))]
        for _ in range(draw(st.integers(1, 6))):
            minutes += draw(st.sampled_from([0, 1, 7, 60, 600, 1500, -30]))   # -30: a late event
            event_type, payload = draw(kind)
            event_id = f"e{draw(st.integers(0, count + 5))}"                  # some ids repeat: duplicates
            events.append((event_id, event_type, max(minutes, 0), payload))
    return events, draw(st.integers(2, 9))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_streams())
def test_batched_and_one_at_a_time_leave_identical_state(tmp_path, stream):
    events, batch_size = stream
    one, many = _engine(tmp_path, "one"), _engine(tmp_path, "many")
    try:
        first = one.ingest(_records(events), batch_size=1)
        second = many.ingest(_records(events), batch_size=batch_size)
        assert _summary(second) == _summary(first)
        assert _state(many) == _state(one)
    finally:
        one.close()
        many.close()


def _ordered(count: int, start_minute: int = 0, step: int = 1, small: bool = True) -> list[tuple]:
    return [(f"o{i}", "ordered", start_minute + i * step,
             {"ref": f"R{i}", "amount": "5.00" if small and i % 2 == 0 else "150.00"}) for i in range(count)]


@pytest.fixture
def batch_sizes(monkeypatch) -> list[int]:
    """The size of every batch ingest tries, in order."""
    sizes: list[int] = []
    real = ingest_module.apply_batch

    def counting(engine, batch, check_due, footprint=None):
        sizes.append(len(batch))
        return real(engine, batch, check_due, footprint)

    monkeypatch.setattr(ingest_module, "apply_batch", counting)
    return sizes


def test_a_stream_of_creating_events_goes_in_as_few_batches(tmp_path, batch_sizes):
    calls = batch_sizes
    engine = _engine(tmp_path, "p")
    summary = engine.ingest(_records(_ordered(250, small=False)), batch_size=100)   # nothing falls due
    assert summary.accepted == 250
    assert calls == [100, 100, 50]
    con = engine.con
    assert con.execute("SELECT count(*), min(id), max(id) FROM items_order").fetchone() == (250, 1, 748)
    # ids in event order, as one at a time: order 1, its lines 2 and 3, order 4, …
    assert con.execute("SELECT id, ref, title, number, stage, size FROM items_order ORDER BY id LIMIT 2").fetchall() \
        == [(1, "R0", "#1 R0", "ORD-0001", "large", 11), (4, "R1", "#4 R1", "ORD-0002", "large", 11)]
    assert con.execute('SELECT id, "order", title, stage FROM items_line ORDER BY id LIMIT 2').fetchall() == [
        (2, 1, "1/first", "priced"), (3, 1, "1/second", "open")]
    per_event = con.execute("SELECT cause_id, min(seq), max(seq) FROM rd_journal GROUP BY ALL ORDER BY 2").fetchall()
    assert [p[0] for p in per_event[:3]] == ["o0", "o1", "o2"]
    assert all(a[2] + 1 == b[1] for a, b in zip(per_event, per_event[1:], strict=False))   # one run per event


def test_a_batch_stops_where_a_timer_falls_due_and_the_timer_fires_in_between(tmp_path):
    one, many = _engine(tmp_path, "one"), _engine(tmp_path, "many")
    events = _ordered(30, step=200)          # every 200 minutes for 100 hours: due dates and nightly crons pass
    first = one.ingest(_records(events), batch_size=1)
    second = many.ingest(_records(events), batch_size=50)
    assert _summary(second) == _summary(first)
    assert _state(many) == _state(one)
    fired = many.con.execute("SELECT DISTINCT rule FROM rd_journal WHERE cause = 'tick' ORDER BY rule").fetchall()
    assert fired == [("nightly",), ("remind",), ("stale_small",)]


def test_a_batch_whose_new_items_fall_due_inside_it_is_cut_before_that_moment(tmp_path, monkeypatch):
    conflicts = []
    real = ingest_module.Ingester._check_nothing_due

    def watching(self, start, last, among, lowest):
        try:
            real(self, start, last, among, lowest)
        except Exception as exc:
            conflicts.append(str(exc))
            raise

    monkeypatch.setattr(ingest_module.Ingester, "_check_nothing_due", watching)
    one, many = _engine(tmp_path, "one"), _engine(tmp_path, "many")
    events = _ordered(12, start_minute=60, step=20)   # 09:00 + 1h … 14:40; small orders are stale 2 hours later
    one.ingest(_records(events), batch_size=1)
    many.ingest(_records(events), batch_size=50)
    assert conflicts and conflicts[0].startswith("something the batch created falls due at 2026-03-01T12:00:00")
    assert _state(many) == _state(one)


def test_a_batch_with_a_failing_event_is_halved_until_that_event_is_rejected_alone(tmp_path, batch_sizes):
    sizes = batch_sizes
    one, many = _engine(tmp_path, "one"), _engine(tmp_path, "many")
    events = _ordered(9, small=False)
    events[5] = ("o5", "ordered", 5, {"ref": "R5", "route": "nowhere"})   # passes the checks, fails in create
    first = one.ingest(_records(events), batch_size=1)
    second = many.ingest(_records(events), batch_size=20)
    assert second.accepted == 8
    assert [r.event_id for r in second.rejected] == ["o5"]
    # 9 fail, 4 go in; 5 and 2 fail, o4 alone; 4 and 2 fail, o5 alone (rejected); the last 3 go in
    assert sizes == [9, 4, 5, 2, 4, 2, 3]
    assert _summary(second) == _summary(first)
    assert _state(many) == _state(one)


def test_a_batch_duckdb_refuses_falls_back_to_one_event_at_a_time(tmp_path, monkeypatch, batch_sizes):
    from ruledeck.engine.runtime import batch as batch_module

    real = batch_module._record_events

    def refusing(run, batch):
        if len(batch) > 1:
            raise duckdb.ConversionException("a value the batch could not convert")
        return real(run, batch)

    monkeypatch.setattr(batch_module, "_record_events", refusing)
    one, many = _engine(tmp_path, "one"), _engine(tmp_path, "many")
    events = _ordered(4, small=False)
    first = one.ingest(_records(events), batch_size=1)
    second = many.ingest(_records(events), batch_size=20)
    assert second.accepted == 4 and second.rejected == []
    assert batch_sizes == [4, 2, 3, 2]    # each try halves to one event, applied alone; then the rest again
    assert _summary(second) == _summary(first)
    assert _state(many) == _state(one)


@pytest.mark.parametrize(("project", "event_type", "reason"), [
    ("prosthesis_followup", "prosthesis_issued", None),
    ("prosthesis_followup", "feedback_collected", None),
    ("complaints", "complaint_amended", None),
    ("medical_orders", "deal_updated", None),
    ("service_requests", "email_received", None),
    ("service_requests", "web_form_submitted", "rule 'link_device' has a 'link' action"),
    ("complaints", "complaint_registered", None),
    ("medical_orders", "order_request_received", "rule 'assign_manager' assigns round-robin"),
])
def test_which_shipped_event_types_are_batched(project, event_type, reason):
    root = Path(__file__).resolve().parents[3] / "definitions" / project
    compiled = CompiledProject.build(load_project(root))
    assert why_not_batchable(compiled, event_type) == reason


def test_a_batch_of_20000_prosthesis_issues_keeps_every_journal_entry(tmp_path):
    """Regression: a 20,000-event batch once lost its whole journal (a DuckDB temp-table copy dropped its rows)."""
    root = Path(__file__).resolve().parents[3] / "definitions" / "prosthesis_followup"
    engine = Engine.open(load_project(root), str(tmp_path / "p.duckdb"))
    start = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    records = []
    for i in range(20_000):
        at = start + dt.timedelta(seconds=i // 2)
        payload = {"deal_id": f"SD-{i}", "serial_number": f"SN-{i}", "device_model": "INDY", "side": "left",
                   "user_id": f"U-{i}", "user_name": f"User {i}", "birth_date": "1990-01-01" if i % 5 else "2017-06-01",
                   "phone": "+7 900 0000000", "region": "Москва", "manager": "petrov",
                   "issued_at": (at - dt.timedelta(hours=1)).isoformat()}
        data = {"id": f"issued-{i}", "type": "prosthesis_issued", "time": at.isoformat(), "payload": payload}
        records.append(RawEvent(i + 1, json.dumps(data), data))
    summary = engine.ingest(records, batch_size=20_000)
    assert summary.accepted == 20_000
    con = engine.con
    per_event = con.execute("SELECT count(*), count(DISTINCT cause_id), min(seq), max(seq) FROM rd_journal").fetchone()
    entries = per_event[0]
    assert entries > 20 * 20_000 and per_event[1:] == (20_000, 1, entries)
    assert con.execute("SELECT count(*) FROM items_service").fetchone()[0] == 20_000
    assert con.execute("SELECT count(*) FROM items_feedback").fetchone()[0] == 20_000
    engine.close()


def _repriced(refs: list[int], start_minute: int) -> list[tuple]:
    return [(f"p{i}", "repriced", start_minute + i, {"ref": f"R{n}", "amount": f"{n + i}.00"})
            for i, n in enumerate(refs)]


def test_updates_of_existing_items_go_in_batches_cut_where_an_event_comes_back_to_an_item(tmp_path, batch_sizes):
    one, many = _engine(tmp_path, "one"), _engine(tmp_path, "many")
    events = _ordered(6, small=False) + _repriced([0, 1, 2, 3, 1, 4, 5], start_minute=10)
    try:
        one.ingest(_records(events), batch_size=1)
        batch_sizes.clear()
        summary = many.ingest(_records(events), batch_size=50)
        # the orders in one batch; the updates in one up to the second update of R1, then the rest
        assert batch_sizes == [6, 7, 4, 3]
        assert (summary.accepted, summary.rejected) == (13, [])
        assert _state(many) == _state(one)
        assert many.con.execute("SELECT ref, amount, note FROM items_order WHERE ref = 'R1'").fetchone() \
            == ("R1", Decimal("5.00"), "rrc")   # the second repricing confirmed the first's task
    finally:
        one.close()
        many.close()


def test_updates_that_cascade_through_references_stay_equal_to_one_at_a_time(tmp_path, batch_sizes):
    """Relabelling an order's lines updates the order again (``update`` … ``where: id = source.order``)."""
    one, many = _engine(tmp_path, "one"), _engine(tmp_path, "many")
    events = _ordered(2, small=False) + [
        ("q0", "repriced", 10, {"ref": "R0", "label": "a"}), ("q1", "repriced", 11, {"ref": "R1", "label": "b"}),
        ("q2", "repriced", 12, {"ref": "R0", "label": "c"})]
    try:
        one.ingest(_records(events), batch_size=1)
        batch_sizes.clear()
        many.ingest(_records(events), batch_size=50)
        assert batch_sizes == [2, 3, 2]   # q2 comes back to R0: q0 and q1 go in together, q2 alone
        assert many.con.execute("SELECT ref, size FROM items_order ORDER BY id").fetchall() == [("R0", 15), ("R1", 13)]
        assert _state(many) == _state(one)
        assert many.con.execute('SELECT label FROM items_line WHERE "order" = 1 ORDER BY id').fetchall() \
            == [("first",), ("c",)]
    finally:
        one.close()
        many.close()


ANNOUNCED = """
people:
  ann: {name: Ann}
processes:
  ticket:
    title: "T-{{ id }} {{ subject }}"
    fields:
      subject: {type: string}
    pipelines:
      main:
        stages:
          new: {}
event_types:
  opened:
    fields:
      subject: {type: string}
rules:
  open_ticket:
    when: {event: opened}
    then:
      - create: {process: ticket, set: {subject: event.subject}}
      - notify: {to: {person: ann}, text: "someone opened {{ event.subject }}"}
  announce:
    process: ticket
    when: {created: true}
    then:
      - notify: {to: {person: ann}, text: "{{ title }} is new"}
"""


def test_messages_in_a_batch_are_numbered_in_event_order_and_name_final_ids(tmp_path, batch_sizes):
    one, many = _engine(tmp_path, "one", ANNOUNCED), _engine(tmp_path, "many", ANNOUNCED)
    events = [(f"t{i}", "opened", i, {"subject": f"s{i}"}) for i in range(5)]
    try:
        one.ingest(_records(events), batch_size=1)
        batch_sizes.clear()
        many.ingest(_records(events), batch_size=50)
        # a message reading a new item's id cannot be written before the ids are final: one at a time
        assert batch_sizes == [5]
        assert _state(many) == _state(one)
        assert many.con.execute("SELECT id, item, text FROM rd_outbox ORDER BY id LIMIT 3").fetchall() == [
            (1, 1, "T-1 s0 is new"), (2, None, "someone opened s0"), (3, 2, "T-2 s1 is new")]
    finally:
        one.close()
        many.close()


YEARLY = """
processes:
  claim:
    key: ref
    fields:
      ref: {type: string, required: true}
      number: {type: string, sequence: "CL-{year}-{n:03}"}
    pipelines:
      main:
        stages:
          new: {}
event_types:
  claimed:
    fields:
      ref: {type: string, required: true}
rules:
  register:
    when: {event: claimed}
    then:
      - create: {process: claim, set: {ref: event.ref}}
"""


def test_numbers_per_year_in_a_batch_follow_each_events_year(tmp_path, batch_sizes):
    one, many = _engine(tmp_path, "one", YEARLY), _engine(tmp_path, "many", YEARLY)
    new_year = dt.datetime(2027, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    records = []
    for line in range(1, 6):   # two minutes apart, the last two in the new year
        time = new_year + dt.timedelta(minutes=2 * line - 7)
        data = {"id": f"c{line}", "type": "claimed", "time": time.isoformat(), "payload": {"ref": f"R{line}"}}
        records.append(RawEvent(line, json.dumps(data), data))
    try:
        one.ingest(records, batch_size=1)
        batch_sizes.clear()
        many.ingest(records, batch_size=50)
        assert batch_sizes == [5]
        assert _state(many) == _state(one)
        assert many.con.execute("SELECT ref, number FROM items_claim ORDER BY id").fetchall() == [
            ("R1", "CL-2026-001"), ("R2", "CL-2026-002"), ("R3", "CL-2026-003"), ("R4", "CL-2027-001"),
            ("R5", "CL-2027-002")]
    finally:
        one.close()
        many.close()


def test_the_pinned_rule_of_docs_ingest_md_is_the_shipped_one_and_is_pinned():
    """docs/ingest.md shows prosthesis_followup's feedback_collected as the example of a rule that pins its card."""
    from ruledeck.engine.runtime.batch_plan import event_pins, mutable_fields

    root = Path(__file__).resolve().parents[3]
    project = load_project(root / "definitions" / "prosthesis_followup")
    rule = project.rules["feedback_collected"]
    assert f'if: "{rule.condition}"' in (root / "docs" / "ingest.md").read_text(encoding="utf-8")
    assert event_pins(project, rule, mutable_fields(project)) == (("serial_number", "serial_number"),
                                                                  ("period_no", "period_no"))
