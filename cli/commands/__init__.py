"""Every ruledeck command, by name: the module and attribute defining it.

The group imports a command's module only when that command is asked for
(``ruledeck schema`` loads :mod:`.schema` and nothing else); each module in
turn imports the engine inside its command function, so ``--help`` reads
every command's help without loading DuckDB, sqlglot or Jinja2.
"""

from __future__ import annotations

from importlib import import_module

import click

COMMANDS: dict[str, str] = {
    "demo": "demo_command:demo", "init": "init_command:init", "validate": "validate:validate",
    "schema": "schema:schema", "plan": "run_commands:plan", "ingest": "run_commands:ingest",
    "rejected": "task_commands:rejected", "tick": "run_commands:tick", "preview": "run_commands:preview",
    "clock": "run_commands:clock", "tasks": "task_commands:tasks", "task": "task_commands:task",
    "move": "task_commands:move", "verify": "run_commands:verify", "test": "test_command:test",
    "board": "board:board", "items": "items:items", "report": "report:report", "graph": "graph:graph",
    "show": "show:show", "explain": "explain:explain", "outbox": "outputs:outbox", "documents": "outputs:documents",
    "compile": "compile_command:compile_rules", "copy": "copy_command:copy",
}  # fmt: skip


def load_command(name: str) -> click.Command | None:
    """The command registered as ``name`` (its module imported now), or None."""
    where = COMMANDS.get(name)
    if where is None:
        return None
    module, attribute = where.split(":")
    return getattr(import_module(f".{module}", __name__), attribute)


__all__ = ["COMMANDS", "load_command"]
