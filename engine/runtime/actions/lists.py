"""Many-valued fields: list literals in ``set``/``create``/``schedule`` and the ``append`` action.

A YAML list where a many-valued field is set is a list literal: each element
follows the rule of a ``set`` value (a string is an expression of the element
type, a number, boolean or null is that literal); null elements are left out. ``append: {FIELD: VALUE}``
adds to the list of every item of the frame in one UPDATE (through
:func:`~.columns.apply_assignments`, so the journal, constraints and
``changed`` rules see it like any ``set``; ``{field: FIELD, value: VALUE}``
spells the same): VALUE is one element, a list of
the field's type, or a YAML list of elements; null elements are skipped, and
appending nothing leaves the field as it is (an empty list stays null).
"""

from __future__ import annotations

from collections.abc import Callable

from ...definitions.append_spec import append_values
from ...definitions.model import Action, FieldDef, Rule
from ...definitions.scopes import field_type
from ...expressions import Scope
from ...store.types import sql_type
from ..changes import Change
from ..frame import Frame, FrameResolver, compile_sql, expression_type, literal_sql
from ..run import Run
from .columns import apply_assignments

Element = Callable[[object], str]
"""Compiles one element (an expression text or a YAML literal) to SQL."""


def element_compiler(resolver: FrameResolver, scope: Scope, declared: FieldDef) -> Element:
    """SQL of one element of a many-valued field: an expression of its element type, or a literal."""
    element = field_type(declared).scalar()

    def compile_element(value: object) -> str:
        if isinstance(value, str):
            return compile_sql(value, resolver, scope, element)
        return literal_sql(value)

    return compile_element


def list_sql(values: list, compile_element: Element, declared: FieldDef) -> str:
    """A YAML list as a typed SQL list without its null elements (``[]`` for none)."""
    return _kept(f"[{', '.join(compile_element(v) for v in values)}]", declared)


def _kept(sql: str, declared: FieldDef) -> str:
    """A list without its null elements (null for a null list)."""
    return f"CAST([x FOR x IN ({sql}) IF x IS NOT NULL] AS {sql_type(declared)})"


def append_sql(current: str, value: object, resolver: FrameResolver, scope: Scope, declared: FieldDef) -> str:
    """The list ``current`` with ``value`` (one element, a list expression or a YAML list) added at its end."""
    compile_element = element_compiler(resolver, scope, declared)
    if isinstance(value, list):
        added = list_sql(value, compile_element, declared)
    elif isinstance(value, str) and expression_type(value, scope).many:
        added = _kept(compile_sql(value, resolver, scope, field_type(declared)), declared)
    else:
        one = compile_element(value)
        added = f"CASE WHEN ({one}) IS NULL THEN NULL ELSE CAST([{one}] AS {sql_type(declared)}) END"
    return (f"CASE WHEN coalesce(len({added}), 0) = 0 THEN {current} "
            f"ELSE list_concat(coalesce({current}, CAST([] AS {sql_type(declared)})), {added}) END")


def do_append(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``append: {field: value}``: add to many-valued fields of every item of the frame, one statement."""
    resolver = FrameResolver(frame)
    scope = frame.scope()
    values = {}
    for name, target in append_values(action.spec, frame.process.fields).items():
        declared = frame.process.fields[name]
        current = resolver.item_column("it", frame.process, "m.id", name).sql("duckdb")
        values[name] = append_sql(current, target.value, resolver, scope, declared)
    return apply_assignments(run, rule, frame, resolver, values, depth)
