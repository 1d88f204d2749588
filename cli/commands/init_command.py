"""``ruledeck init``: a new project folder from one of the shipped set-ups."""

from __future__ import annotations

from pathlib import Path

import click
from ruledeck.engine import SCENARIOS, scaffold


@click.command()
@click.argument("name", type=click.Path(path_type=Path, file_okay=False))
@click.option("--from", "scenario", type=click.Choice(SCENARIOS), default=SCENARIOS[0], show_default=True,
              help="The shipped set-up to start from.")
def init(name: Path, scenario: str) -> None:
    """Create project NAME (a new folder) from a shipped set-up, with its specs and samples.

    The definitions, the scenario specs (tests/) and the sample events
    (samples/) are copied; the project is renamed and the editor $schema
    comments point at the installed schemas.

    \b
    Example:
      ruledeck init my-service --from service_requests
      cd my-service && ruledeck test
    """
    result = scaffold(name, scenario)
    click.echo(f"created {name}/ from '{scenario}': {len(result.definitions)} definition file(s), "
               f"{len(result.specs)} spec(s), {len(result.samples)} sample file(s)")
    click.echo("next:")
    for line in (f"cd {name}", "ruledeck validate .", "ruledeck test .",
                 "ruledeck ingest samples/events.jsonl", "ruledeck tick --by '1 month'", "ruledeck tasks"):
        click.echo(f"  {line}")
