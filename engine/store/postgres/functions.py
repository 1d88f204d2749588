"""SQL functions that give PostgreSQL DuckDB's answer where the two differ, created once per database.

``rd_text(x)`` is DuckDB's ``CAST(x AS VARCHAR)``: the same text for a scalar
(a whole double with its ``.0``),
and for a list DuckDB's ``[a, b]`` (an element quoted ``'…'`` when it holds
one of ``"'(),:=[]{}\\``, is empty, has a space at either end or reads ``null``)
where PostgreSQL would write ``{a,b}``. The journal keeps old and new values
as text, so both backends store and show the same; ``rd_list(text)`` reads
that text back as a list (DuckDB's ``CAST(text AS VARCHAR[])``), and a JSON array's values. ``rd_try_json(text)`` is
DuckDB's ``TRY_CAST(x AS JSON)``: null for text that is not JSON; ``rd_try_bigint(text)`` likewise.
``rd_round`` is DuckDB's ``round``: a double stays a double, rounded as DuckDB rounds it.
"""

from __future__ import annotations

import hashlib

_LIST_PARSER = r"""
CREATE OR REPLACE FUNCTION rd_list(value text) RETURNS text[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  result text[] := '{}';
  body text;
  n int;
  i int := 1;
  ch text;
  item text;
  quoted boolean;
BEGIN
  IF value IS NULL THEN RETURN NULL; END IF;
  body := btrim(value);
  IF left(body, 1) <> '[' OR right(body, 1) <> ']' THEN
    RAISE EXCEPTION 'not a list: %', value USING ERRCODE = '22P02';
  END IF;
  body := substr(body, 2, length(body) - 2);
  n := length(body);
  IF btrim(body) = '' THEN RETURN result; END IF;
  LOOP
    WHILE i <= n AND substr(body, i, 1) = ' ' LOOP i := i + 1; END LOOP;
    item := '';
    quoted := i <= n AND substr(body, i, 1) = chr(39);
    IF quoted THEN
      i := i + 1;
      WHILE i <= n LOOP
        ch := substr(body, i, 1);
        IF ch = chr(92) THEN item := item || substr(body, i + 1, 1); i := i + 2;
        ELSIF ch = chr(39) THEN i := i + 1; EXIT;
        ELSE item := item || ch; i := i + 1;
        END IF;
      END LOOP;
      WHILE i <= n AND substr(body, i, 1) <> ',' LOOP i := i + 1; END LOOP;
    ELSE
      WHILE i <= n AND substr(body, i, 1) <> ',' LOOP item := item || substr(body, i, 1); i := i + 1; END LOOP;
      item := rtrim(item);
    END IF;
    result := result || CASE WHEN NOT quoted AND item = 'NULL' THEN NULL ELSE item END;
    i := i + 1;
    EXIT WHEN i > n;
  END LOOP;
  RETURN result;
END $$"""
"""DuckDB's list text back as a list (``chr(39)`` is the quote, ``chr(92)`` the backslash that escapes)."""

_SQL = "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT {} $$"
_HALF_AWAY = ("CASE WHEN value::text LIKE '-%' AND round(value::numeric, places) = 0 THEN -0.0::double precision "
              "ELSE round(value::numeric, places)::double precision END")
"""DuckDB's round of a double, as a double: half away from zero (a negative value rounding to zero is -0.0).

It rounds the double's shortest decimal form, where DuckDB rounds its exact binary value: they differ at a
tie of that form (2.675 to two places: 2.68 here, 2.67 on DuckDB, whose 2.675 is 2.67499999…)."""


def _function(signature: str, returns: str, body: str) -> str:
    name, arguments = signature.split("(", 1)
    return f"CREATE OR REPLACE FUNCTION {name}({arguments} RETURNS {returns} {_SQL.format(body)}"


