"""ruledeck's engine: load, validate, compile, store, run and query definitions.

This module is the public API; the CLI imports only what is listed here.
"""

from __future__ import annotations

from .errors import (
    CronError,
    DatabaseLocked,
    DefinitionError,
    DurationError,
    ExpressionError,
    Finding,
    RejectedInput,
    RuledeckError,
    Severity,
    UsageError,
)
from .validation import ProjectResult, load_project, validate_paths, validate_project
from .validation.schema import KINDS as SCHEMA_KINDS
from .validation.schema import load_schemas

__all__ = [
    "CronError",
    "DatabaseLocked",
    "DefinitionError",
    "DurationError",
    "ExpressionError",
    "Finding",
    "ProjectResult",
    "RejectedInput",
    "RuledeckError",
    "SCHEMA_KINDS",
    "Severity",
    "UsageError",
    "load_project",
    "load_schemas",
    "validate_paths",
    "validate_project",
]
