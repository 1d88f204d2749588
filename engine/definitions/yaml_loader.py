"""Load one YAML file safely, keeping the line and column of every node.

PyYAML's safe loader still accepts duplicate keys (the last one wins) and
expands aliases without limit; both are refused here. The result keeps plain
Python data plus a map from each node's path to its source position, so later
checks can point at ``file:line:col``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Finding
from .yaml_positions import Path_, Position, key_name, mark_of, record_positions

__all__ = ["Position", "YamlDocument", "YamlLoadError", "load_yaml", "load_yaml_text", "read_text"]

# libyaml's composer (when PyYAML has it) builds the same node tree with the same marks, ten times faster.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_VALUE = "tag:yaml.org,2002:value"
_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


@dataclass
class YamlDocument:
    """A loaded YAML file: its data and the position of every node (worked out on first use)."""

    file: str
    data: Any
    text: str = ""
    source: Path | None = None
    root: yaml.Node | None = field(default=None, repr=False, compare=False)
    """The composed node tree, kept until the positions are first asked for."""
    _positions: dict[Path_, Position] = field(default_factory=dict, repr=False)
    _key_positions: dict[Path_, Position] = field(default_factory=dict, repr=False)

    @property
    def positions(self) -> dict[Path_, Position]:
        """The position of every value, by path."""
        self._record()
        return self._positions

    @property
    def key_positions(self) -> dict[Path_, Position]:
        """The position of every mapping key, by the path of its value."""
        self._record()
        return self._key_positions

    def _record(self) -> None:
        if self.root is not None:
            self._positions, self._key_positions = record_positions(self.root, _Builder(self).scalar_value)
            self.root = None

    def position(self, path: Path_, *, key: bool = False) -> Position:
        """The position of ``path``, or of its nearest ancestor that has one."""
        self._record()
        positions = self._positions
        table = self._key_positions if key else positions
        probe = tuple(path)
        while probe:
            if probe in table:
                return table[probe]
            if key and probe in positions:
                return positions[probe]
            probe = probe[:-1]
        return positions.get((), Position(1, 1))


class YamlLoadError(Exception):
    """The file cannot be read as YAML; ``finding`` says where and why."""

    def __init__(self, finding: Finding):
        self.finding = finding
        super().__init__(finding.format())


class _Builder:
    """Turns a composed node tree into Python data (positions are worked out later, if asked for)."""

    def __init__(self, doc: YamlDocument):
        self.doc = doc
        self.count = 0
        self._scalar = yaml.SafeLoader("")

    def fail(self, node: yaml.Node, code: str, message: str, hint: str = "") -> None:
        pos = mark_of(node)
        raise YamlLoadError(Finding(self.doc.file, pos.line, pos.col, code, message, hint=hint))

    def _enter(self, node: yaml.Node, depth: int) -> None:
        """Count the node; refuse documents that are too large or too deep."""
        self.count += 1
        if self.count > MAX_NODES:
            self.fail(node, "E-YAML-TOO-LARGE",
                      f"the document expands to more than {MAX_NODES} nodes",
                      "an alias bomb or a generated file? split it or remove repeated aliases")
        if depth > MAX_DEPTH:
            self.fail(node, "E-YAML-TOO-DEEP", f"the document is nested deeper than {MAX_DEPTH} levels")

    def build(self, node: yaml.Node, depth: int) -> Any:
        self._enter(node, depth)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar_value(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, depth)
        if node.tag != _SEQ:
            self._bad_tag(node)
        return [self.build(item, depth + 1) for item in node.value]

    def scalar_value(self, node: yaml.ScalarNode) -> Any:
        """The value of a scalar with an allowed tag; dates stay text."""
        tag = node.tag
        if tag == _STR:
            return node.value  # what the safe constructor makes of a str scalar
        if tag not in _SCALAR_TAGS:
            self._bad_tag(node)
        value = self._scalar.construct_object(node)
        if isinstance(value, dt.datetime | dt.date):
            # Dates stay text: the definition language parses them itself.
            return node.value
        return value

    def _bad_tag(self, node: yaml.Node) -> None:
        self.fail(node, "E-YAML-TAG", f"the tag '{node.tag}' is not allowed",
                  "only plain YAML data is accepted; remove the '!' tag")

    def _mapping(self, node: yaml.MappingNode, depth: int) -> dict:
        if node.tag != _MAP:
            self._bad_tag(node)
        own: set[int] | None = None  # None: no `<<:` merge or `=` key, so every key is the mapping's own
        key_tags = {key_node.tag for key_node, _ in node.value}
        if _MERGE in key_tags or _VALUE in key_tags:
            own = {id(key_node) for key_node, _ in node.value if key_node.tag != _MERGE}
            self._scalar.flatten_mapping(node)
        result: dict = {}
        first_seen: dict[str, yaml.Node] = {}
        merged: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, "E-YAML-KEY", "a mapping key must be a plain value, not a list or mapping")
            self._enter(key_node, depth + 1)
            key = key_name(self.scalar_value(key_node), key_node)
            if own is not None:
                if id(key_node) not in own:
                    merged.add(key)  # from a `<<:` merge: a later key (or the mapping's own) overrides it
                elif key in merged:
                    merged.discard(key)
                    result.pop(key, None)
                if key in result and key in merged:
                    result.pop(key)
            if key in result:
                prev = mark_of(first_seen[key])
                self.fail(key_node, "E-YAML-DUPLICATE-KEY",
                          f"duplicate key '{key}' (first defined at line {prev.line})",
                          "YAML keeps only the last one; remove or rename one of them")
            first_seen[key] = key_node
            result[key] = self.build(value_node, depth + 1)
        return result


def read_text(path: Path, display: str) -> str:
    """Read a definition file as UTF-8, refusing binary and oversized files."""
    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        raise YamlLoadError(Finding(display, 1, 1, "E-YAML-TOO-LARGE",
                                    f"the file is {len(raw) // 1024} KiB, over the "
                                    f"{MAX_FILE_BYTES // 1024 // 1024} MiB limit for a definition file",
                                    hint="split it into several files"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlLoadError(Finding(display, line, col, "E-YAML-ENCODING",
                                    f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                                    hint="save it as UTF-8")) from None
    return text.removeprefix("\ufeff")


def load_yaml_text(text: str, display: str) -> YamlDocument:
    """Parse YAML text into a :class:`YamlDocument` or raise :class:`YamlLoadError`.

    >>> doc = load_yaml_text("rules:\\n  a: {when: {event: x}}\\n", "f.yaml")
    >>> doc.data["rules"]["a"]["when"], doc.position(("rules", "a", "when"))
    ({'event': 'x'}, Position(line=2, col=13, style=None))
    """
    doc = YamlDocument(display, None, text)
    try:
        nodes = list(yaml.compose_all(text, Loader=_COMPOSER))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlLoadError(Finding(display, line, col, "E-YAML-SYNTAX", f"YAML syntax error: {problem}",
                                    hint="check indentation, colons and quotes near here")) from None
    except yaml.YAMLError as exc:
        raise YamlLoadError(Finding(display, 1, 1, "E-YAML-SYNTAX", f"YAML error: {exc}")) from None
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        raise YamlLoadError(Finding(display, 1, 1, "E-YAML-EMPTY", "the file is empty",
                                    hint="add definitions or delete the file"))
    if len(nodes) > 1:
        second = nodes[1]
        raise YamlLoadError(Finding(display, second.start_mark.line + 1, 1, "E-YAML-MULTIDOC",
                                    "a definition file holds one YAML document, this one has several",
                                    hint="remove the '---' separator or split the file"))
    doc.data = _Builder(doc).build(nodes[0], 0)
    doc.root = nodes[0]
    return doc


def load_yaml(path: Path, display: str | None = None) -> YamlDocument:
    """Load a YAML file from disk; ``display`` is the name used in findings."""
    name = display or str(path)
    doc = load_yaml_text(read_text(path, name), name)
    doc.source = path.resolve()
    return doc
