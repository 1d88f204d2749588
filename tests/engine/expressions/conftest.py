"""A small DuckDB table and a resolver over it, to run compiled expressions against evaluate()."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pytest
from ruledeck.engine.expressions import Scope, Type, check, evaluate, parse, to_sql
from sqlglot import exp

TZ = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 3, 15, 10, 0, tzinfo=TZ)

# name -> (DuckDB column type, expression type)
COLUMNS: dict[str, tuple[str, Type]] = {
    "i1": ("BIGINT", Type.of("int")),
    "i2": ("BIGINT", Type.of("int")),
    "n1": ("DECIMAL(18,2)", Type.of("decimal")),
    "s1": ("VARCHAR", Type.of("string")),
    "s2": ("VARCHAR", Type.of("string")),
    "b1": ("BOOLEAN", Type.of("bool")),
    "t1": ("DATE", Type.of("date")),
    "t2": ("DATE", Type.of("date")),
    "ts": ("TIMESTAMPTZ", Type.of("datetime")),
    "reason": ("VARCHAR", Type.of("enum", values=["repair", "specialist_visit", "other"])),
    "tags": ("VARCHAR[]", Type.of("string", many=True)),
    "source_s1": ("VARCHAR", Type.of("string")),
    "row_offset": ("INTERVAL", Type.of("interval")),
}
NAMESPACED = {"source": ["s1"], "row": ["offset"]}

SCOPE = Scope(
    fields={name: t for name, (_, t) in COLUMNS.items() if not name.startswith(("source_", "row_"))},
    namespaces={ns: {name: COLUMNS[f"{ns}_{name}"][1] for name in names} for ns, names in NAMESPACED.items()},
)


class Columns:
    """The resolver: every name is a column of table ``t`` (``ns.name`` is ``t.ns_name``)."""

    def column(self, namespace: str | None, name: str) -> exp.Expr:
        return exp.column(name if namespace is None else f"{namespace}_{name}", table="t", quoted=True)

    def now(self) -> exp.Expr:
        return exp.Cast(this=exp.Literal.string(NOW.isoformat()), to=exp.DataType.build("timestamptz"))


class Table:
    """A one-row DuckDB table holding a row of values, to run compiled expressions on.

    Tests reach the helpers through the ``table`` fixture (``--import-mode=importlib``
    does not let test modules import this file).
    """

    scope = SCOPE
    resolver = Columns()
    tz = TZ
    now = NOW

    def __init__(self) -> None:
        self.con = duckdb.connect()
        self.con.execute(f"SET TimeZone = '{TZ.key}'")
        columns = ", ".join(f'"{name}" {kind}' for name, (kind, _) in COLUMNS.items())
        self.con.execute(f"CREATE TABLE t ({columns})")

    def load(self, row: dict[str, Any]) -> None:
        self.con.execute("DELETE FROM t")
        names = list(COLUMNS)
        values = [_to_db(row.get(name)) for name in names]
        holes = ", ".join("?" for _ in names)
        self.con.execute(f"INSERT INTO t VALUES ({holes})", values)

    def sql_value(self, text: str, row: dict[str, Any] | None = None) -> Any:
        """Compile ``text`` and run it on ``row``; datetimes come back as epoch seconds."""
        expr = parse(text)
        result = check(expr, SCOPE)
        sql = to_sql(expr, self.resolver).sql(dialect="duckdb")
        if result.kind == "datetime":
            sql = f"epoch({sql})"
        self.load(row or {})
        return self.con.execute(f"SELECT {sql} FROM t").fetchone()[0]

    def both(self, text: str, row: dict[str, Any] | None = None) -> tuple[Any, Any]:
        """(value in DuckDB, value from evaluate) of ``text`` on ``row``."""
        row = row or {}
        in_db = self.sql_value(text, row)
        in_python = evaluate(parse(text), values_of(row), NOW, TZ)
        if isinstance(in_python, datetime):
            in_python = in_python.timestamp()
        return in_db, in_python


def _to_db(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "to_sql"):
        return value.to_sql().this.name
    return value


def values_of(row: dict[str, Any]) -> dict[tuple[str | None, str], Any]:
    """The ``values`` mapping evaluate() takes, for a row of column values (missing ones are null)."""
    values: dict[tuple[str | None, str], Any] = {}
    for column in COLUMNS:
        namespace, _, name = (
            column.partition("_") if column.startswith(("source_", "row_")) else ("", "", column)
        )
        values[(namespace or None, name)] = row.get(column)
    return values


def _same(a: Any, b: Any) -> bool:
    """Equal as SQL values: numbers within rounding of doubles, everything else exactly."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or a == b
    if isinstance(a, (int, float, Decimal)) and isinstance(b, (int, float, Decimal)):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, date) and isinstance(b, date):
        return a == b
    return a == b


Table.same = staticmethod(_same)
Table.values_of = staticmethod(values_of)


@pytest.fixture(scope="module")
def table() -> Table:
    return Table()
