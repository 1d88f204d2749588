"""Small projects written from YAML text, and helpers to feed and read their engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruledeck.engine import Engine, RawEvent, load_project

PROJECT = "ruledeck: 1\nname: test\ntimezone: {tz}\n"


class Harness:
    """An engine over a project written from YAML text, with readable helpers."""

    def __init__(self, root: Path, definitions: str, tz: str = "Europe/Moscow", db: str = ":memory:"):
        root.mkdir(parents=True, exist_ok=True)
        (root / "ruledeck.yaml").write_text(PROJECT.format(tz=tz), encoding="utf-8")
        (root / "defs.yaml").write_text(definitions, encoding="utf-8")
        self.project = load_project(root)
        on_disk = db != ":memory:"
        self.engine = Engine.open(self.project, str(root / db) if on_disk else db, write_documents=on_disk)
        self.line = 0

    def event(self, event_id: str, kind: str, time: str, **payload):
        """Ingest one event; returns the summary."""
        return self.events((event_id, kind, time, payload))

    def events(self, *events: tuple):
        records = []
        for event_id, kind, time, payload in events:
            self.line += 1
            data = {"id": event_id, "type": kind, "time": time, "payload": payload}
            records.append(RawEvent(self.line, json.dumps(data), data))
        return self.engine.ingest(records)

    def items(self, process: str, columns: str = "*", where: str = "TRUE") -> list[dict]:
        cursor = self.engine.con.execute(f"SELECT {columns} FROM items_{process} WHERE {where} ORDER BY id")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def one(self, process: str, columns: str = "*", where: str = "TRUE") -> dict:
        rows = self.items(process, columns, where)
        assert len(rows) == 1, rows
        return rows[0]

    def journal(self, where: str = "TRUE") -> list[tuple]:
        return self.engine.con.execute(
            f"SELECT item, kind, field, old, new, cause, cause_id, rule FROM rd_journal WHERE {where} ORDER BY seq"
        ).fetchall()

    def scalar(self, sql: str, params=None):
        return self.engine.con.execute(sql, params or []).fetchone()[0]

    def tick(self, to: str):
        from ruledeck.engine import parse_datetime

        return self.engine.tick(parse_datetime(to, self.project.timezone))


@pytest.fixture
def harness(tmp_path):
    made = []

    def make(definitions: str, **kwargs) -> Harness:
        h = Harness(tmp_path / f"p{len(made)}", definitions, **kwargs)
        made.append(h)
        return h

    yield make
    for h in made:
        h.engine.close()
