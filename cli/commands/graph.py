"""``ruledeck graph``: a process's stages and the transitions its rules make, as a diagram."""

from __future__ import annotations

from pathlib import Path

import click

from ..graph_render import graph_dot, graph_mermaid
from ..options import format_option, project_option
from ..project import project_at


@click.command()
@click.argument("name", metavar="PROCESS")
@format_option(("mermaid", "dot"), default="mermaid")
@project_option
def graph(name: str, fmt: str, project_path: Path) -> None:
    """Draw a process's stages (per pipeline) and the rules moving cards between them.

    Mermaid renders in GitHub/GitLab Markdown; DOT renders with Graphviz.

    \b
    Example:
      ruledeck graph feedback -p definitions/prosthesis_followup
      ruledeck graph incident --format dot | dot -Tsvg > incident.svg
    """
    from ruledeck.engine import process_graph

    result = process_graph(project_at(project_path), name)
    click.echo(graph_dot(result) if fmt == "dot" else graph_mermaid(result))
