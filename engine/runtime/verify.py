"""``verify``: replay every accepted event and command into a fresh database and compare.

The replay uses the current definitions, so it also answers "would these
definitions, run from scratch on the same input, give the state we have?".
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..store.names import quote
from .events import RawEvent

COMPARED_SYSTEM = {
    "rd_tasks": "*",
    "rd_documents": "*",
    "rd_outbox": "*",
    "rd_journal": "at_time, item, process, kind, field, old, new, cause, cause_id, rule, depth, actor",
    "rd_clock": "*",
    "rd_events": "id, type, time, applied_at",
}


@dataclass
class Difference:
    """Rows of one table found only in the live database or only in the replay."""

    table: str
    only_live: int
    only_replay: int
    examples: list[tuple] = field(default_factory=list)


@dataclass
class VerifyResult:
    """What was replayed and what differs."""

    events: int
    commands: int
    tables: list[str]
    differences: list[Difference]


def _inputs(engine) -> list[tuple[int, str, str]]:
    rows = engine.con.execute(
        "SELECT seq, 'event' AS kind, raw FROM rd_events UNION ALL "
        "SELECT seq, kind, CAST(payload AS VARCHAR) FROM rd_commands ORDER BY seq").fetchall()
    return rows


def replay(engine, target: Path):
    """A new engine at ``target`` fed with ``engine``'s input log, in order."""
    from ..timing import parse_datetime
    from .engine import Engine

    copy = Engine.open(engine.project, str(target))
    for seq, kind, text in _inputs(engine):
        if kind == "event":
            copy.ingest([RawEvent(seq, text, json.loads(text))])
        elif kind == "tick":
            copy.tick(parse_datetime(json.loads(text)["to"], engine.project.timezone))
        elif kind == "task_done":
            data = json.loads(text)
            copy.complete_task(data["task"], data["outcome"], data.get("comment"))
        elif kind == "move":
            data = json.loads(text)
            copy.move(data["item"], data["stage"])
    return copy


def verify(engine) -> VerifyResult:
    """Replay into a temporary database and compare items, tasks, documents, outbox, journal and clock."""
    folder = Path(tempfile.mkdtemp(prefix="ruledeck-verify-"))
    try:
        copy = replay(engine, folder / "replay.duckdb")
        copy.close()
        inputs = _inputs(engine)
        con = engine.con
        con.execute(f"ATTACH '{folder / 'replay.duckdb'}' AS rd_replay (READ_ONLY)")
        try:
            tables = {f"items_{name}": "*" for name in engine.project.processes} | COMPARED_SYSTEM
            differences = [d for d in (_compare(con, t, c) for t, c in tables.items()) if d]
        finally:
            con.execute("DETACH rd_replay")
        events = sum(1 for _, kind, _ in inputs if kind == "event")
        return VerifyResult(events, len(inputs) - events, list(tables), differences)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _compare(con, table: str, columns: str) -> Difference | None:
    live = f"SELECT {columns} FROM main.{quote(table)}"
    again = f"SELECT {columns} FROM rd_replay.main.{quote(table)}"
    only_live = con.execute(f"SELECT * FROM ({live} EXCEPT ALL {again}) LIMIT 3").fetchall()
    only_replay = con.execute(f"SELECT * FROM ({again} EXCEPT ALL {live}) LIMIT 3").fetchall()
    if not only_live and not only_replay:
        return None
    count_live = con.execute(f"SELECT count(*) FROM ({live} EXCEPT ALL {again})").fetchone()[0]
    count_replay = con.execute(f"SELECT count(*) FROM ({again} EXCEPT ALL {live})").fetchone()[0]
    return Difference(table, count_live, count_replay, [("live", *r) for r in only_live]
                      + [("replay", *r) for r in only_replay])
