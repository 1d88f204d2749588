"""The engine's DuckDB statements rendered for PostgreSQL, once per statement text.

The engine writes DuckDB SQL with ``?`` parameters. Each distinct text is
parsed once by sqlglot (``read="duckdb"``), rewritten where PostgreSQL has
another form for the same thing, and printed with PostgreSQL's ``$1, $2, …``
parameters; the result is cached by the DuckDB text, so a statement the
engine sends a thousand times is rendered once ("compile once, per dialect").

>>> render("SELECT count(*) FROM t WHERE a = ? AND b LIKE '%?'").statements
("SELECT COUNT(*) FROM t WHERE a = $1 AND b LIKE '%?'",)
>>> render("CREATE OR REPLACE TEMP TABLE rd_t1 AS SELECT 1 AS x").statements
('DROP TABLE IF EXISTS rd_t1', 'CREATE TEMPORARY TABLE rd_t1 AS SELECT 1 AS x')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.tokens import Tokenizer, TokenType

from ...errors import RuledeckError

SETTING_PREFIX = "ruledeck."
"""Session variables (DuckDB's ``SET VARIABLE``) are custom settings named ``ruledeck.NAME`` on PostgreSQL."""
VARIABLE_TYPES = {"rd_now_at": "TIMESTAMPTZ"}
"""The type of every session variable the engine sets (a setting is text; reading it casts it back)."""


class NotRenderable(RuledeckError):
    """A DuckDB statement has no PostgreSQL form yet (a bug to report: the engine wrote something non-portable)."""


@dataclass(frozen=True)
class Rendered:
    """A DuckDB statement as PostgreSQL runs it: the statements in order, the last one taking the parameters."""

    statements: tuple[str, ...]
    parameters: int
    """How many parameters the statement takes (the ``?`` in the DuckDB text)."""


def _placeholder_sql(self, expression: exp.Placeholder) -> str:
    return f"${expression.name}"


def _regexp_full_match_sql(self, expression: exp.RegexpFullMatch) -> str:
    pattern = self.sql(expression, "expression")
    return f"({self.sql(expression, 'this')} ~ ('^(?:' || {pattern} || ')$'))"


_INTERVAL_FUNCTIONS = {f"to_{unit}s": unit for unit in
                       ("microsecond", "millisecond", "second", "minute", "hour", "day", "week", "month", "year")}
"""DuckDB's ``to_months(n)`` and the like: ``n`` times one unit."""


def _anonymous_sql(self, expression: exp.Anonymous) -> str:
    name = expression.name.lower()
    if name == "getvariable":
        variable = expression.expressions[0].name
        return f"CAST(current_setting('{SETTING_PREFIX}{variable}') AS {VARIABLE_TYPES[variable]})"
    if name in _INTERVAL_FUNCTIONS:
        return f"({self.sql(expression.expressions[0])} * INTERVAL '1 {_INTERVAL_FUNCTIONS[name]}')"
    return Postgres.Generator.anonymous_sql(self, expression)


def _interval_sql(self, expression: exp.Interval) -> str:
    amount, unit = expression.this, expression.args.get("unit")
    if unit is None or amount is None or isinstance(amount, exp.Literal):
        return Postgres.Generator.interval_sql(self, expression)
    return f"({self.sql(amount)} * INTERVAL '1 {self.sql(unit)}')"


def _to_days_sql(self, expression: exp.ToDays) -> str:
    return f"({self.sql(expression, 'this')} * INTERVAL '1 day')"


def _array_contains_sql(self, expression: exp.ArrayContains) -> str:
    values = expression.this
    path = values.expression if isinstance(values, exp.JSONExtractScalar) else None
    steps = path.expressions if isinstance(path, exp.JSONPath) else []
    if not steps or not isinstance(steps[-1], exp.JSONPathKey) or not isinstance(steps[-1].this, exp.JSONPathWildcard):
        return Postgres.Generator.arraycontains_sql(self, expression)
    # DuckDB's json_extract_string(j, '$.a.*'): the values of the object at a, as text.
    keys = [step.this for step in steps[1:-1]]
    if not all(isinstance(key, str) for key in keys):
        raise NotRenderable("a JSON path with a wildcard before its end")
    inner = f"({self.sql(values, 'this')} #> {exp.Literal.string('{' + ','.join(keys) + '}').sql('postgres')})"
    return (f"EXISTS (SELECT 1 FROM json_each_text(CASE WHEN json_typeof({inner}) = 'object' THEN {inner} END) "
            f"AS rd_e WHERE rd_e.value = {self.sql(expression, 'expression')})")


def _round_sql(self, expression: exp.Round) -> str:
    places = expression.args.get("decimals")
    return f"rd_round({self.sql(expression, 'this')}{', ' + self.sql(places) if places else ''})"


def _comprehension_sql(self, expression: exp.Comprehension) -> str:
    variable = self.sql(expression, "expression")
    where = f" WHERE {self.sql(expression, 'condition')}" if expression.args.get("condition") else ""
    return (f"SELECT {self.sql(expression, 'this')} FROM unnest({self.sql(expression, 'iterator')}) "
            f"WITH ORDINALITY AS rd_u({variable}, rd_ord){where} ORDER BY rd_ord")


def _array_sql(self, expression: exp.Array) -> str:
    inner = expression.expressions
    if len(inner) == 1 and isinstance(inner[0], exp.Comprehension):
        return f"ARRAY({self.sql(inner[0])})"
    return Postgres.Generator.array_sql(self, expression)


class RuledeckPostgres(Postgres):
    """PostgreSQL as sqlglot writes it, with ``$n`` parameters and the rewrites the engine's SQL needs."""

    class Generator(Postgres.Generator):
        TRANSFORMS = {
            **Postgres.Generator.TRANSFORMS,
            exp.Placeholder: _placeholder_sql,
            exp.RegexpFullMatch: _regexp_full_match_sql,
            exp.Anonymous: _anonymous_sql,
            exp.Comprehension: _comprehension_sql,
            exp.Interval: _interval_sql,
            exp.ToDays: _to_days_sql,
            exp.ArrayContains: _array_contains_sql,
            exp.Array: _array_sql,
            exp.Round: _round_sql,
        }


def number_parameters(sql: str) -> tuple[str, int]:
    """``sql`` with its ``?`` parameters numbered ``$1, $2, …`` in the order they appear, and their count.

    >>> number_parameters("SELECT ?, '?', ?")
    ("SELECT $1, '?', $2", 2)
    """
    pieces, last, count = [], 0, 0
    for token in Tokenizer().tokenize(sql):
        if token.token_type == TokenType.PLACEHOLDER and token.text == "?":
            count += 1
            pieces.append(sql[last:token.start])
            pieces.append(f"${count}")
            last = token.end + 1
    pieces.append(sql[last:])
    return "".join(pieces), count


@lru_cache(maxsize=16384)
def render(sql: str) -> Rendered:
    """The PostgreSQL statements that do what the DuckDB statement ``sql`` does (cached by ``sql``)."""
    numbered, count = number_parameters(sql)
    try:
        tree = sqlglot.parse_one(numbered, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise NotRenderable(f"cannot read a statement to render it for PostgreSQL: {exc}; statement: {sql}") from None
    count = max([count] + [int(p.name) for p in tree.find_all(exp.Placeholder) if p.name.isdigit()])
    before: list[str] = []
    if isinstance(tree, exp.Set) and tree.expressions and tree.expressions[0].args.get("kind") == "VARIABLE":
        return Rendered((_set_variable(tree.expressions[0]),), count)
    if isinstance(tree, exp.Insert) and tree.args.get("alternative") == "REPLACE":
        _upsert(tree)
    if isinstance(tree, exp.Create) and tree.args.get("replace") and tree.kind == "TABLE":
        tree.set("replace", False)
        table = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        before.append(f"DROP TABLE IF EXISTS {table.sql(dialect=RuledeckPostgres)}")
    _name_derived_tables(tree)
    for cast in reversed(list(tree.find_all(exp.Cast, bfs=False))):  # innermost first
        replaced = _duckdb_casts(cast)
        if replaced is cast:
            continue
        if cast is tree:
            tree = replaced
        else:
            cast.replace(replaced)
    try:
        text = tree.sql(dialect=RuledeckPostgres, unsupported_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.UnsupportedError as exc:
        raise NotRenderable(f"no PostgreSQL form for a statement: {exc}; statement: {sql}") from None
    return Rendered((*before, text), count)


def _set_variable(item: exp.SetItem) -> str:
    assignment = item.this
    name = assignment.this.name
    if name not in VARIABLE_TYPES:
        raise NotRenderable(f"unknown session variable {name!r}: add it to VARIABLE_TYPES")
    value = assignment.expression.sql(dialect=RuledeckPostgres)
    return f"SELECT set_config('{SETTING_PREFIX}{name}', CAST({value} AS TEXT), false)"


def _primary_keys() -> dict[str, tuple[str, list[str]]]:
    from ..system_tables import SYSTEM_TABLES

    keys = {}
    for table, columns in SYSTEM_TABLES.items():
        names = [column.split()[0] for column in columns.split(", ")]
        key = next((column.split()[0] for column in columns.split(", ") if "PRIMARY KEY" in column), None)
        if key:
            keys[table] = (key, [name for name in names if name != key])
    return keys


def _upsert(tree: exp.Insert) -> None:
    """``INSERT OR REPLACE INTO t`` (a system table) as ``INSERT … ON CONFLICT (its key) DO UPDATE``."""
    table = tree.this.name
    keys = _primary_keys()
    if table not in keys:
        raise NotRenderable(f"INSERT OR REPLACE into {table}, which has no primary key")
    key, others = keys[table]
    tree.set("alternative", None)
    updates = [exp.EQ(this=exp.column(name), expression=exp.column(name, table="excluded")) for name in others]
    tree.set("conflict", exp.OnConflict(conflict_keys=[exp.to_identifier(key)], action=exp.var("DO UPDATE"),
                                        expressions=updates))


def _name_derived_tables(tree: exp.Expression) -> None:
    """Give every unnamed subquery and VALUES list in a FROM or JOIN a name (PostgreSQL 15 requires one)."""
    for number, node in enumerate(list(tree.find_all(exp.Subquery, exp.Values)), 1):
        if not node.alias and isinstance(node.parent, exp.From | exp.Join):
            node.set("alias", exp.TableAlias(this=exp.to_identifier(f"rd_d{number}")))


_TEXT_TYPES = (exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR)


def _duckdb_casts(node: exp.Expression) -> exp.Expression:
    """Casts PostgreSQL answers otherwise: to text (a list's text, see :mod:`.functions`), ``TRY_CAST`` to JSON."""
    if not isinstance(node, exp.Cast) or isinstance(node.this, exp.Literal | exp.Null | exp.Placeholder):
        return node
    target = node.to
    if isinstance(node, exp.TryCast):
        if target.this == exp.DataType.Type.JSON:
            return exp.func("rd_try_json", node.this)
        if target.this == exp.DataType.Type.BIGINT:
            return exp.func("rd_try_bigint", node.this)
        raise NotRenderable(f"no PostgreSQL form for TRY_CAST to {target.sql()}")
    if target.this in _TEXT_TYPES and not target.expressions:
        return exp.func("rd_text", node.this)
    if target.this == exp.DataType.Type.ARRAY:
        # From a list's text (the journal's old and new values) as DuckDB reads it; from a list, as it is.
        node.set("this", exp.func("rd_list", node.this))
    return node
