"""``ruledeck copy --to postgresql://…``: move a deployment from its DuckDB file into PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import click

from ..options import db_option, project_option, wait_option
from ..project import open_engine


@click.command("copy")
@click.option("--to", "target", required=True, metavar="URL",
              help="The PostgreSQL database to copy into (postgresql://…): new, or holding no events yet.")
@project_option
@db_option
@wait_option
def copy(target: str, project_path: Path, db_path: str | None, wait_seconds: float) -> None:
    """Copy the project's DuckDB database into PostgreSQL: items, journal, tasks, timers, clock, events.

    The target is created as the definitions say, then every table is copied
    in one transaction (nothing is copied if anything fails) and the numbering
    goes on where it stopped. The DuckDB file is only read. Check the copy by
    replaying its history there with 'ruledeck verify --db URL'.

    \b
    Example:
      ruledeck copy --to postgresql://ops@db.example/ruledeck
      ruledeck verify --db postgresql://ops@db.example/ruledeck
    """
    with open_engine(project_path, db_path, wait_seconds, read_only=True) as engine:
        summary = engine.copy_to(target)
    click.echo(f"copied {summary.total} row(s) of {len(summary.rows)} table(s) into {summary.target}; "
               "check it: ruledeck verify --db URL")
