"""Item lists and declared reports."""

from __future__ import annotations

import pytest
from ruledeck.engine import UsageError, list_items, report_list, run_report


def test_items_have_every_field_by_default(engine):
    result = list_items(engine, "order", where="number = 'A-2'")
    assert result.columns[:4] == ["id", "pipeline", "stage", "title"]
    assert {"paid", "balance", "held_from"} <= set(result.columns)
    row = result.rows[0]
    assert (row["stage"], row["held_from"], str(row["paid"]), str(row["balance"])) == ("paused", "in_work",
                                                                                    "100.00", "200.00")


def test_items_sort_limit_and_total(engine):
    result = list_items(engine, "order", fields=["number"], sort="-balance", limit=2)
    assert ([r["number"] for r in result.rows], result.total) == (["A-4", "A-2"], 7)


def test_items_of_a_board_use_its_filter_and_card(engine):
    result = list_items(engine, "open_orders")
    assert result.columns == ["id", "stage", "title", "client"]
    assert [r["id"] for r in result.rows] == [7, 8, 9]


def test_items_unknown_field(engine):
    with pytest.raises(UsageError, match="process 'order' has no field 'amout'"):
        list_items(engine, "order", fields=["amout"])


def test_report_over_items_groups_and_orders(engine):
    result = run_report(engine, "orders_by_stage")
    assert result.columns == ["stage", "orders", "amount", "express", "balance"]
    assert [(r["stage"], r["orders"], r["express"]) for r in result.rows] == [
        ("lost", 2, 0), ("new", 3, 1), ("paused", 1, 0), ("shipped", 1, 1)]


def test_report_over_tasks_with_overdue(engine):
    rows = run_report(engine, "tasks_by_assignee").rows
    assert rows == [{"assignee": "role:manager", "status": "done", "tasks": 3, "overdue": 0},
                    {"assignee": "role:manager", "status": "open", "tasks": 4, "overdue": 4}]


def test_report_list_and_unknown(engine):
    assert [r["name"] for r in report_list(engine.project)] == ["orders_by_stage", "tasks_by_assignee"]
    with pytest.raises(UsageError, match="no report 'orders'; 'ruledeck report --list' shows"):
        run_report(engine, "orders")


@pytest.mark.parametrize("project", ["prosthesis_followup", "complaints", "medical_orders", "service_requests",
                                     "bpm_patterns"])
def test_every_shipped_board_and_report_compiles(tmp_path, project):
    from pathlib import Path

    from ruledeck.engine import Engine, build_board, load_project

    root = Path(__file__).parents[3] / "definitions" / project
    with Engine.open(load_project(root), ":memory:") as engine:
        for name in engine.project.boards:
            assert build_board(engine, name).total == 0
        for name in engine.project.reports:
            assert run_report(engine, name).rows == []
