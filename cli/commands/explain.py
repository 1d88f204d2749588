"""``ruledeck explain``: why an item is in its stage with its values, and why rules did not fire."""

from __future__ import annotations

from pathlib import Path

import click

from ..card_render import explanation_dict, explanation_text
from ..options import db_option, format_option, project_option, wait_option
from ..project import open_engine
from ..render import to_json


@click.command()
@click.argument("item", metavar="ITEM")
@format_option(("text", "json"))
@project_option
@db_option
@wait_option
def explain(item: str, fmt: str, project_path: Path, db_path: str | None, wait_seconds: float) -> None:
    """Explain an item: what put it in its stage and set each value, and which rules did not fire and why.

    Conditions of the rules that did not fire are evaluated on the values the
    item had then (rebuilt from the journal as of the event) and on its
    current values; both verdicts are shown with the values they read.

    \b
    Example:
      ruledeck explain 7 -p definitions/prosthesis_followup
    """
    from ruledeck.engine import explain_item

    with open_engine(project_path, db_path, wait_seconds, read_only=True) as engine:
        result = explain_item(engine, item)
    click.echo(to_json(explanation_dict(result)) if fmt == "json" else explanation_text(result))
