"""parse(): what the language accepts, and the exact error for what it refuses."""

from __future__ import annotations

import pytest
from ruledeck.engine.errors import ExpressionError
from ruledeck.engine.expressions import names_used, parse


def refusal(text: str) -> tuple[str, int, str, str]:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    error = caught.value
    return error.code, error.offset, error.message, error.hint


@pytest.mark.parametrize(
    "text",
    [
        "age_at_issue < 18 and stage = 'later'",
        "case when planned_at < start_of_month(now()) then 'overdue' else 'later' end",
        "user_id = source.user_id and stage_kind = 'open'",
        "anchor + row.offset",
        "coalesce(paid_total, 0) >= amount",
        "x in (1, 2) and y not in ('a') and z between 1 and 2 and w is not null and v is null",
        "name like 'a%' and not name like '_b'",
        "case reason when 'repair' then 1 when 'other' then 2 else 3 end",
        "date '2026-01-31' < timestamp '2026-01-31 10:00' and interval '1 month' = x",
        "'it''s' || -x % 2 != 1.5",
        "if(is_child, 'child', 'adult')",
        "task.comment = event.comment and row.index > 0 and event.type = 'x' and event.time > now()",
        '"order" = 1',
    ],
)
def test_accepts_the_language(text):
    assert parse(text).text == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("E-EXPR-SYNTAX", 0, "the expression is empty", "")),
        ("a and", ("E-EXPR-SYNTAX", 2, "the expression ends too early after 'and'", "")),
        ("a = = 1", ("E-EXPR-SYNTAX", 4, "unexpected '='", "a value is missing after '='")),
        ("x + * 2", ("E-EXPR-SYNTAX", 4, "unexpected '*'", "a value is missing after '+'")),
        (
            "x in ()",
            ("E-EXPR-SYNTAX", 0, "'in' needs a list of values in parentheses, e.g. x in ('a', 'b')", ""),
        ),
        (
            "case when a then else 1 end",
            ("E-EXPR-SYNTAX", 17, "unexpected 'else'", "a value is missing after 'then'"),
        ),
        ("x is not", ("E-EXPR-SYNTAX", 5, "the expression ends too early after 'not'", "")),
        ("(a + 1", ("E-EXPR-SYNTAX", 0, "'(' is never closed", "add the missing ')'")),
        ("lower(name", ("E-EXPR-SYNTAX", 5, "'(' is never closed", "add the missing ')'")),
        ("lower(a b)", ("E-EXPR-SYNTAX", 8, "expected ')' before 'b'", "")),
        ("x = 'abc", ("E-EXPR-SYNTAX", 4, "unterminated string: ' is never closed", "")),
        ("a b", ("E-EXPR-SYNTAX", 2, "unexpected 'b'", "an operator is missing between two values")),
        ("1 2", ("E-EXPR-SYNTAX", 2, "unexpected '2'", "an operator is missing between two values")),
        ("x = 1 )", ("E-EXPR-SYNTAX", 6, "unexpected ')'", "")),
        ("a.b.c.d.e = 1", ("E-EXPR-FORBIDDEN", 0, "a name has at most four parts, e.g. source.device.client.name",
                           "")),
        (
            "d > interval 5 day",
            (
                "E-EXPR-SYNTAX",
                13,
                "write an interval as a quoted duration, e.g. interval '5d' or interval '1 month'",
                "",
            ),
        ),
        ('"lower"(x)', ("E-EXPR-SYNTAX", 0, "a function name cannot be quoted", "")),
    ],
)
def test_syntax_errors(text, expected):
    assert refusal(text) == expected


