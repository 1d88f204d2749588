"""A small project (a ticket process) to write specs against."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_project_files

PROJECT = """\
ruledeck: 1
name: tickets
timezone: Europe/Moscow
"""

DEFINITIONS = """\
processes:
  ticket:
    title: "{{ number }} · {{ subject }}"
    key: number
    fields:
      number: {type: string, sequence: "T-{n:03}"}
      subject: {type: string, required: true}
      amount: {type: decimal}
      tags: {type: string, many: true}
      due_on: {type: date}
      owner: {type: person}
      double: {type: decimal, compute: "amount * 2"}
    pipelines:
      main:
        stages:
          new: {}
          waiting: {}
          done: {kind: success}
    tasks:
      handle:
        title: "Handle {{ number }}"
        assignee: {role: support}
        due: 1d
        outcomes: [solved, wait]
roles:
  support: {}
people:
  anna: {roles: [support]}
event_types:
  opened:
    fields:
      subject: {type: string, required: true}
      amount: {type: decimal}
      tags: {type: string, many: true}
rules:
  open_ticket:
    when: {event: opened}
    then:
      - create: {process: ticket, set: {subject: event.subject, amount: event.amount, tags: event.tags}}
  new_ticket:
    process: ticket
    when: {created: true}
    then:
      - task: handle
      - notify: {to: {person: anna}, text: "New {{ title }}"}
  solved:
    process: ticket
    when: {task: handle, outcome: solved}
    then:
      - move: done
      - document: {template: receipt}
  waiting:
    process: ticket
    when: {task: handle, outcome: wait}
    then:
      - move: waiting
  reminder:
    process: ticket
    when: {dwell: waiting, for: 2d}
    then:
      - notify: {to: {role: support}, text: "{{ number }} waits"}
templates:
  receipt:
    process: ticket
    filename: "receipt-{{ number }}.md"
    body: "Ticket {{ number }} solved: {{ subject }}"
boards:
  open_tickets:
    process: ticket
    where: "stage <> 'done'"
"""

EVENTS = """\
{"id": "e1", "type": "opened", "time": "2026-03-02T10:00:00+03:00", "payload": {"subject": "Printer", "amount": 10.5}}
{"id": "e2", "type": "opened", "time": "2026-03-02T11:00:00+03:00", "payload": {"subject": "Mail", "tags": ["a", "b"]}}
{"id": "e3", "type": "opened", "time": "2026-03-03T09:00:00+03:00", "payload": {"subject": "VPN"}}
"""


@pytest.fixture
def spec_project(tmp_path, monkeypatch):
    """Write the ticket project with the given specs (``{file name: text}``); returns its root."""
    monkeypatch.chdir(tmp_path)

    def make(specs: dict[str, str]) -> Path:
        files = {"ruledeck.yaml": PROJECT, "defs.yaml": DEFINITIONS, "samples/events.jsonl": EVENTS}
        files.update({f"tests/{name}": text for name, text in specs.items()})
        return write_project_files(Path("project"), files)

    return make
