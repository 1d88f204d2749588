"""SIGKILL at random points during ingest and tick: re-running gives the uninterrupted state."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from .crash_harness import crash_until_done, dump, run, timed

REPO = Path(__file__).parents[2]
SCENARIO = "complaints"
PROCESSES = ["complaint", "remediation_step"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reference")
    shutil.copytree(REPO / "definitions" / SCENARIO, folder / "project")
    events = str(REPO / "samples" / SCENARIO / "events.jsonl")
    ingest = ["ingest", events, "-p", "project", "--db", "state.duckdb"]
    duration = timed(ingest, folder)
    tick = ["tick", "--to", "2026-09-01", "-p", "project", "--db", "state.duckdb"]
    run(tick, folder)
    return {"ingest": ingest, "tick": tick, "duration": duration,
            "state": dump(folder / "state.duckdb", PROCESSES, folder / "project" / "documents")}


@pytest.mark.parametrize("seed", range(5))
def test_killed_ingest_and_tick_end_in_the_uninterrupted_state(reference, tmp_path, seed):
    rng = random.Random(seed)
    shutil.copytree(REPO / "definitions" / SCENARIO, tmp_path / "project")
    hits = crash_until_done(reference["ingest"], tmp_path, rng, reference["duration"] * 1.2, kills=8)
    hits += crash_until_done(reference["tick"], tmp_path, rng, 1.5, kills=2)
    state = dump(tmp_path / "state.duckdb", PROCESSES, tmp_path / "project" / "documents")
    assert reference["state"]["files"], "the scenario must write documents for this test to check them"
    for key, expected in reference["state"].items():
        assert state[key] == expected, f"{key} differs after {hits} kills (seed {seed})"
    assert hits >= 5, "too few kills landed while the command ran: the harness measured nothing"
