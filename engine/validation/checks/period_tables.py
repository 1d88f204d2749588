"""Check period tables: offsets parse, variants cover every item."""

from __future__ import annotations

from sqlglot import exp

from ..report import Report
from .common import check_duration, expression_tree

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
            for row in variant.rows:
                check_duration(report, row.loc.at("offset"), row.offset)
            labels = [r.label for r in variant.rows]
            for row in variant.rows:
                if labels.count(row.label) > 1:
                    report.warning(row.loc.at("label"), "W-PERIOD-LABEL",
                                   f"label '{row.label}' appears twice in variant '{variant.name}'")
                    break
        conditions = [v.when for v in table.variants if v.when is not None]
        if not defaults and not _exhaustive(conditions):
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
