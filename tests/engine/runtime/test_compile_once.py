"""Compile once: the SQL of a project's rules is built once, then only executed, however many events come."""

from __future__ import annotations

import sqlglot.generator
from ruledeck.engine.runtime import frame

DEFS = """
processes:
  ticket:
    key: ref
    title: "{{ ref }} ({{ size }})"
    fields:
      ref: {type: string, required: true}
      size: {type: int, default: 0}
      big: {type: bool, compute: "size > 10"}
      checked: {type: int, default: 0}
    pipelines:
      main:
        stages:
          new: {}
          large: {}
          done: {kind: success}
event_types:
  opened:
    fields:
      ref: {type: string, required: true}
  grown:
    fields:
      ref: {type: string, required: true}
      size: {type: int, required: true}
rules:
  open_ticket:
    when: {event: opened}
    then:
      - create: {process: ticket, set: {ref: event.ref}}
  grow:
    process: ticket
    when: {event: grown}
    if: "ref = event.ref"
    then:
      - set: {size: event.size}
  large_tickets:
    process: ticket
    when: {changed: size}
    if: "big and stage = 'new'"
    then:
      - move: large
  nightly_check:
    process: ticket
    when: {cron: "0 3 * * *"}
    then:
      - set: {checked: checked + 1}
"""


class Counter:
    """Counts calls of the expression compiler and of sqlglot's SQL generator."""

    def __init__(self, monkeypatch):
        self.compiled = self.rendered = 0
        to_sql, generate = frame.to_sql, sqlglot.generator.Generator.generate

        def counting_to_sql(*args, **kwargs):
            self.compiled += 1
            return to_sql(*args, **kwargs)

        def counting_generate(generator, *args, **kwargs):
            self.rendered += 1
            return generate(generator, *args, **kwargs)

        monkeypatch.setattr(frame, "to_sql", counting_to_sql)
        monkeypatch.setattr(sqlglot.generator.Generator, "generate", counting_generate)

    @property
    def calls(self) -> tuple[int, int]:
        return self.compiled, self.rendered


def _day(h, first: int, count: int) -> None:
    events = []
    for n in range(first, first + count):
        day = 1 + n // 4
        events.append((f"o{n}", "opened", f"2026-03-{day:02d}T10:{n % 4:02d}:00+03:00", {"ref": f"T-{n}"}))
        events.append((f"g{n}", "grown", f"2026-03-{day:02d}T11:{n % 4:02d}:00+03:00",
                       {"ref": f"T-{n}", "size": 5 + n}))
    summary = h.events(*events)
    assert summary.rejected == []


def test_compiler_calls_do_not_grow_with_the_number_of_events(harness, monkeypatch):
    h = harness(DEFS)
    counter = Counter(monkeypatch)
    _day(h, 0, 8)
    warm = counter.calls
    assert warm[0] > 0
    _day(h, 8, 60)
    assert counter.calls == warm
    # the events did their work: every grown ticket above 10 moved, the nightly check ran every night
    assert h.scalar("SELECT count(*) FROM items_ticket") == 68
    assert h.scalar("SELECT count(*) FROM items_ticket WHERE stage = 'large'") == 68 - 6
    assert h.scalar("SELECT max(checked) FROM items_ticket") == 16


def test_two_projects_with_the_same_names_keep_their_own_sql(harness):
    first = harness(DEFS)
    second = harness(DEFS.replace('compute: "size > 10"', 'compute: "size > 100"'))
    for h in (first, second):
        h.events(("o1", "opened", "2026-03-01T10:00:00+03:00", {"ref": "T-1"}),
                 ("g1", "grown", "2026-03-01T11:00:00+03:00", {"ref": "T-1", "size": 50}))
    assert first.scalar("SELECT stage FROM items_ticket") == "large"
    assert second.scalar("SELECT stage FROM items_ticket") == "new"
