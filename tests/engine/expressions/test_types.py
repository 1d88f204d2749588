"""Type: construction and the rules for mixing kinds."""

from __future__ import annotations

import pytest
from ruledeck.engine.expressions import BOOL, DATE, DATETIME, DECIMAL, INT, NULL, STRING, TEXT, Type
from ruledeck.engine.expressions.types import assignable, comparable, orderable, unify

ENUM = Type.of("enum", values=["repair", "other"])
SERVICE = Type.of("ref", process="service")


def test_of_builds_frozen_types():
    assert Type.of("enum", values=["a"]) == Type("enum", False, ("a",), None)
    with pytest.raises(ValueError, match="unknown type kind 'integer'"):
        Type.of("integer")
    with pytest.raises(AttributeError):
        INT.kind = "text"  # type: ignore[misc]


def test_str_names_the_type():
    assert str(Type.of("string", many=True)) == "list of string"
    assert str(SERVICE) == "ref to service"
    assert str(ENUM) == "enum ('repair', 'other')"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (INT, DECIMAL, True),
        (STRING, ENUM, True),
        (Type.of("person"), TEXT, True),
        (DATE, DATETIME, True),
        (SERVICE, INT, True),
        (SERVICE, Type.of("ref", process="service"), True),
        (SERVICE, Type.of("ref", process="device"), False),
        (STRING, INT, False),
        (BOOL, INT, False),
        (NULL, DATE, True),
        (Type.of("string", many=True), STRING, False),
    ],
)
def test_comparable(a, b, expected):
    assert comparable(a, b) is expected
    assert comparable(b, a) is expected


def test_orderable():
    assert orderable(DATE) and orderable(DECIMAL) and orderable(STRING)
    assert (
        not orderable(BOOL)
        and not orderable(Type.of("interval"))
        and not orderable(Type.of("int", many=True))
    )


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (INT, INT, INT),
        (INT, DECIMAL, DECIMAL),
        (NULL, DATE, DATE),
        (ENUM, ENUM, ENUM),
        (ENUM, STRING, STRING),
        (STRING, TEXT, TEXT),
        (SERVICE, INT, SERVICE),
        (DATE, DATETIME, None),
        (STRING, INT, None),
    ],
)
def test_unify(a, b, expected):
    assert unify(a, b) == expected
    assert unify(b, a) == expected


@pytest.mark.parametrize(
    ("actual", "expected", "ok"),
    [
        (INT, DECIMAL, True),
        (DECIMAL, INT, False),
        (DATE, DATETIME, True),
        (DATETIME, DATE, False),
        (STRING, ENUM, True),
        (Type.of("enum", values=["repair"]), ENUM, True),
        (Type.of("enum", values=["broken"]), ENUM, False),
        (INT, SERVICE, True),
        (NULL, BOOL, True),
        (Type.of("string", many=True), STRING, False),
    ],
)
def test_assignable(actual, expected, ok):
    assert assignable(actual, expected) is ok
