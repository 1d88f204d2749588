"""Kill ruledeck at random points and check that re-running gives the uninterrupted result.

Used by tests/reliability/test_crash.py (a few dozen kill points) and by
bench/soak_crash.py (hundreds).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

RULEDECK = [sys.executable, "-c", "from ruledeck.cli.main import main; main()"]


def run(args: list[str], cwd: Path, kill_after: float | None = None) -> int | None:
    """Run a ruledeck command; SIGKILL it after ``kill_after`` seconds. Returns its exit code (None if killed)."""
    proc = subprocess.Popen([*RULEDECK, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if kill_after is None:
        _, err = proc.communicate(timeout=600)
        if proc.returncode not in (0, 1):
            raise AssertionError(f"ruledeck {' '.join(args)} failed: {err.decode()[-2000:]}")
        return proc.returncode
    try:
        proc.wait(timeout=kill_after)
        return proc.returncode
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        return None


def dump(db: Path, processes: list[str], documents: Path) -> dict:
    """Everything a user could see, in a comparable form."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        state = {}
        for process in processes:
            state[f"items_{process}"] = con.execute(
                f'SELECT * EXCLUDE (updated_at) FROM "items_{process}" ORDER BY id').fetchall()
        queries = {
            "tasks": "SELECT * FROM rd_tasks ORDER BY id",
            "documents": "SELECT * FROM rd_documents ORDER BY id",
            "outbox": "SELECT * FROM rd_outbox ORDER BY id",
            "journal": "SELECT at_time, item, process, kind, field, old, new, cause, cause_id, rule, depth "
                       "FROM rd_journal ORDER BY ALL",
            "events": "SELECT id, type, time, applied_at FROM rd_events ORDER BY id",
            "rejected": "SELECT event_id, reason FROM rd_rejected ORDER BY event_id",
            "clock": "SELECT now FROM rd_clock",
        }
        for name, sql in queries.items():
            state[name] = con.execute(sql).fetchall()
    finally:
        con.close()
    state["files"] = sorted((p.name, p.read_text()) for p in documents.glob("*")) if documents.exists() else []
    return state


def crash_until_done(args: list[str], cwd: Path, rng: random.Random, max_delay: float, kills: int) -> int:
    """Kill the command at random moments until ``kills`` kills landed mid-run, then let it finish.

    A kill lands when the command was still running; one that came too late
    (the command had finished) is retried with a shorter delay, up to three
    times as many attempts. Returns the kills that landed.
    """
    hits, attempts = 0, 0
    while hits < kills and attempts < 3 * kills:
        attempts += 1
        if run(args, cwd, kill_after=rng.uniform(0.05, max_delay)) is None:
            hits += 1
        else:
            max_delay *= 0.7
    run(args, cwd)
    return hits


def timed(args: list[str], cwd: Path) -> float:
    """How long a command takes to run to the end."""
    start = time.monotonic()
    run(args, cwd)
    return time.monotonic() - start
