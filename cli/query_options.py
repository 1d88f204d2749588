"""Options and error wording shared by the read-only commands (board, items, report, show, explain)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import click
from ruledeck.engine import ExpressionError, UsageError

from .textwidth import clean, width

where_option = click.option("--where", "where", metavar="EXPR",
                            help="Only items where this condition holds, e.g. \"stage_kind = 'open' and amount > 0\".")
width_option = click.option("--width", "cells", type=click.IntRange(min=20), default=None, metavar="N",
                            help="Lay out for N columns (default: the terminal's width).")


def terminal_width(cells: int | None) -> int:
    """``--width`` if given, else the terminal's width (80 when it cannot be told)."""
    return cells or shutil.get_terminal_size((80, 24)).columns


@contextmanager
def expression_option(option: str, text: str | None) -> Iterator[None]:
    """Turn a wrong expression given in ``option`` into a usage error pointing at the mistake."""
    try:
        yield
    except ExpressionError as exc:
        raise UsageError(expression_message(option, text or "", exc)) from None


def expression_message(option: str, text: str, exc: ExpressionError) -> str:
    """``--where: message (hint)`` with the expression and a caret under the offending place.

    >>> print(expression_message("--where", "amout > 1", ExpressionError("unknown field 'amout'", 0)))
    --where: unknown field 'amout'
      amout > 1
      ^
    """
    shown = clean(text)
    offset = min(max(exc.offset, 0), len(shown))
    message = f"{option}: {exc.message}" + (f" ({exc.hint})" if exc.hint else "")
    return f"{message}\n  {shown}\n  {' ' * width(shown[:offset])}^"
