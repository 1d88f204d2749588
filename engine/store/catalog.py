"""What tables, columns and sequences a database holds, asked the way its backend answers.

Each backend has its own catalog, so these are the few statements written
once per dialect; column types come back in DuckDB's spelling
(``VARCHAR``, ``TIMESTAMPTZ``, ``DECIMAL(18,2)``, ``VARCHAR[]``) on both, for
the migration to compare with the types it wants.
"""

from __future__ import annotations

from .database import dialect

_DUCKDB_TABLES = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
_DUCKDB_COLUMNS = ("SELECT table_name, column_name, data_type FROM information_schema.columns "
                   "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position")
_DUCKDB_SEQUENCES = "SELECT sequence_name FROM duckdb_sequences()"

_POSTGRES_TYPE = ("replace(replace(replace(replace(upper(format_type(a.atttypid, a.atttypmod)), "
                  "'CHARACTER VARYING', 'VARCHAR'), 'TEXT', 'VARCHAR'), 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMPTZ'), "
                  "'NUMERIC', 'DECIMAL')")
_POSTGRES_TABLES = ("SELECT c.relname FROM pg_catalog.pg_class c "
                    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')")
_POSTGRES_COLUMNS = (f"SELECT c.relname, a.attname, {_POSTGRES_TYPE} FROM pg_catalog.pg_attribute a "
                     "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
                     "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                     "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 "
                     "AND NOT a.attisdropped ORDER BY c.relname, a.attnum")
_POSTGRES_SEQUENCES = ("SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                       "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'S'")


def _raw(con):
    """The backend's own connection: catalog statements are written in its dialect, never rendered."""
    return getattr(con, "raw", con)


def table_names(con) -> set[str]:
    """The names of the database's own tables (not temporary ones)."""
    sql = _POSTGRES_TABLES if dialect(con) == "postgres" else _DUCKDB_TABLES
    return {row[0] for row in _raw(con).execute(sql).fetchall()}


def column_types(con, prefix: str) -> dict[str, dict[str, str]]:
    """Each table whose name starts with ``prefix``: its columns in order, with their types in DuckDB's spelling."""
    sql = _POSTGRES_COLUMNS if dialect(con) == "postgres" else _DUCKDB_COLUMNS
    tables: dict[str, dict[str, str]] = {}
    for table, column, kind in _raw(con).execute(sql).fetchall():
        if table.startswith(prefix):
            tables.setdefault(table, {})[column] = kind
    return tables


def sequence_names(con) -> set[str]:
    """The names of the database's sequences."""
    sql = _POSTGRES_SEQUENCES if dialect(con) == "postgres" else _DUCKDB_SEQUENCES
    return {row[0] for row in _raw(con).execute(sql).fetchall()}
