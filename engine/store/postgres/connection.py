"""A psycopg 3 connection that takes the engine's DuckDB statements and answers like a DuckDB connection.

The engine calls ``execute(sql, params)`` and reads ``fetchone()``,
``fetchall()`` and ``description``, as on DuckDB; every text is rendered
for PostgreSQL once (:mod:`.render`). Where DuckDB answers a statement that
returns no rows (``INSERT``, ``UPDATE``, ``CREATE TABLE … AS``) with its row
count, so does this connection. JSON columns come back as text, as DuckDB
gives them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote_plus

import duckdb
import psycopg
from psycopg.postgres import types as postgres_types
from psycopg.types.array import ListDumper
from psycopg.types.string import TextLoader

from ...errors import DatabaseLocked, UsageError
from ..names import checked_internal
from .functions import install
from .render import NotRenderable, render

DIALECT = "postgres"


class StatementRefused(duckdb.Error):
    """PostgreSQL refused a statement (a subclass of DuckDB's error, so the engine handles both alike)."""

    def __init__(self, message: str, statement: str = ""):
        super().__init__(message)
        self.statement = statement
        """The statement as PostgreSQL was given it (shown with ``--debug``)."""


class _Refused(StatementRefused, NotRenderable):
    """A statement that has no PostgreSQL form yet."""


class Result:
    """What ``execute`` returns: the rows of a query, or the row count of a statement that has none."""

    def __init__(self, cursor: psycopg.Cursor):
        self._cursor = cursor
        self.description = cursor.description

    def fetchone(self) -> tuple | None:
        """The next row (for a statement without rows: its row count, as DuckDB gives it)."""
        if self.description is None:
            return (max(self._cursor.rowcount, 0),)
        return self._cursor.fetchone()

    def fetchall(self) -> list[tuple]:
        """The remaining rows (for a statement without rows: one row holding its row count)."""
        if self.description is None:
            return [self.fetchone()]
        return self._cursor.fetchall()

    def fetchmany(self, size: int) -> list[tuple]:
        """Up to ``size`` of the remaining rows."""
        if self.description is None:
            return [self.fetchone()]
        return self._cursor.fetchmany(size)


_DUCKDB_TYPES = {"int8": "BIGINT", "int4": "INTEGER", "int2": "SMALLINT", "varchar": "VARCHAR", "text": "VARCHAR",
                 "timestamptz": "TIMESTAMP WITH TIME ZONE", "timestamp": "TIMESTAMP", "bool": "BOOLEAN",
                 "float8": "DOUBLE", "float4": "FLOAT", "date": "DATE", "json": "JSON", "jsonb": "JSON",
                 "interval": "INTERVAL", "numeric": "DECIMAL"}


def duckdb_type(display: str) -> str:
    """A PostgreSQL type as DuckDB spells it.

    >>> duckdb_type("numeric(18,2)"), duckdb_type("text[]"), duckdb_type("int8")
    ('DECIMAL(18,2)', 'VARCHAR[]', 'BIGINT')
    """
    base, many = (display[:-2], "[]") if display.endswith("[]") else (display, "")
    name, _, size = base.partition("(")
    return _DUCKDB_TYPES.get(name, name.upper()) + (f"({size}" if size else "") + many


class Described:
    """What DuckDB's ``DESCRIBE query`` answers: one row per column, its name and type (in DuckDB's spelling)."""

    description = (("column_name",), ("column_type",))

    def __init__(self, columns):
        self._rows = [(column.name, duckdb_type(column.type_display)) for column in columns]

    def fetchall(self) -> list[tuple]:
        """The columns' rows."""
        return list(self._rows)

    def fetchone(self) -> tuple | None:
        """The first column's row."""
        return self._rows[0] if self._rows else None


_SAVEPOINTS = {"BEGIN TRANSACTION": "SAVEPOINT rd_unit", "COMMIT": "RELEASE SAVEPOINT rd_unit",
               "ROLLBACK": "ROLLBACK TO SAVEPOINT rd_unit"}
"""A unit of work inside an outer transaction: undone alone when it fails, as its own transaction would be."""


class PostgresConnection:
    """The engine's connection to a PostgreSQL database: DuckDB statements in, DuckDB-shaped answers out."""

    dialect = DIALECT

    def __init__(self, raw: psycopg.Connection, url: str):
        self.raw = raw
        self.url = url
        self.nested = False
        """Inside a transaction that is never committed (a dry run): BEGIN, COMMIT and ROLLBACK become savepoints."""

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Result | Described:
        """Run one DuckDB statement (``?`` parameters) rendered for PostgreSQL."""
        if self.nested and sql in _SAVEPOINTS:
            sql = _SAVEPOINTS[sql]
        if sql.startswith("DESCRIBE "):
            return Described(self.execute(f"SELECT * FROM ({sql[9:]}) rd_described LIMIT 0", params).description)
        rendered = _rendered(sql)
        cursor = self.raw.cursor()
        try:
            for before in rendered.statements[:-1]:
                cursor.execute(before)
            cursor.execute(rendered.statements[-1], _params(params, rendered.parameters))
        except psycopg.Error as exc:
            raise StatementRefused(_message(exc), rendered.statements[-1]) from exc
        return Result(cursor)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each row of parameters."""
        rendered = _rendered(sql)
        cursor = self.raw.cursor()
        try:
            for before in rendered.statements[:-1]:
                cursor.execute(before)
            cursor.executemany(rendered.statements[-1], [list(row) for row in rows])
        except psycopg.Error as exc:
            raise StatementRefused(_message(exc), rendered.statements[-1]) from exc

    def close(self) -> None:
        """Close the connection, releasing the writer's lock first (the server would only notice the close later)."""
        if not self.raw.closed:
            try:
                self.raw.execute("SELECT pg_advisory_unlock_all()")
            except psycopg.Error:
                pass  # a broken connection: the server releases its locks when it notices
            self.raw.close()


def _rendered(sql: str):
    try:
        return render(sql)
    except NotRenderable as exc:
        raise _Refused(str(exc)) from None


class _TextList(list):
    """A list of strings (or of nothing but nulls) bound as ``text[]``: psycopg would send an untyped array."""


class _TextListDumper(ListDumper):
    oid = postgres_types["text"].array_oid
    element_oid = postgres_types["text"].oid


def _params(params: Sequence[Any] | None, expected: int) -> list[Any]:
    values = [_TextList(v) if isinstance(v, list) and all(x is None or isinstance(x, str) for x in v) else v
              for v in params or []]
    if len(values) != expected:
        raise StatementRefused(f"the statement takes {expected} parameter(s), {len(values)} given")
    return values


def _message(exc: psycopg.Error) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def display_url(url: str) -> str:
    """``url`` without its password, for messages.

    >>> display_url("postgresql://ops:s3cret@db.example/ruledeck")
    'postgresql://ops:***@db.example/ruledeck'
    """
    return re.sub(r"^(postgres(?:ql)?://[^:/@]*):[^@]*@", r"\1:***@", url)


def _open(url: str) -> psycopg.Connection:
    try:
        return psycopg.connect(url, autocommit=True, cursor_factory=psycopg.RawCursor)
    except psycopg.Error as exc:
        raise UsageError(f"cannot open the database {display_url(url)}: {_message(exc)}") from None


WRITER_LOCK = "SELECT pg_try_advisory_lock(hashtext('ruledeck writer ' || current_schema()))"
"""One writing ruledeck process per database schema, as on DuckDB: a session lock, gone with the connection."""


def connect(url: str, timezone: str, read_only: bool = False, wait_seconds: float = 0.0,
            lock: bool = True) -> PostgresConnection:
    """A connection to the database at ``url`` in the project's time zone.

    ``read_only``: no writing transaction, any number at once. Otherwise the
    connection is the database's one writer (``lock``), waiting up to
    ``wait_seconds`` for another ruledeck process to finish; readers never wait.
    """
    raw = _open(url)
    if not read_only and lock:
        _lock_writer(raw, url, wait_seconds)
    for kind in ("json", "jsonb"):
        raw.adapters.register_loader(kind, TextLoader)
    raw.adapters.register_dumper(_TextList, _TextListDumper)
    raw.execute("SELECT set_config('TimeZone', $1, false)", [timezone])
    if read_only:
        raw.execute("SET default_transaction_read_only = on")
    else:
        install(raw)
    return PostgresConnection(raw, url)


def _lock_writer(raw: psycopg.Connection, url: str, wait_seconds: float) -> None:
    deadline = time.monotonic() + wait_seconds
    while not raw.execute(WRITER_LOCK).fetchone()[0]:
        if time.monotonic() >= deadline:
            raw.close()
            raise DatabaseLocked(f"the database {display_url(url)} is in use by another ruledeck process "
                                 "(PostgreSQL: one writing command at a time for now); wait for it to finish, "
                                 "or retry with --wait SECONDS")
        time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))


@contextmanager
def with_schema(url: str, schema: str) -> Iterator[str]:
    """``url`` with a new, empty schema ``schema`` first on its search path; the schema is dropped afterwards."""
    raw = _open(url)
    try:
        try:
            raw.execute(f'CREATE SCHEMA "{checked_internal(schema)}"')
        except psycopg.Error as exc:
            raise UsageError(f"cannot create a throw-away schema in {display_url(url)} (verify and test need one; "
                             f"the role needs CREATE on the database): {_message(exc)}") from None
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}options={quote_plus(f'-csearch_path={schema}')}"
    finally:
        raw.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        raw.close()
