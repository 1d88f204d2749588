"""The exceptions and findings every layer of ruledeck raises or reports.

A user's mistake is always one of these, never a bare Python exception: the
CLI maps each family to an exit code in one place (``ruledeck.cli.main``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.StrEnum):
    """How bad a finding is."""

    ERROR = "error"
    """The definition cannot be run."""
    WARNING = "warning"
    """The definition runs but probably does not do what was meant."""


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found in a definition, with its position.

    ``code`` is stable (tests and CI filters rely on it); ``path`` is the
    location inside the document, e.g. ``rules.close_case.when.cron``.
    """

    file: str
    line: int
    col: int
    code: str
    message: str
    severity: Severity = Severity.ERROR
    path: str = ""
    hint: str = ""

    def format(self) -> str:
        """``file:line:col: severity CODE: message (hint)`` on one line."""
        text = f"{self.file}:{self.line}:{self.col}: {self.severity.value} {self.code}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class RuledeckError(Exception):
    """Base of every error caused by the user's input rather than a bug."""


class DefinitionError(RuledeckError):
    """The project's definitions have errors; ``findings`` lists them all."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        errors = [f for f in findings if f.severity is Severity.ERROR]
        first = errors[0].format() if errors else "no errors"
        more = f" and {len(errors) - 1} more" if len(errors) > 1 else ""
        super().__init__(f"{first}{more}")


class UsageError(RuledeckError):
    """The command was called wrongly (bad option value, missing project)."""


class ExpressionError(RuledeckError):
    """An expression does not parse or does not type-check.

    ``offset`` is the 0-based character offset inside the expression text,
    so the caller can turn it into a file position.
    """

    def __init__(self, message: str, offset: int = 0, code: str = "E-EXPR", hint: str = ""):
        self.message = message
        self.offset = offset
        self.code = code
        self.hint = hint
        super().__init__(message + (f" ({hint})" if hint else ""))


class DurationError(RuledeckError):
    """A duration or offset such as ``5d`` or ``1 month`` does not parse."""

    def __init__(self, message: str, hint: str = ""):
        self.message = message
        self.hint = hint
        super().__init__(message + (f" ({hint})" if hint else ""))


class CronError(RuledeckError):
    """A cron string does not parse."""

    def __init__(self, message: str, hint: str = ""):
        self.message = message
        self.hint = hint
        super().__init__(message + (f" ({hint})" if hint else ""))


class DatabaseLocked(RuledeckError):
    """Another process holds the project's database."""


class RejectedInput(RuledeckError):
    """Input (events, task outcomes) was refused; details are in the message."""


@dataclass
class Rejection:
    """One event refused at ingest, with its id and the reason."""

    event_id: str
    reason: str
    line: int = 0
    extra: dict = field(default_factory=dict)
