"""The ``ruledeck`` click group and the one place errors become exit codes."""

from __future__ import annotations

import os
import sys

import click

from .commands import COMMANDS, load_command
from .exit_codes import ExitCode

DEBUG_VARIABLE = "RULEDECK_DEBUG"
"""Set by ``--debug`` (or by hand): the engine lets unexpected errors out with their traceback."""
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class RuledeckGroup(click.Group):
    """A click group that loads commands on demand and turns ruledeck's errors into messages and exit codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self.commands.get(cmd_name) or load_command(cmd_name)

    def invoke(self, ctx: click.Context):
        from ruledeck.engine import DefinitionError, RuledeckError, UsageError

        try:
            return super().invoke(ctx)
        except DefinitionError as exc:
            from .render import findings_text

            click.echo(findings_text(exc.findings), err=True)
            click.echo(f"{len(exc.findings)} error(s) in the definitions; run 'ruledeck validate' for details",
                       err=True)
            raise click.exceptions.Exit(ExitCode.FINDINGS) from None
        except UsageError as exc:
            click.echo(f"Error: {exc}", err=True)
            raise click.exceptions.Exit(ExitCode.USAGE) from None
        except RuledeckError as exc:
            click.echo(f"Error: {exc}", err=True)
            raise click.exceptions.Exit(ExitCode.FINDINGS) from None
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            # the reader went away (`ruledeck compile | head`): stop quietly, as SIGPIPE would
            _silence_stdout()
            raise click.exceptions.Exit(BROKEN_PIPE) from None
        except Exception as exc:
            if os.environ.get(DEBUG_VARIABLE) == "1":
                raise
            click.echo(f"Error: internal error ({type(exc).__name__}): {exc}; "
                       "run 'ruledeck --debug …' for the traceback", err=True)
            raise click.exceptions.Exit(ExitCode.FINDINGS) from None


BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command killed by it


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # stdout is not a real file (CliRunner): nothing to flush at exit


def _debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        os.environ[DEBUG_VARIABLE] = "1"


@click.group(cls=RuledeckGroup, context_settings=CONTEXT)
@click.version_option(package_name="ruledeck", prog_name="ruledeck")
@click.option("--debug", is_flag=True, expose_value=False, is_eager=True, callback=_debug,
              help="Show the traceback of an unexpected error instead of rejecting the input with a reason.")
def ruledeck() -> None:
    """ruledeck: business processes as YAML, run from the command line over DuckDB.

    \b
    Start with:
      ruledeck demo                      run the prosthesis follow-up set-up for two years
      ruledeck validate definitions      check every shipped project
      ruledeck COMMAND -h                help on one command
    """


def main() -> None:
    """Entry point of the ``ruledeck`` console script."""
    ruledeck(prog_name="ruledeck")