FUNCTIONS: dict[str, str] = {
    "rd_text(anynonarray)": _function("rd_text(value anynonarray)", "text", "value::text"),
    # Numbers are named one by one: without them PostgreSQL would pick the double precision one for them.
    **{f"rd_text({kind})": _function(f"rd_text(value {kind})", "text", "value::text")
       for kind in ("numeric", "bigint", "integer", "smallint")},
    "rd_text(double precision)": _function(
        "rd_text(value double precision)", "text",
        "CASE WHEN value::text ~ '^-?[0-9]+$' THEN value::text || '.0' WHEN value = 'Infinity' THEN 'inf' "
        "WHEN value = '-Infinity' THEN '-inf' WHEN value = 'NaN' THEN 'nan' "
        # DuckDB writes 1e15 up to 1e16 out in full, PostgreSQL with an exponent.
        "WHEN value::text ~ 'e\\+15$' THEN (CASE WHEN value < 0 THEN '-' ELSE '' END) || (SELECT CASE "
        "WHEN length(d) <= 16 THEN rpad(d, 16, '0') || '.0' ELSE left(d, 16) || '.' || substr(d, 17) END "
        "FROM (SELECT replace(split_part(ltrim(value::text, '-'), 'e', 1), '.', '') AS d) AS digits) "
        "ELSE value::text END"),
    "rd_round(double precision, integer)": _function(
        "rd_round(value double precision, places integer)", "double precision", _HALF_AWAY),
    "rd_round(double precision)": _function("rd_round(value double precision)", "double precision",
                                            "rd_round(value, 0)"),
    "rd_round(numeric, integer)": _function("rd_round(value numeric, places integer)", "numeric",
                                            "round(value, places)"),
    "rd_round(numeric)": _function("rd_round(value numeric)", "numeric", "round(value)"),
    **{f"rd_round({kind}{extra})": _function(f"rd_round(value {kind}{extra.replace(', ', ', places ')})", kind,
                                             "value")
       for kind in ("bigint", "integer") for extra in ("", ", integer")},
    "rd_text(anyarray)": (
        "CREATE OR REPLACE FUNCTION rd_text(value anyarray) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        "AS $$ SELECT CASE WHEN value IS NULL THEN NULL ELSE '[' || coalesce((SELECT string_agg("
        "CASE WHEN e IS NULL THEN 'NULL' "
        "WHEN e = '' OR e ~ '[]\"''(),:=[\\\\{}]' OR e ~ '^\\s|\\s$' OR lower(e) = 'null' "
        "THEN '''' || replace(replace(e, '\\', '\\\\'), '''', '\\''') || '''' ELSE e END, ', ' ORDER BY n) "
        "FROM unnest(value::text[]) WITH ORDINALITY AS u(e, n)), '') || ']' END $$"),
    "rd_list(text)": _LIST_PARSER,
    "rd_list(anyarray)": (
        "CREATE OR REPLACE FUNCTION rd_list(value anyarray) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        "AS $$ SELECT value::text[] $$"),
    "rd_list(json)": (
        "CREATE OR REPLACE FUNCTION rd_list(value json) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        "AS $$ SELECT CASE WHEN value IS NULL OR json_typeof(value) = 'null' THEN NULL "
        "ELSE ARRAY(SELECT json_array_elements_text(value)) END $$"),
    "rd_try_json(text)": (
        "CREATE OR REPLACE FUNCTION rd_try_json(value text) RETURNS json LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE "
        "AS $$ BEGIN RETURN value::json; EXCEPTION WHEN others THEN RETURN NULL; END $$"),
    "rd_try_bigint(text)": (
        "CREATE OR REPLACE FUNCTION rd_try_bigint(value text) RETURNS bigint LANGUAGE plpgsql IMMUTABLE "
        "PARALLEL SAFE AS $$ BEGIN RETURN value::bigint; EXCEPTION WHEN others THEN RETURN NULL; END $$"),
}
"""Each function by its signature, and the statement creating it."""


def _version(statement: str) -> str:
    return "ruledeck " + hashlib.sha256(statement.encode()).hexdigest()[:16]


def install(raw) -> None:
    """Create or update the functions a database lacks or holds in another version (psycopg, autocommit).

    Each function's comment names the version of its text, so one query tells what is current.
    """
    signatures = list(FUNCTIONS)
    have = dict(raw.execute("SELECT s, obj_description(to_regprocedure(s), 'pg_proc') FROM unnest($1::text[]) s",
                            [signatures]).fetchall())
    stale = [s for s in signatures if have.get(s) != _version(FUNCTIONS[s])]
    if not stale:
        return
    with raw.transaction():
        raw.execute("SELECT pg_advisory_xact_lock(hashtext('ruledeck functions'))")
        for signature in stale:
            raw.execute(FUNCTIONS[signature])
            raw.execute(f"COMMENT ON FUNCTION {signature} IS '{_version(FUNCTIONS[signature])}'")
