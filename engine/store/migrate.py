"""Derive tables from the definitions and migrate the database to them.

Additive changes (a new process, field or stage) apply by themselves. A change
that would lose data (a dropped field that holds values, a removed stage or
process that holds cards, a field whose type changes while it holds values)
is refused with a message naming what would be lost. Lookup and period tables
are definition data and are rebuilt whenever they differ.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import duckdb

from ..definitions.model import Project
from ..errors import RuledeckError
from .catalog import column_types, table_names
from .names import items_table, lookup_table, period_table, quote
from .system_tables import create_statements
from .types import SCALAR_SQL, sql_type, stored

ITEM_SYSTEM_COLUMNS = {
    "id": "BIGINT",
    "pipeline": "VARCHAR",
    "stage": "VARCHAR",
    "title": "VARCHAR",
    "created_at": "TIMESTAMPTZ",
    "updated_at": "TIMESTAMPTZ",
    "stage_entered_at": "TIMESTAMPTZ",
    "held_from": "VARCHAR",
    "held_at": "TIMESTAMPTZ",
}
PERIOD_COLUMNS = {
    "variant": "VARCHAR",
    "idx": "INTEGER",
    "label": "VARCHAR",
    "offset_months": "INTEGER",
    "offset_days": "INTEGER",
    "offset_seconds": "BIGINT",
    "questions": "VARCHAR[]",
}


class MigrationRefused(RuledeckError):
    """The definitions changed in a way that would lose data in the database."""

    def __init__(self, losses: list[str]):
        self.losses = losses
        lines = "\n".join(f"  - {loss}" for loss in losses)
        super().__init__(f"the definitions no longer match the database, and migrating would lose data:\n{lines}\n"
                         "restore the removed definitions, or move/clear those items first")


@dataclass
class Change:
    """One step of a migration."""

    description: str
    statements: list[str] = field(default_factory=list)
    loss: str = ""
    """What data the change would lose; a change with a loss is refused."""
    rows: dict[str, tuple[list[str], list[tuple]]] = field(default_factory=dict)
    """Rows to insert after the statements (lookup and period tables)."""
    fingerprint: str = ""


def desired_item_columns(project: Project) -> dict[str, dict[str, str]]:
    """Each process table and its columns (system columns first)."""
    tables = {}
    for process in project.processes.values():
        columns = dict(ITEM_SYSTEM_COLUMNS)
        columns.update({name: sql_type(f) for name, f in process.fields.items() if stored(f)})
        tables[items_table(process.name)] = columns
    return tables


def _current_columns(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    return column_types(con, "items_")


def _same_type(current: str, wanted: str) -> bool:
    aliases = {"TIMESTAMP WITH TIME ZONE": "TIMESTAMPTZ", "INT64": "BIGINT"}
    return aliases.get(current, current).replace(" ", "") == wanted.replace(" ", "")


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return con.execute(sql).fetchone()[0]


def plan_migration(con: duckdb.DuckDBPyConnection, project: Project) -> list[Change]:
    """The changes that would bring the database in line with ``project``."""
    changes: list[Change] = []
    current = _current_columns(con)
    desired = desired_item_columns(project)
    for table, columns in desired.items():
        if table not in current:
            body = ", ".join(f"{quote(c)} {t}" for c, t in columns.items())
            changes.append(Change(f"create table {table} for process '{table[6:]}'",
                                  [f"CREATE TABLE {quote(table)} ({body})"]))
            continue
        for column, kind in columns.items():
            have = current[table].get(column)
            if have is None:
                changes.append(Change(f"add field '{column}' ({kind}) to process '{table[6:]}'",
                                      [f"ALTER TABLE {quote(table)} ADD COLUMN {quote(column)} {kind}"]))
            elif not _same_type(have, kind):
                filled = _count(con, f"SELECT count({quote(column)}) FROM {quote(table)}")
                loss = (f"field '{column}' of process '{table[6:]}' changes type from {have} to {kind}, "
                        f"and {filled} item(s) hold a value") if filled else ""
                changes.append(Change(f"change the type of field '{column}' of '{table[6:]}' to {kind}", [
                    f"ALTER TABLE {quote(table)} DROP COLUMN {quote(column)}",
                    f"ALTER TABLE {quote(table)} ADD COLUMN {quote(column)} {kind}"], loss))
        for column in current[table]:
            if column not in columns:
                filled = _count(con, f"SELECT count({quote(column)}) FROM {quote(table)}")
                loss = f"field '{column}' of process '{table[6:]}' was removed, and {filled} item(s) hold a value"
                changes.append(Change(f"drop field '{column}' of process '{table[6:]}'",
                                      [f"ALTER TABLE {quote(table)} DROP COLUMN {quote(column)}"],
                                      loss if filled else ""))
    for table in current:
        if table not in desired:
            rows = _count(con, f"SELECT count(*) FROM {quote(table)}")
            loss = f"process '{table[6:]}' was removed, and it holds {rows} item(s)" if rows else ""
            changes.append(Change(f"drop table {table}", [f"DROP TABLE {quote(table)}"], loss))
    changes += _stage_losses(con, project, current)
    changes += _definition_tables(con, project)
    return changes


def _stage_losses(con: duckdb.DuckDBPyConnection, project: Project, current: dict) -> list[Change]:
    changes = []
    for process in project.processes.values():
        table = items_table(process.name)
        if table not in current:
            continue
        rows = con.execute(f"SELECT pipeline, stage, count(*) FROM {quote(table)} GROUP BY pipeline, stage "
                           "ORDER BY pipeline, stage").fetchall()
        for pipeline, stage, count in rows:
            known = process.pipelines.get(pipeline)
            if known is None or stage not in known.stages:
                where = f"stage '{stage}'" if known else f"pipeline '{pipeline}'"
                changes.append(Change(f"{where} of '{process.name}' is gone", [],
                                      f"{where} of process '{process.name}' was removed, and {count} card(s) "
                                      "are in it"))
    return changes


def _definition_data(project: Project) -> dict[str, tuple[dict[str, str], list[tuple]]]:
    """Lookup and period tables: their columns and rows, straight from the definitions."""
    from ..timing import parse_duration

    tables: dict[str, tuple[dict[str, str], list[tuple]]] = {}
    for lookup in project.lookups.values():
        fields = lookup.spec.get("fields") or {}
        columns = {name: SCALAR_SQL.get(spec.get("type", "string"), "VARCHAR") if spec.get("type") != "decimal"
                   else "DECIMAL(18,2)" for name, spec in fields.items()}
        rows = [tuple(row.get(name) for name in columns) for row in lookup.spec.get("rows") or []]
        tables[lookup_table(lookup.name)] = (columns, rows)
    for table in project.period_tables.values():
        rows = []
        for variant in table.variants:
            for index, row in enumerate(variant.rows):
                offset = parse_duration(row.offset)
                rows.append((variant.name, index, row.label, offset.months, offset.days, offset.seconds,
                             list(row.questions)))
        tables[period_table(table.name)] = (dict(PERIOD_COLUMNS), rows)
    return tables


def _definition_tables(con: duckdb.DuckDBPyConnection, project: Project) -> list[Change]:
    data = _definition_data(project)
    fingerprint = json.dumps({t: [c, r] for t, (c, r) in sorted(data.items())}, default=str, sort_keys=True)
    stored_print = con.execute("SELECT value FROM rd_meta WHERE key = 'definition_tables'").fetchone()
    existing = {name for name in table_names(con) if name.startswith(("lookup_", "period_"))}
    if stored_print and stored_print[0] == fingerprint and existing == set(data):
        return []
    statements = [f"DROP TABLE IF EXISTS {quote(t)}" for t in sorted(existing)]
    for table, (columns, _rows) in sorted(data.items()):
        body = ", ".join(f"{quote(c)} {t}" for c, t in columns.items())
        statements.append(f"CREATE TABLE {quote(table)} ({body})")
    rows = {t: (list(c), r) for t, (c, r) in data.items()}
    return [Change("rebuild lookup and period tables from the definitions", statements, rows=rows,
                   fingerprint=fingerprint)]


def migrate(con: duckdb.DuckDBPyConnection, project: Project) -> list[Change]:
    """Create system tables and apply the plan, or raise :class:`MigrationRefused`."""
    for statement in create_statements():
        con.execute(statement)
    changes = plan_migration(con, project)
    losses = [c.loss for c in changes if c.loss]
    if losses:
        raise MigrationRefused(losses)
    if not changes:
        return changes
    con.execute("BEGIN TRANSACTION")
    try:
        for change in changes:
            for statement in change.statements:
                con.execute(statement)
            for table, (columns, rows) in change.rows.items():
                if rows:
                    marks = ", ".join("?" for _ in columns)
                    con.executemany(f"INSERT INTO {quote(table)} VALUES ({marks})", rows)
            if change.fingerprint:
                con.execute("INSERT INTO rd_meta VALUES ('definition_tables', ?) "
                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [change.fingerprint])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return changes
