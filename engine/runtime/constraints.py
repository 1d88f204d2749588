"""Field constraints on items (``unique``, ``min``/``max``, lengths, ``pattern``, non-blank ``required``).

Checked right after an action wrote the items (``create``/``schedule`` and
every column change), so the statement sees the items as they now are, and
before anything else runs on them: a violation raises
:class:`~.refusals.Refused`, which rolls back the event or command. Each check
is one statement over the change table finding the first offending item
(lowest id); only on a refusal are its value and the item holding a taken
value read back. Statements are built once per process and set of changed
fields; their bounds and patterns go in as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..definitions.bounds import BOUNDED_TYPES, TEXT_TYPES, bound_value, shown
from ..definitions.model import FieldDef, Process
from ..store.names import items_table, quote
from ..store.types import stored
from .actors import assignee_names
from .refusals import Memo, Refused, check_entered
from .run import Run

__all__ = ["check_assigned", "check_created"]

_STATEMENTS = Memo()


@dataclass(frozen=True)
class _Check:
    """One condition of a field that an item fails."""

    field: FieldDef
    kind: str
    bound: Any = None


@dataclass(frozen=True)
class _Statement:
    parts: tuple[str, ...]
    """Joined with the change table's name between them."""
    params: tuple[Any, ...]
    checks: tuple[_Check, ...]


def check_assigned(run: Run, process: Process, table: str, values: dict[str, str]) -> None:
    """After a column change (change table ``c`` with ``old_X``/``new_X``): constraints of the changed fields,
    then the ``require`` of the stages items entered."""
    names = frozenset(n for n in values if n in process.fields)
    if names:
        _check_fields(run, process, table, names)
    if "stage" in values:
        check_entered(run, process, table, changed_only=True)


def check_created(run: Run, process: Process, table: str) -> None:
    """After new items were inserted (change table ``c`` with their ``id``): every constraint, every stage's
    ``require``."""
    _check_fields(run, process, table, None)
    check_entered(run, process, table, changed_only=False)


def _constrained(process: Process, names: frozenset[str] | None) -> list[FieldDef]:
    fields = [f for n, f in process.fields.items() if stored(f) and f.settable and (names is None or n in names)]
    return [f for f in fields if f.constrained or f.name == process.key]


def _checks(process: Process, declared: FieldDef, timezone: str, created: bool,
            assignees: list[str]) -> list[tuple[_Check, str, list]]:
    """(check, SQL condition over ``it`` with ``?`` for its parameters, parameters) of one field.

    ``assignees``: what an ``assignee`` field may hold (the people, ``role:NAME`` of the roles).
    """
    column = f"it.{quote(declared.name)}"
    out: list[tuple[_Check, str, list]] = []
    text = declared.type in TEXT_TYPES
    if declared.required and not created:
        out.append((_Check(declared, "required"), f"{column} IS NULL", []))
    if declared.required and text and not declared.many:
        out.append((_Check(declared, "required"), f"trim({column}) = ''", []))

    def each(condition: str) -> str:  # a list field fails when one of its values does
        if not declared.many:
            return condition.replace("{v}", column)
        return f"EXISTS (SELECT 1 FROM (SELECT unnest({column}) AS v) l WHERE {condition.replace('{v}', 'l.v')})"

    if declared.type in BOUNDED_TYPES:
        for which, operator in (("min", "<"), ("max", ">")):
            bound = bound_value(declared, which, timezone)
            if bound is not None:
                out.append((_Check(declared, which, bound), each(f"{{v}} {operator} ?"), [bound]))
    if text:
        for which, operator in (("min_length", "<"), ("max_length", ">")):
            bound = getattr(declared, which)
            if bound is not None:
                out.append((_Check(declared, which, bound), each(f"length({{v}}) {operator} ?"), [bound]))
        if declared.pattern is not None:
            out.append((_Check(declared, "pattern", declared.pattern),
                        each("NOT regexp_full_match({v}, ?)"), [declared.pattern]))
    if declared.type == "assignee":
        out.append((_Check(declared, "assignee"), each("NOT list_contains(CAST(? AS VARCHAR[]), {v})"), [assignees]))
    return out


