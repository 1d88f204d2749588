"""``ruledeck show``: one item in full."""

from __future__ import annotations

from pathlib import Path

import click

from ..card_render import card_dict, card_text
from ..options import db_option, format_option, project_option, wait_option
from ..project import open_engine
from ..render import to_json


@click.command()
@click.argument("item", metavar="ITEM")
@format_option(("text", "json"))
@project_option
@db_option
@wait_option
def show(item: str, fmt: str, project_path: Path, db_path: str | None, wait_seconds: float) -> None:
    """Print an item: every field, its stage, open tasks, documents and its timeline.

    ITEM is an item id, or PROCESS:KEY for a process with a key field.

    \b
    Example:
      ruledeck show 7 -p definitions/prosthesis_followup
      ruledeck show service:KB-26-0012
    """
    from ruledeck.engine import item_card

    with open_engine(project_path, db_path, wait_seconds, read_only=True) as engine:
        card = item_card(engine, item)
    click.echo(to_json(card_dict(card)) if fmt == "json" else card_text(card))

