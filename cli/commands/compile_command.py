"""``ruledeck compile``: the SQL statements a rule runs, for a consultant or a DBA to read."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..options import format_option, project_option
from ..project import project_at


@click.command("compile")
@click.argument("rules", nargs=-1, metavar="[RULE]...")
@click.option("--pretty", is_flag=True, help="Lay each statement out on several lines.")
@click.option("--dialect", type=click.Choice(("duckdb", "postgres")), default="duckdb", show_default=True,
              help="Show the statements as DuckDB or as PostgreSQL is given them.")
@format_option(("text", "json"))
@project_option
def compile_rules(rules: tuple[str, ...], pretty: bool, dialect: str, fmt: str, project_path: Path) -> None:
    """Print the SQL statements each rule runs (all rules when none is named).

    The rule is fired on a throw-away in-memory database of the project, on one
    sample item (its process's first stage, defaults, other fields empty) and
    for an event rule a sample event with an empty payload; its selection is
    shown as written but the sample is taken whatever the condition says, so
    every action's statements show, then those of the rules it cascades to.
    Each statement is labelled with the rules that led to it. Times, ids and
    payload values are parameters (?), never part of the text.

    \b
    Example:
      ruledeck compile feedback_collected -p definitions/prosthesis_followup
      ruledeck compile --pretty restage_monthly
      ruledeck compile restage_monthly --dialect postgres
    """
    from ruledeck.engine import pretty_sql, rule_statements

    results = rule_statements(project_at(project_path), list(rules), dialect=dialect)
    if fmt == "json":
        click.echo(json.dumps([{"rule": r.rule, "trigger": r.trigger, "process": r.process, "stopped": r.stopped,
                                "statements": [{"rules": chain, "sql": sql} for chain, sql in r.statements]}
                               for r in results], ensure_ascii=False, indent=2))
        return
    for index, result in enumerate(results):
        if index:
            click.echo()
        where = f", process {result.process}" if result.process else ""
        click.echo(f"-- rule {result.rule} ({result.trigger}{where}): {len(result.statements)} statement(s)")
        shown = None
        for chain, sql in result.statements:
            if chain != shown:
                click.echo(f"-- [{chain}]")
                shown = chain
            click.echo((pretty_sql(sql, dialect) if pretty else sql) + ";")
        if result.stopped:
            click.echo(f"-- stopped on the sample: {result.stopped}")
