"""Fresh databases: beside the live one for ``verify``'s replay (where to open it, how to read both at once),
and one per spec for ``ruledeck test``.

On DuckDB it is a file in a temporary folder, attached to the live
connection while the two are compared; on PostgreSQL it is a schema of the
live database (``rd_replay_…``), dropped afterwards. Either way the live
connection reads a table as ``{live}.name`` and its replay as ``{replay}.name``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from .database import dialect
from .names import quote
from .postgres import is_url


@dataclass(frozen=True)
class Scratch:
    """Where to open the replay (a path or URL), and the qualifiers naming the live and the replayed tables."""

    target: str
    live: str = "main"
    replay: str = "rd_replay.main"


@contextmanager
def scratch_database(con, path: str, folder: Path) -> Iterator[Scratch]:
    """A new, empty database for a replay of the database ``path`` open on ``con`` (removed afterwards)."""
    if dialect(con) != "postgres":
        yield Scratch(str(folder / "replay.duckdb"))
        return
    from .postgres.connection import with_schema

    schema = f"rd_replay_{secrets.token_hex(6)}"
    live = con.raw.execute("SELECT current_schema()").fetchone()[0]
    with with_schema(path, schema) as url:
        yield Scratch(url, quote(live), quote(schema))


@contextmanager
def attached(con, scratch: Scratch) -> Iterator[None]:
    """The replay readable from the live connection while inside."""
    if dialect(con) == "postgres":
        yield
        return
    con.execute(f"ATTACH '{scratch.target}' AS rd_replay (READ_ONLY)")
    try:
        yield
    finally:
        con.execute("DETACH rd_replay")


@contextmanager
def fresh_database(database: str | None) -> Iterator[str]:
    """Where a spec runs: in memory, or in a new schema of the PostgreSQL ``database`` (dropped afterwards)."""
    if database in (None, ":memory:"):
        yield ":memory:"
        return
    if not is_url(database):
        raise UsageError(f"specs run in fresh databases: --db takes a postgresql:// URL, not {database!r} "
                         "(without --db each spec runs in memory)")
    from .postgres.connection import with_schema

    with with_schema(database, f"rd_spec_{secrets.token_hex(6)}") as url:
        yield url
