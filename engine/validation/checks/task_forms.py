"""Check task forms: their fields, and what each outcome needs (fields of the form, a comment)."""

from __future__ import annotations

from ...definitions.model import Process, TaskKind
from ...definitions.scopes import TASK_FIELDS
from ..report import Report
from .common import resolve_member
from .processes import check_field

_NOT_IN_FORMS = ("sequence", "compute", "rollup")


def check_task_forms(report: Report) -> None:
    """Every task kind's form fields are sound and every outcome's needs name them."""
    for process in report.project.processes.values():
        for kind in process.tasks.values():
            if kind.form is not None:
                _check_form(report, process, kind)


def _check_form(report: Report, process: Process, kind: TaskKind) -> None:
    form = kind.form
    for field in form.fields.fields.values():
        check_field(report, field, reserved=tuple(TASK_FIELDS))
        if field.type == "ref":
            report.error(field.loc.at("type"), "E-FORM-FIELD", f"form field '{field.name}' of task '{kind.name}' "
                         "cannot be a ref", "keep the item's key as a string field, and link it in the rule")
        for attribute in _NOT_IN_FORMS:
            if getattr(field, attribute) is not None:
                report.error(field.loc.at(attribute), "E-FORM-FIELD",
                             f"form field '{field.name}' of task '{kind.name}' cannot have '{attribute}'",
                             "a form holds what the person completing the task fills in")
        if field.unique:
            report.error(field.loc.at("unique"), "E-FORM-FIELD",
                         f"form field '{field.name}' of task '{kind.name}' cannot be unique",
                         "unique applies to item fields; check it with a reject action in the task's rule")
    for rule in form.outcomes.values():
        for index, name in enumerate(rule.require):
            resolve_member(report, rule.loc.at("require", index), "E-REF-FIELD", f"the form of task '{kind.name}'",
                           "field", name, form.fields.fields)
