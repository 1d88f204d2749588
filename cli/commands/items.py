"""``ruledeck items``: a process's items as a table, with any of their fields."""

from __future__ import annotations

from pathlib import Path

import click

from ..options import FORMATS_TABLE, db_option, format_option, project_option, wait_option
from ..project import open_engine
from ..query_options import expression_option, where_option
from ..render import table
from ..textwidth import csv_value, display


@click.command()
@click.argument("name", metavar="PROCESS")
@where_option
@click.option("--sort", metavar="FIELD", help="Order by this field; -FIELD for descending (default: id).")
@click.option("--limit", type=click.IntRange(min=0), default=100, show_default=True, help="At most N items (0: all).")
@click.option("--fields", metavar="F1,F2", help="Only these fields (default: all, computed and rollup ones included).")
@format_option(FORMATS_TABLE)
@project_option
@db_option
@wait_option
def items(name: str, where: str | None, sort: str | None, limit: int, fields: str | None, fmt: str,
          project_path: Path, db_path: str | None, wait_seconds: float) -> None:
    """List the items of a process (or of a board) with their fields.

    \b
    Example:
      ruledeck items feedback --where "stage = 'overdue'" --sort planned_at -p definitions/prosthesis_followup
      ruledeck items deal --fields id,stage,amount,balance --format csv
    """
    from ruledeck.engine import list_items

    wanted = [f.strip() for f in fields.split(",") if f.strip()] if fields else None
    with (open_engine(project_path, db_path, wait_seconds, read_only=True) as engine,
          expression_option("--where", where)):
        result = list_items(engine, name, where=where, sort=sort, limit=limit, fields=wanted)
    if fmt == "json":
        click.echo(table(result.rows, fmt, result.columns))
        return
    convert = csv_value if fmt == "csv" else display
    rows = [{c: convert(v) for c, v in row.items()} for row in result.rows]
    if fmt == "text" and not rows:
        click.echo(f"no {result.process} items")
        return
    click.echo(table(rows, fmt, result.columns))
    if fmt == "text" and result.total > len(rows):
        click.echo(f"({len(rows)} of {result.total} items; --limit 0 shows all)")
