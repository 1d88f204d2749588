"""``ruledeck demo``: run the prosthesis follow-up set-up end to end and show its board."""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import click
from ruledeck.engine import UsageError

from ..board_render import board_text
from ..query_options import terminal_width
from ..render import table

TASK_COLUMNS = ["id", "process", "name", "title", "assignee", "due_at"]


@click.command()
@click.option("--db", "db_path", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="PATH",
              help="Keep the demo's database here (a new file) instead of a temporary folder.")
@click.option("--at", "moments", multiple=True, metavar="DATE",
              help="Show the board at this date or date-time (repeatable; a date alone means noon). "
                   "Default: 1 Mar, 1 Aug (during the incident), 1 Sep 2026 and 1 Mar 2027.")
@click.option("--limit", type=click.IntRange(min=0), default=3, show_default=True, help="Cards shown per column.")
@click.option("--width", "cells", type=click.IntRange(min=40), default=None, metavar="CELLS",
              help="Board width in characters (default: the terminal's).")
def demo(db_path: Path | None, moments: tuple[str, ...], limit: int, cells: int | None) -> None:
    """Run the prosthesis follow-up set-up on its sample events, two years month by month.

    Creates a database (on disk, in a temporary folder unless --db), feeds
    the sample events of definitions/prosthesis_followup in time order,
    ticks to every 1st of the month until February 2028 (one progress line
    per month on stderr) and prints the feedback board and the open tasks
    at the chosen dates.

    \b
    Example:
      ruledeck demo
      ruledeck demo --at 2026-08-01 --at 2027-06-01 --db demo.duckdb
    """
    from ruledeck.engine import DEMO_BOARD as BOARD
    from ruledeck.engine import demo_project, open_demo, run_demo

    started = time.perf_counter()
    if db_path is not None and db_path.exists():
        raise UsageError(f"{db_path} already exists: the demo starts from an empty database, give a new file")
    folder = None if db_path else Path(tempfile.mkdtemp(prefix="ruledeck-demo-"))
    target = db_path or folder / "ruledeck.duckdb"
    try:
        engine = open_demo(target)
        try:
            shown = _moments(moments, engine.project.timezone)
            click.echo(f"ruledeck demo: {engine.project.name} ({demo_project()}), database {target}")
            months = 0
            for step in run_demo(engine, shown):
                months += step.moment.day == 1 and step.moment.hour == 12
                _progress(step)
                for problem in step.rejected:
                    click.echo(f"  rejected {problem}", err=True)
                if step.show:
                    _snapshot(engine, step.moment, limit, terminal_width(cells))
        finally:
            engine.close()
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    click.echo(f"\ndone in {time.perf_counter() - started:.1f} s: {months} months ticked.")
    if db_path is not None:
        click.echo(f"explore it: ruledeck board {BOARD} -p {demo_project()} --db {db_path}")
    else:
        click.echo("next: ruledeck test definitions/prosthesis_followup  (the scenario specs of this set-up)")


def _moments(texts: tuple[str, ...], tz: str):
    from ruledeck.engine import DEMO_END as END
    from ruledeck.engine import DEMO_MOMENTS as DEFAULT_MOMENTS
    from ruledeck.engine import parse_datetime

    chosen = []
    for text in texts or DEFAULT_MOMENTS:
        value = f"{text} 12:00" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()) else text
        moment = parse_datetime(value, tz)
        if moment > parse_datetime(END, tz):
            raise UsageError(f"--at {text}: the demo ends on {END[:10]}")
        chosen.append(moment)
    return sorted(set(chosen))


def _progress(step) -> None:
    ranked = sorted(step.fired.items(), key=lambda pair: (-pair[1], pair[0]))
    fired = ", ".join(f"{rule} ×{count}" for rule, count in ranked[:3]) or "nothing fired"
    if len(ranked) > 3:
        fired += f" (+{len(ranked) - 3} more rules)"
    events = f"{step.events} event(s)" if step.events else "no events"
    click.echo(f"{step.moment:%Y-%m-%d %H:%M}  {events:12}  cards open {step.open_cards:2}, done {step.done_cards:2}"
               f"  · {fired}", err=True)
    sys.stderr.flush()


def _snapshot(engine, moment, limit: int, cells: int) -> None:
    from ruledeck.engine import DEMO_BOARD as BOARD
    from ruledeck.engine import build_board

    board = build_board(engine, BOARD, limit=limit)
    click.echo(f"\n=== {moment:%Y-%m-%d %H:%M} ===")
    click.echo(board_text(board, cells))
    rows = engine.task_list()
    click.echo("open tasks: " + ("none" if not rows else str(len(rows))))
    if rows:
        click.echo(table(rows, "text", TASK_COLUMNS))
