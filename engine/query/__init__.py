"""Read-only queries: boards, item lists, reports, stage graphs, cards and their explanations."""

from .board import Board, BoardSpec, Card, Column, board_spec, build_board
from .card import ItemCard, JournalEntry, item_card
from .explain import EventCheck, Explanation, Origin, RuleCheck, explain_item
from .graph import Edge, Graph, Node, process_graph, trigger_text
from .items import ItemList, list_items
from .reports import ReportResult, report_list, run_report

__all__ = [
    "Board", "BoardSpec", "Card", "Column", "board_spec", "build_board",
    "ItemCard", "JournalEntry", "item_card",
    "EventCheck", "Explanation", "Origin", "RuleCheck", "explain_item",
    "Edge", "Graph", "Node", "process_graph", "trigger_text",
    "ItemList", "list_items",
    "ReportResult", "report_list", "run_report",
]  # fmt: skip
