"""Property: evaluate() and the SQL from to_sql() agree on random well-typed expressions.

Expressions are drawn over int, decimal, string, bool and date columns, the
row's values include nulls, and DuckDB runs the compiled SQL on that row.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruledeck.engine.expressions import evaluate, parse

COLUMNS = {
    "int": ["i1", "i2"],
    "decimal": ["n1"],
    "string": ["s1", "s2"],
    "bool": ["b1"],
    "date": ["t1", "t2"],
}
TEXT = st.text(alphabet="aB %_'\\", max_size=4)
DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


def literal(kind: str, draw) -> str:
    if kind == "int":
        return str(draw(st.integers(-20, 20)))
    if kind == "decimal":
        return str(draw(st.decimals(min_value=-50, max_value=50, places=2, allow_nan=False)))
    if kind == "string":
        return "'" + draw(TEXT).replace("'", "''") + "'"
    if kind == "bool":
        return draw(st.sampled_from(["true", "false"]))
    return f"date '{draw(DATES).isoformat()}'"


def leaf(kind: str, draw) -> str:
    if draw(st.booleans()):
        return draw(st.sampled_from(COLUMNS[kind]))
    return literal(kind, draw)


def expression(kind: str, draw, depth: int) -> str:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return leaf(kind, draw)
    return draw(st.sampled_from(_FORMS[kind]))(draw, depth - 1)


def of(kind: str):
    return lambda draw, depth: expression(kind, draw, depth)


def form(template: str, *kinds: str):
    """A form such as ``({0} + {1})`` whose holes are filled with expressions of ``kinds``."""
    return lambda draw, depth: template.format(*(expression(k, draw, depth) for k in kinds))


def small_int(draw, depth: int) -> str:
    return draw(st.sampled_from(["i1", "i2", str(draw(st.integers(-30, 30)))]))


_FORMS = {
    "int": [
        form("({0} + {1})", "int", "int"), form("({0} - {1})", "int", "int"),
        lambda draw, depth: f"({expression('int', draw, depth)} * {leaf('int', draw)})",
        form("({0} % {1})", "int", "int"), form("(- {0})", "int"), form("abs({0})", "int"),
        form("year({0})", "date"), form("month({0})", "date"), form("day({0})", "date"),
        form("days_between({0}, {1})", "date", "date"), form("age_years({0}, {1})", "date", "date"),
        form("({0} - {1})", "date", "date"), form("length({0})", "string"),
        form("coalesce({0}, {1})", "int", "int"), form("least({0}, {1}, {2})", "int", "int", "int"),
        form("greatest({0}, {1})", "int", "int"), form("if({0}, {1}, {2})", "bool", "int", "int"),
        form("case when {0} then {1} when {2} then {3} else {4} end", "bool", "int", "bool", "int", "int"),
        form("case {0} when {1} then {2} end", "int", "int", "int"), form("round({0}, -1)", "int"),
        form("floor({0})", "int"),
    ],
    "decimal": [
        form("({0} + {1})", "decimal", "int"), form("({0} - {1})", "int", "decimal"),
        lambda draw, depth: f"({expression('decimal', draw, depth)} * {leaf('int', draw)})",
        form("({0} / {1})", "int", "int"), form("({0} / {1})", "decimal", "decimal"),
        form("({0} % {1})", "decimal", "int"), form("round({0}, 1)", "decimal"), form("abs({0})", "decimal"),
        form("floor({0})", "decimal"), form("ceil({0})", "decimal"),
        form("coalesce({0}, {1})", "decimal", "int"),
        form("greatest({0}, {1})", "decimal", "decimal"), form("if({0}, {1}, {2})", "bool", "int", "decimal"),
    ],
    "string": [
        form("lower({0})", "string"), form("upper({0})", "string"), form("trim({0})", "string"),
        form("({0} || {1})", "string", "string"), form("concat({0}, {1}, {2})", "string", "int", "date"),
        form("coalesce({0}, {1})", "string", "string"), form("if({0}, {1}, {2})", "bool", "string", "string"),
        form("case when {0} then {1} end", "bool", "string"),
        form("format({0}, '# ##0,00')", "decimal"), form("format({0}, '#,##0')", "int"),
        form("format({0}, '0.000')", "decimal"), form("format({0}, 'DD.MM.YYYY')", "date"),
    ],
    "bool": [
        form("({0} and {1})", "bool", "bool"), form("({0} or {1})", "bool", "bool"),
        form("(not {0})", "bool"),
        *[form(f"({{0}} {op} {{1}})", kind, other)
          for op in ("=", "<>", "<", ">=")
          for kind, other in (("int", "int"), ("decimal", "int"), ("string", "string"), ("date", "date"))],
        form("({0} in ({1}, {2}))", "int", "int", "int"), form("({0} not in ({1}))", "string", "string"),
        form("({0} between {1} and {2})", "int", "int", "int"), form("({0} is null)", "string"),
        form("({0} is not null)", "date"), form("({0} like {1})", "string", "string"),
        form("starts_with({0}, {1})", "string", "string"), form("contains({0}, {1})", "string", "string"),
        form("({0} = {1})", "bool", "bool"),
    ],
    "date": [
        lambda draw, depth: f"add_months({expression('date', draw, depth)}, {small_int(draw, depth)})",
        lambda draw, depth: f"add_days({expression('date', draw, depth)}, {small_int(draw, depth)})",
        lambda draw, depth: f"add_working_days({expression('date', draw, depth)}, {small_int(draw, depth)})",
        lambda draw, depth: f"({expression('date', draw, depth)} "
                            f"{draw(st.sampled_from(['+', '-']))} interval "
                            f"'{draw(st.sampled_from(['1 month', '-3d', '1y 2mo', '2w', '1 month 1d']))}')",
        form("start_of_month({0})", "date"), form("end_of_month({0})", "date"),
        form("start_of_next_month({0})", "date"), form("coalesce({0}, {1})", "date", "date"),
        form("least({0}, {1})", "date", "date"), form("greatest({0}, {1})", "date", "date"),
        form("date({0})", "date"),
    ],
}  # fmt: skip


@st.composite
def cases(draw):
    kind = draw(st.sampled_from(sorted(COLUMNS)))
    text = expression(kind, draw, 3)
    row = {
        "i1": draw(st.none() | st.integers(-20, 20)),
        "i2": draw(st.none() | st.integers(-20, 20)),
        "n1": draw(st.none() | st.decimals(min_value=-100, max_value=100, places=2, allow_nan=False)),
        "s1": draw(st.none() | TEXT),
        "s2": draw(st.none() | TEXT),
        "b1": draw(st.none() | st.booleans()),
        "t1": draw(st.none() | DATES),
        "t2": draw(st.none() | DATES),
    }
    return text, row


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_evaluate_agrees_with_duckdb(table, case):
    text, row = case
    in_db = table.sql_value(text, row)
    in_python = evaluate(parse(text), table.values_of(row), table.now, table.tz)
    assert table.same(in_db, in_python), f"{text} on {row}: DuckDB {in_db!r}, evaluate {in_python!r}"


def test_decimal_literals_are_exact(table):
    assert table.sql_value("n1 * 0.1", {"n1": Decimal("0.30")}) == Decimal("0.030")
