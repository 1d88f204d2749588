"""ruledeck's engine: load, validate, compile, store, run and query definitions.

This module is the public API; the CLI imports only what is listed here.
Names are imported on first use (PEP 562 ``__getattr__``), so a command
pays only for what it touches: ``ruledeck --help``, ``schema`` and ``init``
never load DuckDB, sqlglot or Jinja2.

>>> import ruledeck.engine as engine
>>> engine.UsageError.__name__
'UsageError'
"""

from __future__ import annotations

from .lazy import lazy_names

_SOURCES: dict[str, tuple[str, ...]] = {
    ".errors": ("CronError", "DatabaseLocked", "DefinitionError", "DurationError", "ExpressionError", "Finding",
                "RejectedInput", "RuledeckError", "Severity", "UsageError"),
    ".definitions.model": ("Project",),
    ".definitions.cache": ("ValidatedProject", "cached_project", "validate_paths_cached"),
    ".query": ("Board", "Card", "Column", "Explanation", "Graph", "ItemCard", "ItemList", "Node", "ReportResult",
               "build_board", "explain_item", "item_card", "list_items", "process_graph", "report_list",
               "run_report"),
    ".query.outputs": ("document_list", "outbox_list"),
    ".query.item_ref": ("ItemRef", "resolve_item", "resolve_task"),
    ".query.journal": ("JOURNAL_COLUMNS", "journal_after", "journal_length"),
    ".runtime.clock": ("TickSummary",),
    ".runtime.engine": ("Engine",),
    ".runtime.events": ("RawEvent", "read_csv", "read_jsonl"),
    ".runtime.statements": ("RuleStatements", "pretty_sql", "rule_statements"),
    ".runtime.ingest": ("IngestSummary", "Rejection"),
    ".scenarios": ("DEMO_BOARD", "DEMO_END", "DEMO_MOMENTS", "Check", "DemoStep", "ProjectRun", "SpecResult",
                   "SuiteResult", "demo_project", "open_demo", "run_demo"),
    ".scenarios.shipped": ("SCENARIOS", "Scaffold", "scaffold"),
    ".store.migrate": ("MigrationRefused",),
    ".store.read_only": ("MigrationNeeded",),
    ".timing.clock_input": ("parse_datetime",),
    ".timing.durations": ("parse_duration",),
    ".validation": ("ProjectResult", "load_project", "validate_paths", "validate_project"),
    ".schema_files": ("load_schemas",),
}
_RENAMED: dict[str, tuple[str, str]] = {
    "INGEST_BATCH_SIZE": (".runtime.ingest", "BATCH_SIZE"),
    "CheckStatus": (".scenarios", "Status"),
    "run_specs": (".scenarios", "run_paths"),
    "SCHEMA_KINDS": (".schema_files", "KINDS"),
}
_WHERE: dict[str, tuple[str, str]] = {
    **{name: (module, name) for module, names in _SOURCES.items() for name in names},
    **_RENAMED,
}

__all__ = sorted(_WHERE)


__getattr__ = lazy_names(__name__, globals(), _WHERE)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

