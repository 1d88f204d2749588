"""SQL functions that give PostgreSQL DuckDB's answer where the two differ, created once per database.

``rd_text(x)`` is DuckDB's ``CAST(x AS VARCHAR)``: the same text for a scalar,
and for a list DuckDB's ``[a, b]`` (an element quoted ``'…'`` when it holds
one of ``"'(),:=[]{}\\``, is empty, has a space at either end or reads ``null``)
where PostgreSQL would write ``{a,b}``. The journal keeps old and new values
as text, so both backends store and show the same. ``rd_try_json(text)`` is
DuckDB's ``TRY_CAST(x AS JSON)``: null for text that is not JSON.
"""

from __future__ import annotations

FUNCTIONS: dict[str, str] = {
    "rd_text(anynonarray)": (
        "CREATE OR REPLACE FUNCTION rd_text(value anynonarray) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        "AS $$ SELECT value::text $$"),
    "rd_text(anyarray)": (
        "CREATE OR REPLACE FUNCTION rd_text(value anyarray) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        "AS $$ SELECT CASE WHEN value IS NULL THEN NULL ELSE '[' || coalesce((SELECT string_agg("
        "CASE WHEN e IS NULL THEN 'NULL' "
        "WHEN e = '' OR e ~ '[]\"''(),:=[\\\\{}]' OR e ~ '^\\s|\\s$' OR lower(e) = 'null' "
        "THEN '''' || replace(replace(e, '\\', '\\\\'), '''', '\\''') || '''' ELSE e END, ', ' ORDER BY n) "
        "FROM unnest(value::text[]) WITH ORDINALITY AS u(e, n)), '') || ']' END $$"),
    "rd_try_json(text)": (
        "CREATE OR REPLACE FUNCTION rd_try_json(value text) RETURNS json LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE "
        "AS $$ BEGIN RETURN value::json; EXCEPTION WHEN others THEN RETURN NULL; END $$"),
}
"""Each function by its signature, and the statement creating it."""


def install(raw) -> None:
    """Create the functions a database does not have yet (a psycopg connection in autocommit mode)."""
    missing = [signature for signature in FUNCTIONS
               if raw.execute("SELECT to_regprocedure($1)", [signature]).fetchone()[0] is None]
    if not missing:
        return
    with raw.transaction():
        raw.execute("SELECT pg_advisory_xact_lock(hashtext('ruledeck functions'))")
        for signature in missing:
            raw.execute(FUNCTIONS[signature])
