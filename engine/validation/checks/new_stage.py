"""The ``stage:`` of a ``create`` or ``schedule``: a stage name, or an expression giving one."""

from __future__ import annotations

import re

from sqlglot import exp

from ...definitions.model import Loc, Process
from ...expressions import Scope, Type
from ..report import Report
from .common import check_expression, expression_tree, resolve_member
from .effects import value_leaves

NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def check_new_stage(report: Report, loc: Loc, value: object, owner: str, stages: list[str], scope: Scope,
                    source: Process | None) -> None:
    """A name must be one of ``stages``; an expression must give a string, and its literal results be stages.

    A name that is no stage but a field of the rule's item is refused with the way to read the field.
    """
    if not stages:
        return  # an unknown pipeline, reported where it is named
    if isinstance(value, str) and NAME.match(value):
        if value not in stages and source is not None and value in source.fields:
            report.error(loc, "E-REF-STAGE", f"{owner} has no stage '{value}'; a bare name here is a stage",
                         f"to take the stage from field '{value}', write it as an expression: \"({value})\"")
        else:
            resolve_member(report, loc, "E-REF-STAGE", owner, "stage", value, stages)
        return
    if check_expression(report, loc, value, scope, Type("string")) is None:
        return
    for leaf in value_leaves(expression_tree(str(value))):
        if isinstance(leaf, exp.Literal) and leaf.is_string and leaf.this not in stages:
            resolve_member(report, loc, "E-REF-STAGE", owner, "stage", leaf.this, stages)
