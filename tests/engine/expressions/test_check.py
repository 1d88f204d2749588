"""check(): names, types and the exact messages for what does not fit."""

from __future__ import annotations

import pytest
from ruledeck.engine.errors import ExpressionError
from ruledeck.engine.expressions import BOOL, DATE, DATETIME, DECIMAL, INT, STRING, Scope, Type, check, parse

SCOPE = Scope(
    fields={
        "age_at_issue": INT, "amount": DECIMAL, "paid_total": DECIMAL, "stage": STRING, "is_child": BOOL,
        "issued_on": DATE, "planned_at": DATETIME, "birth_date": DATE, "user_id": STRING,
        "reason": Type.of("enum", values=["repair", "specialist_visit", "other"]),
        "service": Type.of("ref", process="service"), "serials": Type.of("string", many=True),
        "comment": Type.of("text"), "anchor": DATE,
    },
    namespaces={"source": {"user_id": STRING}, "row": {"offset": Type.of("interval"), "index": INT}},
)  # fmt: skip


def type_of(text: str, scope: Scope = SCOPE, expect: Type | None = None) -> Type:
    return check(parse(text), scope, expect)


def refusal(text: str, scope: Scope = SCOPE, expect: Type | None = None) -> tuple[str, int, str, str]:
    with pytest.raises(ExpressionError) as caught:
        type_of(text, scope, expect)
    error = caught.value
    return error.code, error.offset, error.message, error.hint


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("age_at_issue < 18 and stage = 'later'", "bool"),
        ("case when planned_at < start_of_month(now()) then 'overdue' else 'later' end", "string"),
        ("user_id = source.user_id", "bool"),
        ("anchor + row.offset", "date"),
        ("planned_at + interval '2h'", "datetime"),
        ("coalesce(paid_total, 0) >= amount", "bool"),
        ("amount * 0.2", "decimal"),
        ("age_at_issue + 1", "int"),
        ("age_at_issue / 2", "decimal"),
        ("age_at_issue % 5", "int"),
        ("issued_on - birth_date", "int"),
        ("add_months(planned_at, 1)", "datetime"),
        ("age_years(birth_date, issued_on)", "int"),
        ("service = 5", "bool"),
        ("contains(serials, 'SN-1') and cardinality(serials) > 0", "bool"),
        ("reason in ('repair', 'other')", "bool"),
        ("case reason when 'repair' then 1 else 2.5 end", "decimal"),
        ("if(is_child, null, 1)", "int"),
        ("null", "null"),
        ("comment || '!'", "text"),
        ("round(amount, 2)", "decimal"),
    ],
)
def test_result_types(text, kind):
    assert type_of(text).kind == kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "age_at_isue < 18",
            ("E-EXPR-UNKNOWN-FIELD", 0, "unknown field 'age_at_isue'", "did you mean 'age_at_issue'?"),
        ),
        ("x = 1 and stge = 'a'", ("E-EXPR-UNKNOWN-FIELD", 0, "unknown field 'x'", "")),
        (
            "stage = 'a' and stge = 'a'",
            ("E-EXPR-UNKNOWN-FIELD", 16, "unknown field 'stge'", "did you mean 'stage'?"),
        ),
        (
            "source = 1",
            (
                "E-EXPR-UNKNOWN-FIELD",
                0,
                "unknown field 'source'",
                "'source' is a namespace: write source.<field>",
            ),
        ),
        ("planned_at < now", ("E-EXPR-UNKNOWN-FIELD", 13, "unknown field 'now'", "write now()")),
        (
            "sorce.user_id = 'a'",
            ("E-EXPR-UNKNOWN-NAMESPACE", 0, "unknown namespace 'sorce'", "did you mean 'source'?"),
        ),
        (
            "event.user_id = 'a'",
            ("E-EXPR-UNKNOWN-NAMESPACE", 0, "unknown namespace 'event'", "namespaces here: row, source"),
        ),
        (
            "source.usr_id = 'a'",
            ("E-EXPR-UNKNOWN-FIELD", 7, "'source' has no field 'usr_id'", "did you mean 'user_id'?"),
        ),
    ],
)
def test_unknown_names(text, expected):
    assert refusal(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'a' + 1", (4, "'+' does not apply to string and int", "use || to join strings")),
        ("is_child and age_at_issue", (13, "'and' needs true/false on both sides, got int", "")),
        ("not amount", (4, "'not' needs true/false, got decimal", "")),
        ("stage = 1", (6, "cannot compare string with int", "")),
        (
            "issued_on < '2026-01-01'",
            (10, "cannot compare date with string", "write a date as date '2026-01-31'"),
        ),
        ("serials = 'a'", (8, "cannot compare list of string with string", "use contains(list, x)")),
        ("is_child < true", (9, "'<' does not apply to bool", "")),
        ("amount = null", (9, "'=' with null is never true", "write x is null or x is not null")),
        ("stage in ('a', null)", (15, "null in a list never matches", "write x is null")),
        (
            "reason = 'repiar'",
            (
                9,
                "'repiar' is not a value of enum ('repair', 'specialist_visit', 'other')",
                "did you mean 'repair'?",
            ),
        ),
        (
            "'nothing' <> reason",
            (
                0,
                "'nothing' is not a value of enum ('repair', 'specialist_visit', 'other')",
                "one of: repair, specialist_visit, other",
            ),
        ),
        (
            "reason in ('repair', 'specialist')",
            (
                21,
                "'specialist' is not a value of enum ('repair', 'specialist_visit', 'other')",
                "did you mean 'specialist_visit'?",
            ),
        ),
        (
            "issued_on + 1",
            (
                10,
                "'+' does not apply to date and int",
                "use add_days(x, n), x + interval '5d' or days_between(a, b)",
            ),
        ),
        (
            "issued_on + interval '2h'",
            (21, "a date cannot move by hours, minutes or seconds", "use whole days, or a datetime value"),
        ),
        (
            "planned_at - issued_on",
            (
                11,
                "'-' does not apply to datetime and date",
                "use add_days(x, n), x + interval '5d' or days_between(a, b)",
            ),
        ),
        ("case when age_at_issue then 1 end", (10, "a 'when' condition must be true/false, got int", "")),
        (
            "case when is_child then 1 else 'a' end",
            (31, "the results of 'case' must have one type, got int and string", ""),
        ),
        (
            "add_months(issued_on)",
            (
                0,
                "add_months() takes 2 arguments, got 1",
                "write add_months(x: date|datetime, n: int) -> same type as x",
            ),
        ),
        ("lower(amount)", (6, "argument 1 of lower() must be a string, got decimal", "")),
        ("add_days(issued_on, 1.5)", (20, "argument 2 of add_days() must be an int, got decimal", "")),
        (
            "round(amount, age_at_issue)",
            (14, "the digits of round() must be a whole number, e.g. round(x, 2)", ""),
        ),
        (
            "coalesce(issued_on, planned_at)",
            (20, "the arguments of coalesce() must have one type, got date and datetime", ""),
        ),
        ("contains(serials, 1)", (18, "cannot look for int in a list of string", "")),
        (
            "greatest(reason, 'other')",
            (9, "cannot order values of type enum ('repair', 'specialist_visit', 'other')", ""),
        ),
        ("stage || 1", (9, "'||' joins strings, got int", "use concat(a, b) to join numbers or dates")),
        ("9223372036854775808 > 1", (0, "the number 9223372036854775808 is too large for an int", "")),
    ],
)
def test_type_errors(text, expected):
    code, *rest = refusal(text)
    assert code == "E-EXPR-TYPE"
    assert tuple(rest) == expected


