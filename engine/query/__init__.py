"""Read-only queries: boards, item lists, reports, stage graphs, cards and their explanations.

Names are imported from their module on first use (PEP 562), so showing a
card does not load the stage-graph code and the validator behind it.
"""

from __future__ import annotations

from ..lazy import lazy_names

_SOURCES: dict[str, tuple[str, ...]] = {
    ".board": ("Board", "BoardSpec", "Card", "Column", "board_spec", "build_board"),
    ".card": ("ItemCard", "JournalEntry", "item_card"),
    ".explain": ("EventCheck", "Explanation", "Origin", "RuleCheck", "explain_item"),
    ".graph": ("Edge", "Graph", "Node", "process_graph", "trigger_text"),
    ".items": ("ItemList", "list_items"),
    ".reports": ("ReportResult", "report_list", "run_report"),
}
_WHERE = {name: (module, name) for module, names in _SOURCES.items() for name in names}

__all__ = [name for names in _SOURCES.values() for name in names]


__getattr__ = lazy_names(__name__, globals(), _WHERE)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
