"""Validate projects: YAML, then JSON Schema, then semantic checks.

>>> from pathlib import Path
>>> result = validate_project(Path("definitions/prosthesis_followup"))  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..definitions.build import build_project
from ..definitions.model import Loc, Project
from ..definitions.project_files import find_projects, load_project_files
from ..definitions.scopes import processes_fixed
from ..errors import DefinitionError, DurationError, Finding, Severity
from ..timing import parse_duration
from .checks import ADVISORY_CHECKS, CHECKS, PREPARE_CHECKS
from .gc_pause import gc_paused
from .report import Report
from .schema import check_document

__all__ = ["ProjectResult", "validate_project", "validate_paths", "load_project"]


@dataclass
class ProjectResult:
    """The outcome of validating one project."""

    root: Path
    findings: list[Finding] = field(default_factory=list)
    project: Project | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]


def _broken(findings: list[Finding]) -> dict[str, set[str]]:
    broken: dict[str, set[str]] = {}
    for finding in findings:
        parts = finding.path.split(".")
        if len(parts) >= 2:
            broken.setdefault(parts[0], set()).add(parts[1].split("[")[0])
    return broken


def validate_project(root: Path) -> ProjectResult:
    """Every finding for the project at ``root``; ``project`` is set when it has no errors."""
    with gc_paused(), processes_fixed():
        return _validate(root)


def _validate(root: Path) -> ProjectResult:
    files = load_project_files(root)
    result = ProjectResult(root, list(files.findings))
    schema_findings: list[Finding] = []
    if files.config is not None:
        schema_findings += check_document(files.config, "project.json")
        _check_timezone(files.config, schema_findings)
        _check_grace(files.config, schema_findings)
    for doc in files.documents:
        schema_findings += check_document(doc, "definitions.json")
    result.findings += schema_findings
    if files.findings:
        return _sorted(result)
    project, duplicates = build_project(files, _broken(schema_findings))
    result.findings += duplicates
    report = Report(project)
    for check in CHECKS:
        check(report)
    if not result.errors and not any(f.severity is Severity.ERROR for f in report.findings):
        for check in PREPARE_CHECKS:
            check(report)
        for check in ADVISORY_CHECKS:
            check(report)
    result.findings += report.findings
    if not result.errors:
        result.project = project
    return _sorted(result)


def _check_timezone(config, findings: list[Finding]) -> None:
    zone = config.data.get("timezone") if isinstance(config.data, dict) else None
    if not isinstance(zone, str):
        return
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        pos = Loc(config, ("timezone",)).position()
        findings.append(Finding(config.file, pos.line, pos.col, "E-TIMEZONE", f"unknown time zone '{zone}'",
                                path="timezone", hint="use an IANA name such as Europe/Moscow or UTC"))


def _check_grace(config, findings: list[Finding]) -> None:
    grace = config.data.get("late_events_grace") if isinstance(config.data, dict) else None
    if not isinstance(grace, str):
        return
    pos = Loc(config, ("late_events_grace",)).position()
    try:
        span = parse_duration(grace)
    except DurationError as exc:
        findings.append(Finding(config.file, pos.line, pos.col, "E-DURATION", exc.message, path="late_events_grace",
                                hint=exc.hint or "write it like 15min, 1h or 2d"))
        return
    if span.is_negative:
        findings.append(Finding(config.file, pos.line, pos.col, "E-DURATION",
                                f"late_events_grace '{grace}' is negative", path="late_events_grace",
                                hint="a grace is how far behind the clock an event may be: 15min, 1h"))


def _sorted(result: ProjectResult) -> ProjectResult:
    result.findings = sorted(set(result.findings), key=lambda f: (f.file, f.line, f.col, f.code, f.message))
    return result


def validate_paths(paths: list[Path]) -> list[ProjectResult]:
    """Validate every project found at each path (a project, or a folder of projects)."""
    with gc_paused():
        roots: list[Path] = []
        for path in paths:
            roots += [r for r in find_projects(path) if r not in roots]
        return [validate_project(root) for root in roots]


def load_project(root: Path) -> Project:
    """The model of a valid project; raises :class:`DefinitionError` listing every error."""
    result = validate_project(root)
    if result.project is None:
        raise DefinitionError(result.errors)
    return result.project
