"""add_working_days: the Python reference against a day-by-day walk, and its SQL against the Python."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import duckdb
import pytest
from ruledeck.engine.expressions import Scope, check, evaluate, parse, to_sql
from ruledeck.engine.expressions.working_days import add_working_days
from sqlglot import exp

TZ = ZoneInfo("Europe/Moscow")
NOW = dt.datetime(2026, 12, 5, 10, tzinfo=TZ)


def _walk(day: dt.date, n: int) -> dt.date:
    step, left = (1 if n > 0 else -1), abs(n)
    while left:
        day += dt.timedelta(days=step)
        left -= day.weekday() < 5
    return day


class _Columns:
    def column(self, namespace, name):
        return exp.column(name)

    def now(self):
        return exp.Cast(this=exp.Literal.string(NOW.isoformat(sep=" ")), to=exp.DataType.build("timestamptz"))


def test_steps_over_weekends_like_a_walk():
    days = [dt.date(2026, 11, 23) + dt.timedelta(days=i) for i in range(21)]
    assert all(add_working_days(day, n) == _walk(day, n) for day in days for n in range(-11, 12))


@pytest.mark.parametrize(("start", "n", "expected"), [
    ("2026-12-03", 2, "2026-12-07"),   # Thursday + 2 = Monday
    ("2026-12-05", 1, "2026-12-07"),   # Saturday + 1 = Monday
    ("2026-12-05", -1, "2026-12-04"),  # Saturday - 1 = Friday
    ("2026-12-05", 0, "2026-12-05"),
])
def test_sql_agrees_with_python(start, n, expected):
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Europe/Moscow'")
    for text in (f"add_working_days(date '{start}', {n})", f"add_working_days(timestamp '{start} 15:30', {n})"):
        tree = parse(text)
        check(tree, Scope({}))
        got = con.execute(f"SELECT {to_sql(tree, _Columns()).sql('duckdb')}").fetchone()[0]
        want = evaluate(tree, {}, NOW, TZ)
        if isinstance(got, dt.datetime):
            got = got.astimezone(TZ)
            assert want.time() == dt.time(15, 30)
        assert got == want
        assert str(want)[:10] == expected
