"""What running specs produced: one :class:`Check` per expectation, grouped by spec and project."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Finding


class Status(enum.StrEnum):
    """The outcome of one expectation."""

    PASSED = "passed"
    """It held."""
    FAILED = "failed"
    """It did not hold."""
    XFAILED = "xfailed"
    """It did not hold, and is marked ``xfail`` (a known engine bug)."""
    XPASSED = "xpassed"
    """It is marked ``xfail`` but held: remove the mark (counts as a failure)."""


@dataclass
class Check:
    """One expectation: where it is written, what it checked, expected and actual."""

    file: str
    line: int
    col: int
    status: Status
    subject: str
    what: str
    expected: str = ""
    actual: str = ""
    reason: str = ""
    """The xfail reason, when marked."""
    summary: str = ""
    """A message of its own, for checks that read badly as "expected X, got Y"."""

    @property
    def ok(self) -> bool:
        return self.status in (Status.PASSED, Status.XFAILED)

    def message(self) -> str:
        """``subject: what: expected X, got Y`` on one line (details may follow on more)."""
        text = self.summary or f"{self.subject}: {self.what}: expected {self.expected}, got {self.actual}"
        if self.status is Status.XFAILED:
            text += f" (xfail: {self.reason})"
        if self.status is Status.XPASSED:
            text = f"{self.subject}: {self.what} holds but is marked xfail ({self.reason}): remove the mark"
        return text

    def location(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass
class SpecResult:
    """The outcome of one spec file."""

    path: Path
    file: str
    title: str
    project: str
    findings: list[Finding] = field(default_factory=list)
    """Why the spec could not run (invalid spec or project)."""
    error: Finding | None = None
    """A step that could not be applied (an unexpected rejection, an engine error); the run stopped there."""
    checks: list[Check] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def status(self) -> str:
        """``error``, ``failed`` or ``passed``."""
        if self.findings or self.error is not None:
            return "error"
        return "failed" if any(not c.ok for c in self.checks) else "passed"

    def count(self, status: Status) -> int:
        return sum(1 for c in self.checks if c.status is status)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


@dataclass
class ProjectRun:
    """The specs of one project."""

    root: Path
    name: str
    specs: list[SpecResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    """The project's own definition errors (then no spec runs)."""

    @property
    def expectations(self) -> int:
        return sum(len(s.checks) for s in self.specs)


@dataclass
class SuiteResult:
    """Every project run by one ``ruledeck test``."""

    projects: list[ProjectRun] = field(default_factory=list)

    @property
    def specs(self) -> list[SpecResult]:
        return [s for p in self.projects for s in p.specs]

    @property
    def ok(self) -> bool:
        return not any(p.findings for p in self.projects) and all(s.status == "passed" for s in self.specs)

    def count(self, status: Status) -> int:
        return sum(s.count(status) for s in self.specs)

    @property
    def expectations(self) -> int:
        return sum(p.expectations for p in self.projects)
