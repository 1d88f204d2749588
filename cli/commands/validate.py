"""``ruledeck validate``: check definitions, for people and for CI."""

from __future__ import annotations

from pathlib import Path

import click

from ..exit_codes import ExitCode
from ..render import MAX_FINDINGS, finding_dict, findings_github, findings_text, to_json


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="text for people, json for tools, github for Actions annotations.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--max", "limit", type=click.IntRange(min=1), default=MAX_FINDINGS, show_default=True,
              help="Show at most this many findings per project in text format.")
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...], fmt: str, strict: bool, limit: int) -> None:
    """Check projects: YAML, schema, references, expressions, cron, durations.

    PATHS are project folders or folders holding several projects (default: the
    current folder). Exit 0 when clean (warnings allowed unless --strict), 1 on
    findings, 2 on a usage error.

    \b
    Example:
      ruledeck validate definitions
      ruledeck validate definitions/complaints --format github --strict
    """
    from ruledeck.engine import validate_paths_cached

    results = validate_paths_cached(list(paths) or [Path(".")])
    failed = False
    if fmt == "json":
        click.echo(to_json([{
            "project": str(r.root), "errors": len(r.errors), "warnings": len(r.warnings),
            "findings": [finding_dict(f) for f in r.findings],
        } for r in results]))
    for result in results:
        bad = bool(result.errors) or (strict and bool(result.warnings))
        failed = failed or bad
        if fmt == "github":
            if result.findings:
                click.echo(findings_github(result.findings))
        elif fmt == "text":
            if result.findings:
                click.echo(findings_text(result.findings, limit))
            status = "FAILED" if bad else "ok"
            click.echo(f"{result.root}: {status} ({len(result.errors)} error(s), "
                       f"{len(result.warnings)} warning(s))", err=bad)
    ctx.exit(ExitCode.FINDINGS if failed else ExitCode.OK)
