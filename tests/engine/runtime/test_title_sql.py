"""A title compiled to SQL prints, in DuckDB, exactly what render() prints for the same row fetched into Python."""

from __future__ import annotations

import datetime as dt
from decimal import Context, Decimal

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruledeck.engine.runtime.title_sql import may_compile, title_sql
from ruledeck.engine.templating import render

COLUMNS = {
    "s": "VARCHAR", "t": "VARCHAR", "i": "BIGINT", "n": "INTEGER", "h": "HUGEINT", "b": "BOOLEAN", "d": "DATE",
    "e": "DATE", "m": "DECIMAL(18,2)", "z": "DECIMAL(18,0)", "k": "DECIMAL(18,6)", "w": "DECIMAL(38,3)",
}
SPECIAL_DATES = ["infinity", "-infinity", "10000-01-01", "0001-12-31 (BC)", "0001-01-01", "9999-12-31",
                 "0005-03-04", "0999-12-31"]


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def _decimal(scale: int, digits: int = 18) -> st.SearchStrategy:
    """Any DECIMAL(digits, scale), as text (an exact context: the default one rounds at 28 digits)."""
    exact = Context(prec=digits + 2)
    return st.integers(-(10**digits - 1), 10**digits - 1).map(lambda c: str(Decimal(c).scaleb(-scale, exact)))


def _dates() -> st.SearchStrategy:
    return st.one_of(st.dates().map(dt.date.isoformat), st.sampled_from(SPECIAL_DATES))


TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8)
ROW = st.fixed_dictionaries({
    "s": st.none() | TEXT | st.sampled_from(["", "0", "None", "it's", "\\n", "'; DROP TABLE v; --"]),
    "t": st.none() | TEXT,
    "i": st.none() | st.integers(-2**63, 2**63 - 1) | st.sampled_from([0, -1]),
    "n": st.none() | st.integers(-2**31, 2**31 - 1),
    "h": st.none() | st.integers(-2**100, 2**100).map(str),
    "b": st.none() | st.booleans(),
    "d": st.none() | _dates(),
    "e": st.none() | _dates(),
    "m": st.none() | _decimal(2) | st.sampled_from(["0", "-0.01", "0.10"]),
    "z": st.none() | _decimal(0),
    "k": st.none() | _decimal(6) | st.sampled_from(["0", "0.000001", "-0.000010"]),
    "w": st.none() | _decimal(3, 38),
})

CONST = st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=4).map(repr),
                  st.sampled_from(["''", "'👶'", "'🧑'", "0", "1", "-7", "none", "true", "false", "1.5"]))
NAMES = st.sampled_from(sorted(COLUMNS))
PATTERN = st.lists(st.sampled_from(["%d", "%m", "%Y", "%y", "%%", ".", "/", " ", "г.", "€"]), max_size=5).map("".join)


def _expressions() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, inner, inner).map(lambda a: f"(({a[0]}) if ({a[1]}) else ({a[2]}))"),
            st.tuples(inner, inner).map(lambda a: f"(({a[0]}) | default(({a[1]}), true))"),
            st.tuples(inner, inner).map(lambda a: f"(({a[0]}) | d({a[1]}))"),
            inner.map(lambda a: f"(({a}) | default)"),
            inner.map(lambda a: f"(({a}) | date)"),
            st.tuples(inner, PATTERN).map(lambda a: f"(({a[0]}) | date({a[1]!r}))"),
            st.tuples(inner, inner).map(lambda a: f"(({a[0]}) ~ ({a[1]}))"),
            inner.map(lambda a: f"(not ({a}))"),
            st.tuples(inner, inner).map(lambda a: f"(({a[0]}) and ({a[1]}))"),
            st.tuples(inner, inner).map(lambda a: f"(({a[0]}) or ({a[1]}))"),
        )
    return st.recursive(NAMES | CONST, extend, max_leaves=6)


DATA = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="{"), max_size=6) | st.sampled_from(
    [" · ", " № ", "\n", "\r\n", "'", "\\", "%"])


def _statements(expression: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    output = expression.map(lambda e: "{{ " + e + " }}")
    plain = st.lists(DATA | output, min_size=1, max_size=4).map("".join)
    branch = st.tuples(expression, plain, plain).map(
        lambda a: "{% if " + a[0] + " %}" + a[1] + "{% else %}" + a[2] + "{% endif %}")
    elif_ = st.tuples(expression, plain, expression, plain).map(
        lambda a: "{% if " + a[0] + " %}" + a[1] + "{% elif " + a[2] + " %}" + a[3] + "{% endif %}")
    return st.lists(DATA | output | branch | elif_, min_size=1, max_size=5).map("".join)


TEMPLATE = _statements(_expressions())


def _load(con: duckdb.DuckDBPyConnection, row: dict) -> dict:
    """The row as a one-row table ``v``, and as Python reads it back (what render() is given)."""
    selects = ", ".join(f"CAST(? AS {kind}) AS {name}" for name, kind in COLUMNS.items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE v AS SELECT {selects}", [row[name] for name in COLUMNS])
    cursor = con.execute("SELECT * FROM v")
    return dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))


