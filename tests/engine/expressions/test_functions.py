"""The function registry: one row per function, compiled, interpreted and documented."""

from __future__ import annotations

from pathlib import Path

from ruledeck.engine.expressions import FUNCTIONS
from ruledeck.engine.expressions.evaluate import FUNCTION_PY
from ruledeck.engine.expressions.to_sql import FUNCTION_SQL

DOCS = Path(__file__).parents[3] / "docs" / "expressions.md"


def test_every_function_compiles_and_evaluates():
    assert set(FUNCTION_SQL) == set(FUNCTIONS)
    assert set(FUNCTION_PY) == set(FUNCTIONS)


def test_every_function_is_documented_with_its_signature():
    text = DOCS.read_text(encoding="utf-8").replace("\\|", "|")  # pipes are escaped in tables
    for function in FUNCTIONS.values():
        assert f"`{function.signature}`" in text, function.name
        assert function.example in text, function.name


def test_signatures_read_naturally():
    assert FUNCTIONS["add_months"].signature == "add_months(x: date|datetime, n: int) -> same type as x"
    assert FUNCTIONS["round"].signature == "round(x: int|decimal[, digits: int]) -> same type as x"
    assert FUNCTIONS["coalesce"].signature == "coalesce(a: any, …) -> the arguments' common type"
