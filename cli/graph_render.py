"""A stage graph as Mermaid (for Markdown docs) or Graphviz DOT."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ruledeck.engine import Graph, Node


KIND_STYLE = {
    "open": ("#ffffff", "#0969da"),
    "success": ("#dafbe1", "#1a7f37"),
    "failure": ("#ffebe9", "#cf222e"),
    "on_hold": ("#fff8c5", "#9a6700"),
    "start": ("#f6f8fa", "#57606a"),
    "any": ("#f6f8fa", "#57606a"),
    "group": ("#f6f8fa", "#57606a"),
    "return": ("#f6f8fa", "#9a6700"),
    "computed": ("#f6f8fa", "#0969da"),
}


def _node_lines(node: Node) -> list[str]:
    lines = [node.label]
    if node.kind in ("open", "success", "failure", "on_hold"):
        stage = node.id.split("__", 1)[1]
        if stage != node.label:
            lines.append(f"({stage})")
    return lines + [f"▸ {note}" for note in node.notes]


def _pipeline_title(graph: Graph, pipeline: str) -> str:
    label = graph.process.pipelines[pipeline].label
    return f"{label} ({pipeline})" if label and label != pipeline else pipeline


# -- Mermaid ----------------------------------------------------------------------------
def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label: entities for the characters Mermaid would read."""
    for ch, entity in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("\n", " ")):
        text = text.replace(ch, entity)
    return text


_MERMAID_SHAPES = {"start": ('(["', '"])'), "any": ('{{"', '"}}'), "group": ('{{"', '"}}'), "return": ('(["', '"])'),
                   "computed": ('[/"', '"/]')}


def graph_mermaid(graph: Graph) -> str:
    """``flowchart LR`` with a subgraph per pipeline."""
    out = ["flowchart LR"]
    for pipeline, node_ids in graph.pipelines.items():
        out.append(f'  subgraph p_{pipeline}["{_mermaid_text(_pipeline_title(graph, pipeline))}"]')
        for node_id in node_ids:
            node = graph.nodes[node_id]
            opening, closing = _MERMAID_SHAPES.get(node.kind, ('["', '"]'))
            label = "<br/>".join(_mermaid_text(line) for line in _node_lines(node))
            out.append(f"    {node_id}{opening}{label}{closing}")
        out.append("  end")
    for edge in graph.edges.values():
        arrow = "-.->" if edge.dashed else "-->"
        label = "<br/>".join(_mermaid_text(text) for text in edge.labels)
        out.append(f'  {edge.source} {arrow}|"{label}"| {edge.target}')
    for kind, (fill, stroke) in KIND_STYLE.items():
        members = [n.id for n in graph.nodes.values() if n.kind == kind]
        if members:
            out.append(f"  classDef k_{kind} fill:{fill},stroke:{stroke}")
            out.append(f"  class {','.join(members)} k_{kind}")
    return "\n".join(out)


# -- DOT ----------------------------------------------------------------------------------
def _dot_string(text: str) -> str:
    """A double-quoted DOT string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_DOT_SHAPES = {"start": "oval", "any": "hexagon", "group": "hexagon", "return": "oval", "computed": "parallelogram"}


def graph_dot(graph: Graph) -> str:
    """``digraph`` with a cluster per pipeline."""
    out = [f"digraph {_dot_string(graph.process.name)} {{",
           "  rankdir=LR;",
           '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
           '  edge [fontname="Helvetica", fontsize=9];']
    for pipeline, node_ids in graph.pipelines.items():
        out.append(f"  subgraph cluster_{pipeline} {{")
        out.append(f"    label={_dot_string(_pipeline_title(graph, pipeline))};")
        for node_id in node_ids:
            node = graph.nodes[node_id]
            fill, stroke = KIND_STYLE.get(node.kind, KIND_STYLE["open"])
            shape = _DOT_SHAPES.get(node.kind, "box")
            label = "\n".join(_node_lines(node))
            dashed = ', style="rounded,filled,dashed"' if node.kind in ("on_hold", "return") else ""
            out.append(f'    {node_id} [label={_dot_string(label)}, shape={shape}, fillcolor="{fill}", '
                       f'color="{stroke}"{dashed}];')
        out.append("  }")
    for edge in graph.edges.values():
        style = ", style=dashed" if edge.dashed else ""
        out.append(f"  {edge.source} -> {edge.target} [label={_dot_string(chr(10).join(edge.labels))}{style}];")
    out.append("}")
    return "\n".join(out)
