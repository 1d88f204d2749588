"""``verify``: replay every accepted event and command into a fresh database and compare.

The replay uses the current definitions, so it also answers "would these
definitions, run from scratch on the same input, give the state we have?".
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import groupby
from pathlib import Path

from ..store.catalog import column_types
from ..store.names import quote
from ..store.scratch import Scratch, attached, scratch_database
from .events import RawEvent
from .ingest import Ingester

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


INPUTS = ("SELECT seq, 'event' AS kind, raw FROM rd_events UNION ALL "
          "SELECT seq, kind, CAST(payload AS VARCHAR) FROM rd_commands ORDER BY seq")
FETCH_ROWS = 10_000
"""Input log rows read at a time (the log is streamed, never held whole)."""

Progress = Callable[[int, int], None]
"""Called with (inputs replayed, inputs in all) as the replay goes."""


def _counts(engine) -> tuple[int, int]:
    """How many events and commands the input log holds."""
    return engine.con.execute("SELECT (SELECT count(*) FROM rd_events), (SELECT count(*) FROM rd_commands)").fetchone()


def _inputs(engine) -> Iterator[tuple[int, str, str]]:
    cursor = engine.con.execute(INPUTS)
    while rows := cursor.fetchmany(FETCH_ROWS):
        yield from rows


def replay(engine, target: Path | str, progress: Progress | None = None):
    """A new engine at ``target`` fed with ``engine``'s input log, in order.

    Consecutive events go to one ingest (so batching applies, as it did when
    they came in: nothing else happened between them); each command ends a run.
    """
    from ..timing import parse_datetime
    from .engine import Engine

    total = sum(_counts(engine))
    copy = Engine.open(engine.project, str(target))
    done = 0
    for is_event, group in groupby(_inputs(engine), key=lambda row: row[1] == "event"):
        if is_event:
            seen = [0]
            report = partial(_shifted, progress, done, total) if progress else None
            Ingester(copy, "verify").run(_events(group, seen), report)
            done += seen[0]
            continue
        for _, kind, text in group:
            _command(copy, kind, json.loads(text), parse_datetime, engine.project.timezone)
            done += 1
            if progress:
                progress(done, total)
    return copy


def _events(rows: Iterator[tuple[int, str, str]], seen: list[int]) -> Iterator[RawEvent]:
    """The logged events as ingest reads them, streamed; ``seen[0]`` counts them."""
    for seq, _, text in rows:
        seen[0] += 1
        yield RawEvent(seq, text, json.loads(text))


def _shifted(progress: Progress, before: int, total: int, count: int) -> None:
    progress(before + count, total)


def _command(copy, kind: str, data: dict, parse_datetime, timezone: str) -> None:
    """Replay one logged command."""
    if kind == "tick":
        copy.tick(parse_datetime(data["to"], timezone), actor=data.get("actor"))
    elif kind == "task_done":
        copy.complete_task(data["task"], data["outcome"], data.get("comment"), actor=data.get("actor"),
                           fields=data.get("fields"), text_input=bool(data.get("text_input")))
    elif kind == "move":
        copy.move(data["item"], data["stage"], actor=data.get("actor"))


def verify(engine, progress: Progress | None = None) -> VerifyResult:
    """Replay into a temporary database and compare items, tasks, documents, outbox, journal and clock.

    The cost is one replay of the log (batched as ingest batches) and one
    set-based comparison per table, so it grows linearly with the history.
    """
    folder = Path(tempfile.mkdtemp(prefix="ruledeck-verify-"))
    try:
        events, commands = _counts(engine)
        con = engine.con
        with scratch_database(con, engine.path, folder) as scratch:
            copy = replay(engine, scratch.target, progress)
            copy.close()
            with attached(con, scratch):
                tables = {f"items_{name}": "*" for name in engine.project.processes} | COMPARED_SYSTEM
                differences = [d for d in (_compare(con, scratch, t, c) for t, c in tables.items()) if d]
        return VerifyResult(events, commands, list(tables), differences)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _compared_columns(con, table: str, columns: str) -> str:
    """The columns compared: ``*`` as every column, JSON ones as their text (JSON has no equality everywhere)."""
    if columns != "*":
        return columns
    kinds = column_types(con, table)[table]
    return ", ".join(f"CAST({quote(c)} AS VARCHAR)" if kind == "JSON" else quote(c) for c, kind in kinds.items())


def _compare(con, scratch: Scratch, table: str, columns: str) -> Difference | None:
    columns = _compared_columns(con, table, columns)
    live = f"SELECT {columns} FROM {scratch.live}.{quote(table)}"
    again = f"SELECT {columns} FROM {scratch.replay}.{quote(table)}"
    only_live = con.execute(f"SELECT * FROM ({live} EXCEPT ALL {again}) LIMIT 3").fetchall()
    only_replay = con.execute(f"SELECT * FROM ({again} EXCEPT ALL {live}) LIMIT 3").fetchall()
    if not only_live and not only_replay:
        return None
    count_live = con.execute(f"SELECT count(*) FROM ({live} EXCEPT ALL {again})").fetchone()[0]
    count_replay = con.execute(f"SELECT count(*) FROM ({again} EXCEPT ALL {live})").fetchone()[0]
    return Difference(table, count_live, count_replay, [("live", *r) for r in only_live]
                      + [("replay", *r) for r in only_replay])
