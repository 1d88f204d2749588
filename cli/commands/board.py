"""``ruledeck board``: a process's items as a kanban board, now or at a past moment."""

from __future__ import annotations

from pathlib import Path

import click

from ..board_html import board_html
from ..board_render import board_csv, board_json, board_markdown, board_text
from ..options import db_option, format_option, project_option, wait_option
from ..project import open_engine
from ..query_options import expression_option, terminal_width, where_option, width_option

FORMATS = ("text", "markdown", "json", "csv", "html")


@click.command()
@click.argument("name", metavar="BOARD_OR_PROCESS")
@click.option("--pipeline", metavar="NAME", help="The pipeline whose stages are the columns.")
@where_option
@click.option("--limit", type=click.IntRange(min=0), default=10, show_default=True,
              help="Cards shown per column (0: counts and totals only).")
@click.option("--as-of", "as_of_text", metavar="DATETIME",
              help="Show the board as it was at this moment, rebuilt from the journal.")
@width_option
@format_option(FORMATS)
@project_option
@db_option
@wait_option
def board(name: str, pipeline: str | None, where: str | None, limit: int, as_of_text: str | None, cells: int | None,
          fmt: str, project_path: Path, db_path: str | None, wait_seconds: float) -> None:
    """Show a board: one column per stage, cards with their fields, counts and totals.

    BOARD_OR_PROCESS names a board declared under 'boards:' or a process (its
    declared board, else cards with their titles only).

    \b
    Example:
      ruledeck board feedback_calls -p definitions/prosthesis_followup
      ruledeck board incident --pipeline repair --where "stage_kind = 'open'"
      ruledeck board deals --as-of 2026-03-01 --format html > deals.html
    """
    from ruledeck.engine import UsageError, build_board, parse_datetime

    with open_engine(project_path, db_path, wait_seconds, read_only=True) as engine:
        as_of = None
        if as_of_text:
            as_of = parse_datetime(as_of_text, engine.project.timezone)
            clock = engine.clock()
            if clock is not None and as_of > clock:
                raise UsageError(f"--as-of {as_of_text} is after the clock ({clock.isoformat()}): "
                                 "only the past is in the journal")
        with expression_option("--where", where):
            result = build_board(engine, name, pipeline=pipeline, where=where, limit=limit, as_of=as_of)
    if fmt == "json":
        click.echo(board_json(result))
    elif fmt == "csv":
        click.echo(board_csv(result))
    elif fmt == "markdown":
        click.echo(board_markdown(result))
    elif fmt == "html":
        click.echo(board_html(result), nl=False)
    else:
        click.echo(board_text(result, terminal_width(cells)))
