"""Datetime maths across a DST change: DuckDB (session TimeZone) and evaluate() agree."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import duckdb
import pytest
from ruledeck.engine.expressions import DATETIME, Scope, check, evaluate, parse, to_sql
from sqlglot import exp

BERLIN = ZoneInfo("Europe/Berlin")
BEFORE_SPRING = datetime(2026, 3, 28, 9, 0, tzinfo=BERLIN)


class Clock:
    def column(self, namespace, name):
        return exp.Cast(
            this=exp.Literal.string(BEFORE_SPRING.isoformat()), to=exp.DataType.build("timestamptz")
        )

    def now(self):
        return self.column(None, "now")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("at + interval '1d'", datetime(2026, 3, 29, 9, 0, tzinfo=BERLIN)),
        ("add_days(at, 1)", datetime(2026, 3, 29, 9, 0, tzinfo=BERLIN)),
        ("at + interval '24h'", datetime(2026, 3, 29, 10, 0, tzinfo=BERLIN)),
        ("add_months(at, 1)", datetime(2026, 4, 28, 9, 0, tzinfo=BERLIN)),
        ("at + interval '1 month' - interval '1 month'", BEFORE_SPRING),
    ],
)
def test_calendar_days_keep_the_wall_clock(text, expected):
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Europe/Berlin'")
    expr = parse(text)
    check(expr, Scope({"at": DATETIME}))
    in_db = con.execute(f"SELECT epoch({to_sql(expr, Clock()).sql('duckdb')})").fetchone()[0]
    in_python = evaluate(expr, {(None, "at"): BEFORE_SPRING}, BEFORE_SPRING, BERLIN)
    assert in_python == expected
    assert in_db == expected.timestamp()
