"""format(VALUE, PATTERN): the docs' examples in DuckDB and the interpreter alike, and its positioned errors."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from ruledeck.engine.errors import ExpressionError
from ruledeck.engine.expressions import check, parse

UTC = ZoneInfo("UTC")


@pytest.mark.parametrize(("text", "row", "expected"), [
    ("format(n1, '0.00')", {"n1": Decimal("1234.5")}, "1234.50"),
    ("format(n1, '# ##0,00')", {"n1": Decimal("1234567.01")}, "1 234 567,01"),
    ("format(n1 + 0.005, '#,##0.00')", {"n1": Decimal("999999.99")}, "1,000,000.00"),
    ("format(n1, '#,##0')", {"n1": Decimal("-2.5")}, "-3"),
    ("format(n1, '#.##0,0')", {"n1": Decimal("-0.04")}, "0,0"),  # rounds to zero: no minus sign
    ("format(n1, '#''##0.00')", {"n1": Decimal("123456")}, "123'456.00"),
    ("format(1 / 3, '0.000')", {}, "0.333"),
    ("format(i1, '0.0')", {"i1": 7}, "7.0"),
    ("format(i1, '# ##0')", {"i1": -1234567}, "-1 234 567"),
    ("format(i1, '# ##0')", {"i1": 123}, "123"),
    ("format(i1, '# ##0')", {"i1": None}, None),
    ("format(t1, 'DD.MM.YYYY')", {"t1": date(2026, 3, 9)}, "09.03.2026"),
    ("concat('до ', format(t1, 'DD.MM.YY'))", {"t1": date(2026, 3, 9)}, "до 09.03.26"),
    ("format(t1, 'YYYY-MM-DD')", {"t1": None}, None),
    ("format(ts, 'DD.MM.YYYY HH:mm')", {"ts": datetime(2026, 3, 9, 21, 30, tzinfo=UTC)}, "10.03.2026 00:30"),
    ("format(ts, 'HH:mm:ss, DD/MM 100%')", {"ts": datetime(2026, 3, 9, 21, 30, 5, tzinfo=UTC)},
     "00:30:05, 10/03 100%"),
])
def test_format_gives_the_same_text_in_duckdb_and_evaluate(table, text, row, expected):
    in_db, in_python = table.both(text, row)
    assert in_db == in_python == expected


def test_money_has_no_float_artefacts(table):
    for value in ("2.675", "1.005", "0.125", "-1.125"):
        in_db, in_python = table.both("format(n1 / 1, '0.00')", {"n1": Decimal(value)})
        assert in_db == in_python == str(Decimal(value).quantize(Decimal("0.01"), "ROUND_HALF_UP"))


@pytest.mark.parametrize(("text", "where", "message"), [
    ("format(n1, 'DD.MM')", 11, "'DD.MM' is not a number pattern: write '0', '0.00', '0,00', '#,##0.00' or "
                                "'# ##0,00'"),
    ("format(n1, '0.0000000')", 11, "'0.0000000' is not a number pattern"),
    ("format(n1, '#.##0.00')", 11, "'#.##0.00' is not a number pattern"),
    ("format(t1, '0.00')", 11, "'0.00' is not a date pattern: write 'DD.MM.YYYY' or 'YYYY-MM-DD HH:mm'"),
    ("format(t1, 'DD.MM.YYYY HH:mm')", 11, "a date has no time of day: 'HH' needs a datetime value"),
    ("format(t1, 'D.M.YYYY')", 11, "'D' is not part of a date pattern: use YYYY, YY, MM, DD, HH, mm or ss"),
    ("format(t1, s1)", 11, "the pattern of format() must be a literal, e.g. format(amount, '0.00')"),
    ("format(s1, '0')", 7, "argument 1 of format() must be a number, date or datetime, got string"),
    ("format(tags, '0')", 7, "argument 1 of format() must be a number, date or datetime, got list of string"),
    ("format(n1)", 0, "format() takes 2 arguments, got 1"),
])
def test_wrong_patterns_and_values_are_positioned(table, text, where, message):
    with pytest.raises(ExpressionError) as error:
        check(parse(text), table.scope)
    assert error.value.code == "E-EXPR-TYPE"
    assert str(error.value).startswith(message)
    assert error.value.offset == where
