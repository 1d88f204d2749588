"""Cards and their explanations: journal origins, why-not reasons, values then and now."""

from __future__ import annotations

import pytest
from ruledeck.engine import UsageError, explain_item, item_card


def checks(result, event_id):
    event = next(e for e in result.events if e.id == event_id)
    return {c.rule: c for c in event.checks}


def test_item_card_by_id_and_key(engine):
    by_key = item_card(engine, "order:A-2")
    assert (by_key.id, by_key.values["stage"], by_key.values["held_from"]) == (2, "paused", "in_work")
    assert item_card(engine, "2").values == by_key.values
    assert [t["name"] for t in item_card(engine, "7").tasks] == ["confirm"]


@pytest.mark.parametrize(("text", "message"), [
    ("x", "'x' is not an item"), ("999", "no item 999"), ("payment:1", "process 'payment' has no key field"),
])
def test_item_card_errors(engine, text, message):
    with pytest.raises(UsageError, match=message):
        item_card(engine, text)


def test_stage_and_values_point_at_their_journal_entries(engine):
    result = explain_item(engine, "order:A-1")
    assert (result.stage.entry.cause_id, result.stage.entry.rule) == ("e07", "ship_when_paid")
    origins = {o.name: o for o in result.fields}
    assert (origins["client"].entry.cause_id, origins["client"].entry.rule) == ("e01", "open_order")
    assert origins["balance"].note == "computed: coalesce(amount, 0) - coalesce(paid, 0)"
    assert origins["paid"].note == "rollup over payment items"


def test_events_naming_the_item_are_checked_even_without_changes(engine):
    result = explain_item(engine, "order:A-1")
    assert [e.id for e in result.events] == ["e01", "e03", "e06", "e07"]
    ship = checks(result, "e06")["ship_when_paid"]
    assert not ship.fired
    then, now = ship.verdicts
    assert (then.basis, then.result, str(then.seen["balance"]), then.seen["stage"]) == ("then", False, "500.00",
                                                                                       "in_work")
    assert (now.basis, now.result, now.seen["stage"]) == ("now", False, "shipped")


def test_near_misses_name_the_reason(engine):
    result = explain_item(engine, "order:A-1")
    assert checks(result, "e03")["cancelled"].reason == \
        "wrong outcome: waits for cancel, the task was completed as 'ok'"
    assert checks(result, "e01")["express_alert"].reason == \
        "wrong stage: waits for entered 'in_work'; the item entered 'new'"
    assert checks(result, "e06")["record_payment"].reason == "wrong process: it runs without items"
    assert not checks(result, "e06")["confirmed"].woken


def test_timers(engine):
    lost = {c.rule: c for c in explain_item(engine, "6").timers}
    assert (lost["overdue_lost"].fired, lost["overdue_lost"].reason) == (True, "fired at 2026-03-13 00:00+03:00")
    shipped = {c.rule: c for c in explain_item(engine, "1").timers}
    assert shipped["overdue_lost"].reason == "not due yet: due 2026-03-21 00:00+03:00"
    assert shipped["stale_new"].reason == "wrong stage: waits for 3d in 'new', the item is in 'shipped'"
