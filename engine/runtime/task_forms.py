"""A completion's form values, checked like an event payload before the task is closed.

``ruledeck task done 7 --outcome failed --set reason=no_parts --comment "…"`` and a
``task_done`` event with ``fields: {reason: no_parts}`` both come here: unknown
fields, wrong types, enum values, constraints, the fields an outcome needs and a
required comment are refused with a message naming the task and the field.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ..definitions.model import Project, TaskKind
from ..suggest import did_you_mean
from .events import EventRejected, check_payload
from .payload_checks import check_payload_rules


def check_completion(project: Project, kind: TaskKind | None, task_id: int, outcome: str, comment: str | None,
                     values: dict[str, Any] | None, now: dt.datetime, text_input: bool = False) -> str | None:
    """The form values as the JSON kept in ``rd_tasks.form`` (None without a form), or :class:`EventRejected`."""
    label = f"task #{task_id} '{kind.name if kind else '?'}'"
    values = dict(values or {})
    form = kind.form if kind is not None else None
    if form is None:
        if values:
            raise EventRejected(f"{label} has no form: it takes no fields (got {', '.join(sorted(values))})")
        return None
    declared = form.fields.fields
    unknown = sorted(set(values) - set(declared))
    if unknown:
        hint = did_you_mean(unknown[0], list(declared))
        known = f"; its fields are {', '.join(declared)}" if declared else "; its form has no fields"
        raise EventRejected(f"{label} has no field '{unknown[0]}'" + (f" ({hint})" if hint else known))
    try:
        checked = check_payload(values, form.fields, project, text_input)
        check_payload_rules(project, form.fields, checked, str(task_id), now)
    except EventRejected as exc:
        raise EventRejected(f"{label}: {exc}") from None
    rule = form.outcomes.get(outcome)
    if rule is not None:
        missing = [name for name in rule.require if _empty(checked.get(name))]
        if missing:
            raise EventRejected(f"{label}: outcome '{outcome}' needs field '{missing[0]}' (--set {missing[0]}=…)")
        if rule.comment_required and not (comment or "").strip():
            raise EventRejected(f"{label}: outcome '{outcome}' needs a comment (--comment …)")
    return json.dumps({name: _json(value) for name, value in checked.items() if value is not None},
                      ensure_ascii=False)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _json(value: Any) -> Any:
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool | int | str):
        return value
    return str(value)  # Decimal: exact text
