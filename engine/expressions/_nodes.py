"""Small helpers shared by the expression modules: node positions and hints."""

from __future__ import annotations

from sqlglot import exp

TYPE_KEY = "ruledeck_type"
"""The ``meta`` key where :func:`check` stores each node's inferred type."""
DEREF_KEY = "ruledeck_deref"
"""The ``meta`` key of a column that follows refs: ``(namespace, root field, ((process, field), …))``."""


def span(node: exp.Expr) -> tuple[int, int] | None:
    """The (start, end) offsets (inclusive) a node covers, from its leaves' positions."""
    starts: list[int] = []
    ends: list[int] = []
    for sub in node.walk():
        meta = sub._meta if hasattr(sub, "_meta") else None
        if meta and "start" in meta:
            starts.append(meta["start"])
            ends.append(meta["end"])
    if not starts:
        return None
    return min(starts), max(ends)


def offset(node: exp.Expr) -> int:
    """The 0-based offset where a node starts in the expression text (0 if unknown)."""
    found = span(node)
    return found[0] if found else 0


def operator_offset(text: str, node: exp.Expr) -> int:
    """Where the operator of a binary node is written, e.g. the ``+`` of ``a + b``."""
    left = span(node.this) if isinstance(node.this, exp.Expr) else None
    right_node = node.args.get("expression")
    right = span(right_node) if isinstance(right_node, exp.Expr) else None
    if left is None:
        return offset(node)
    stop = right[0] if right else len(text)
    for index in range(left[1] + 1, stop):
        if not text[index].isspace() and text[index] not in "()":
            return index
    return left[0]
