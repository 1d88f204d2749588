"""The outbox and documents queries, and the item/task resolver every command shares."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from ruledeck.engine import UsageError, document_list, outbox_list, resolve_item, resolve_task

MSK = ZoneInfo("Europe/Moscow")


def test_outbox_rows_carry_the_items_key_and_come_oldest_first(engine):
    rows = outbox_list(engine)
    assert [(r["id"], r["item"], r["key"], r["rule"]) for r in rows] == [
        (1, 1, "A-1", "express_alert"), (2, 3, "A-3", "stale_new"), (3, 6, "A-4", "stale_new"),
        (4, 7, "A-5", "stale_new"), (5, 8, "A-6", "stale_new"), (6, 9, "A-7", "stale_new")]
    assert rows[0] == {"id": 1, "at": dt.datetime(2026, 3, 3, 9, 0, tzinfo=MSK), "process": "order", "item": 1,
                       "key": "A-1", "to": "role:manager", "text": "Срочный заказ A-1", "rule": "express_alert",
                       "sent": False}


def test_outbox_filters_combine(engine):
    ids = lambda **kw: [r["id"] for r in outbox_list(engine, **kw)]  # noqa: E731
    assert ids(item="order:A-3") == [2]
    assert ids(item="9") == [6]
    # each message at its own due time (a dwell of 3 days), not at the tick that passed it
    assert ids(rule="stale_new", since=dt.datetime(2026, 3, 12, 10, 0, tzinfo=MSK), limit=2) == [3, 4]
    assert ids(rule="stale_new", since=dt.datetime(2026, 3, 13, 10, 30, tzinfo=MSK)) == [5, 6]
    assert ids(to="role:manager", rule="express_alert") == [1]
    assert ids(to="nobody") == []
    assert ids(item="4") == []  # a payment: it exists, nothing was sent about it


def test_documents_of_a_project_without_any_are_an_empty_list(engine):
    assert document_list(engine) == []
    assert document_list(engine, item="order:A-1", template="x") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("1", ("order", 1, "A-1", "1 (order:A-1)")), (" order:A-4 ", ("order", 6, "A-4", "6 (order:A-4)")),
    ("4", ("payment", 4, None, "4")),
])
def test_resolve_item(engine, text, expected):
    ref = resolve_item(engine, text)
    assert (ref.process.name, ref.id, ref.key, ref.label) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("x", "'x' is not an item: give its id (e.g. 42) or PROCESS:KEY"), ("999", "there is no item 999"),
    ("payment:1", "process 'payment' has no key field; name the item by its id"),
    ("order:Z", "no 'order' item with number = 'Z'"), ("ordr:A-1", "no process 'ordr'"),
])
def test_resolve_item_refuses_with_the_reason(engine, text, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        resolve_item(engine, text)


def test_resolve_task_by_id_passes_the_id_through(engine):
    assert resolve_task(engine, "12") == 12
    assert resolve_task(engine, "#12") == 12
    with pytest.raises(UsageError, match="^item 4 has no open 'call' task$"):
        resolve_task(engine, "4", "call")
