"""Whether a database opened read-only already matches the definitions (it is never migrated then)."""

from __future__ import annotations

import duckdb

from ..definitions.model import Project
from ..errors import RuledeckError
from .catalog import column_types, sequence_names, table_names
from .migrate import Change, MigrationRefused, plan_migration
from .system_tables import ADDED_COLUMNS, SEQUENCES, SYSTEM_TABLES


class MigrationNeeded(RuledeckError):
    """A read-only command met a database that the current definitions would migrate."""

    def __init__(self, path: str, changes: list[str]):
        self.changes = changes
        listed = "; ".join(changes[:3]) + (f"; and {len(changes) - 3} more" if len(changes) > 3 else "")
        super().__init__(f"the database {path} does not match the definitions yet ({listed}); read-only commands "
                         "never migrate: run 'ruledeck plan' to see the changes, then a writing command "
                         "(ingest, tick) to apply them")


def check_current(con: duckdb.DuckDBPyConnection, project: Project, path: str) -> None:
    """Raise unless the database matches the definitions: :class:`MigrationRefused` for a change that would lose
    data (no command may run), :class:`MigrationNeeded` for one a writing command would make."""
    changes = pending_changes(con, project)
    losses = [change.loss for change in changes if change.loss]
    if losses:
        raise MigrationRefused(losses)
    if changes:
        raise MigrationNeeded(path, [change.description for change in changes])


def pending_changes(con: duckdb.DuckDBPyConnection, project: Project) -> list[Change]:
    """What opening for writing would change (system tables first, then the plan), read without writing."""
    tables = table_names(con)
    missing = [f"create system table {name}" for name in SYSTEM_TABLES if name not in tables]
    sequences = sequence_names(con)
    missing += [f"create sequence {name}" for name in SEQUENCES if name not in sequences]
    columns = {(table, column) for table, kinds in column_types(con, "rd_").items() for column in kinds}
    missing += [f"add column {column.split()[0]} to {table}" for table, column in ADDED_COLUMNS
                if table in tables and (table, column.split()[0]) not in columns]
    if missing:
        return [Change(description) for description in missing]
    return plan_migration(con, project)
