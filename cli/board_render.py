"""Render a board as terminal text, Markdown, JSON or CSV rows.

Text puts the stages side by side when the terminal is wide enough and in
bands of fewer columns (down to one per band) when it is not; card text is
word-wrapped by display width, so emoji and Cyrillic stay aligned.
"""

from __future__ import annotations

import csv
import io
from itertools import zip_longest
from typing import TYPE_CHECKING, Any

from .render import to_json
from .textwidth import clean, clip, csv_value, display, pad, width, wrap

if TYPE_CHECKING:
    from ruledeck.engine import Board, Column

GAP = " │ "
RULE_GAP = "─┼─"
MIN_COLUMN = 18
MAX_COLUMN = 40
TITLE_LINES = 3
FIELD_LINES = 2


def heading(board: Board) -> str:
    """One line naming the board, its process and pipeline, the card count and the moment shown."""
    return f"{clean(board.spec.label)} · {subheading(board)}"


def subheading(board: Board) -> str:
    """``process/pipeline · N card(s) · clock …`` (or ``as of …``)."""
    spec = board.spec
    parts = [f"{spec.process.name}/{spec.pipeline.name}", f"{board.total} card(s)"]
    if board.as_of is not None:
        parts.append(f"as of {display(board.as_of)}")
    elif board.now is not None:
        parts.append(f"clock {display(board.now)}")
    return " · ".join(parts)


def column_heading(column: Column, cells: int = 0) -> str:
    """``Label (count)``; with ``cells``, the label is cut to fit and the count always shows."""
    count = f" ({column.count})"
    label = clean(column.label)
    return (clip(label, max(cells - width(count), 1)) if cells else label) + count


def total_lines(board: Board, column: Column) -> list[str]:
    """``sum amount: 1200.00`` for each declared total."""
    return [f"{agg} {name}: {display(column.totals.get(name)) or '—'}" for name, agg in board.spec.totals.items()]


def board_text(board: Board, cells: int) -> str:
    """The board laid out for a terminal ``cells`` wide."""
    columns = board.columns
    per_band = max(1, min(len(columns), (cells + len(GAP)) // (MIN_COLUMN + len(GAP))))
    bands = -(-len(columns) // per_band)
    per_band = -(-len(columns) // bands)
    column_cells = min(MAX_COLUMN, (cells - (per_band - 1) * len(GAP)) // per_band)
    out = [heading(board)]
    for start in range(0, len(columns), per_band):
        out.append("")
        out.extend(_band(board, columns[start:start + per_band], column_cells))
    return "\n".join(out)


def _band(board: Board, columns: list[Column], cells: int) -> list[str]:
    heads = [[column_heading(c, cells), *_totals_block(board, c, cells)] for c in columns]
    bodies = [_column_body(board, c, cells) for c in columns]
    lines = _side_by_side(heads, cells)
    lines.append(RULE_GAP.join("─" * cells for _ in columns))
    lines.extend(_side_by_side(bodies, cells))
    return lines


def _totals_block(board: Board, column: Column, cells: int) -> list[str]:
    return [line for total in total_lines(board, column) for line in wrap(total, cells, 2, "  ")]


def _side_by_side(blocks: list[list[str]], cells: int) -> list[str]:
    rows = zip_longest(*blocks, fillvalue="")
    return [GAP.join(pad(part, cells) for part in row).rstrip() for row in rows]


def _column_body(board: Board, column: Column, cells: int) -> list[str]:
    lines: list[str] = []
    for i, card in enumerate(column.cards):
        if i:
            lines.append("")
        lines.extend(wrap(f"#{card.id} {card.title}", cells, TITLE_LINES, "  "))
        for name, value in card.fields.items():
            text = display(value)
            if text:
                lines.extend("  " + line for line in wrap(f"{name}: {text}", cells - 2, FIELD_LINES, "  "))
    if column.more > 0:
        if lines:
            lines.append("")
        lines.append(f"+{column.more} more")
    return lines


def board_markdown(board: Board) -> str:
    """A section per stage, a bullet per card."""
    spec = board.spec
    out = [f"# {_md(spec.label)}", "", _md(subheading(board))]
    for column in board.columns:
        out += ["", f"## {_md(column_heading(column))}", ""]
        totals = total_lines(board, column)
        if totals:
            out += [" · ".join(_md(t) for t in totals), ""]
        if not column.cards and not column.more:
            out.append("_no cards_")
        for card in column.cards:
            fields = [f"{_md(name)}: {_md(display(v))}" for name, v in card.fields.items() if display(v)]
            out.append(" · ".join([f"- **#{card.id} {_md(card.title)}**", *fields]))
        if column.more > 0:
            out.append(f"- … +{column.more} more")
    return "\n".join(out)


_MD_SPECIAL = set("\\`*_[]<>|~")


def _md(text: str) -> str:
    """Markdown-escaped text on one line."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in clean(text))


def board_dict(board: Board) -> dict[str, Any]:
    """The board as JSON-ready data."""
    spec = board.spec
    return {
        "board": spec.name, "label": spec.label, "process": spec.process.name, "pipeline": spec.pipeline.name,
        "as_of": board.as_of, "clock": board.now, "limit": board.limit, "total": board.total,
        "card_fields": list(spec.card), "totals": spec.totals,
        "columns": [{"stage": c.stage, "label": c.label, "kind": c.kind, "count": c.count, "totals": c.totals,
                     "more": c.more,
                     "cards": [{"id": k.id, "title": k.title, "fields": k.fields} for k in c.cards]}
                    for c in board.columns],
    }


def board_json(board: Board) -> str:
    """:func:`board_dict` as indented JSON."""
    return to_json(board_dict(board))


def board_csv(board: Board) -> str:
    """One row per card shown: stage, position, id, title, then the card fields."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["stage", "position", "id", "title", *board.spec.card])
    for column in board.columns:
        for position, card in enumerate(column.cards, 1):
            values = [csv_value(v) for v in card.fields.values()]
            writer.writerow([column.stage, position, card.id, card.title, *values])
    return buffer.getvalue().rstrip("\n")
