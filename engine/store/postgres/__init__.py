"""PostgreSQL as the database, for teams that outgrow one DuckDB file (optional: ``pip install 'ruledeck[postgres]'``).

The engine's statements are DuckDB SQL; :mod:`.render` renders each text for
PostgreSQL once and :mod:`.connection` runs it through psycopg 3, answering
as a DuckDB connection does. Nothing here is imported unless a database is a
``postgresql://`` URL.
"""

from __future__ import annotations

SCHEMES = ("postgresql://", "postgres://")


def is_url(database: str | None) -> bool:
    """Whether ``database`` names a PostgreSQL database rather than a DuckDB file.

    >>> is_url("postgresql://localhost/ruledeck"), is_url("ruledeck.duckdb")
    (True, False)
    """
    return bool(database) and database.startswith(SCHEMES)
