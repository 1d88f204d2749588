"""The engine a command works with: a project's definitions over its open database."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from ..definitions.model import Project
from ..errors import UsageError
from ..store.database import connect, transaction
from ..store.migrate import Change, migrate, plan_migration
from ..store.postgres import is_url
from ..store.system_tables import create_statements
from .clock import Clock, Progress, TickSummary, read_clock
from .compiled import CompiledProject
from .events import RawEvent
from .ingest import BATCH_SIZE, Ingester, IngestSummary
from .run import Cause, Run
from .task_commands import complete


def database_path(project: Project, db: str | None) -> str:
    """``--db`` if given, else the project's ``database`` setting, relative to the project (a URL as it is)."""
    if db == ":memory:" or is_url(db):
        return db
    if not db and is_url(project.database):
        return project.database
    path = Path(db) if db else project.root / project.database
    return str(path)


class Engine:
    """Runs a project against its database: ingest, tick, complete tasks."""

    def __init__(self, project: Project, con: duckdb.DuckDBPyConnection, path: str,
                 write_documents: bool = False):
        self.project = project
        self.con = con
        self.path = path
        self.write_documents = write_documents
        """Whether committed documents are written as files (see :meth:`sync_documents`)."""
        self.compiled = CompiledProject.build(project)
        self.zone = ZoneInfo(project.timezone)
        self.clock_keeper = Clock(self)
        self._depth = 0
        self._documents_pending = False
        self.debug = os.environ.get("RULEDECK_DEBUG") == "1"
        """Let unexpected errors out with their traceback instead of rejecting the input (``--debug``)."""

    @classmethod
    def open(cls, project: Project, db: str | None = None, wait_seconds: float = 0.0,
             migrate_schema: bool = True, write_documents: bool = False, read_only: bool = False) -> Engine:
        """Open (creating if needed) the project's database and migrate it to the definitions.

        ``write_documents``: also write generated documents as files into the
        project's documents folder (:meth:`documents_dir`), whatever the
        database. The CLI does; specs, replays and dry runs keep them as rows.

        ``read_only``: open the file for reading only (see :func:`~..store.database.connect`),
        never migrate, write no documents; a database the definitions would
        migrate raises :class:`~..store.read_only.MigrationNeeded` (or
        :class:`~..store.migrate.MigrationRefused` if that would lose data). A file that
        does not exist yet reads as an empty database (in memory: no file is made).
        """
        path = database_path(project, db)
        reading = read_only and path != ":memory:"
        if reading and not is_url(path) and not Path(path).exists():
            path, reading = ":memory:", False
        con = connect(path, project.timezone, wait_seconds, read_only=reading)
        engine = cls(project, con, path, write_documents and not read_only)
        if reading:
            from ..store.read_only import check_current

            try:
                check_current(con, project, path)
            except BaseException:
                con.close()
                raise
        elif migrate_schema:
            migrate(con, project)
            engine.sync_documents()
        return engine

    def close(self) -> None:
        """Close the database."""
        self.con.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A transaction on the engine's connection; inside another one it joins it (one unit, one commit).

        Documents of a joined unit are written once the outermost transaction commits, never before.
        """
        if self._depth:
            self._depth += 1
            try:
                yield self.con
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            with transaction(self.con) as con:
                yield con
        except BaseException:
            self._documents_pending = False
            raise
        finally:
            self._depth = 0
        if self._documents_pending:
            self._documents_pending = False
            self.sync_documents()

    def pending_migration(self) -> list[Change]:
        """What ``migrate`` would do, without doing it."""
        for statement in create_statements():
            self.con.execute(statement)
        return plan_migration(self.con, self.project)

    # -- time -----------------------------------------------------------------------
    def clock(self) -> dt.datetime | None:
        """The engine's clock in the project's zone (None before the first event or tick)."""
        now = read_clock(self.con)
        return now.astimezone(self.zone) if now is not None else None

    def tick(self, to: dt.datetime, progress: Progress | None = None, actor: str | None = None) -> TickSummary:
        """Move the clock to ``to``, firing everything due on the way as ``actor`` (logged for replay)."""
        from .actors import known_actor

        actor = known_actor(self.project, actor)
        to = to.astimezone(self.zone)
        self.clock_keeper.refuse_backwards(to)
        with self.transaction():
            self.log_command("tick", {"to": to.isoformat()} | ({"actor": actor} if actor else {}))
        return self.clock_keeper.tick(to, progress, actor)

    def log_command(self, kind: str, payload: dict) -> None:
        """Record a command in the input log that ``verify`` replays (inside the caller's transaction)."""
        self.con.execute("INSERT INTO rd_commands VALUES (nextval('rd_event_seq'), ?, ?, ?)",
                         [kind, json.dumps(payload, default=str), read_clock(self.con)])

    def upcoming(self, limit: int = 5) -> list[tuple[dt.datetime, str, int | None]]:
        """What falls due next after the clock."""
        return self.clock_keeper.upcoming(limit)

    def preview(self, to: dt.datetime) -> TickSummary:
        """What a tick to ``to`` would fire, computed on a throw-away copy; nothing here changes."""
        copy, folder = self.dry_run_copy()
        try:
            return copy.tick(to)
        finally:
            copy.close()
            shutil.rmtree(folder, ignore_errors=True)

    def verify(self, progress=None):
        """Replay the input log into a fresh database and compare; ``progress(done, total)``; see :mod:`.verify`."""
        from .verify import verify

        return verify(self, progress)

    # -- input -----------------------------------------------------------------------
    def ingest(self, records: Iterable[RawEvent], source: str = "-", batch_size: int = BATCH_SIZE,
               actor: str | None = None) -> IngestSummary:
        """Apply events in order, up to ``batch_size`` at a time where that is safe; see :mod:`.ingest`.

        ``actor``: who acts in the events that name nobody (``ingest --as``).
        """
        if actor is not None:
            from .actors import known_actor, with_default_actor

            records = with_default_actor(records, known_actor(self.project, actor))
        return Ingester(self, source, batch_size).run(records)

    def complete_task(self, task: int | dict, outcome: str, comment: str | None = None,
                      actor: str | None = None, fields: dict | None = None, text_input: bool = False) -> int:
        """Complete a task at the current clock as ``actor`` (a person, or nobody); the rules waiting on it fire.

        ``fields``: the values of the task kind's form (text to convert when ``text_input``, as ``--set`` gives).
        """
        from .actors import known_actor

        actor = known_actor(self.project, actor)
        now = self.clock()
        if now is None:
            raise UsageError("the clock has not started: ingest events or 'ruledeck tick --to …' first")
        with self.transaction():
            self.log_command("task_done", {"task": task, "outcome": outcome, "comment": comment}
                             | ({"actor": actor} if actor else {})
                             | ({"fields": fields, "text_input": text_input} if fields else {}))
            run = Run(self.con, self.compiled, now, Cause("command", f"task-done:{task}", actor))
            try:
                task_id = complete(run, task, outcome, comment, fields, text_input)
            finally:
                run.close()
        self.after_commit(run)
        return task_id

    def move(self, item: int, stage: str, actor: str | None = None) -> None:
        """Move a card by hand to a ``manual: true`` stage at the current clock, as ``actor`` (logged for replay)."""
        from .actors import known_actor
        from .manual import move_by_hand

        actor = known_actor(self.project, actor)
        now = self.clock()
        if now is None:
            raise UsageError("the clock has not started: ingest events or 'ruledeck tick --to …' first")
        with self.transaction():
            self.log_command("move", {"item": item, "stage": stage} | ({"actor": actor} if actor else {}))
            run = Run(self.con, self.compiled, now, Cause("command", f"move:{item}", actor))
            try:
                move_by_hand(run, item, stage)
            finally:
                run.close()
        self.after_commit(run)

    def rejected(self) -> list[dict]:
        """Events refused so far, newest first, with their reasons."""
        cursor = self.con.execute("SELECT event_id, source, line, reason, attempts, rejected_at FROM rd_rejected "
                                  "ORDER BY rejected_at DESC NULLS LAST, event_id")
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    def task_list(self, **filters) -> list[dict]:
        """Tasks as rows; see :func:`ruledeck.engine.query.tasks.task_list`."""
        from ..query.tasks import task_list

        return task_list(self.con, self.project, self.clock(), **filters)

    def after_commit(self, run: Run) -> None:
        """Write the documents a committed run produced into the documents folder (after the outermost commit)."""
        if not run.documents:
            return
        if self._depth:
            self._documents_pending = True
        else:
            self.sync_documents()

    def sync_documents(self) -> int:
        """Write every committed document not yet on disk; returns how many were written.

        Documents are rows first: a file is written only after its transaction
        commits, through a temporary name and a rename, so a crash leaves
        either no file (written on the next start) or the whole file – never
        a file for a rolled-back change.
        """
        if not self.write_documents:
            return 0
        row = self.con.execute("SELECT value FROM rd_meta WHERE key = 'documents_written'").fetchone()
        last = int(row[0]) if row else 0
        pending = self.con.execute("SELECT id, filename, body FROM rd_documents WHERE id > ? ORDER BY id",
                                   [last]).fetchall()
        if not pending:
            return 0
        folder = self.documents_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for _, name, body in pending:
            partial = folder / f".{name}.partial"
            partial.write_text(body, encoding="utf-8")
            partial.replace(folder / name)
        with self.transaction():
            self.con.execute("INSERT OR REPLACE INTO rd_meta VALUES ('documents_written', ?)", [str(pending[-1][0])])
        return len(pending)

    def copy_to(self, url: str):
        """Copy this DuckDB deployment into the empty PostgreSQL database at ``url``; see :mod:`..store.copy`."""
        from ..store.copy import copy_database
        from ..store.postgres.connection import display_url

        if not is_url(url):
            raise UsageError(f"ruledeck copy moves a DuckDB database into PostgreSQL: --to takes a postgresql:// "
                             f"URL, not {url!r}")
        if self.path == ":memory:":
            raise UsageError("there is no database to copy: ingest events first, or name it with --db")
        with Engine.open(self.project, url) as target:
            summary = copy_database(self.con, target.con)
        summary.target = display_url(url)
        return summary

    def documents_dir(self) -> Path:
        """Where documents are written: the ``documents`` setting, relative to the project's ruledeck.yaml."""
        return self.project.root / self.project.documents_dir

    def dry_run_copy(self) -> tuple[Engine, Path]:
        """An engine over a throw-away copy of this database (for ``--dry-run``)."""
        folder = Path(tempfile.mkdtemp(prefix="ruledeck-dry-run-"))
        if is_url(self.path):
            return self._rolled_back_copy(), folder
        copy = folder / "dry-run.duckdb"
        current = self.con.execute("SELECT current_database()").fetchone()[0]
        self.con.execute(f"ATTACH '{copy}' AS rd_dry_run (READ_WRITE)")  # also from a read-only engine
        try:
            self.con.execute(f'COPY FROM DATABASE "{current}" TO rd_dry_run')
        finally:
            self.con.execute("DETACH rd_dry_run")
        con = connect(str(copy), self.project.timezone)
        engine = Engine(self.project, con, str(copy))
        migrate(con, self.project)
        return engine, folder


    def _rolled_back_copy(self) -> Engine:
        """On PostgreSQL: an engine on a new connection inside a transaction that is never committed.

        Each transaction of the copy is a savepoint in that one (a failed unit is undone alone, as on
        DuckDB), and closing the copy ends it, so nothing stays.
        """
        from ..store.postgres.connection import connect as connect_postgres

        con = connect_postgres(self.path, self.project.timezone, lock=False)  # it never commits
        con.execute("BEGIN TRANSACTION")
        con.nested = True
        return Engine(self.project, con, self.path)
