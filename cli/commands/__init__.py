"""Every ruledeck command, registered on the group in this order."""

from __future__ import annotations

from .board import board
from .demo_command import demo
from .explain import explain
from .graph import graph
from .init_command import init
from .items import items
from .report import report
from .run_commands import clock, ingest, plan, preview, tick, verify
from .schema import schema
from .show import show
from .task_commands import move, rejected, task, tasks
from .test_command import test
from .validate import validate

COMMANDS = (demo, init, validate, schema, plan, ingest, rejected, tick, preview, clock, tasks, task, move, verify, test,
            board, items, report, graph, show, explain)

__all__ = ["COMMANDS"]
