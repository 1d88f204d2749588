"""The value types of the expression language and the rules for mixing them.

Each field type of the definition language is a :class:`Type`; three kinds exist
only inside expressions: ``interval`` (``interval '5d'``), ``null`` (the
``null`` literal) and ``any`` (a value whose type is not known statically).
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = (
    "string", "text", "int", "decimal", "bool", "date", "datetime",
    "enum", "ref", "person", "role", "assignee", "interval", "null", "any",
)  # fmt: skip

NUMERIC = frozenset({"int", "decimal"})
STRINGLIKE = frozenset({"string", "text", "enum", "person", "role", "assignee"})
TEMPORAL = frozenset({"date", "datetime"})


@dataclass(frozen=True)
class Type:
    """The type of a value: a kind, optionally a list (``many``) and kind details.

    ``values`` lists an enum's values (string literals compared with it must be
    one of them); ``process`` names the process a ``ref`` points to.

    >>> Type.of("int")
    Type(kind='int', many=False, values=(), process=None)
    >>> str(Type.of("enum", values=["a", "b"], many=True))
    "list of enum ('a', 'b')"
    """

    kind: str
    many: bool = False
    values: tuple[str, ...] = ()
    process: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown type kind {self.kind!r}; expected one of {', '.join(KINDS)}")
        if not isinstance(self.values, tuple):
            object.__setattr__(self, "values", tuple(self.values))

    @classmethod
    def of(
        cls,
        kind: str,
        *,
        many: bool = False,
        values: tuple[str, ...] | list[str] = (),
        process: str | None = None,
    ) -> Type:
        """Build a type; ``Type.of("enum", values=["a", "b"])``."""
        return cls(kind, many, tuple(values), process)

    def scalar(self) -> Type:
        """The element type of a list type (the type itself when not a list)."""
        return Type(self.kind, False, self.values, self.process) if self.many else self

    @property
    def family(self) -> str:
        """``numeric``, ``string``, ``temporal`` or the kind itself: kinds in one family mix."""
        if self.kind in NUMERIC:
            return "numeric"
        if self.kind in STRINGLIKE:
            return "string"
        if self.kind in TEMPORAL:
            return "temporal"
        return self.kind

    def __str__(self) -> str:
        text = self.kind
        if self.kind == "enum" and self.values:
            text += " (" + ", ".join(repr(v) for v in self.values) + ")"
        if self.kind == "ref" and self.process:
            text += f" to {self.process}"
        return f"list of {text}" if self.many else text


STRING, TEXT, INT, DECIMAL, BOOL = Type("string"), Type("text"), Type("int"), Type("decimal"), Type("bool")
DATE, DATETIME, INTERVAL, NULL, ANY = (
    Type("date"),
    Type("datetime"),
    Type("interval"),
    Type("null"),
    Type("any"),
)


def is_null(t: Type) -> bool:
    """Whether a value of this type is the bare ``null`` literal (fits anywhere)."""
    return t.kind == "null"


def comparable(a: Type, b: Type) -> bool:
    """Whether ``a = b`` makes sense: same family, ref with int, null with anything.

    >>> comparable(INT, DECIMAL), comparable(STRING, INT), comparable(DATE, DATETIME)
    (True, False, True)
    """
    if a.kind in ("null", "any") or b.kind in ("null", "any"):
        return True
    if a.many or b.many:
        return False
    if a.kind == "ref" and b.kind == "ref":
        return a.process is None or b.process is None or a.process == b.process
    if {a.kind, b.kind} == {"ref", "int"}:
        return True
    return a.family == b.family


def orderable(t: Type) -> bool:
    """Whether ``<`` and ``>`` apply: numbers, plain strings, dates, item ids."""
    return (
        t.kind
        in ("int", "decimal", "string", "text", "person", "role", "assignee", "date", "datetime", "ref", "null", "any")
        and not t.many
    )


def unify(a: Type, b: Type) -> Type | None:
    """The one type that holds values of both ``a`` and ``b`` (case branches, coalesce), or None.

    >>> unify(INT, DECIMAL), unify(NULL, DATE), unify(DATE, DATETIME)
    (Type(kind='decimal', many=False, values=(), process=None), \
Type(kind='date', many=False, values=(), process=None), None)
    """
    if a.kind == "null" or (a.kind == "any" and b.kind != "null"):
        return b
    if b.kind in ("null", "any"):
        return a
    if a == b:
        return a
    if a.many or b.many:
        return None
    if a.family == b.family == "numeric":
        return DECIMAL
    if a.family == b.family == "string":
        if a.kind == b.kind == "enum" and set(a.values) == set(b.values):
            return a
        return TEXT if "text" in (a.kind, b.kind) else STRING
    if {a.kind, b.kind} == {"ref", "int"}:
        return a if a.kind == "ref" else b
    if a.kind == b.kind == "ref":
        return a if a.process is None or b.process is None or a.process == b.process else None
    return None


def assignable(actual: Type, expected: Type) -> bool:
    """Whether a value of ``actual`` may be stored where ``expected`` is wanted.

    >>> assignable(INT, DECIMAL), assignable(DECIMAL, INT), assignable(DATE, DATETIME)
    (True, False, True)
    """
    if actual.kind in ("null", "any") or expected.kind == "any":
        return True
    if actual.many != expected.many:
        return False
    if expected.kind == "decimal":
        return actual.family == "numeric"
    if expected.kind == "datetime":
        return actual.family == "temporal"
    if expected.kind == "ref":
        return actual.kind == "int" or (actual.kind == "ref" and unify(actual, expected) is not None)
    if expected.family == "string":
        if expected.kind == "enum" and actual.kind == "enum" and expected.values:
            return set(actual.values) <= set(expected.values)
        return actual.family == "string"
    return actual.kind == expected.kind
