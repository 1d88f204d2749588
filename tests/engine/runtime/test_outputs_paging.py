"""notify, document and titles over more items than one page: same rows, ids and order as in one page."""

from __future__ import annotations

import pytest
from ruledeck.engine.runtime import titles

PAGED = """
people:
  anna: {}
  boris: {}
processes:
  card:
    title: "{{ name }} #{{ score }}"
    fields:
      name: {type: string, required: true}
      who: {type: person}
      score: {type: int}
    pipelines: {main: {stages: {open: {}}}}
templates:
  letter:
    process: card
    filename: "letter-{{ name }}.md"
    body: "Dear {{ name }}, score = {{ score }}"
event_types:
  add:
    fields: {name: {type: string, required: true}, who: {type: string}}
  bulk:
    fields: {score: {type: int, required: true}}
rules:
  add:
    when: {event: add}
    then:
      - create: {process: card, set: {name: event.name, who: event.who}}
  bulk:
    when: {event: bulk}
    then:
      - update:
          process: card
          where: "stage = 'open'"
          then:
            - set: {score: event.score}
            - run: announce
  announce:
    process: card
    when: {called: true}
    then:
      - notify: {to: {field: who}, text: "Hi {{ name }}: {{ score }}"}
      - document: {template: letter}
"""

NAMES = ["c1", "c2", "c3", "c4", "c5"]


@pytest.mark.parametrize("page", [2, 10_000])
def test_bulk_outputs_and_titles_are_the_same_in_pages(harness, monkeypatch, page):
    monkeypatch.setattr(titles, "CHUNK", page)
    h = harness(PAGED)
    h.events(*[(f"a{i}", "add", f"2026-01-1{i}T10:00:00+03:00", {"name": name, "who": ["anna", "boris"][i % 2]})
               for i, name in enumerate(NAMES)])
    h.event("b1", "bulk", "2026-01-20T10:00:00+03:00", score=7)
    h.event("b2", "bulk", "2026-01-21T10:00:00+03:00", score=8)
    outbox = h.engine.con.execute("SELECT id, item, recipient, text, rule FROM rd_outbox ORDER BY id").fetchall()
    assert outbox == [(k + 1, i + 1, ["anna", "boris"][i % 2], f"Hi {NAMES[i]}: {n}", "announce")
                      for k, (n, i) in enumerate((n, i) for n in (7, 8) for i in range(5))]
    docs = h.engine.con.execute("SELECT id, item, template, filename, body FROM rd_documents ORDER BY id").fetchall()
    assert docs == [(k + 1, i + 1, "letter", f"letter-{NAMES[i]}.md", f"Dear {NAMES[i]}, score = {n}")
                    for k, (n, i) in enumerate((n, i) for n in (7, 8) for i in range(5))]
    journal = h.journal("kind = 'document'")
    assert [(item, new, cause_id) for item, _, _, _, new, _, cause_id, _ in journal] == [
        (i + 1, f"letter-{NAMES[i]}.md", f"b{b}") for b in (1, 2) for i in range(5)]
    assert [c["title"] for c in h.items("card", "title")] == [f"{name} #8" for name in NAMES]
    assert h.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'rd_%pages'") == 0
