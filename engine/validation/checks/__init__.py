"""The semantic checks, run in this order after the schema stage."""

from __future__ import annotations

from .constraints import check_constraints
from .cycles import check_cycles
from .directory import check_directory
from .event_types import check_event_types
from .field_cycles import check_field_cycles
from .for_each import check_record_lists
from .lookup_rows import check_lookup_rows
from .period_tables import check_period_tables
from .prepare import check_prepared
from .presentation import check_presentation
from .processes import check_processes
from .reachability import check_reachability
from .rules import check_rules
from .task_forms import check_task_forms
from .working_names import check_working_names

CHECKS = (
    check_processes,
    check_task_forms,
    check_field_cycles,
    check_working_names,
    check_event_types,
    check_record_lists,
    check_constraints,
    check_directory,
    check_lookup_rows,
    check_period_tables,
    check_rules,
    check_presentation,
)

PREPARE_CHECKS = (check_prepared,)
"""The statements built from the definitions, prepared by the database; only for a project without errors."""

ADVISORY_CHECKS = (check_reachability, check_cycles)
"""Warnings about a project that is otherwise sound; skipped while it has errors."""

__all__ = ["ADVISORY_CHECKS", "CHECKS", "PREPARE_CHECKS"]
