"""``ruledeck report``: run a declared report, or list them."""

from __future__ import annotations

from pathlib import Path

import click

from ..options import FORMATS_TABLE, db_option, format_option, project_option, wait_option
from ..project import open_engine, project_at
from ..render import table
from ..textwidth import csv_value, display


@click.command()
@click.argument("name", required=False, metavar="REPORT")
@click.option("--list", "show_list", is_flag=True, help="List the declared reports instead.")
@format_option(FORMATS_TABLE)
@project_option
@db_option
@wait_option
def report(name: str | None, show_list: bool, fmt: str, project_path: Path, db_path: str | None,
           wait_seconds: float) -> None:
    """Run a report declared under 'reports:' (measures grouped by expressions).

    \b
    Example:
      ruledeck report --list -p definitions/medical_orders
      ruledeck report receivables --format csv -p definitions/medical_orders
    """
    from ruledeck.engine import UsageError, report_list, run_report

    if show_list:
        if name:
            raise UsageError("give either REPORT or --list, not both")
        rows = report_list(project_at(project_path))
        if fmt != "json":
            rows = [{**r, "columns": ", ".join(r["columns"])} for r in rows]
        click.echo(table(rows, fmt, ["name", "source", "where", "columns"]) if rows or fmt != "text"
                   else "no reports declared")
        return
    if not name:
        raise UsageError("give a REPORT name, or --list to see them")
    with open_engine(project_path, db_path, wait_seconds, read_only=True) as engine:
        result = run_report(engine, name)
    if fmt == "json":
        click.echo(table(result.rows, fmt, result.columns))
        return
    convert = csv_value if fmt == "csv" else display
    rows = [{c: convert(v) for c, v in row.items()} for row in result.rows]
    click.echo(table(rows, fmt, result.columns) if rows or fmt != "text" else f"report {name}: no rows")
