"""``ruledeck schema``: print the JSON Schemas for editors and tools."""

from __future__ import annotations

import json

import click
from ruledeck.engine import SCHEMA_KINDS, load_schemas


@click.command()
@click.argument("kind", required=False, type=click.Choice(sorted(SCHEMA_KINDS)))
@click.option("--list", "list_kinds", is_flag=True, help="List the kinds and their schema files.")
def schema(kind: str | None, list_kinds: bool) -> None:
    """Print the JSON Schema (draft 2020-12) of one definition kind.

    Without KIND, prints the schema of a whole definition file
    (definitions.json). Editors with the YAML language server pick it up from
    a first-line comment:

    \b
      # yaml-language-server: $schema=../../schemas/definitions.json
    \b
    Example:
      ruledeck schema rule > rule.schema.json
    """
    if list_kinds:
        for name, file in sorted(SCHEMA_KINDS.items()):
            click.echo(f"{name:14} {file}")
        return
    click.echo(json.dumps(load_schemas()[SCHEMA_KINDS[kind or "definitions"]], indent=2, ensure_ascii=False))
