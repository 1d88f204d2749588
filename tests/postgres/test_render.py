"""DuckDB statements rendered for PostgreSQL: each rewrite, and the list functions against DuckDB itself."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruledeck.engine.store.postgres.render import NotRenderable, render

CASES = [
    ("parameters numbered in order, not inside strings",
     "SELECT ? AS a, '?' AS b, ? AS c", "SELECT $1 AS a, '?' AS b, $2 AS c"),
    ("a temp table replaced",
     "CREATE OR REPLACE TEMP TABLE rd_c1 AS SELECT 1 AS x",
     "DROP TABLE IF EXISTS rd_c1; CREATE TEMPORARY TABLE rd_c1 AS SELECT 1 AS x"),
    ("the session's now",
     "SET VARIABLE rd_now_at = CAST(? AS TIMESTAMPTZ)",
     "SELECT set_config('ruledeck.rd_now_at', CAST(CAST($1 AS TIMESTAMPTZ) AS TEXT), false)"),
    ("reading it back",
     "SELECT getvariable('rd_now_at') AS now_at",
     "SELECT CAST(current_setting('ruledeck.rd_now_at') AS TIMESTAMPTZ) AS now_at"),
    ("an upsert into a system table",
     "INSERT OR REPLACE INTO rd_clock VALUES (1, ?)",
     "INSERT INTO rd_clock VALUES (1, $1) ON CONFLICT(id) DO UPDATE SET now = excluded.now"),
    ("computed intervals",
     "SELECT d + INTERVAL (n * 12) MONTH, to_months(m) + to_days(k) FROM t",
     "SELECT d + ((n * 12) * INTERVAL '1 MONTH'), (m * INTERVAL '1 month') + (k * INTERVAL '1 day') FROM t"),
    ("a list's text and a list from text",
     "SELECT CAST(c.tags AS VARCHAR), CAST(j.new AS VARCHAR[]), CAST(? AS VARCHAR) FROM t AS c, j",
     "SELECT RD_TEXT(c.tags), CAST(RD_LIST(j.new) AS TEXT[]), CAST($1 AS TEXT) FROM t AS c, j"),
    ("text that may not be JSON",
     "SELECT json_extract_string(TRY_CAST(raw AS JSON), '$.type') FROM rd_rejected",
     "SELECT JSON_EXTRACT_PATH_TEXT(RD_TRY_JSON(raw), 'type') FROM rd_rejected"),
    ("a regular expression matching whole",
     "SELECT regexp_full_match(v, ?) FROM t", "SELECT (v ~ ('^(?:' || $1 || ')$')) FROM t"),
    ("an unnamed derived table",
     "SELECT * FROM (SELECT 1 AS x)", "SELECT * FROM (SELECT 1 AS x) AS rd_d1"),
    ("a list comprehension, order kept",
     "SELECT [x + 1 FOR x IN l] FROM t",
     "SELECT ARRAY(SELECT x + 1 FROM unnest(l) WITH ORDINALITY AS rd_u(x, rd_ord) ORDER BY rd_ord) FROM t"),
]


@pytest.mark.parametrize(("duckdb_sql", "postgres_sql"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rendered_for_postgres(duckdb_sql, postgres_sql):
    assert "; ".join(render(duckdb_sql).statements) == postgres_sql


def test_a_construct_without_a_postgres_form_is_named():
    with pytest.raises(NotRenderable, match="TRY_CAST to DATE"):
        render("SELECT TRY_CAST(x AS DATE) FROM t")


CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")  # PostgreSQL text has no NUL
TEXTS = st.lists(st.one_of(st.none(), st.text(CHARACTERS, max_size=8)), max_size=5)


@pytest.fixture(scope="module")
def server(postgres_server):
    import psycopg
    from ruledeck.engine.store.postgres.functions import install

    from .conftest import server_url

    with psycopg.connect(server_url(postgres_server), autocommit=True, cursor_factory=psycopg.RawCursor) as con:
        install(con)
        yield con


@settings(max_examples=60, deadline=None)
@given(values=TEXTS)
def test_lists_read_and_print_as_on_duckdb(server, values):
    """rd_text is DuckDB's CAST(list AS VARCHAR); rd_list reads that text back."""
    text = duckdb.execute("SELECT CAST(CAST(? AS VARCHAR[]) AS VARCHAR)", [values]).fetchone()[0]
    assert server.execute("SELECT rd_text($1::text[])", [values]).fetchone()[0] == text
    assert server.execute("SELECT rd_list($1::text)", [text]).fetchone()[0] == values


@settings(max_examples=80, deadline=None)
@given(value=st.one_of(st.integers(-10**15, 10**16).map(float),
                       st.decimals(-10**12, 10**12, places=6, allow_nan=False, allow_infinity=False).map(float)))
def test_doubles_print_as_on_duckdb(server, value):
    """Whole numbers and amounts of up to six places (not every double: ~1e16 PostgreSQL may write 17 digits)."""
    text = duckdb.execute("SELECT CAST(?::DOUBLE AS VARCHAR)", [value]).fetchone()[0]
    assert server.execute("SELECT rd_text($1::float8)", [value]).fetchone()[0] == text


@settings(max_examples=80, deadline=None)
@given(eighths=st.integers(-10**9, 10**9), places=st.sampled_from([0, 1, 2]))
def test_doubles_round_as_on_duckdb(server, eighths, places):
    """Half away from zero; values exact in binary (DuckDB rounds the binary value, see rd_round's ties)."""
    value = eighths / 8
    on_duckdb = duckdb.execute("SELECT CAST(round(?::DOUBLE, ?) AS VARCHAR)", [value, places]).fetchone()[0]
    assert server.execute("SELECT rd_text(rd_round($1::float8, $2))", [value, places]).fetchone()[0] == on_duckdb
