"""An engine over the query test project, with its sample events applied and the clock moved on."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruledeck.engine import Engine, load_project, parse_datetime, read_jsonl

PROJECT = Path(__file__).parents[2] / "fixtures" / "query_project"
CLOCK = "2026-03-15T12:00"


def build_database(path: Path) -> None:
    """Apply the project's events to a new database at ``path`` and tick to :data:`CLOCK`."""
    project = load_project(PROJECT)
    with Engine.open(project, str(path)) as engine, open(PROJECT / "events.jsonl", encoding="utf-8") as stream:
        summary = engine.ingest(read_jsonl(stream))
        assert not summary.rejected, summary.rejected
        engine.tick(parse_datetime(CLOCK, project.timezone))


@pytest.fixture(scope="session")
def query_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("query") / "query.duckdb"
    build_database(path)
    return path


@pytest.fixture
def engine(query_db):
    with Engine.open(load_project(PROJECT), str(query_db)) as opened:
        yield opened
