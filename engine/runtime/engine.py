"""The engine a command works with: a project's definitions over its open database."""

from __future__ import annotations

import datetime as dt
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
from ..store.system_tables import create_statements
from .clock import Clock, Progress, TickSummary, read_clock
from .compiled import CompiledProject
from .events import RawEvent
from .ingest import Ingester, IngestSummary
from .run import Cause, Run
from .task_commands import complete


def database_path(project: Project, db: str | None) -> str:
    """``--db`` if given, else the project's ``database`` setting, relative to the project."""
    if db in (":memory:",):
        return db
    path = Path(db) if db else project.root / project.database
    return str(path)


class Engine:
    """Runs a project against its database: ingest, tick, complete tasks."""

    def __init__(self, project: Project, con: duckdb.DuckDBPyConnection, path: str):
        self.project = project
        self.con = con
        self.path = path
        self.compiled = CompiledProject.build(project)
        self.zone = ZoneInfo(project.timezone)
        self.clock_keeper = Clock(self)

    @classmethod
    def open(cls, project: Project, db: str | None = None, wait_seconds: float = 0.0,
             migrate_schema: bool = True) -> Engine:
        """Open (creating if needed) the project's database and migrate it to the definitions."""
        path = database_path(project, db)
        con = connect(path, project.timezone, wait_seconds)
        engine = cls(project, con, path)
        if migrate_schema:
            migrate(con, project)
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
        """A transaction on the engine's connection."""
        with transaction(self.con) as con:
            yield con

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

    def tick(self, to: dt.datetime, progress: Progress | None = None) -> TickSummary:
        """Move the clock to ``to``, firing everything due on the way."""
        return self.clock_keeper.tick(to.astimezone(self.zone), progress)

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

    # -- input -----------------------------------------------------------------------
    def ingest(self, records: Iterable[RawEvent], source: str = "-") -> IngestSummary:
        """Apply events in order; see :mod:`.ingest` for the guarantees."""
        return Ingester(self, source).run(records)

    def complete_task(self, task: int | dict, outcome: str, comment: str | None = None) -> int:
        """Complete a task at the current clock and fire the rules waiting on it."""
        now = self.clock()
        if now is None:
            raise UsageError("the clock has not started: ingest events or 'ruledeck tick --to …' first")
        with self.transaction():
            run = Run(self.con, self.compiled, now, Cause("command", f"task-done:{task}"))
            try:
                task_id = complete(run, task, outcome, comment)
            finally:
                run.close()
        self.after_commit(run)
        return task_id

    def task_list(self, **filters) -> list[dict]:
        """Tasks as rows; see :func:`ruledeck.engine.query.tasks.task_list`."""
        from ..query.tasks import task_list

        return task_list(self.con, self.project, self.clock(), **filters)

    def after_commit(self, run: Run) -> None:
        """Write the documents a committed run produced into the documents folder."""
        if not run.documents or self.path == ":memory:":
            return
        folder = self.documents_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for name, item in run.documents:
            body = self.con.execute("SELECT body FROM rd_documents WHERE filename = ? AND item IS NOT DISTINCT FROM ? "
                                    "ORDER BY id DESC LIMIT 1", [name, item]).fetchone()
            if body is None:
                continue
            target = folder / name
            partial = folder / f".{name}.partial"
            partial.write_text(body[0], encoding="utf-8")
            partial.replace(target)

    def documents_dir(self) -> Path:
        """Where documents are written: the project's documents_dir next to the database."""
        return Path(self.path).resolve().parent / self.project.documents_dir

    def dry_run_copy(self) -> tuple[Engine, Path]:
        """An engine over a throw-away copy of this database (for ``--dry-run``)."""
        folder = Path(tempfile.mkdtemp(prefix="ruledeck-dry-run-"))
        copy = folder / "dry-run.duckdb"
        current = self.con.execute("SELECT current_database()").fetchone()[0]
        self.con.execute(f"ATTACH '{copy}' AS rd_dry_run")
        try:
            self.con.execute(f'COPY FROM DATABASE "{current}" TO rd_dry_run')
        finally:
            self.con.execute("DETACH rd_dry_run")
        con = connect(str(copy), self.project.timezone)
        engine = Engine(self.project, con, str(copy))
        migrate(con, self.project)
        return engine, folder

