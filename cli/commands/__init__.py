"""Every ruledeck command, registered on the group in this order."""

from __future__ import annotations

from .board import board
from .explain import explain
from .graph import graph
from .items import items
from .report import report
from .run_commands import clock, ingest, plan, preview, tick, verify
from .schema import schema
from .show import show
from .task_commands import task, tasks
from .test_command import test
from .validate import validate

COMMANDS = (validate, schema, plan, ingest, tick, preview, clock, tasks, task, verify, test,
            board, items, report, graph, show, explain)

__all__ = ["COMMANDS"]
