"""to_sql(): the compiled SQL runs in DuckDB and gives the values the language promises."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from ruledeck.engine.expressions import FUNCTIONS, STRING, Scope, check, parse, to_sql
from ruledeck.engine.timing.durations import parse_duration
from sqlglot import exp
from sqlglot.errors import ErrorLevel

ROW = {
    "i1": 5, "i2": -7, "n1": Decimal("12.50"), "s1": "Hello", "s2": None, "b1": True,
    "t1": date(2026, 1, 31), "t2": date(2028, 2, 29),
    "ts": datetime(2026, 1, 31, 23, 30, tzinfo=ZoneInfo("UTC")),
    "reason": "repair", "tags": ["a", "b"], "source_s1": "Hello", "row_offset": parse_duration("1 month"),
}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add_months(t1, 1)", date(2026, 2, 28)),
        ("t1 + interval '1 month'", date(2026, 2, 28)),
        ("add_months(date '2028-01-31', 1)", date(2028, 2, 29)),
        ("add_months(t2, 12)", date(2029, 2, 28)),
        ("add_months(t2, -12)", date(2027, 2, 28)),
        ("t2 + interval '1y'", date(2029, 2, 28)),
        ("t1 - interval '1 month 1d'", date(2025, 12, 30)),
        ("add_days(t1, 29)", date(2026, 3, 1)),
        ("end_of_month(t2)", date(2028, 2, 29)),
        ("end_of_month(add_months(t1, 1))", date(2026, 2, 28)),
        ("start_of_month(t1)", date(2026, 1, 1)),
        ("start_of_next_month(date '2026-12-31')", date(2027, 1, 1)),
        ("age_years(t2, date '2029-02-27')", 0),
        ("age_years(t2, date '2029-02-28')", 1),
        ("age_years(t2, date '2032-02-28')", 3),
        ("age_years(t2, date '2032-02-29')", 4),
        ("age_years(date '2010-03-01', date '2028-02-29')", 17),
        ("age_years(date '2010-02-28', date '2028-02-28')", 18),
        ("age_years(t1, date '2025-01-31')", -1),
        ("days_between(t1, t2)", 759),
        ("t2 - t1", 759),
        ("date(ts)", date(2026, 2, 1)),
        ("day(ts)", 1),
        ("start_of_month(ts)", date(2026, 2, 1)),
        ("today()", date(2026, 3, 15)),
        ("days_between(ts, now())", 42),
        ("i1 / 2", 2.5),
        ("i1 / 0", None),
        ("i2 % 3", -1),
        ("i1 % 0", None),
        ("n1 * 0.2", Decimal("2.5")),
        ("round(n1 / 3, 2)", 4.17),
        ("round(n1 * 3, -1)", Decimal("40")),
        ("round(i2 * 5, -1)", -40),
        ("floor(-n1)", Decimal("-13")),
        ("ceil(n1)", Decimal("13")),
        ("concat(s1, ' ', i1, s2, ' ', t1, b1)", "Hello 5 2026-01-31true"),
        ("s1 || s2", None),
        ("s1 || '!'", "Hello!"),
        ("length(trim('  ab  '))", 2),
        ("upper(s1) = 'HELLO' and lower(s1) = 'hello'", True),
        ("starts_with(s1, 'He')", True),
        ("contains(s1, 'ell')", True),
        ("contains(tags, 'b')", True),
        ("contains(tags, s2)", None),
        ("cardinality(tags)", 2),
        ("coalesce(s2, s1)", "Hello"),
        ("least(i1, null, i2)", -7),
        ("greatest(t1, t2)", date(2028, 2, 29)),
        ("if(b1, 'yes', 'no')", "yes"),
        ("if(s2 = 'x', 'yes', 'no')", "no"),
        ("case reason when 'repair' then 1 when 'other' then 2 end", 1),
        ("s1 like 'H_l%'", True),
        ("s1 not like 'h%'", True),
        ("i1 between 1 and 5", True),
        ("i1 not in (1, 2)", True),
        ("i1 in (1, if(b1, null, 2))", None),
        ("not s1 not like 'x%'", False),
        ("s2 is null and s1 is not null", True),
        ("s2 = 'a' or b1", True),
        ("s2 = 'a' and b1", None),
        ("not (s2 = 'a')", None),
        ("-i1 * 2 + 1", -9),
        ("source.s1 = s1", True),
        ("row.offset = interval '30d'", True),
        ("row.offset <> interval '1 month'", False),
        ("ts > t1", True),
        (
            "ts + interval '1 month 2h'",
            datetime(2026, 3, 1, 4, 30, tzinfo=ZoneInfo("Europe/Moscow")).timestamp(),
        ),
        ("add_months(ts, 1)", datetime(2026, 3, 1, 2, 30, tzinfo=ZoneInfo("Europe/Moscow")).timestamp()),
        ("timestamp '2026-01-31 10:00' < ts", True),
        ("timestamp '2026-02-01 02:30' = ts", True),
        ("timestamp '2026-01-31 23:30:00+00:00' = ts", True),
    ],
)
def test_duckdb_gives_the_promised_value(table, text, expected):
    in_db, in_python = table.both(text, ROW)
    assert table.same(in_db, expected), (in_db, expected)
    assert table.same(in_python, expected), (in_python, expected)


def test_interval_fields_compile_to_interval_columns(table):
    assert table.both("t1 + row.offset", ROW) == (date(2026, 2, 28), date(2026, 2, 28))


def test_the_sql_is_built_from_the_resolver_only():
    expr = parse("stage = 'x''; drop table t; --' and source.user_id = user_id")
    check(expr, Scope({"stage": STRING, "user_id": STRING}, {"source": {"user_id": STRING}}))

    class Renaming:
        def column(self, namespace, name):
            return exp.column(f"c{len(name)}", table=namespace or "item", quoted=True)

        def now(self):
            raise AssertionError("now() is not used")

    sql = to_sql(expr, Renaming()).sql("duckdb")
    assert sql == '("item"."c5" = \'x\'\'; drop table t; --\') AND ("source"."c7" = "item"."c7")'


def test_to_sql_needs_a_checked_expression(table):
    with pytest.raises(ValueError, match="check"):
        to_sql(parse("x = 1"), table.resolver)
    expr = parse("i1 = 1")
    check(expr, table.scope)
    with pytest.raises(ValueError, match="unknown dialect"):
        to_sql(expr, table.resolver, dialect="oracle")


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_renders_for_postgres_too(table, name):
    calls = {
        "contains": "contains(tags, 'a') and contains(s1, 'a')",
        "concat": "concat(s1, i1, t1)", "coalesce": "coalesce(i1, 2)", "least": "least(t1, t2)",
        "greatest": "greatest(n1, i1)", "round": "round(n1, 1)", "if": "if(b1, 1, 2)",
        "starts_with": "starts_with(s1, 'a')", "days_between": "days_between(t1, ts)",
        "age_years": "age_years(t1, ts)", "add_months": "add_months(ts, i1)", "add_days": "add_days(t1, 2)",
        "add_working_days": "add_working_days(ts, i1)", "has_open_task": "has_open_task('call')",
        "lookup": "lookup('rates', s1, 'rate')",
        "format": "format(n1, '# ##0,00') || format(i1, '#,##0') || format(ts, 'DD.MM.YYYY HH:mm')",
    }  # fmt: skip
    function = FUNCTIONS[name]
    params = {"time": "ts", "num": "n1", "text": "s1", "list": "tags"}
    text = calls.get(name) or f"{name}({', '.join(params[p.split(':')[1]] for p in function.params)})"
    expr = parse(text)
    rates = {"rates": ("code", {"code": STRING, "rate": STRING})}
    check(expr, Scope(table.scope.fields, table.scope.namespaces, lookups=rates))
    assert to_sql(expr, table.resolver, dialect="postgres").sql(
        "postgres", unsupported_level=ErrorLevel.RAISE
    )
