"""Check the ``reject`` action: its condition over the rule's names, its message over the item and event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...definitions.model import Action
from ...definitions.scopes import item_fields
from ...expressions import Type
from ..report import Report
from .common import check_expression
from .presentation import OUTPUT_NAMESPACES, check_template_text

if TYPE_CHECKING:
    from .actions import ActionContext

MESSAGE_NAMESPACES = ("event", "task")
"""Besides the item's fields, what a refusal's message may read (when the trigger provides it)."""


def check_reject(report: Report, action: Action, ctx: ActionContext) -> None:
    """``reject: {if?, message}``: a boolean condition; a message template over the item, ``event`` and ``task``."""
    spec, loc = action.spec if isinstance(action.spec, dict) else {}, action.loc.at("reject")
    if "if" in spec:
        check_expression(report, loc.at("if"), spec["if"], ctx.scope(), Type("bool"))
    names = list(item_fields(ctx.process)) if ctx.process else []
    names += [n for n in MESSAGE_NAMESPACES if n in ctx.namespaces] + ["now"]
    check_template_text(report, loc.at("message"), spec.get("message"), names, namespaces=OUTPUT_NAMESPACES)
