"""An event's payload against its type's field constraints and ``require:`` list, before anything runs.

Built once per event type: one small check per constrained field (bounds,
lengths, pattern, non-blank) and the requirements parsed and type-checked
once, then evaluated per event by the reference interpreter (no database:
the event is refused before its transaction starts, the clock untouched).
A failed check raises :class:`~.events.EventRejected` naming the field, or
carrying the requirement's rendered message.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from ..definitions.bounds import BOUNDED_TYPES, TEXT_TYPES, bound_value, shown
from ..definitions.model import EventType, FieldDef, Project
from ..definitions.scopes import event_fields
from ..errors import RuledeckError
from ..expressions import Scope, Type, check, evaluate, parse
from .refusals import Memo, refusal_text

__all__ = ["check_payload_rules"]

PayloadRule = Callable[[dict[str, Any], dict[str, Any]], None]
"""Called with the converted payload and the event's own fields (id, type, time); raises to refuse."""

_RULES = Memo()


def check_payload_rules(project: Project, event_type: EventType, payload: dict[str, Any], event_id: str,
                        time: dt.datetime) -> None:
    """Refuse the event (:class:`~.events.EventRejected`) when a field constraint or a requirement fails."""
    rules = _RULES.get(event_type, project.timezone, lambda: _compile(project, event_type))
    if rules:
        own = {"id": event_id, "type": event_type.name, "time": time}
        for rule in rules:
            rule(payload, own)


def _rejected(message: str) -> RuledeckError:
    from .events import EventRejected

    return EventRejected(message)


def _compile(project: Project, event_type: EventType) -> tuple[PayloadRule, ...]:
    rules = [rule for declared in event_type.fields.values() for rule in _field_rules(declared, project.timezone)]
    rules += [_record_rule(declared, project.timezone) for declared in event_type.fields.values()
              if declared.type == "list" and any(f.constrained for f in (declared.of or {}).values())]
    zone = ZoneInfo(project.timezone)
    scope = Scope({}, {"event": event_fields(event_type)}, allow_now=False)
    for requirement in event_type.require:
        expr = parse(requirement.that)
        check(expr, scope, Type("bool"))
        scales = {n: f.scale for n, f in event_type.fields.items() if f.type == "decimal" and not f.many}
        rules.append(_requirement_rule(expr, requirement.that, requirement.message, zone, scales))
    return tuple(rules)


def _field_rules(declared: FieldDef, timezone: str) -> list[PayloadRule]:
    name, rules = declared.name, []
    scale = declared.scale if declared.type == "decimal" else None

    def seen(value: Any) -> str:
        return shown(_scaled(value, scale))

    def each(test: Callable[[Any], bool], refuse: Callable[[Any], str]) -> PayloadRule:
        def rule(payload: dict[str, Any], own: dict[str, Any]) -> None:
            value = payload.get(name)
            values = value if declared.many and isinstance(value, list) else [value]
            for single in values:
                if single is not None and test(single):
                    raise _rejected(f"field '{name}' {refuse(single)}")
        return rule

    if declared.required and declared.type in TEXT_TYPES and not declared.many:
        rules.append(each(lambda v: isinstance(v, str) and not v.strip(),
                          lambda v: f"is required and cannot be blank (got {shown(v)})"))
    if declared.type in BOUNDED_TYPES:
        low, high = bound_value(declared, "min", timezone), bound_value(declared, "max", timezone)
        if low is not None:
            rules.append(each(lambda v: v < low, lambda v: f"must be at least {shown(low)} (got {seen(v)})"))
        if high is not None:
            rules.append(each(lambda v: v > high, lambda v: f"must be at most {shown(high)} (got {seen(v)})"))
    if declared.type in TEXT_TYPES:
        shortest, longest = declared.min_length, declared.max_length
        if shortest is not None:
            rules.append(each(lambda v: len(v) < shortest,
                              lambda v: f"must have at least {shortest} characters (got {shown(v)})"))
        if longest is not None:
            rules.append(each(lambda v: len(v) > longest,
                              lambda v: f"must have at most {longest} characters (got {len(v)})"))
        if declared.pattern is not None:
            pattern = re.compile(declared.pattern)
            rules.append(each(lambda v: pattern.fullmatch(v) is None,
                              lambda v: f"must match the pattern {declared.pattern!r} (got {shown(v)})"))
    return rules


def _record_rule(declared: FieldDef, timezone: str) -> PayloadRule:
    """The constraints of a list's record fields, checked on every element; a refusal names the element."""
    from .record_lists import element_name

    checks = [(name, rule) for name, field in (declared.of or {}).items()
              for rule in _field_rules(field, timezone)]

    def rule(payload: dict[str, Any], own: dict[str, Any]) -> None:
        from .events import EventRejected

        for index, element in enumerate(payload.get(declared.name) or []):
            for name, field_rule in checks:
                try:
                    field_rule(element, own)
                except EventRejected as exc:
                    text = str(exc).replace(f"field '{name}'", f"field '{element_name(declared, index, name)}'", 1)
                    raise _rejected(text) from None
    return rule


def _requirement_rule(expr, text: str, message: str, zone: ZoneInfo, scales: dict[str, int]) -> PayloadRule:
    def rule(payload: dict[str, Any], own: dict[str, Any]) -> None:
        values = {("event", k): v for k, v in payload.items()}
        values.update({("event", k): v for k, v in own.items()})
        try:
            holds = evaluate(expr, values, own["time"], zone)
        except Exception as exc:  # noqa: BLE001 - a payload the check cannot read is refused, not a crash
            raise _rejected(f"the check {text!r} could not be evaluated on this payload: {exc}") from None
        if holds is not True:
            shown_values = {k: _scaled(v, scales.get(k)) for k, v in payload.items()}
            raise _rejected(refusal_text(message, {"event": SimpleNamespace(**shown_values, **own)}))
    return rule


def _scaled(value: Any, scale: int | None) -> Any:
    """A decimal as the database keeps it, with its field's digits after the point (``150.5`` -> ``150.50``)."""
    if scale is None or not isinstance(value, Decimal):
        return value
    return value.quantize(Decimal(1).scaleb(-scale))
