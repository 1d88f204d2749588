"""A board as one self-contained HTML page: inline CSS, no scripts, every value escaped."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from .board_render import subheading, total_lines
from .textwidth import clean, display

if TYPE_CHECKING:
    from ruledeck.engine import Board, Column

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem;color:#1f2328;background:#f6f8fa}
h1{font-size:1.4rem;margin:0 0 .25rem}
.meta{color:#57606a;margin:0 0 1rem}
.board{display:flex;gap:.75rem;align-items:flex-start;overflow-x:auto;padding-bottom:1rem}
.column{flex:0 0 17rem;background:#eaeef2;border-radius:8px;padding:.5rem}
.column h2{font-size:1rem;margin:.25rem .25rem .5rem;display:flex;justify-content:space-between}
.count{color:#57606a;font-weight:normal}
.totals{font-size:.8rem;color:#57606a;margin:0 .25rem .5rem}
.card{background:#fff;border-radius:6px;padding:.5rem .6rem;margin-bottom:.5rem;box-shadow:0 1px 2px rgba(0,0,0,.12)}
.card h3{font-size:.9rem;margin:0 0 .3rem;font-weight:600}
.card .id{color:#57606a;font-weight:normal}
.card dl{margin:0;font-size:.8rem;display:grid;grid-template-columns:auto 1fr;gap:.1rem .5rem}
.card dt{color:#57606a}
.card dd{margin:0;overflow-wrap:anywhere}
.more{font-size:.85rem;color:#57606a;margin:.25rem}
.kind-success{border-top:3px solid #1a7f37}
.kind-failure{border-top:3px solid #cf222e}
.kind-on_hold{border-top:3px solid #9a6700}
.kind-open{border-top:3px solid #0969da}
""".strip()


def board_html(board: Board) -> str:
    """The whole page."""
    title = escape(clean(board.spec.label))
    columns = "\n".join(_column(board, c) for c in board.columns)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n"
        f"<h1>{title}</h1>\n"
        f'<p class="meta">{escape(subheading(board))}</p>\n'
        f'<main class="board">\n{columns}\n</main>\n'
        "</body>\n</html>\n"
    )


def _column(board: Board, column: Column) -> str:
    kind = column.kind if column.kind in ("open", "success", "failure", "on_hold") else "open"
    parts = [f'<section class="column kind-{kind}" data-stage="{escape(column.stage)}">',
             f'<h2><span>{escape(clean(column.label))}</span> <span class="count">{column.count}</span></h2>']
    totals = total_lines(board, column)
    if totals:
        parts.append(f'<p class="totals">{"<br>".join(escape(t) for t in totals)}</p>')
    for card in column.cards:
        fields = "".join(f"<dt>{escape(name)}</dt><dd>{escape(display(value))}</dd>"
                         for name, value in card.fields.items() if display(value))
        parts.append(f'<article class="card"><h3><span class="id">#{card.id}</span> {escape(clean(card.title))}</h3>'
                     + (f"<dl>{fields}</dl>" if fields else "") + "</article>")
    if column.more > 0:
        parts.append(f'<p class="more">+{column.more} more</p>')
    parts.append("</section>")
    return "\n".join(parts)
