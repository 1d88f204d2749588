"""The project's late-event policy through the command line: applied at the clock, or refused."""

from __future__ import annotations

import json
import os

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
rules:
  open_ticket:
    when: {event: opened}
    then:
      - create: {process: ticket, set: {ref: event.ref}}
"""


def _project(tmp_path, settings: str):
    root = write_project_files(tmp_path / "p", {
        "ruledeck.yaml": f"ruledeck: 1\nname: late\ntimezone: Europe/Moscow\n{settings}",
        "defs.yaml": DEFS})
    return str(root)


def _events(tmp_path, *rows: tuple[str, str]) -> str:
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps({"id": i, "type": "opened", "time": t, "payload": {"ref": i}}) + "\n"
                            for i, t in rows), encoding="utf-8")
    return str(path)


ROWS = (("e1", "2026-03-01T10:00:00+03:00"), ("e2", "2026-03-01T09:50:00+03:00"),
        ("e3", "2026-03-01T09:00:00+03:00"), ("e4", "2026-03-01T11:00:00+03:00"))


@pytest.mark.parametrize("batch", ["1", "20000"])
def test_reject_refuses_events_behind_the_clock_beyond_the_grace(cli, tmp_path, batch):
    project = _project(tmp_path, "late_events: reject\nlate_events_grace: 15min\n")
    db = str(tmp_path / "p.duckdb")
    result = cli("ingest", _events(tmp_path, *ROWS), "-p", project, "--db", db, "--batch-size", batch)
    assert result.exit_code == 1
    assert ("rejected e3 (line 3): the event's time 2026-03-01T09:00:00+03:00 is before the clock "
            "2026-03-01T10:00:00+03:00 (more than the late_events_grace of 15min), and the project rejects "
            "late events (late_events: reject)") in result.output
    assert result.output.endswith("3 accepted, 0 duplicate, 1 rejected, 1 late\n")
    items = cli("items", "ticket", "-p", project, "--db", db, "--fields", "ref", "--format", "json")
    assert [row["ref"] for row in json.loads(items.output)] == ["e1", "e2", "e4"]


def test_without_a_grace_every_late_event_is_refused_and_the_default_applies_them(cli, tmp_path):
    strict = _project(tmp_path / "strict", "late_events: reject\n")
    result = cli("ingest", _events(tmp_path, *ROWS[:2]), "-p", strict, "--db", str(tmp_path / "s.duckdb"))
    assert result.exit_code == 1
    assert ("rejected e2 (line 2): the event's time 2026-03-01T09:50:00+03:00 is before the clock "
            "2026-03-01T10:00:00+03:00, and the project rejects late events (late_events: reject)") in result.output
    default = _project(tmp_path / "default", "")
    result = cli("ingest", _events(tmp_path, *ROWS), "-p", default, "--db", str(tmp_path / "d.duckdb"))
    assert (result.exit_code, result.output) == (0, "4 accepted, 0 duplicate, 0 rejected, 2 late\n")


def test_a_bad_policy_or_grace_is_a_positioned_validation_error(cli, tmp_path):
    project = _project(tmp_path, "late_events: drop\nlate_events_grace: soon\n")
    result = cli("validate", project)
    assert result.exit_code == 1
    assert "ruledeck.yaml:4:14: error" in result.output and "'drop'" in result.output
    assert "ruledeck.yaml:5:20: error E-DURATION" in result.output


def test_an_unexpected_error_is_a_message_and_with_debug_its_traceback(cli, tmp_path, monkeypatch):
    from ruledeck.engine.runtime.engine import Engine

    def broken(self):
        raise ValueError("the clock row is unreadable")

    monkeypatch.setattr(Engine, "clock", broken)
    monkeypatch.delenv("RULEDECK_DEBUG", raising=False)
    project = _project(tmp_path, "")
    result = cli("clock", "-p", project, "--db", ":memory:")
    assert (result.exit_code, result.output) == (1, "Error: internal error (ValueError): the clock row is "
                                                    "unreadable; run 'ruledeck --debug …' for the traceback\n")
    try:
        with pytest.raises(ValueError, match="unreadable"):
            cli("--debug", "clock", "-p", project, "--db", ":memory:")
    finally:
        os.environ.pop("RULEDECK_DEBUG", None)
