"""Check period tables: offsets parse and grow, labels differ, variants cover every item."""

from __future__ import annotations

from sqlglot import exp

from ...definitions.model import PeriodTable, PeriodVariant, Process
from ...definitions.scopes import item_fields
from ...errors import DurationError
from ...timing import parse_duration
from ..report import Report
from .common import check_duration, expression_tree
from .effects import equalities

ALWAYS_SET = ("stage", "pipeline", "stage_kind")
"""System enum fields every item has a value of."""

COMPLEMENTS = {exp.LT: exp.GTE, exp.GTE: exp.LT, exp.GT: exp.LTE, exp.LTE: exp.GT, exp.EQ: exp.NEQ, exp.NEQ: exp.EQ}


def check_period_tables(report: Report) -> None:
    """Offsets are durations; at most one default; without one, the conditions are exhaustive."""
    for table in report.project.period_tables.values():
        defaults = [v for v in table.variants if v.default or v.when is None]
        for extra in defaults[1:]:
            report.error(extra.loc, "E-PERIOD-DEFAULT", f"period table '{table.name}' has more than one default "
                         f"variant ('{defaults[0].name}' and '{extra.name}')", "keep one default", key=True)
        for variant in table.variants:
            if variant.default and variant.when is not None:
                report.error(variant.loc.at("when"), "E-PERIOD-DEFAULT",
                             f"variant '{variant.name}' is the default and has a condition", "drop one of them")
            _check_rows(report, variant)
        conditions = [v.when for v in table.variants if v.when is not None]
        if not defaults and not _exhaustive(conditions) and not _enum_covered(report, table):
            report.error(table.loc.at("variants"), "E-PERIOD-EXHAUSTIVE",
                         f"period table '{table.name}' has no default variant, and its conditions may not "
                         "cover every item", "add a variant with 'default: true'", key=True)


def _exhaustive(conditions: list[str]) -> bool:
    """True when two conditions are plain complements (``x < 18`` / ``x >= 18``, ``c`` / ``not c``)."""
    trees = []
    for text in conditions:
        tree = expression_tree(text)
        if tree is None:
            return True  # the expression check reports it; don't pile on
        trees.append(tree)
    for i, a in enumerate(trees):
        for b in trees[i + 1:]:
            if isinstance(b, exp.Not) and b.this == a or isinstance(a, exp.Not) and a.this == b:
                return True
            opposite = COMPLEMENTS.get(type(a))
            if opposite and isinstance(b, opposite) and a.this == b.this and a.expression == b.expression:
                return True
    return False


def _check_rows(report: Report, variant: PeriodVariant) -> None:
    """Offsets are durations, none negative, each after the one before; labels are unique."""
    previous: tuple[float, str] | None = None
    seen: dict[str, int] = {}
    for index, row in enumerate(variant.rows):
        check_duration(report, row.loc.at("offset"), row.offset)
        try:
            offset = parse_duration(str(row.offset))
        except DurationError:
            offset = None
        if offset is not None and offset.is_negative:
            report.error(row.loc.at("offset"), "E-PERIOD-OFFSET", f"offset '{row.offset}' of variant "
                         f"'{variant.name}' is negative", "offsets count forward from the anchor: write e.g. 1 month")
        elif offset is not None:
            length = offset.months * 30.436875 * 86_400 + offset.days * 86_400 + offset.seconds
            if previous is not None and length <= previous[0]:
                report.error(row.loc.at("offset"), "E-PERIOD-OFFSET", f"offset '{row.offset}' of variant "
                             f"'{variant.name}' is not after the row before it ('{previous[1]}')",
                             "order the rows by offset, each later than the one before")
            previous = (length, str(row.offset))
        if row.label in seen:
            report.error(row.loc.at("label"), "E-PERIOD-LABEL", f"label '{row.label}' of variant "
                         f"'{variant.name}' is already used by row {seen[row.label] + 1}",
                         "give every row of a variant its own label")
        else:
            seen[row.label] = index


def _enum_covered(report: Report, table: PeriodTable) -> bool:
    """True when every variant is ``F = 'v'`` (or ``F in (…)``, or an ``or`` of these) over one enum field ``F``
    that every item has (required, or a stage field) and the variants name all of its values, on every process
    whose rules schedule from the table (without one, every process with such a field)."""
    tests = [equalities(expression_tree(v.when)) for v in table.variants]
    if not tests or any(t is None for t in tests):
        return False
    names = {name for name, _ in tests}
    if len(names) != 1:
        return False
    name = names.pop()
    named = {value for _, values in tests for value in values}
    processes = _scheduling_processes(report, table) or [
        p for p in report.project.processes.values() if name in item_fields(p)]
    return bool(processes) and all(_covers(p, name, named) for p in processes)


def _covers(process: Process, name: str, named: set[str]) -> bool:
    kind = item_fields(process).get(name)
    if kind is None or kind.kind != "enum" or kind.many:
        return False
    declared = process.fields.get(name)
    always = name in ALWAYS_SET if declared is None else declared.required
    return always and set(kind.values) <= named


def _scheduling_processes(report: Report, table: PeriodTable) -> list[Process]:
    """The processes of the rules whose ``schedule`` actions (nested ones too) use ``table``."""
    found: list[Process] = []

    def walk(actions, process: Process | None) -> None:
        for action in actions:
            spec = action.spec if isinstance(action.spec, dict) else {}
            if action.kind == "schedule" and spec.get("period_table") == table.name and process is not None:
                if process not in found:
                    found.append(process)
            inner = report.project.processes.get(spec.get("process")) if action.kind == "update" else process
            walk(action.children, inner)

    for rule in report.project.rules.values():
        walk(rule.actions, report.project.processes.get(rule.process) if rule.process else None)
    return found
