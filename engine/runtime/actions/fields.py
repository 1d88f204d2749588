"""Actions that change the items' own columns: set, move, hold, resume, assign, link."""

from __future__ import annotations

import re

from sqlglot import exp

from ...definitions.model import Action, Process, Rule
from ...definitions.scopes import field_type
from ...expressions import Type
from ...store.names import items_table, lookup_table, quote
from ..changes import Change
from ..frame import Frame, FrameResolver, compile_sql, literal_sql, rollup_sql, stage_kind_sql, typed
from ..run import Run
from .columns import apply_assignments
from .lists import element_compiler, list_sql

NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def value_sql(value: object, resolver: FrameResolver, frame: Frame, expect: Type | None = None) -> str:
    """A ``set`` value: a YAML literal, or an expression compiled against the frame."""
    if isinstance(value, str):
        return compile_sql(value, resolver, frame.scope(), expect)
    return literal_sql(value)


def do_set(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``set: {field: expression}`` (a YAML list for a many-valued field)."""
    resolver = FrameResolver(frame)
    values = {}
    for name, value in action.spec.items():
        declared = frame.process.fields[name]
        if isinstance(value, list):
            values[name] = list_sql(value, element_compiler(resolver, frame.scope(), declared), declared)
        else:
            values[name] = value_sql(value, resolver, frame, field_type(declared))
    return apply_assignments(run, rule, frame, resolver, values, depth)


def stage_sql(value: str, resolver: FrameResolver, frame: Frame) -> str:
    """A stage name, or an expression giving one."""
    if NAME.match(value):
        return literal_sql(value)
    return compile_sql(value, resolver, frame.scope(), Type("string"))


def do_move(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``move: STAGE`` (or an expression)."""
    resolver = FrameResolver(frame)
    return apply_assignments(run, rule, frame, resolver, {"stage": stage_sql(action.spec, resolver, frame)}, depth)


def do_hold(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``hold: STAGE``: park items, remembering where they were; already held items stay as they are."""
    resolver = FrameResolver(frame)
    values = {"stage": stage_sql(action.spec, resolver, frame), "held_from": "it.stage", "held_at": frame.now_sql()}
    return apply_assignments(run, rule, frame, resolver, values, depth, where="it.held_from IS NULL")


def do_resume(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``resume``: back to the stage before the hold; shift or re-anchor planned dates."""
    spec = action.spec or {}
    resolver = FrameResolver(frame)
    now = frame.now_sql()
    values = {"stage": "it.held_from", "held_from": "CAST(NULL AS VARCHAR)", "held_at": "CAST(NULL AS TIMESTAMPTZ)"}
    fields = frame.process.fields
    shift = spec.get("shift") or []
    for name in shift if isinstance(shift, list) else [shift]:
        column = f"it.{quote(name)}"
        if fields[name].type == "date":
            values[name] = f"CAST({column} + CAST(CAST({now} AS DATE) - CAST(it.held_at AS DATE) AS INTEGER) AS DATE)"
        else:
            values[name] = f"{column} + ({now} - it.held_at)"
    if "reanchor" in spec:
        name = spec["reanchor"]
        column = f"it.{quote(name)}"
        window = f"OVER (PARTITION BY it.{quote(spec['by'])})" if spec.get("by") else "OVER ()"
        if fields[name].type == "date":
            values[name] = f"CAST({column} + CAST(CAST({now} AS DATE) - MIN({column}) {window} AS INTEGER) AS DATE)"
        else:
            values[name] = f"{column} + ({now} - MIN({column}) {window})"
    return apply_assignments(run, rule, frame, resolver, values, depth, where="it.held_from IS NOT NULL")


def _people_with_role(frame: Frame, role: str) -> list[str]:
    return sorted(name for name, person in frame.project.people.items() if role in (person.spec.get("roles") or []))


def _round_robin(run: Run, rule: Rule, role: str, frame: Frame) -> str:
    people = _people_with_role(frame, role)
    if not people:
        return "NULL"
    counter = f"round_robin.{rule.name}.{role}"
    row = run.con.execute("SELECT value FROM rd_counters WHERE name = ?", [counter]).fetchone()
    start = row[0] if row else 0
    count = run.con.execute(f"SELECT count(*) FROM {frame.match}").fetchone()[0]
    run.con.execute("INSERT OR REPLACE INTO rd_counters VALUES (?, ?)", [counter, (start + count) % len(people)])
    names = exp.Array(expressions=[exp.Literal.string(p) for p in people]).sql("duckdb")
    return f"{names}[(({start} + m.rn - 1) % {len(people)}) + 1]"


def _assignee_literal(frame: Frame, target_type: str, spec: dict) -> str:
    """A ``person``/``role`` spec as the target field's value; an ``assignee`` field takes the role itself."""
    if "person" in spec:
        return exp.Literal.string(spec["person"]).sql("duckdb")
    if "role" in spec:
        if target_type in ("role", "assignee"):
            prefix = "role:" if target_type == "assignee" else ""
            return exp.Literal.string(prefix + spec["role"]).sql("duckdb")
        people = _people_with_role(frame, spec["role"])
        return exp.Literal.string(people[0]).sql("duckdb") if people else "NULL"
    return "NULL"


def _looked_up(column_sql: str, column_type: str, target_type: str) -> str:
    """A lookup column's value for the target field: a role column names a role in an ``assignee`` field."""
    if target_type == "assignee" and column_type == "role":
        return f"'role:' || {column_sql}"
    return column_sql


def do_assign(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``assign``: a person from a role (first or round-robin), or from a lookup with a fallback; an
    ``assignee`` field may take the role itself (``role:NAME``) as the responsible."""
    spec = action.spec
    resolver = FrameResolver(frame)
    target_type = frame.process.fields[spec["field"]].type
    if "lookup" in spec:
        lookup = frame.project.lookups[spec["lookup"]]
        key_column = lookup.spec.get("key") or next(iter(lookup.spec.get("fields") or {}))
        value_column = spec.get("value") or next(
            (n for n, f in (lookup.spec.get("fields") or {}).items() if n != key_column), key_column)
        key = value_sql(spec.get("key", spec["field"]), resolver, frame)
        column_type = ((lookup.spec.get("fields") or {}).get(value_column) or {}).get("type", "string")
        found = (f"(SELECT {_looked_up(f'l.{quote(value_column)}', column_type, target_type)} "
                 f"FROM {quote(lookup_table(lookup.name))} l WHERE l.{quote(key_column)} = ({key}) LIMIT 1)")
        fallback = _assignee_literal(frame, target_type, spec.get("fallback") or {})
        value = f"COALESCE({found}, {fallback})"
    elif spec.get("method") == "round_robin" and "role" in spec and target_type != "role":
        value = _round_robin(run, rule, spec["role"], frame)
    else:
        value = _assignee_literal(frame, target_type, spec)
    return apply_assignments(run, rule, frame, resolver, {spec["field"]: value}, depth)


def link_target_sql(resolver: FrameResolver, target: Process, name: str) -> str:
    """A field of the candidate item ``t`` of a ``link``: a column, or a computed/rollup value over ``t``."""
    key = ("link.target", target.name, name, resolver.signature())
    cache = resolver.frame.project.compiled_sql
    if key[-1] is not None and key in cache:
        return cache[key]
    declared = target.fields.get(name)
    if name == "stage_kind":
        sql = stage_kind_sql(target, "t").sql("duckdb")
    elif declared is not None and declared.compute is not None:
        sql = typed(resolver.computed("t", target, declared.compute), declared).sql("duckdb")
    elif declared is not None and declared.rollup is not None:
        sql = typed(rollup_sql(resolver.frame, "t", declared.rollup), declared).sql("duckdb")
    else:
        sql = f"t.{quote(name)}"
    if key[-1] is not None:
        cache[key] = sql
    return sql


def link_value_sql(resolver: FrameResolver, frame: Frame, spec: dict) -> str:
    """The new value of a ``link``'s ref field: the lowest id among the matching items, else the field as it is."""
    target = frame.project.processes[spec["process"]]
    conditions = []
    for name, expression in (spec.get("match") or {}).items():
        value = value_sql(expression, resolver, frame)
        conditions.append(f"{link_target_sql(resolver, target, name)} = ({value})")
    where = " AND ".join(conditions) or "FALSE"
    found = f"(SELECT MIN(t.id) FROM {quote(items_table(target.name))} t WHERE {where})"
    return f"COALESCE({found}, it.{quote(spec['field'])})"


def do_link(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``link``: point a ref field at the item whose fields match; no match keeps the field as it is."""
    resolver = FrameResolver(frame)
    value = link_value_sql(resolver, frame, action.spec)
    return apply_assignments(run, rule, frame, resolver, {action.spec["field"]: value}, depth)
