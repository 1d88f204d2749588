"""Many rows in one statement: Python lists bound as parameters and unnested side by side."""

from __future__ import annotations

import datetime as dt

from .names import quote

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def typed_list(kind: str, values: list) -> tuple[str, list]:
    """SQL over ``unnest(?)`` giving ``kind``, and the list to bind for it.

    Binding Python datetimes, dates and decimals one by one is slow, so times go
    in as epoch microseconds and dates and decimals as text; both convert
    exactly.

    >>> typed_list("DATE", [dt.date(2026, 1, 31), None])
    ('CAST(unnest(?) AS DATE)', ['2026-01-31', None])
    """
    if kind == "TIMESTAMPTZ":
        micros = [None if v is None else (v - _EPOCH) // _MICROSECOND for v in values]
        return "TIMESTAMPTZ '1970-01-01 00:00:00+00' + to_microseconds(unnest(?))", micros
    if kind == "DATE" or kind.startswith("DECIMAL"):
        return f"CAST(unnest(?) AS {kind})", [None if v is None else str(v) for v in values]
    return f"CAST(unnest(?) AS {kind})", values


def unnested(columns: dict[str, tuple[str, list]]) -> tuple[str, list]:
    """A SELECT list of ``columns`` (name: SQL type, values of equal length), row by row, and its parameters."""
    selects, params = [], []
    for name, (kind, values) in columns.items():
        sql, bound = typed_list(kind, values)
        selects.append(f"{sql} AS {quote(name)}")
        params.append(bound)
    return ", ".join(selects), params
