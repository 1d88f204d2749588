"""Engine bugs found while writing the shipped specs (issue #6), each pinned by a small project."""

from __future__ import annotations

from decimal import Decimal

from ruledeck.engine.scenarios.query import read_items

ORDERS = """
processes:
  order:
    title: "{{ number }}: {{ total }} / {{ average }} · {{ note }}"
    fields:
      number: {type: string}
      note: {type: string}
      net: {type: decimal}
      total: {type: decimal, compute: "net + round(net * 20 / 100, 2)"}
      third: {type: decimal, compute: "net / 3"}
      average: {type: decimal, rollup: {process: line, link: order, avg: price}}
    pipelines: {main: {stages: {open: {}}}}
  line:
    fields:
      order: {type: ref, process: order, required: true}
      price: {type: decimal}
    pipelines: {main: {stages: {open: {}}}}
event_types:
  placed: {fields: {number: {type: string}, net: {type: decimal}}}
  priced: {fields: {order: {type: ref, process: order}, price: {type: decimal}}}
rules:
  place:
    when: {event: placed}
    then: [{create: {process: order, set: {number: event.number, net: event.net}}}]
  price:
    when: {event: priced}
    then: [{create: {process: line, set: {order: event.order, price: event.price}}}]
  retitle:
    process: order
    when: {event: priced}
    if: "id = event.order"
    then: [{set: {note: event.id}}]
"""


def test_computed_and_rollup_decimals_keep_their_declared_type(harness):
    h = harness(ORDERS)
    h.events(("o1", "placed", "2026-01-01T10:00:00+03:00", {"number": "A-1", "net": 100}),
             ("p1", "priced", "2026-01-01T10:01:00+03:00", {"order": 1, "price": 10}),
             ("p2", "priced", "2026-01-01T10:02:00+03:00", {"order": 1, "price": 10}),
             ("p3", "priced", "2026-01-01T10:03:00+03:00", {"order": 1, "price": 11}))
    (row,) = read_items(h.engine, h.project.processes["order"], ["total", "third", "average", "title"])
    assert (row["total"], row["third"], row["average"]) == (Decimal("120.00"), Decimal("33.33"), Decimal("10.33"))
    # Division and avg give DOUBLE in SQL: before the fix the title read "120.0 / 10.333333333333334".
    assert row["title"] == "A-1: 120.00 / 10.33 · p3"


def test_an_empty_field_renders_as_nothing_not_none(harness):
    h = harness(ORDERS)
    h.event("o1", "placed", "2026-01-01T10:00:00+03:00", number="A-1")
    assert h.one("order", "title")["title"] == "A-1:  /  · "
