"""Check event types: their payload fields are well declared."""

from __future__ import annotations

from ..report import Report
from .processes import check_field


def check_event_types(report: Report) -> None:
    """Every payload field's type, target process and default are sound."""
    for event_type in report.project.event_types.values():
        for declared in event_type.fields.values():
            if declared.name in ("id", "type", "time"):
                report.error(declared.loc, "E-FIELD-RESERVED", f"'{declared.name}' is part of every event",
                             "rename the payload field", key=True)
                continue
            check_field(report, declared, reserved=())
