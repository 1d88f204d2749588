"""Boards as data: one statement, counts and totals over every card, limits, filters, the past."""

from __future__ import annotations

import pytest
from ruledeck.engine import ExpressionError, UsageError, build_board, parse_datetime


class CountingConnection:
    """Wraps a DuckDB connection and records every statement."""

    def __init__(self, con):
        self.con, self.statements = con, []

    def execute(self, sql, params=None):
        self.statements.append(sql)
        return self.con.execute(sql, params or [])


def columns(board):
    return {c.stage: (c.count, [card.id for card in c.cards], c.more) for c in board.columns}


def test_board_is_one_statement(engine):
    counting = CountingConnection(engine.con)
    engine.con = counting
    try:
        build_board(engine, "orders", limit=1)
    finally:
        engine.con = counting.con
    assert len([s for s in counting.statements if "items_order" in s]) == 1


def test_columns_follow_the_pipeline_with_counts_limits_and_more(engine):
    board = build_board(engine, "orders", limit=2)
    assert columns(board) == {"new": (3, [7, 8], 1), "in_work": (0, [], 0), "paused": (1, [2], 0),
                              "shipped": (1, [1], 0), "lost": (2, [6, 3], 0)}
    assert board.total == 7


def test_totals_cover_all_cards_not_only_those_shown(engine):
    new = build_board(engine, "orders", limit=1).columns[0]
    assert [c.id for c in new.cards] == [7]
    assert {k: str(v) for k, v in new.totals.items()} == {"amount": "250.00", "balance": "250.00",
                                                         "due_on": "2026-04-01"}


def test_empty_columns_total_zero_for_sums_and_none_for_min(engine):
    in_work = build_board(engine, "orders").columns[1]
    assert in_work.totals == {"amount": 0, "balance": 0, "due_on": None}


def test_a_process_name_finds_its_board_or_shows_titles_only(engine):
    assert build_board(engine, "order").spec.name == "orders"
    returns = build_board(engine, "order", pipeline="returns")
    assert (returns.spec.name, returns.spec.card, [c.stage for c in returns.columns]) == \
        (None, (), ["received", "refunded"])
    payment = build_board(engine, "payment")
    assert [card.title for card in payment.columns[0].cards] == ["Платёж 1000.00", "Платёж 500.00", "Платёж 100.00"]


def test_where_narrows_and_limit_zero_keeps_counts(engine):
    board = build_board(engine, "orders", where="amount > 100 and stage_kind <> 'failure'", limit=0)
    assert columns(board) == {"new": (1, [], 1), "in_work": (0, [], 0), "paused": (1, [], 1),
                              "shipped": (1, [], 1), "lost": (0, [], 0)}


def test_bad_where_raises_expression_error_with_offset(engine):
    with pytest.raises(ExpressionError) as raised:
        build_board(engine, "orders", where="amount > 'x'")
    assert raised.value.offset == 7


@pytest.mark.parametrize(("name", "pipeline", "message"), [
    ("nope", None, "no board or process 'nope'"),
    ("order", "retruns", "process 'order' has no pipeline 'retruns' (did you mean 'returns'?)"),
])
def test_unknown_names_are_usage_errors(engine, name, pipeline, message):
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        build_board(engine, name, pipeline=pipeline)


def test_as_of_the_clock_equals_the_current_board(engine):
    now = build_board(engine, "orders", limit=5)
    past = build_board(engine, "orders", limit=5, as_of=engine.clock())
    assert [(c.stage, c.count, c.totals, [(k.id, k.title, k.fields) for k in c.cards]) for c in past.columns] == \
        [(c.stage, c.count, c.totals, [(k.id, k.title, k.fields) for k in c.cards]) for c in now.columns]


def test_as_of_rebuilds_stages_values_titles_and_rollups(engine):
    board = build_board(engine, "orders", as_of=parse_datetime("2026-03-05 12:00", "Europe/Moscow"))
    assert columns(board)["in_work"] == (2, [1, 2], 0)
    first = board.columns[1].cards[0]
    assert (first.title, str(first.fields["balance"])) == ("🚚 A-1 · ООО «Ромашка»", "500.00")
    before = build_board(engine, "orders", as_of=parse_datetime("2026-03-01", "Europe/Moscow"))
    assert before.total == 0
