"""The range a timer scan puts on its own column first never drops an item that is due in the window."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st
from ruledeck.engine.runtime.clock import _due_bounds, due_sql
from ruledeck.engine.runtime.frame import timestamp_sql

ZONES = ["Europe/Berlin", "America/Santiago", "Australia/Lord_Howe", "Antarctica/Troll", "Europe/Moscow"]
UTC = dt.UTC


def _rule(kind: str, offset: str):
    option = "offset" if kind == "date" else "for"
    return SimpleNamespace(trigger=SimpleNamespace(kind=kind, value="planned_at", options={option: offset}))


def _offset(months: int, days: int, hours: int, sign: int) -> str:
    parts = [f"{months} months" if months else "", f"{days}d" if days else "", f"{hours}h" if hours else ""]
    text = " ".join(p for p in parts if p) or "1h"
    return ("-" if sign < 0 else "") + text


@settings(max_examples=200, deadline=None)
@given(zone=st.sampled_from(ZONES), kind=st.sampled_from(["date", "dwell"]),
       months=st.integers(0, 14), days=st.integers(0, 40), hours=st.integers(0, 30), sign=st.sampled_from([1, -1]),
       start=st.datetimes(dt.datetime(2024, 1, 1), dt.datetime(2027, 12, 31)),
       window=st.integers(1, 24 * 60 * 40))
def test_the_column_range_keeps_every_item_due_in_the_window(zone, kind, months, days, hours, sign, start, window):
    rule = _rule(kind, _offset(months, days, hours, sign))
    after = start.replace(tzinfo=UTC)
    until = after + dt.timedelta(minutes=window)
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{zone}'")
    # every half hour over the 16 months before and after the window: all the bases that could fall due in it
    con.execute("CREATE TABLE it AS SELECT ts AS planned_at, ts AS stage_entered_at FROM "
                "generate_series(?::TIMESTAMPTZ - INTERVAL 16 MONTH, ?::TIMESTAMPTZ + INTERVAL 16 MONTH, "
                "INTERVAL 30 MINUTE) g(ts)", [after, until])
    due = due_sql(rule)
    window_sql = f"{due} > {timestamp_sql(after).sql('duckdb')} AND {due} <= {timestamp_sql(until).sql('duckdb')}"
    bounds, params = _due_bounds(rule, after, until)
    assert bounds and len(params) == 2
    exact, kept = con.execute(f"SELECT count(*) FILTER (WHERE {window_sql}), "
                              f"count(*) FILTER (WHERE {window_sql}{bounds}) FROM it", params).fetchone()
    assert kept == exact
    # A month offset has no item due on the days a shorter month lacks (planned Feb 28 - 4 months is Oct 28,
    # Mar 1 is Nov 1: nothing is due on Oct 29-31), so only a window longer than those three days must hold one.
    assert exact > 0 or window <= 60 * 24 * 4


def test_no_offset_needs_no_range():
    rule = SimpleNamespace(trigger=SimpleNamespace(kind="date", value="planned_at", options={}))
    at = dt.datetime(2026, 1, 1, tzinfo=UTC)
    assert _due_bounds(rule, at, at + dt.timedelta(hours=1)) == ("", [])