def _sql_title(con: duckdb.DuckDBPyConnection, template: str) -> str | None:
    sql = title_sql(template, tuple(COLUMNS.items()), "v")
    return None if sql is None else con.execute(f"SELECT {sql} FROM v").fetchone()[0]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(template=TEMPLATE, row=ROW)
def test_a_compiled_title_prints_what_render_prints(con, template, row):
    values = _load(con, row)
    printed = _sql_title(con, template)
    if printed is not None:
        assert printed == render(template, values)


@pytest.mark.parametrize("template", [
    "{{ s }}|{{ i }}|{{ n }}|{{ h }}|{{ b }}|{{ d }}|{{ e }}|{{ m }}|{{ z }}|{{ k }}|{{ w }}",
    "{{ s ~ i ~ b ~ d ~ m ~ k }}",
    "{{ d | date }} {{ e | date('%Y/%m/%d %y %%') }} {{ s | date }} {{ i | date }}",
    "{{ 'yes' if s else 'no' }}{{ 'yes' if i else 'no' }}{{ 'yes' if b else 'no' }}{{ 'yes' if d else 'no' }}"
    "{{ 'yes' if m else 'no' }}{{ 'yes' if k else 'no' }}",
    "{{ s | default('—', true) }} {{ m | default(i, true) }} {{ b | default('?', true) }} {{ k | default }}",
    "{% if not s %}empty{% elif b and i %}both{% else %}{{ s or i }}{% endif %}",
])
@pytest.mark.parametrize("row", [
    {name: None for name in COLUMNS},
    {"s": "", "t": "'", "i": 0, "n": 0, "h": "0", "b": False, "d": "infinity", "e": "-infinity", "m": "0",
     "z": "0", "k": "0", "w": "0"},
    {"s": "Маша 👶", "t": "a\nb", "i": -2**63, "n": -1, "h": str(2**100), "b": True, "d": "0005-03-04",
     "e": "10000-01-01", "m": "-0.50", "z": "-12", "k": "0.000001", "w": "12345678901234567890123456789012345.678"},
    {"s": "None", "t": "\\", "i": 2**63 - 1, "n": 7, "h": "-1", "b": True, "d": "0001-12-31 (BC)",
     "e": "2026-02-28", "m": "1234567890123456.78", "z": "999999999999999999", "k": "-0.000010", "w": "-0.001"},
], ids=["nulls", "zeros and infinities", "unicode and extremes", "more extremes"])
def test_every_supported_type_prints_as_python_prints_it(con, template, row):
    values = _load(con, row)
    assert _sql_title(con, template) == render(template, values)


def test_the_prosthesis_title_compiles_to_one_expression():
    template = "{{ '👶' if is_child else '🧑' }} {{ user_name }} · {{ device_model }} № {{ serial_number }}"
    columns = (("is_child", "BOOLEAN"), ("user_name", "VARCHAR"), ("device_model", "VARCHAR"),
               ("serial_number", "VARCHAR"))
    assert title_sql(template, columns, "v") == (
        "CASE WHEN COALESCE(v.\"is_child\", FALSE) THEN '👶' ELSE '🧑' END || ' ' || COALESCE(v.\"user_name\", '') "
        "|| ' · ' || COALESCE(v.\"device_model\", '') || ' № ' || COALESCE(v.\"serial_number\", '')")


@pytest.mark.parametrize(("template", "columns"), [
    ("{% for x in xs %}{{ x }},{% endfor %}", {"xs": "VARCHAR[]"}),
    ("{{ name | upper }}", {"name": "VARCHAR"}),
    ("{{ xs }}", {"xs": "VARCHAR[]"}),
    ("{{ at }}", {"at": "TIMESTAMP WITH TIME ZONE"}),
    ("{{ at | date }}", {"at": "TIMESTAMP WITH TIME ZONE"}),
    ("{{ x }}", {"x": "DOUBLE"}),
    ("{{ x }}", {"x": "DECIMAL(18,7)"}),
    ("{{ missing }}", {"name": "VARCHAR"}),
    ("{{ d | date('%H:%M') }}", {"d": "DATE"}),
    ("{{ d | date('100%') }}", {"d": "DATE"}),
    ("{{ (d if b else s) | date }}", {"d": "DATE", "b": "BOOLEAN", "s": "VARCHAR"}),
    ("{{ name if b }}", {"name": "VARCHAR", "b": "BOOLEAN"}),
    ("{{ n + 1 }}", {"n": "BIGINT"}),
    ("{{ name == 'a' }}", {"name": "VARCHAR"}),
    ("{{ name.upper() }}", {"name": "VARCHAR"}),
    ("{% set x = 1 %}{{ x }}", {}),
    ("{{ name | default('x', flag) }}", {"name": "VARCHAR", "flag": "BOOLEAN"}),
    ("{{ '\udc00' }}", {}),
    ("{{ unclosed", {}),
])
def test_a_template_without_an_exact_sql_counterpart_does_not_compile(template, columns):
    assert title_sql(template, tuple(columns.items()), "v") is None


def test_may_compile_looks_at_the_shape_only():
    assert may_compile("{{ a | date }}{% if b %}{{ c ~ d }}{% endif %}")
    assert not may_compile("{% for x in xs %}{{ x }}{% endfor %}")
    assert not may_compile("{{ name | upper }}")
