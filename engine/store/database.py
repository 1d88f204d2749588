"""Open the project's database: a DuckDB file (one writer at a time, a clear message when busy) or PostgreSQL."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ..errors import DatabaseLocked, UsageError
from .postgres import is_url

_PID = re.compile(r"\(PID (\d+)\)")

def dialect(con) -> str:
    """``duckdb`` or ``postgres``: the SQL dialect of a connection's database."""
    return getattr(con, "dialect", "duckdb")


def connect(path: str, timezone: str, wait_seconds: float = 0.0, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection with the project's time zone; waits up to ``wait_seconds`` for a lock.

    ``read_only`` opens an existing file for reading: any number of readers at
    once, but DuckDB gives none while another process has it open for writing
    (nor a writer while one reads), so readers wait or fail like writers do.
    A ``postgresql://`` URL opens that PostgreSQL database instead (see :mod:`.postgres`).
    """
    if is_url(path):
        return _connect_postgres(path, timezone, read_only, wait_seconds)
    deadline = time.monotonic() + wait_seconds
    if path != ":memory:":
        folder = Path(path).parent
        if not folder.is_dir():
            raise UsageError(f"cannot create the database {path}: folder {folder} does not exist")
    read_only = read_only and path != ":memory:"
    while True:
        try:
            con = duckdb.connect(path, read_only=read_only)
            break
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" not in text.lower():
                raise UsageError(f"cannot open the database {path}: {text.splitlines()[0]}") from None
            if time.monotonic() >= deadline:
                pid = _PID.search(text)
                holder = f" (process {pid.group(1)})" if pid else ""
                why = " (DuckDB lets no process read a database file while another writes it)" if read_only else ""
                raise DatabaseLocked(
                    f"the database {path} is in use by another ruledeck process{holder}{why}; "
                    "wait for it to finish, or retry with --wait SECONDS") from None
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        except duckdb.Error as exc:
            raise UsageError(f"cannot open the database {path}: {str(exc).splitlines()[0]}") from None
    con.execute(f"SET TimeZone = '{_zone(timezone)}'")
    return con


def _connect_postgres(url: str, timezone: str, read_only: bool, wait_seconds: float):
    try:
        from .postgres.connection import connect as connect_postgres
    except ImportError:
        raise UsageError(f"the database is PostgreSQL ({url.split(':', 1)[0]}://…) but psycopg is not installed: "
                         "pip install 'ruledeck[postgres]'") from None
    return connect_postgres(url, _zone(timezone), read_only, wait_seconds)


def _zone(name: str) -> str:
    # The zone was checked against the IANA database at validation; this keeps quotes out regardless.
    if not re.fullmatch(r"[A-Za-z0-9_+\-/]+", name):
        raise UsageError(f"unknown time zone {name!r}")
    return name


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN … COMMIT, or ROLLBACK when anything inside raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
