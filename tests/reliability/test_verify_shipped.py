"""`verify` passes on every shipped set-up after its sample run and a tick."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruledeck.engine import Engine, load_project, parse_datetime, read_jsonl

REPO = Path(__file__).parents[2]
SCENARIOS = sorted(p.name for p in (REPO / "definitions").iterdir() if (p / "ruledeck.yaml").exists())


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_replaying_the_sample_run_gives_the_same_database(scenario, tmp_path):
    project = load_project(REPO / "definitions" / scenario)
    engine = Engine.open(project, str(tmp_path / "state.duckdb"))
    with open(REPO / "samples" / scenario / "events.jsonl") as events:
        summary = engine.ingest(read_jsonl(events))
    assert summary.accepted > 10 and not summary.rejected
    engine.tick(parse_datetime("2027-01-01", project.timezone))
    result = engine.verify()
    engine.close()
    assert result.differences == [], result.differences
    assert result.events == summary.accepted
