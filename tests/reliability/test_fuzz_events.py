"""Random and mutated events: always accepted or rejected with a reason; a rejected one changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruledeck.engine import Engine, RawEvent, load_project, read_jsonl

REPO = Path(__file__).parents[2]
SCENARIO = "service_requests"
SAMPLES = [json.loads(line) for line in (REPO / "samples" / SCENARIO / "events.jsonl").read_text().splitlines()
           if line.strip()]
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                 max_size=3), max_leaves=6)
HOSTILE = st.sampled_from(["'; DROP TABLE items_request; --", "x' OR '1'='1", "{{ 7*7 }}", "\x00", "🤖" * 50,
                           "2026-13-45", "-1", "1e309", "NaN", "", "role:dispatcher", "../../etc/passwd"])


@pytest.fixture(scope="module")
def engine():
    project = load_project(REPO / "definitions" / SCENARIO)
    engine = Engine.open(project, ":memory:")
    with open(REPO / "samples" / SCENARIO / "events.jsonl") as f:
        engine.ingest(read_jsonl(f))
    yield engine
    engine.close()


def digest(engine: Engine) -> list:
    tables = [f"items_{p}" for p in engine.project.processes]
    tables += ["rd_tasks", "rd_documents", "rd_outbox", "rd_journal", "rd_events", "rd_clock", "rd_counters"]
    return [engine.con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables]


@st.composite
def mutated_event(draw):
    event = json.loads(json.dumps(draw(st.sampled_from(SAMPLES))))
    event["id"] = f"fuzz-{draw(st.integers(0, 10**9))}"
    event["time"] = draw(st.sampled_from([event["time"], "2026-01-01T00:00:00+03:00", "not a time", 5]))
    payload = event.setdefault("payload", {})
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["set", "drop", "add", "type", "top"]))
        keys = sorted(payload) if isinstance(payload, dict) else []
        if action == "set" and keys:
            payload[draw(st.sampled_from(keys))] = draw(st.one_of(JSON, HOSTILE))
        elif action == "drop" and keys:
            payload.pop(draw(st.sampled_from(keys)))
        elif action == "add" and isinstance(payload, dict):
            payload[draw(st.text(min_size=1, max_size=8))] = draw(JSON)
        elif action == "type":
            event["type"] = draw(st.sampled_from(["task_done", "nope", event["type"], ""]))
        elif action == "top":
            event[draw(st.sampled_from(["payload", "id", "extra"]))] = draw(JSON)
    return event


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(mutated_event(), JSON))
def test_every_event_is_accepted_or_rejected_with_a_reason(engine, data):
    text = json.dumps(data)
    before = digest(engine)
    summary = engine.ingest([RawEvent(1, text, data)])
    assert summary.accepted + summary.duplicates + len(summary.rejected) == 1
    if summary.rejected:
        assert summary.rejected[0].reason
        assert "Traceback" not in summary.rejected[0].reason
        assert digest(engine) == before, f"rejected event changed state: {summary.rejected[0].reason}"


def test_payload_values_never_become_sql(engine):
    hostile = "x'); DROP TABLE items_request; --"
    data = {"id": "sql-1", "type": "web_form_submitted", "time": "2026-01-01T00:00:00+03:00",
            "payload": {"client": hostile, "contact_name": hostile, "problem": hostile}}
    summary = engine.ingest([RawEvent(1, json.dumps(data), data)])
    assert summary.accepted == 1
    row = engine.con.execute("SELECT count(*), max(problem) FROM items_request WHERE client = ?",
                             [hostile]).fetchone()
    assert row == (1, hostile)
