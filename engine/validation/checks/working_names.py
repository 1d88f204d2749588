"""Field names the engine's working tables use for their own columns.

Creating items goes through tables holding a row number (``rn``), the
moment (``now_at``) and, in a batch, the event (``ev``) next to the new
items' fields; an event's payload sits beside ``ev`` and ``now_at`` too. A
field of that name would clash with them, so it is refused with a hint.
"""

from __future__ import annotations

from ..report import Report

WORKING_COLUMNS = ("rn", "now_at", "ev")


def check_working_names(report: Report) -> None:
    """No process or event-type field is named like a working column."""
    project = report.project
    owners = [(f"process '{p.name}'", p.fields) for p in project.processes.values()]
    owners += [(f"event type '{e.name}'", e.fields) for e in project.event_types.values()]
    for owner, fields in owners:
        for declared in fields.values():
            if declared.name in WORKING_COLUMNS:
                report.error(declared.loc, "E-FIELD-RESERVED",
                             f"field '{declared.name}' of {owner}: '{declared.name}' is a column the engine uses "
                             "while it applies rules", f"rename the field (e.g. '{declared.name}_value')", key=True)
