"""The ingest summary says which accepted events fired no rule, one at a time and in batches."""

from __future__ import annotations

import json

import pytest

from ..conftest import write_project_files

DEFS = """
processes:
  ticket:
    key: ref
    fields:
      ref: {type: string, required: true}
    pipelines:
      main:
        stages:
          new: {}
event_types:
  opened:
    fields:
      ref: {type: string, required: true}
      spam: {type: bool, default: false}
rules:
  open_ticket:
    when: {event: opened}
    if: "not event.spam"
    then:
      - create: {process: ticket, set: {ref: event.ref}}
"""


def _files(tmp_path) -> tuple[str, str]:
    root = write_project_files(tmp_path / "p", {"ruledeck.yaml": "ruledeck: 1\nname: idle\ntimezone: UTC\n",
                                                "defs.yaml": DEFS})
    events = tmp_path / "events.jsonl"
    events.write_text("".join(
        json.dumps({"id": f"e{n}", "type": "opened", "time": f"2026-03-01T10:0{n}:00+00:00",
                    "payload": {"ref": f"T-{n}", "spam": n in (2, 4)}}) + "\n" for n in range(1, 6)), encoding="utf-8")
    return str(root), str(events)


@pytest.mark.parametrize("batch", ["1", "20000"])
def test_events_whose_rules_did_nothing_are_counted_and_listed(cli, tmp_path, batch):
    project, events = _files(tmp_path)
    db = str(tmp_path / "p.duckdb")
    text = cli("ingest", events, "-p", project, "--db", db, "--batch-size", batch, "--dry-run")
    assert (text.exit_code, text.output.splitlines()[-1]) == (
        0, "5 accepted (2 without effect), 0 duplicate, 0 rejected (would be applied)")
    result = cli("ingest", events, "-p", project, "--db", db, "--batch-size", batch, "--format", "json")
    summary = json.loads(result.output)
    assert (result.exit_code, summary["accepted"], summary["without_effect"]) == (0, 5, ["e2", "e4"])
