"""concat() prints decimals as money (two places, no float artefacts) and datetimes as local minutes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import duckdb
import pytest
from ruledeck.engine.expressions import Scope, Type, check, evaluate, parse, to_sql
from sqlglot import exp

TZ = ZoneInfo("Europe/Moscow")
NOW = dt.datetime(2026, 12, 5, 10, tzinfo=TZ)
FIELDS = {"amount": Type.of("decimal"), "planned_at": Type.of("datetime"), "n": Type.of("int")}
VALUES = {"amount": Decimal("1250.5"), "planned_at": dt.datetime(2026, 1, 31, 7, 5, tzinfo=dt.UTC), "n": 3}


class _Columns:
    def column(self, namespace, name):
        return exp.column(name, table="v")

    def now(self):
        return exp.Cast(this=exp.Literal.string(NOW.isoformat(sep=" ")), to=exp.DataType.build("timestamptz"))


@pytest.mark.parametrize(("text", "expected"), [
    ("concat('Total: ', amount * 1.2, ' ₽')", "Total: 1500.60 ₽"),
    ("concat(amount)", "1250.50"),
    ("concat(1 / n)", "0.33"),
    ("concat(2 / n)", "0.67"),
    ("concat(round(amount, 0))", "1251.00"),
    ("concat('at ', planned_at)", "at 2026-01-31 10:05"),
    ("concat(n, ' calls')", "3 calls"),
])
def test_sql_and_python_print_the_same_text(text, expected):
    tree = parse(text)
    check(tree, Scope(FIELDS))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Europe/Moscow'")
    con.execute("CREATE TABLE v (amount DECIMAL(18, 2), planned_at TIMESTAMPTZ, n BIGINT)")
    con.execute("INSERT INTO v VALUES (?, ?, ?)", [VALUES["amount"], VALUES["planned_at"], VALUES["n"]])
    got = con.execute(f"SELECT {to_sql(tree, _Columns()).sql('duckdb')} FROM v").fetchone()[0]
    want = evaluate(tree, {(None, k): v for k, v in VALUES.items()}, NOW, TZ)
    assert (got, want) == (expected, expected)
