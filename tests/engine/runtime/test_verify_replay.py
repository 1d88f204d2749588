"""verify replays consecutive events through one ingest (batching applies) and reports its progress."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from ruledeck.engine import Engine, load_project, parse_datetime, read_jsonl
from ruledeck.engine.runtime import verify as verify_module

PROJECT = Path(__file__).parents[2] / "fixtures" / "query_project"
LINES = (PROJECT / "events.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)


@pytest.fixture
def engine(tmp_path):
    """The query project's events in three ingests with a tick and a task completion between them."""
    project = load_project(PROJECT)
    engine = Engine.open(project, str(tmp_path / "live.duckdb"))
    engine.ingest(read_jsonl(io.StringIO("".join(LINES[:5]))))
    engine.ingest(read_jsonl(io.StringIO("".join(LINES[5:9]))))  # nothing between two ingests: one run
    engine.tick(parse_datetime("2026-03-08T12:00", project.timezone))
    engine.ingest(read_jsonl(io.StringIO("".join(LINES[9:]))))
    yield engine
    engine.close()


def test_consecutive_events_go_to_one_ingest(engine, monkeypatch):
    runs: list[list[str]] = []
    real = verify_module.Ingester

    class Recording(real):
        def run(self, records, progress=None):
            taken = list(records)
            runs.append([raw.data["id"] for raw in taken])
            return super().run(taken, progress)

    monkeypatch.setattr(verify_module, "Ingester", Recording)
    result = engine.verify()
    ids = [line.split('"')[3] for line in LINES]
    assert runs == [ids[:9], ids[9:]]
    assert (result.events, result.commands, result.differences) == (len(LINES), 1, [])


def test_progress_counts_every_input_up_to_the_total(engine):
    seen: list[tuple[int, int]] = []
    assert engine.verify(lambda done, total: seen.append((done, total))).differences == []
    total = len(LINES) + 1
    assert {t for _, t in seen} == {total}
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1] == (total, total)
    assert (10, total) in seen  # the tick after the first nine events


def test_a_replay_that_differs_is_still_found(engine):
    engine.con.execute("UPDATE items_order SET amount = amount + 1 WHERE id = 1")
    [difference] = engine.verify().differences
    assert (difference.table, difference.only_live, difference.only_replay) == ("items_order", 1, 1)


def _ruledeck_on_a_terminal(args: list[str]) -> tuple[int, str, str]:
    """Run ``ruledeck ARGS`` with stderr on a pseudo-terminal; its exit code, stdout and what the terminal got."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-c", "from ruledeck.cli.main import main; main()", *args],
                               stdout=subprocess.PIPE, stderr=follower, text=True)
    os.close(follower)
    stdout = process.stdout.read()
    terminal = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        terminal += chunk
    os.close(leader)
    return process.wait(timeout=120), stdout, terminal.decode(errors="replace")


def test_the_command_shows_a_progress_bar_on_a_terminal_only(engine, tmp_path):
    db = engine.path
    engine.close()
    code, stdout, terminal = _ruledeck_on_a_terminal(["verify", "-p", str(PROJECT), "--db", db])
    assert code == 0
    assert stdout == f"verified: {len(LINES)} event(s) and 1 command(s) replayed; 8 tables match\n"
    assert "replaying" in terminal and "100%" in terminal
    piped = subprocess.run([sys.executable, "-c", "from ruledeck.cli.main import main; main()", "verify", "-p",
                            str(PROJECT), "--db", db], capture_output=True, text=True, timeout=120)
    assert (piped.returncode, piped.stdout, piped.stderr) == (0, stdout, "")
