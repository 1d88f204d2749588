"""The benchmark suite runs end to end at a tiny size (a smoke test: no timing is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORKLOAD_ROWS = [
    "monthly re-staging tick, 300 cards",
    "incident hold + resume, 100 cards",
    "incident hold + resume, 300 cards",
    "prosthesis_issued, empty db",
    "prosthesis_issued, 300-card db",
    "applied events (duplicates)",
    "tick 24 months",
    "board feedback_calls, 300 cards",
    "validate 20 definition files",
    "load project + Engine.open",
]


def test_bench_prints_every_workload(tmp_path):
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--n", "300", "--repeat", "1", "--quiet",
         "--cache", str(tmp_path / "cache"), "--budget", "1"],
        capture_output=True, text=True, timeout=180, cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    table = done.stdout
    for row in WORKLOAD_ROWS:
        assert row in table, f"no row for {row!r} in:\n{table}"
    assert "ERROR" not in table and " error " not in table, table
    assert "DIFF" not in table, f"the engine and the hand-written SQL disagree:\n{table}"
