"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path

import click

FORMATS_TABLE = ("text", "markdown", "json", "csv")

project_option = click.option(
    "-p", "--project", "project_path", type=click.Path(path_type=Path, file_okay=False), default=".",
    show_default=True, help="The project folder (holding ruledeck.yaml).",
)
db_option = click.option(
    "--db", "db_path", default=None, metavar="PATH", envvar="RULEDECK_DATABASE",
    help="Database file or postgresql:// URL (default: the project's 'database' setting); ':memory:' for a "
         "throw-away one [env: RULEDECK_DATABASE].",
)
wait_option = click.option(
    "--wait", "wait_seconds", type=click.FloatRange(min=0), default=0, show_default=True, metavar="SECONDS",
    help="How long to wait for another ruledeck process to release the database.",
)



def actor_option_for(what: str):
    """``--as PERSON`` (or RULEDECK_ACTOR), its help saying what the person is taken for."""
    return click.option("--as", "actor", default=None, metavar="PERSON", envvar="RULEDECK_ACTOR",
                        help=f"Who acts (a person under 'people'){what} [env: RULEDECK_ACTOR].")


actor_option = actor_option_for(": journaled with every change, read by rules as 'actor'")


def format_option(choices: tuple[str, ...] = FORMATS_TABLE, default: str = "text"):
    """``--format`` with the given choices."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format.")


def engine_default(name: str):
    """A default read from ``ruledeck.engine.NAME`` when an option needs it, not when the CLI is imported."""

    def value():
        import ruledeck.engine

        return getattr(ruledeck.engine, name)

    return value


class EngineDefault(click.Option):
    """An option whose default comes from :func:`engine_default`: resolved lazily, but shown in ``--help``."""

    def get_default(self, ctx: click.Context, call: bool = True):
        return super().get_default(ctx, call=True)
