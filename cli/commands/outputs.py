"""``ruledeck outbox`` and ``ruledeck documents``: the messages and documents the rules produced."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..options import FORMATS_TABLE, db_option, format_option, project_option, wait_option
from ..project import open_engine
from ..render import table
from ..textwidth import csv_value, display

item_option = click.option("--item", metavar="ITEM", help="Only those of this item (an id or PROCESS:KEY).")
since_option = click.option("--since", "since_text", metavar="DATETIME",
                            help="Only those created at or after this time (project time zone).")
limit_option = click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N",
                            help="At most N, oldest first.")


def _since(engine, text: str | None):
    from ruledeck.engine import parse_datetime

    return parse_datetime(text, engine.project.timezone) if text else None


def _item_name(row: dict[str, Any]) -> str:
    """``complaint:CLM-1`` when the item has a key, else its id (either names it for ``show``)."""
    if row["item"] is None:
        return ""
    return f"{row['process']}:{row['key']}" if row["key"] is not None else str(row["item"])


def _render(rows: list[dict[str, Any]], fmt: str, columns: list[str], empty: str) -> str:
    if fmt == "json":
        return table(rows, fmt, list(rows[0]) if rows else [])
    if fmt == "text" and not rows:
        return empty
    convert = csv_value if fmt == "csv" else display
    shown = [{**{c: convert(v) for c, v in row.items()}, "item": _item_name(row)} for row in rows]
    return table(shown, fmt, columns)


@click.command()
@item_option
@click.option("--rule", help="Only messages this rule sent.")
@click.option("--to", "recipient", metavar="TO", help="Only messages to this recipient (a person or role:NAME).")
@since_option
@limit_option
@format_option(FORMATS_TABLE)
@project_option
@db_option
@wait_option
def outbox(item: str | None, rule: str | None, recipient: str | None, since_text: str | None, limit: int | None,
           fmt: str, project_path: Path, db_path: str | None, wait_seconds: float) -> None:
    """List the messages 'notify' actions put in the outbox, oldest first.

    Each has its recipient, text, item, rule and time. ruledeck queues the
    messages and does not deliver them: 'sent' stays 'no'.

    \b
    Example:
      ruledeck outbox -p definitions/complaints --item complaint:CLM-2026-00001
      ruledeck outbox --to role:dispatcher --since 2026-03-01 --format json
    """
    from ruledeck.engine import outbox_list

    with open_engine(project_path, db_path, wait_seconds, read_only=True) as engine:
        rows = outbox_list(engine, item=item, rule=rule, to=recipient, since=_since(engine, since_text), limit=limit)
    click.echo(_render(rows, fmt, ["id", "at", "to", "item", "rule", "sent", "text"], "no messages"))


@click.command()
@item_option
@click.option("--template", help="Only documents of this template.")
@click.option("--rule", help="Only documents this rule generated.")
@since_option
@limit_option
@format_option(FORMATS_TABLE)
@project_option
@db_option
@wait_option
def documents(item: str | None, template: str | None, rule: str | None, since_text: str | None, limit: int | None,
              fmt: str, project_path: Path, db_path: str | None, wait_seconds: float) -> None:
    """List the documents 'document' actions generated, oldest first, with the file each is written to.

    Files are in the project's documents folder (the 'documents' setting of
    ruledeck.yaml, default documents/ beside it), whatever the database.

    \b
    Example:
      ruledeck documents -p definitions/complaints --template rejection_letter
      ruledeck documents --item complaint:CLM-2026-00001 --format json
    """
    from ruledeck.engine import document_list

    with open_engine(project_path, db_path, wait_seconds, read_only=True) as engine:
        rows = document_list(engine, item=item, template=template, rule=rule, since=_since(engine, since_text),
                             limit=limit)
    click.echo(_render(rows, fmt, ["id", "at", "item", "template", "file", "rule"], "no documents"))