def _unique_parts(process: Process, declared: FieldDef) -> tuple[str, str]:
    """The condition that another item holds the value, split where the change table's name goes."""
    name = quote(declared.name)
    scope = declared.unique if isinstance(declared.unique, tuple) else ()
    same = "".join(f" AND o.{quote(s)} IS NOT DISTINCT FROM it.{quote(s)}" for s in scope)
    head = (f"it.{name} IS NOT NULL AND EXISTS (SELECT 1 FROM {quote(items_table(process.name))} o "
            f"WHERE o.{name} = it.{name} AND o.id <> it.id{same} AND (o.id < it.id OR o.id NOT IN (SELECT id FROM ")
    return head, ")))"


def _statement(run: Run, process: Process, names: frozenset[str] | None) -> _Statement | None:
    created = names is None
    parts = ["SELECT id, k FROM (SELECT c.id AS id, CASE"]  # the text, cut where the change table's name goes
    params: list[Any] = []
    checks: list[_Check] = []
    for declared in _constrained(process, names):
        changed = "" if created else (f"c.{quote('old_' + declared.name)} IS DISTINCT FROM "
                                      f"c.{quote('new_' + declared.name)} AND ")
        for check, condition, values in _checks(process, declared, run.project.timezone, created,
                                                assignee_names(run.project)):
            parts[-1] += f" WHEN {changed}({condition}) THEN {len(checks)}"
            params += values
            checks.append(check)
        if declared.unique or declared.name == process.key:
            head, tail = _unique_parts(process, declared)
            parts[-1] += f" WHEN {changed}({head}"
            parts.append(f"{tail}) THEN {len(checks)}")
            checks.append(_Check(declared, "unique"))
    if not checks:
        return None
    parts[-1] += " END AS k FROM "
    parts.append(f" c JOIN {quote(items_table(process.name))} it ON it.id = c.id) WHERE k IS NOT NULL "
                 "ORDER BY id LIMIT 1")
    return _Statement(tuple(parts), tuple(params), tuple(checks))


def _check_fields(run: Run, process: Process, table: str, names: frozenset[str] | None) -> None:
    statement = _STATEMENTS.get(process, names, lambda: _statement(run, process, names))
    if statement is None:
        return
    row = run.con.execute(table.join(statement.parts), list(statement.params)).fetchone()
    if row is None:
        return
    item_id, index = row
    raise Refused(_message(run, process, item_id, statement.checks[index], names is None))


def _message(run: Run, process: Process, item_id: int, check: _Check, created: bool) -> str:
    declared = check.field
    scope = declared.unique if isinstance(declared.unique, tuple) else ()
    columns = ", ".join(quote(n) for n in (declared.name, *scope))
    table = quote(items_table(process.name))
    value, *scoped = run.con.execute(f"SELECT {columns} FROM {table} WHERE id = ?", [item_id]).fetchone()
    # A new item's id is not worth showing: the refusal rolls it back.
    what = f"field '{declared.name}' of a new '{process.name}'" if created else \
        f"field '{declared.name}' of '{process.name}' item {item_id}"
    if check.kind == "required":
        return f"{what} is required and cannot be blank"
    if check.kind in ("min", "max"):
        word = "at least" if check.kind == "min" else "at most"
        return f"{what} must be {word} {shown(check.bound)} (got {shown(value)})"
    if check.kind in ("min_length", "max_length"):
        word = "at least" if check.kind == "min_length" else "at most"
        return f"{what} must have {word} {check.bound} characters (got {shown(value)})"
    if check.kind == "pattern":
        return f"{what} must match the pattern {check.bound!r} (got {shown(value)})"
    if check.kind == "assignee":
        return f"{what} must be a person's name or role:ROLE of a role (got {shown(value)})"
    same = "".join(f" AND {quote(s)} IS NOT DISTINCT FROM ?" for s in scope)
    holder = run.con.execute(f"SELECT id, title FROM {table} WHERE {quote(declared.name)} = ? AND id <> ?{same} "
                             "ORDER BY id LIMIT 1", [value, item_id, *scoped]).fetchone()
    held = f"item {holder[0]}" + (f" \"{holder[1]}\"" if holder and holder[1] else "") if holder else "another item"
    within = "".join(f" with {s} {shown(v)}" for s, v in zip(scope, scoped, strict=True))
    per = f" per {', '.join(scope)}" if scope else ""
    word = "key field" if declared.name == process.key and not declared.unique else "field"
    return (f"{word} '{declared.name}' of '{process.name}' must be unique{per}: {shown(value)}{within} "
            f"is already held by {held}")
