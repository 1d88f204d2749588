"""ruledeck's engine: load, validate, compile, store, run and query definitions.

This module is the public API; the CLI imports only what is listed here.
"""

from __future__ import annotations

from .definitions.model import Project
from .errors import (
    CronError,
    DatabaseLocked,
    DefinitionError,
    DurationError,
    ExpressionError,
    Finding,
    RejectedInput,
    RuledeckError,
    Severity,
    UsageError,
)
from .query import (
    Board,
    Card,
    Column,
    Explanation,
    Graph,
    ItemCard,
    ItemList,
    Node,
    ReportResult,
    build_board,
    explain_item,
    item_card,
    list_items,
    process_graph,
    report_list,
    run_report,
)
from .runtime.clock import TickSummary
from .runtime.engine import Engine
from .runtime.events import RawEvent, read_csv, read_jsonl
from .runtime.ingest import BATCH_SIZE as INGEST_BATCH_SIZE
from .runtime.ingest import IngestSummary, Rejection
from .scenarios import (
    DEMO_BOARD,
    DEMO_END,
    DEMO_MOMENTS,
    SCENARIOS,
    Check,
    DemoStep,
    ProjectRun,
    Scaffold,
    SpecResult,
    SuiteResult,
    demo_project,
    open_demo,
    run_demo,
    scaffold,
)
from .scenarios import Status as CheckStatus
from .scenarios import run_paths as run_specs
from .store.migrate import MigrationRefused
from .timing import parse_datetime, parse_duration
from .validation import ProjectResult, load_project, validate_paths, validate_project
from .validation.schema import KINDS as SCHEMA_KINDS
from .validation.schema import load_schemas

__all__ = [
    "INGEST_BATCH_SIZE",
    "Check",
    "CheckStatus",
    "DEMO_BOARD",
    "DEMO_END",
    "DEMO_MOMENTS",
    "DemoStep",
    "ProjectRun",
    "SCENARIOS",
    "Scaffold",
    "SpecResult",
    "SuiteResult",
    "demo_project",
    "open_demo",
    "run_demo",
    "run_specs",
    "scaffold",
    "Board",
    "Card",
    "Column",
    "Explanation",
    "Graph",
    "ItemCard",
    "ItemList",
    "Node",
    "ReportResult",
    "build_board",
    "explain_item",
    "item_card",
    "list_items",
    "process_graph",
    "report_list",
    "run_report",
    "CronError",
    "Engine",
    "IngestSummary",
    "MigrationRefused",
    "Project",
    "RawEvent",
    "Rejection",
    "TickSummary",
    "parse_datetime",
    "parse_duration",
    "read_csv",
    "read_jsonl",
    "DatabaseLocked",
    "DefinitionError",
    "DurationError",
    "ExpressionError",
    "Finding",
    "ProjectResult",
    "RejectedInput",
    "RuledeckError",
    "SCHEMA_KINDS",
    "Severity",
    "UsageError",
    "load_project",
    "load_schemas",
    "validate_paths",
    "validate_project",
]