@pytest.mark.parametrize(
    ("text", "code", "offset", "message"),
    [
        (
            "1; DROP TABLE x",
            "E-EXPR-FORBIDDEN",
            1,
            "only one expression is allowed: ';' is not part of the language",
        ),
        ("x -- comment", "E-EXPR-FORBIDDEN", 2, "comments are not allowed in expressions"),
        ("x /* c */ = 1", "E-EXPR-FORBIDDEN", 2, "comments are not allowed in expressions"),
        (
            "(select 1)",
            "E-EXPR-FORBIDDEN",
            1,
            "'select' is not allowed: an expression cannot hold queries or statements",
        ),
        (
            "x in (select id from t)",
            "E-EXPR-FORBIDDEN",
            6,
            "'select' is not allowed: an expression cannot hold queries or statements",
        ),
        (
            "DROP TABLE items",
            "E-EXPR-FORBIDDEN",
            0,
            "'DROP' is not allowed: an expression cannot hold queries or statements",
        ),
        (
            "x = 1 order by y",
            "E-EXPR-FORBIDDEN",
            6,
            "'order by' is not allowed: an expression cannot hold queries or statements",
        ),
        ("x = ?", "E-EXPR-FORBIDDEN", 4, "parameters ($1, ?, :name) are not allowed"),
        ("x = $1", "E-EXPR-FORBIDDEN", 4, "parameters ($1, ?, :name) are not allowed"),
        ("x::int = 1", "E-EXPR-FORBIDDEN", 1, "casts are not allowed"),
        ("t.* = 1", "E-EXPR-FORBIDDEN", 2, "'*' is not allowed in an expression"),
        ("sum(x) over () > 1", "E-EXPR-FORBIDDEN", 0, "window functions (over …) are not allowed"),
        ("tags[1] = 'a'", "E-EXPR-FORBIDDEN", 0, "indexing with [ ] is not allowed"),
        ("name ilike 'a%'", "E-EXPR-FORBIDDEN", 0, "ilike is not allowed"),
        (
            "x between symmetric 2 and 1",
            "E-EXPR-FORBIDDEN",
            0,
            "'x between symmetric 2 and 1' is not allowed in an expression (symmetric)",
        ),
        ("x is true", "E-EXPR-FORBIDDEN", 5, "only 'is null' and 'is not null' are allowed"),
        ("time '10:00' = x", "E-EXPR-FORBIDDEN", 5, "casts are not allowed"),
        ("a ->> 'b' = 1", "E-EXPR-FORBIDDEN", 0, "'a' is not allowed in an expression"),
    ],
)
def test_forbidden_constructs(text, code, offset, message):
    assert refusal(text)[:3] == (code, offset, message)


@pytest.mark.parametrize(
    ("text", "offset", "hint"),
    [
        ("exec('x')", 0, "see docs/expressions.md for the functions"),
        ("x = lowr(y)", 4, "did you mean 'lower'?"),
        (
            "count(*) > 1",
            0,
            "aggregates are not expressions: declare a rollup field (count, sum, min, max, avg)",
        ),
        ("cast(x as int) = 1", 0, "casts are not allowed; use date(x), or a literal like date '2026-01-31'"),
        ("1 = read_csv('/etc/passwd')", 4, "see docs/expressions.md for the functions"),
    ],
)
def test_unknown_functions(text, offset, hint):
    code, where, message, found_hint = refusal(text)
    assert (code, where, found_hint) == ("E-EXPR-UNKNOWN-FUNCTION", offset, hint)
    assert message.startswith("unknown function '")


def test_offsets_count_lines_of_a_multiline_expression():
    text = "case when a then 1\n     when b then = 2 end"
    assert refusal(text)[:2] == ("E-EXPR-SYNTAX", text.index("="))


def test_keywords_as_field_names_need_quotes():
    assert refusal("values > 1")[3] == 'if values is a field, write it in double quotes: "values"'
    assert parse('"values" > 1').tree.this.name == "values"


def test_names_used():
    expr = parse("user_id = source.user_id and stage_kind = 'open' and add_days(anchor, row.index) > now()")
    assert names_used(expr) == {
        (None, "user_id"),
        ("source", "user_id"),
        (None, "stage_kind"),
        (None, "anchor"),
        ("row", "index"),
    }


def test_string_literals_are_values_not_sql():
    expr = parse("name = 'x''; DROP TABLE t; --'")
    assert expr.tree.expression.name == "x'; DROP TABLE t; --"