def test_invalid_literals():
    assert refusal("issued_on = date '2026-02-30'")[:3] == (
        "E-EXPR-SYNTAX",
        17,
        "'2026-02-30' is not a valid date",
    )
    assert refusal("planned_at > timestamp '2026-01-31 25:00'")[:2] == ("E-EXPR-SYNTAX", 23)
    assert refusal("anchor + interval '5 dayz'") == (
        "E-EXPR-DURATION",
        18,
        "'5 dayz' is not a duration: unknown unit 'dayz'",
        "did you mean 'days'?",
    )


def test_conditions_must_be_bool():
    assert type_of("is_child", expect=BOOL) == BOOL
    assert type_of("null", expect=BOOL).kind == "null"
    assert refusal("age_at_issue + 1", expect=BOOL) == (
        "E-EXPR-TYPE",
        0,
        "condition must be true/false, got int",
        "",
    )


def test_values_must_fit_the_target():
    enum = Type.of("enum", values=["open", "closed"])
    assert type_of("case when is_child then 'open' else 'closed' end", expect=enum) == STRING
    text = "case when is_child then 'open' else 'clsed' end"
    assert refusal(text, expect=enum)[1:] == (
        text.index("'clsed'"),
        "'clsed' is not a value of enum ('open', 'closed')",
        "did you mean 'closed'?",
    )
    assert refusal("amount", expect=INT)[2:] == (
        "expected int, got decimal",
        "use round(x), floor(x) or ceil(x)",
    )
    assert refusal("planned_at", expect=DATE)[2:] == ("expected date, got datetime", "use date(x)")
    assert type_of("age_at_issue", expect=DECIMAL) == INT


def test_now_may_be_refused():
    scope = Scope(SCOPE.fields, allow_now=False)
    assert refusal("issued_on < today()", scope) == (
        "E-EXPR-FORBIDDEN",
        12,
        "today() is not allowed here",
        "this expression is not re-evaluated as time passes",
    )
    assert type_of("age_years(birth_date, issued_on)", scope) == INT
