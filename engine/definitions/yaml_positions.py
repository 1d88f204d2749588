"""Where each node of a loaded YAML file starts, worked out only when someone asks.

Most loads never need a position: a valid file produces no finding. So the
loader keeps the composed node tree and this module walks it on the first
question, visiting nodes in the order the loader built them, and records the
start of every value (by path) and of every mapping key.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import yaml

Path_ = tuple[str | int, ...]


class Position(NamedTuple):
    """Where a node starts: 1-based line and column, and its scalar style."""

    line: int
    col: int
    style: str | None = None


_new_position = partial(tuple.__new__, Position)  # Position(...) without its Python-level __new__


def mark_of(node: yaml.Node) -> Position:
    """The start of ``node``."""
    mark = node.start_mark
    return _new_position((mark.line + 1, mark.column + 1, node.style if isinstance(node, yaml.ScalarNode) else None))


def key_name(value: Any, node: yaml.ScalarNode) -> str:
    """A mapping key as the data holds it: text; a bool, null or other odd value as written."""
    if type(value) is str:
        return value
    if isinstance(value, bool | type(None)) or not isinstance(value, str | int | float):
        value = node.value
    return str(value) if not isinstance(value, str) else value


def record_positions(root: yaml.Node, scalar: Callable[[yaml.ScalarNode], Any]
                     ) -> tuple[dict[Path_, Position], dict[Path_, Position]]:
    """The positions of values and of keys below ``root``; ``scalar`` gives a key node's value.

    The first node met at a path keeps it (a ``<<:`` merge's keys come before
    the mapping's own); a key's position is its last occurrence's.
    """
    positions: dict[Path_, Position] = {}
    key_positions: dict[Path_, Position] = {}

    def walk(node: yaml.Node, path: Path_) -> None:
        if path not in positions:
            positions[path] = mark_of(node)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                sub = (*path, key_name(scalar(key_node), key_node))
                key_positions[sub] = mark_of(key_node)
                walk(value_node, sub)
            positions.pop((*path, "<key>"), None)  # as before: the value of a key named '<key>' has no position
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))

    walk(root, ())
    return positions, key_positions
