"""Commands that only look open the database read-only: side by side, never migrating, never creating it.

DuckDB lets several processes read one file at once, but none read it while
another process has it open for writing; each case runs the real ``ruledeck``
in a fresh process next to a connection this test process holds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from ruledeck.engine import Engine, load_project, parse_datetime, read_jsonl

FIXTURES = Path(__file__).parents[1] / "fixtures"
PROJECT = FIXTURES / "query_project"
READERS = [
    ["board", "orders"], ["items", "order"], ["show", "1"], ["explain", "1"], ["tasks"], ["clock"], ["rejected"],
    ["outbox"], ["documents"], ["report", "--list"], ["preview", "--to", "2026-06-01"],
]


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("read-only") / "query.duckdb"
    project = load_project(PROJECT)
    with Engine.open(project, str(path)) as engine, open(PROJECT / "events.jsonl", encoding="utf-8") as stream:
        assert not engine.ingest(read_jsonl(stream)).rejected
        engine.tick(parse_datetime("2026-03-15T12:00", project.timezone))
    return path


@pytest.fixture
def db(filled, tmp_path) -> str:
    copy = tmp_path / "query.duckdb"
    shutil.copy(filled, copy)
    return str(copy)


def ruledeck(*args: str, project: Path = PROJECT, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``ruledeck ARGS -p PROJECT`` as its own process."""
    command = [sys.executable, "-c", "from ruledeck.cli.main import main; main()", *args, "-p", str(project)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=cwd,
                          env={**os.environ, "XDG_CACHE_HOME": str(Path(cwd or ".").resolve() / ".user-cache")})


def test_every_read_only_command_reads_while_another_process_reads(db):
    holder = duckdb.connect(db, read_only=True)
    try:
        for args in READERS:
            result = ruledeck(*args, "--db", db)
            assert result.returncode == 0, (args, result.stderr)
        writer = ruledeck("tick", "--to", "2026-04-01", "--db", db)
    finally:
        holder.close()
    assert writer.returncode == 1
    assert "is in use by another ruledeck process" in writer.stderr


def test_two_read_only_commands_at_once(db):
    """Two boards run side by side (a command opened for writing used to lock the other out)."""
    results: list[subprocess.CompletedProcess] = []
    threads = [threading.Thread(target=lambda: results.append(ruledeck("board", "orders", "--db", db)))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    assert results[0].stdout == results[1].stdout


def test_a_writer_holding_the_database_keeps_readers_out_until_it_ends(db):
    """DuckDB has no reader while a writer holds the file: the command says why, and --wait outlasts it."""
    writer = duckdb.connect(db)
    try:
        result = ruledeck("board", "orders", "--db", db)
    finally:
        writer.close()
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: the database {db} is in use by another ruledeck process (process ")
    assert "DuckDB lets no process read a database file while another writes it" in result.stderr
    writer = duckdb.connect(db)
    release = threading.Timer(1.0, writer.close)
    release.start()
    try:
        started = time.monotonic()
        waited = ruledeck("board", "orders", "--db", db, "--wait", "60")
    finally:
        release.join()
    assert waited.returncode == 0, waited.stderr
    assert time.monotonic() - started >= 1.0


def _with_new_field(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    processes = project / "processes.yaml"
    text = processes.read_text(encoding="utf-8")
    processes.write_text(text.replace("    fields:\n", "    fields:\n      region: {type: string}\n", 1),
                         encoding="utf-8")
    return project


def test_a_database_that_needs_migrating_is_not_migrated_by_a_reader(db, tmp_path):
    project = _with_new_field(tmp_path)
    result = ruledeck("board", "orders", "--db", db, project=project, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: the database {db} does not match the definitions yet (add field 'region' (VARCHAR) to process "
        "'order'); read-only commands never migrate: run 'ruledeck plan' to see the changes, then a writing "
        "command (ingest, tick) to apply them\n")
    con = duckdb.connect(db, read_only=True)
    columns = {row[0] for row in con.execute("DESCRIBE items_order").fetchall()}
    con.close()
    assert "region" not in columns
    assert ruledeck("tick", "--to", "2026-03-16", "--db", db, project=project, cwd=tmp_path).returncode == 0
    assert ruledeck("board", "orders", "--db", db, project=project, cwd=tmp_path).returncode == 0


def test_a_reader_never_creates_the_database(tmp_path):
    missing = tmp_path / "none.duckdb"
    result = ruledeck("clock", "--db", str(missing), cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "clock: not started (ingest an event or tick --to)\n")
    board = ruledeck("board", "orders", "--db", str(missing), cwd=tmp_path)
    assert board.returncode == 0, board.stderr
    assert not missing.exists()
