"""A task kind's form: the fields a completion fills in, and what each outcome needs.

```yaml
tasks:
  visit:
    form:
      engineer: {type: person, required: true}
      reason: {type: enum, values: [no_access, no_parts]}
    outcomes:
      done: {}
      failed: {require: [reason], comment_required: true}
```
``outcomes`` may stay a plain list of names; the mapping form adds the needs.
"""

from __future__ import annotations

from .model import EventType, Loc, OutcomeRule, TaskForm, TaskKind


def build_task_form(kind: TaskKind, spec: dict, loc: Loc) -> None:
    """Set ``kind.form`` from its ``form:`` and an ``outcomes:`` mapping (nothing when it has neither)."""
    from .build import build_fields

    outcomes = spec.get("outcomes")
    rules: dict[str, OutcomeRule] = {}
    if isinstance(outcomes, dict):
        for name, rule in outcomes.items():
            rule = rule or {}
            rules[name] = OutcomeRule(loc.at("outcomes", name), tuple(rule.get("require") or ()),
                                      bool(rule.get("comment_required", False)))
    if spec.get("form") is None and not rules:
        return
    fields = build_fields(spec.get("form"), loc.at("form"))
    kind.form = TaskForm(EventType(kind.name, loc.at("form"), fields, f"task '{kind.name}'"), rules)


def form_fields(kind: TaskKind | None) -> dict:
    """The form's fields of a task kind, by name (empty without a form)."""
    return dict(kind.form.fields.fields) if kind is not None and kind.form is not None else {}
