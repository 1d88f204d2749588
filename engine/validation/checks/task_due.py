"""A task's deadline (``due:`` of a task kind or a ``task`` action): a duration, or a date/datetime expression."""

from __future__ import annotations

import re

from ...definitions.model import Loc
from ...errors import DurationError
from ...expressions import Scope
from ...timing import parse_duration
from ..report import Report
from .common import check_duration, check_expression

_LOOKS_LIKE_DURATION = re.compile(r"^\s*[+-]?\s*\d[\w\s]*$")
DUE_KINDS = ("date", "datetime")


def is_duration(text: object) -> bool:
    """Whether ``text`` is a duration (counted from the task's creation) rather than an expression."""
    try:
        parse_duration(str(text))
    except DurationError:
        return False
    return True


def check_due(report: Report, loc: Loc, text: object, scope: Scope) -> None:
    """A duration, or an expression giving a date (due that whole day) or a datetime."""
    if is_duration(text):
        return
    if isinstance(text, str) and _LOOKS_LIKE_DURATION.match(text):
        check_duration(report, loc, text)
        return
    found = check_expression(report, loc, text, scope)
    if found is not None and (found.kind not in DUE_KINDS or found.many):
        report.error(loc, "E-EXPR-TYPE", f"a deadline must be a duration, a date or a datetime, got {found}",
                     "write e.g. 3d, \"end_of_month(now())\", \"add_working_days(now(), 2)\" or a date field")
