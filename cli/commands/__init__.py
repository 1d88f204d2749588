"""Every ruledeck command, registered on the group in this order."""

from __future__ import annotations

from .run_commands import clock, ingest, plan, preview, tick
from .schema import schema
from .task_commands import task, tasks
from .validate import validate

COMMANDS = (validate, schema, plan, ingest, tick, preview, clock, tasks, task)

__all__ = ["COMMANDS"]
