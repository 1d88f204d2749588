"""Collects findings during the semantic checks, with exact source positions."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..definitions.model import Loc, Project
from ..definitions.yaml_loader import Position
from ..errors import ExpressionError, Finding, Severity
from .schema import format_path


@dataclass
class Report:
    """The findings of one project's checks."""

    project: Project
    findings: list[Finding] = field(default_factory=list)

    def add(self, loc: Loc, code: str, message: str, hint: str = "", *,
            severity: Severity = Severity.ERROR, key: bool = False) -> None:
        """Record a finding at ``loc`` (at its key when ``key``)."""
        pos = loc.position(key=key)
        self.findings.append(Finding(loc.file, pos.line, pos.col, code, message, severity,
                                     format_path(loc.path), hint))

    def error(self, loc: Loc, code: str, message: str, hint: str = "", *, key: bool = False) -> None:
        """Record an error at ``loc``."""
        self.add(loc, code, message, hint, key=key)

    def warning(self, loc: Loc, code: str, message: str, hint: str = "", *, key: bool = False) -> None:
        """Record a warning at ``loc``."""
        self.add(loc, code, message, hint, severity=Severity.WARNING, key=key)

    def expression_error(self, loc: Loc, text: str, exc: ExpressionError, context: str = "") -> None:
        """Record an expression error at the character it concerns."""
        line, col = scalar_offset_position(loc.doc.text, loc.position(), text, exc.offset)
        message = exc.message + (f" ({context})" if context else "")
        self.findings.append(Finding(loc.file, line, col, exc.code, message, Severity.ERROR,
                                     format_path(loc.path), exc.hint))


def scalar_offset_position(source: str, start: Position, value: str, offset: int) -> tuple[int, int]:
    """Line and column of character ``offset`` of a YAML string scalar starting at ``start``.

    Exact for plain and quoted one-line scalars and for block scalars (``|``);
    folded multi-line scalars point at their first line.

    >>> scalar_offset_position("a: 'x = 1'", Position(1, 4, "'"), "x = 1", 2)
    (1, 7)
    >>> scalar_offset_position("a: |\\n  x\\n  y = z\\n", Position(1, 4, "|"), "x\\ny = z\\n", 6)
    (3, 7)
    """
    offset = max(0, min(offset, len(value)))
    if start.style in ("|", ">"):
        before = value[:offset]
        line = start.line + 1 + before.count("\n")
        lines = source.splitlines()
        raw = lines[line - 1] if 0 < line <= len(lines) else ""
        indent = len(raw) - len(raw.lstrip(" "))
        return line, indent + len(before.rsplit("\n", 1)[-1]) + 1
    if "\n" in value[:offset]:
        return start.line, start.col
    quote = 1 if start.style in ("'", '"') else 0
    return start.line, start.col + quote + offset
