"""Helpers shared by the semantic checks: references, expressions, durations."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from sqlglot import exp

from ...definitions.model import Loc, Project
from ...errors import DurationError, ExpressionError
from ...expressions import Expression, Scope, Type, check, parse
from ...suggest import did_you_mean
from ...timing import parse_duration
from ..report import Report

SECTION_WORDS = {
    "processes": "process",
    "event_types": "event type",
    "rules": "rule",
    "period_tables": "period table",
    "roles": "role",
    "people": "person",
    "lookups": "lookup",
    "templates": "template",
    "boards": "board",
    "reports": "report",
}
SECTION_CODES = {
    "processes": "E-REF-PROCESS",
    "event_types": "E-REF-EVENT-TYPE",
    "rules": "E-REF-RULE",
    "period_tables": "E-REF-PERIOD-TABLE",
    "roles": "E-REF-ROLE",
    "people": "E-REF-PERSON",
    "lookups": "E-REF-LOOKUP",
    "templates": "E-REF-TEMPLATE",
    "boards": "E-REF-BOARD",
    "reports": "E-REF-REPORT",
}


def resolve(report: Report, loc: Loc, section: str, name: object) -> bool:
    """Report an error unless ``name`` is defined in ``section``; True when it is."""
    project: Project = report.project
    if isinstance(name, str) and project.known(section, name):
        return True
    known = list(getattr(project, section)) + sorted(project.broken.get(section, set()))
    word = SECTION_WORDS[section]
    hint = did_you_mean(str(name), known) or (f"defined: {', '.join(sorted(known))}" if known
                                              else f"no {word} is defined in this project")
    report.error(loc, SECTION_CODES[section], f"there is no {word} '{name}'", hint)
    return False


def resolve_member(report: Report, loc: Loc, code: str, owner: str, what: str, name: object,
                   known: Iterable[str]) -> bool:
    """Report an error unless ``name`` is one of ``known`` (a field, stage, task …)."""
    known = list(known)
    if name in known:
        return True
    hint = did_you_mean(str(name), known) or (f"{owner} has: {', '.join(known)}" if known else "")
    report.error(loc, code, f"{owner} has no {what} '{name}'", hint)
    return False


def check_expression(report: Report, loc: Loc, text: object, scope: Scope, expect: Type | None = None,
                     context: str = "") -> Type | None:
    """Parse and type-check an expression; report a positioned error on failure."""
    if not isinstance(text, str):
        if isinstance(text, bool | int | float) or text is None:
            return None
        report.error(loc, "E-EXPR-SYNTAX", "an expression must be text")
        return None
    parsed = _parsed(text)
    if isinstance(parsed, ExpressionError):
        report.expression_error(loc, text, parsed, context)
        return None
    try:
        return check(parsed, scope, expect)
    except ExpressionError as exc:
        report.expression_error(loc, text, exc, context)
        return None


@lru_cache(maxsize=4096)
def _parsed(text: str) -> Expression | ExpressionError:
    """One parse per expression text, shared by every check of that text.

    Sharing the tree is safe here: :func:`check` never reads the types it
    annotates, and the one note it does read (an interval's duration) it writes
    earlier in the same pass, so its answer does not depend on an earlier check
    of the tree in another scope. Nothing here compiles the tree to SQL.
    """
    try:
        return parse(text)
    except ExpressionError as exc:
        return exc.with_traceback(None)  # kept without the parser's frames


def expression_tree(text: object) -> exp.Expr | None:
    """The shared tree of ``text``, to read only (never to compile), or None when it does not parse."""
    if not isinstance(text, str):
        return None  # parse() refuses anything but text
    parsed = _parsed(text)
    return None if isinstance(parsed, ExpressionError) else parsed.tree


def check_duration(report: Report, loc: Loc, text: object) -> None:
    """Report an error unless ``text`` is a valid duration."""
    try:
        parse_duration(str(text))
    except DurationError as exc:
        report.error(loc, "E-DURATION", exc.message, exc.hint or "write e.g. 5d, 2h, 1 month")
