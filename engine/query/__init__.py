"""Read-only queries: boards, item lists, reports, stage graphs, cards and their explanations.

Names are imported from their module on first use (PEP 562), so showing a
card does not load the stage-graph code and the validator behind it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_SOURCES: dict[str, tuple[str, ...]] = {
    ".board": ("Board", "BoardSpec", "Card", "Column", "board_spec", "build_board"),
    ".card": ("ItemCard", "JournalEntry", "item_card"),
    ".explain": ("EventCheck", "Explanation", "Origin", "RuleCheck", "explain_item"),
    ".graph": ("Edge", "Graph", "Node", "process_graph", "trigger_text"),
    ".items": ("ItemList", "list_items"),
    ".reports": ("ReportResult", "report_list", "run_report"),
}
_WHERE = {name: module for module, names in _SOURCES.items() for name in names}

__all__ = [name for names in _SOURCES.values() for name in names]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use, and keep it here."""
    try:
        module = _WHERE[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
