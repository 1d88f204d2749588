"""The five shipped set-ups: random streams batched and one at a time leave identical state, and verify passes.

A stream is a set-up's sample events, shuffled a little, with events cloned
into runs of one type (same keys: updates of the same card inside a batch),
duplicates, late events, events that are refused and task completions of
random tasks, so batches form, are cut where events overlap and fall back to
one at a time where they must.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruledeck.engine import Engine, RawEvent, load_project

REPO = Path(__file__).resolve().parents[2]
SETUPS = ("bpm_patterns", "complaints", "medical_orders", "prosthesis_followup", "service_requests")
EXAMPLES = int(os.environ.get("BATCHED_SETUP_EXAMPLES", "4"))
OUTCOMES = ("done", "approved", "rejected", "failed", "ok", "accepted", "nope")
_PROJECTS: dict[Path, object] = {}


def _samples(setup: str) -> list[dict]:
    lines = (REPO / "samples" / setup / "events.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _engine(tmp_path: Path, setup: str, name: str) -> Engine:
    root = tmp_path / name / setup
    if root not in _PROJECTS:
        shutil.copytree(REPO / "definitions" / setup, root, dirs_exist_ok=True)
        _PROJECTS[root] = load_project(root)
    return Engine.open(_PROJECTS[root], ":memory:")


def _shifted(event: dict, minutes: int) -> str:
    return (dt.datetime.fromisoformat(event["time"]) + dt.timedelta(minutes=minutes)).isoformat()


@st.composite
def _streams(draw, setup: str) -> list[dict]:
    samples = _samples(setup)
    stream: list[dict] = []
    for index, event in enumerate(samples):
        action = draw(st.sampled_from(["keep", "keep", "keep", "run", "duplicate", "late", "drop", "task"]))
        if action == "drop":
            continue
        if action == "late" and stream:
            stream.append({**event, "id": f"{event['id']}~late", "time": _shifted(stream[-1], -90)})
        stream.append(event)
        if action == "run":   # clones with the same keys, a minute apart: one batch, cut where they overlap
            stream += [{**event, "id": f"{event['id']}~{k}", "time": _shifted(event, k)}
                       for k in range(1, draw(st.integers(1, 4)) + 1)]
        elif action == "duplicate":
            stream.append(dict(event))
        elif action == "task":
            stream.append({"id": f"task-{index}", "type": "task_done", "time": _shifted(event, 5),
                           "payload": {"task": draw(st.integers(1, 8)), "outcome": draw(st.sampled_from(OUTCOMES))}})
    return stream


def _records(stream: list[dict]) -> list[RawEvent]:
    return [RawEvent(line, json.dumps(data, ensure_ascii=False), data) for line, data in enumerate(stream, 1)]


def _state(engine: Engine) -> dict[str, list]:
    con = engine.con
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name").fetchall()]
    state = {table: sorted(con.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr) for table in tables}
    state["journal order"] = con.execute(
        "SELECT seq, item, kind, field, old, new, cause_id, rule FROM rd_journal ORDER BY seq").fetchall()
    return state


def _summary(summary) -> tuple:
    return (summary.accepted, summary.duplicates, summary.late,
            [(r.event_id, r.line, r.reason) for r in summary.rejected], summary.fired, summary.without_effect)


@pytest.mark.parametrize("setup", SETUPS)
def test_batched_and_one_at_a_time_leave_identical_state_in_every_shipped_setup(tmp_path, setup):
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_streams(setup), st.integers(2, 50))
    def check(stream, batch_size):
        one, many = _engine(tmp_path, setup, "one"), _engine(tmp_path, setup, "many")
        try:
            first = one.ingest(_records(stream), batch_size=1)
            second = many.ingest(_records(stream), batch_size=batch_size)
            assert _summary(second) == _summary(first)
            assert _state(many) == _state(one)
            assert many.verify().differences == []
        finally:
            one.close()
            many.close()

    check()
