"""Random lists of records (tests/fixtures/actions_project): accepted with one step item per element, in order,
or rejected with a reason – never a traceback, never half an event."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruledeck.engine import Engine, RawEvent, load_project

PROJECT = Path(__file__).parents[1] / "fixtures" / "actions_project"
SCALAR = st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.sampled_from(
    ["anna", "boris", "2026-12-01", "2026-02-30", "'; DROP TABLE items_step; --", "{{ 7*7 }}", "\x00"])
GOOD = st.fixed_dictionaries({"title": st.text(min_size=1, max_size=12).filter(str.strip)},
                             optional={"executor": st.sampled_from(["anna", "boris"]),
                                       "deadline": st.sampled_from(["2026-12-01", "2026-12-20"])})
ELEMENT = GOOD | st.dictionaries(st.sampled_from(["title", "executor", "deadline", "titel"]), SCALAR, max_size=4)
STEPS = st.lists(GOOD, min_size=1, max_size=4) | st.lists(ELEMENT | SCALAR, max_size=4) | SCALAR
NUMBERS = itertools.count(1)


@pytest.fixture(scope="module")
def engine():
    engine = Engine.open(load_project(PROJECT), ":memory:")
    yield engine
    engine.close()


def _steps(engine: Engine) -> list[tuple]:
    return engine.con.execute("SELECT name, executor, CAST(deadline AS VARCHAR) FROM items_step ORDER BY id").fetchall()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_a_list_of_records_goes_in_whole_or_is_rejected_with_a_reason(engine, steps):
    n = next(NUMBERS)
    event = {"id": f"f{n}", "type": "plan_submitted", "time": "2026-12-02T10:00:00+03:00",
             "payload": {"number": f"F-{n}", "steps": steps}}
    before = _steps(engine)
    summary = engine.ingest([RawEvent(1, json.dumps(event), event)])
    after = _steps(engine)
    if summary.rejected:
        assert after == before
        reason = summary.rejected[0].reason
        assert reason and "Traceback" not in reason and "internal error" not in reason, reason
    else:
        assert summary.accepted == 1
        assert after[len(before):] == [(s["title"], s.get("executor"), s.get("deadline")) for s in steps]
