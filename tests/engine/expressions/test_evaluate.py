"""evaluate(): SQL's NULL logic and calendar maths, in plain Python."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from ruledeck.engine.expressions import evaluate, parse

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 1, 31, 22, 0, tzinfo=UTC)  # already Feb 1 in Moscow


def value(text: str, **fields):
    return evaluate(parse(text), {(None, name): v for name, v in fields.items()}, NOW, MOSCOW)


@pytest.mark.parametrize(
    ("a", "b", "and_", "or_"),
    [
        (True, True, True, True),
        (True, False, False, True),
        (True, None, None, True),
        (False, None, False, None),
        (None, None, None, None),
    ],
)
def test_three_valued_logic(a, b, and_, or_):
    assert value("a and b", a=a, b=b) is and_
    assert value("b and a", a=a, b=b) is and_
    assert value("a or b", a=a, b=b) is or_
    assert value("b or a", a=a, b=b) is or_


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not x", None),
        ("x = 1", None),
        ("x <> 1", None),
        ("x + 1", None),
        ("x is null", True),
        ("x is not null", False),
        ("1 in (2, x)", None),
        ("1 in (1, x)", True),
        ("x in (1, 2)", None),
        ("1 between x and 3", None),
        ("5 between x and 3", False),
        ("case when x = 1 then 'a' else 'b' end", "b"),
        ("case x when 1 then 'a' end", None),
        ("coalesce(x, 2)", 2),
        ("least(x, 2, 1)", 1),
        ("greatest(x, x)", None),
        ("concat('a', x, 'b')", "ab"),
        ("'a' || x", None),
        ("lower(x)", None),
        ("if(x = 1, 'yes', 'no')", "no"),
        ("add_months(date '2026-01-31', x)", None),
    ],
)
def test_null_semantics(text, expected):
    assert value(text, x=None) == expected


def test_numbers_follow_sql():
    assert value("7 / 2") == 3.5
    assert value("7 / 0") is None
    assert value("-7 % 3") == -1
    assert value("7 % -3") == 1
    assert value("x % 2", x=Decimal("-7.5")) == Decimal("-1.5")
    assert value("x * 0.2", x=Decimal("12.50")) == Decimal("2.500")
    assert value("round(x, 1)", x=Decimal("2.25")) == Decimal("2.3")
    assert value("round(x)", x=Decimal("-2.5")) == Decimal("-3")
    assert value("round(1234, -2)") == 1200
    assert value("floor(x)", x=Decimal("-1.5")) == Decimal("-2")
    assert value("ceil(7 / 2)") == 4.0
    assert value("x / 4 = 0.25", x=1) is True


def test_dates_follow_the_project_zone():
    late_evening = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    assert value("today()") == date(2026, 2, 1)
    assert value("date(x)", x=late_evening) == date(2026, 2, 1)
    assert value("start_of_month(x)", x=late_evening) == date(2026, 2, 1)
    assert value("month(x)", x=late_evening) == 2
    assert value("x = date '2026-02-01'", x=datetime(2026, 1, 31, 21, 0, tzinfo=UTC)) is True
    assert value("timestamp '2026-02-01 00:59' < now()") is True
    assert value("add_months(x, 1)", x=late_evening) == datetime(2026, 3, 1, 2, 30, tzinfo=MOSCOW)
    assert value("x + interval '1d 2h'", x=late_evening) == datetime(2026, 2, 2, 4, 30, tzinfo=MOSCOW)
    assert value("x - interval '1 month'", x=date(2026, 3, 31)) == date(2026, 2, 28)
    assert value("interval '1 month' + x", x=date(2028, 1, 31)) == date(2028, 2, 29)
    assert value("x - -interval '1 month'", x=date(2028, 1, 31)) == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("birth", "at", "age"),
    [
        (date(2008, 2, 29), date(2026, 2, 27), 17),
        (date(2008, 2, 29), date(2026, 2, 28), 18),
        (date(2008, 2, 29), date(2028, 2, 28), 19),
        (date(2008, 2, 29), date(2028, 2, 29), 20),
        (date(2008, 3, 1), date(2026, 2, 28), 17),
        (date(2008, 12, 31), date(2026, 12, 31), 18),
    ],
)
def test_age_years_on_birthdays(birth, at, age):
    assert value("age_years(b, a)", b=birth, a=at) == age


def test_lists_and_strings():
    assert value("contains(x, 'b')", x=["a", None, "b"]) is True
    assert value("contains(x, 'c')", x=["a", None]) is False
    assert value("cardinality(x)", x=[]) == 0
    assert value("x like 'a_c%'", x="abcdef") is True
    assert value("x like 'a.c'", x="abc") is False
    assert value("trim(x)", x="  a b  ") == "a b"
    assert value("concat(1, true, date '2026-01-31')") == "1true2026-01-31"


def test_values_come_from_the_mapping():
    expr = parse("source.x = x")
    assert evaluate(expr, {("source", "x"): 1, (None, "x"): 1}, NOW, MOSCOW) is True
    with pytest.raises(KeyError):
        evaluate(expr, {(None, "x"): 1}, NOW, MOSCOW)
    with pytest.raises(ValueError, match="aware"):
        evaluate(expr, {}, datetime(2026, 1, 1), MOSCOW)
