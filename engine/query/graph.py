"""A process's stages and the transitions its rules can make, for diagrams in consultants' docs.

Transitions come from the rules' actions (``move``, ``hold``, ``resume``,
``create``, also inside ``update`` and through ``run``); where a transition
starts comes from the rule's trigger (``entered``/``left``/``dwell`` a stage,
``created``) or, failing that, from ``stage``/``stage_kind`` tests in its
condition, else "any stage". Rules that only create tasks are noted on the
stage they react to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from ..definitions.model import STAGE_KINDS, Action, Process, Project, Rule
from ..errors import ExpressionError
from ..expressions import parse
from ..validation.checks.effects import stage_names_in

START, ANY = "start", "any"


@dataclass
class Node:
    """A stage, or a pseudo-stage: ``start`` (a new card), ``any``, ``group`` (several stages), ``return``
    (the stage held from), ``computed`` (a stage an expression names at run time)."""

    id: str
    pipeline: str
    label: str
    kind: str
    notes: list[str] = field(default_factory=list)


@dataclass
class Edge:
    """A transition with the rules that make it; ``dashed`` for a return from hold."""

    source: str
    target: str
    labels: list[str] = field(default_factory=list)
    dashed: bool = False


@dataclass
class Graph:
    """Nodes grouped by pipeline, and the edges between them."""

    process: Process
    pipelines: dict[str, list[str]] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[tuple[str, str], Edge] = field(default_factory=dict)
    computed: dict[str, str] = field(default_factory=dict)
    """``move`` expressions naming no stage literally, and the key of their pseudo node."""
    task_origins: dict[str, set[str]] = field(default_factory=dict)
    """The stages items are in when each kind of task is created (where ``task`` triggers start)."""

    def node_id(self, pipeline: str, name: str) -> str:
        return f"n_{pipeline}__{name}"

    def pseudo(self, pipeline: str, kind: str, label: str, key: str | None = None) -> str:
        """The id of a pseudo node, created on first use."""
        node_id = self.node_id(pipeline, f"_{key or kind}")
        if node_id not in self.nodes:
            self.nodes[node_id] = Node(node_id, pipeline, label, kind)
            self.pipelines[pipeline].append(node_id)
        return node_id

    def edge(self, source: str, target: str, label: str, dashed: bool = False) -> None:
        found = self.edges.setdefault((source, target), Edge(source, target, dashed=dashed))
        if label not in found.labels:
            found.labels.append(label)


@dataclass(frozen=True)
class _Context:
    """Where a walk over actions stands: the rule's label and where its items may be."""

    label: str
    sources: frozenset[str] | None
    """Stage names the items are in, START, or None for any stage."""
    pipeline: str | None


def process_graph(project: Project, name: str) -> Graph:
    """The stage graph of process ``name``."""
    from .source import find_process

    process = find_process(project, name)
    scratch = _walk_rules(project, _empty_graph(process), {})
    return _without_loose_pseudo_nodes(_walk_rules(project, _empty_graph(process), scratch.task_origins))


def _without_loose_pseudo_nodes(graph: Graph) -> Graph:
    """Drop pseudo nodes no edge touches (e.g. "new card" in a pipeline no rule creates items in)."""
    used = {end for key in graph.edges for end in key}
    loose = {n.id for n in graph.nodes.values() if n.kind not in STAGE_KINDS and n.id not in used}
    for node_id in loose:
        del graph.nodes[node_id]
    for pipeline, node_ids in graph.pipelines.items():
        graph.pipelines[pipeline] = [n for n in node_ids if n not in loose]
    return graph


def _empty_graph(process: Process) -> Graph:
    graph = Graph(process)
    for pipeline in process.pipelines.values():
        graph.pipelines[pipeline.name] = []
        for stage in pipeline.stages.values():
            node_id = graph.node_id(pipeline.name, stage.name)
            graph.nodes[node_id] = Node(node_id, pipeline.name, stage.label or stage.name, stage.kind)
            graph.pipelines[pipeline.name].append(node_id)
    return graph


def _walk_rules(project: Project, graph: Graph, task_origins: dict[str, set[str]]) -> Graph:
    for rule in project.rules.values():
        if not rule.enabled or rule.trigger.kind == "called":
            continue
        sources = _trigger_sources(project, rule, graph.process, task_origins)
        context = _Context(f"{rule.name} [{trigger_text(rule)}]", sources, rule.pipeline)
        _walk(project, graph, rule.actions, rule.process, context, rule, depth=0)
    return graph


def trigger_text(rule: Rule) -> str:
    """A rule's trigger in a few words: ``event payment``, ``dwell overdue 14d``, ``task call: done``."""
    trigger = rule.trigger
    value = ", ".join(trigger.value) if isinstance(trigger.value, list) else str(trigger.value)
    if trigger.kind in ("created", "called"):
        return trigger.kind
    if trigger.kind == "date":
        offset = trigger.options.get("offset")
        return f"date {value}{' ' + str(offset) if offset else ''}"
    if trigger.kind == "dwell":
        return f"dwell {value} {trigger.options.get('for')}"
    if trigger.kind == "task" and trigger.options.get("outcome") is not None:
        outcome = trigger.options["outcome"]
        return f"task {value}: {', '.join(outcome) if isinstance(outcome, list) else outcome}"
    return f"{trigger.kind} {value}"


def _trigger_sources(project: Project, rule: Rule, process: Process,
                     task_origins: dict[str, set[str]]) -> frozenset[str] | None:
    kind, value = rule.trigger.kind, rule.trigger.value
    names = value if isinstance(value, list) else [value]
    found: frozenset[str] | None = None
    if kind == "created":
        found = frozenset({START})
    elif kind in ("entered", "left", "dwell"):
        found = frozenset(names)
    elif kind == "task" and rule.process == process.name and all(n in task_origins for n in names):
        starts = {_initial_stage(process, p) for p in process.pipelines}
        found = frozenset(s for n in names for o in task_origins[n] for s in (starts if o == START else {o}))
    process = project.processes.get(rule.process) if rule.process else None
    return _narrow(found, condition_stages(rule.condition, process) if process else None)


def _narrow(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    """Both limits at once (None is no limit; a new card is not narrowed by stage tests)."""
    if a is None:
        return b
    if b is None or START in a:
        return a
    return a & b


def condition_stages(text: str | None, process: Process) -> frozenset[str] | None:
    """The stages a condition limits items to (``stage = 'x'``, ``stage_kind in (…)``, anded); None: any.

    >>> from ruledeck.engine.definitions.model import Pipeline, Process, Stage
    >>> stages = {n: Stage(n, k, None) for n, k in [("new", "open"), ("done", "success")]}
    >>> p = Process("p", None, {}, {"main": Pipeline("main", stages, None)})
    >>> sorted(condition_stages("stage_kind = 'open' and x > 1", p)), condition_stages("a or b", p)
    (['new'], None)
    """
    if not text:
        return None
    try:
        tree = parse(text).tree
    except ExpressionError:
        return None
    result: frozenset[str] | None = None
    for part in _conjuncts(tree):
        found = _stage_test(part, process)
        if found is not None:
            result = found if result is None else result & found
    return result


def _conjuncts(node: exp.Expression):
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.And):
        yield from _conjuncts(node.this)
        yield from _conjuncts(node.expression)
    else:
        yield node


def _stage_test(node: exp.Expression, process: Process) -> frozenset[str] | None:
    negate = isinstance(node, exp.Not)
    if negate:
        node = node.this
    if isinstance(node, exp.EQ | exp.NEQ):
        column, values = node.this, [node.expression]
        negate ^= isinstance(node, exp.NEQ)
    elif isinstance(node, exp.In):
        column, values = node.this, list(node.expressions)
    else:
        return None
    if not isinstance(column, exp.Column) or column.table or column.name not in ("stage", "stage_kind"):
        return None
    if not all(isinstance(v, exp.Literal) and v.is_string for v in values):
        return None
    wanted = {v.this for v in values}
    stages = {s.name: s.kind for p in process.pipelines.values() for s in p.stages.values()}
    key = (lambda s: s) if column.name == "stage" else (lambda s: stages[s])
    chosen = {s for s in stages if (key(s) in wanted) != negate}
    return frozenset(chosen)


def _walk(project: Project, graph: Graph, actions: list[Action], process: str | None, context: _Context,
          rule: Rule, depth: int) -> None:
    own = process == graph.process.name
    for action in actions:
        spec = action.spec
        if action.kind in ("move", "hold") and own:
            targets = stage_names_in(spec) & graph.process.stage_names()
            for target in targets:
                _transition(graph, context, target)
            if not targets and isinstance(spec, str):
                _transition(graph, context, None, computed=spec)
            if targets:  # later actions of the list see the items in their new stage
                context = _Context(context.label, frozenset(targets), context.pipeline)
        elif action.kind == "resume" and own:
            _transition(graph, context, None)
            context = _Context(context.label, None, context.pipeline)
        elif action.kind in ("create", "schedule") and isinstance(spec, dict) and spec.get("process") \
                == graph.process.name:
            _creation(graph, context, spec)
        elif action.kind == "update" and isinstance(spec, dict):
            target = project.processes.get(spec.get("process"))
            sources = condition_stages(spec.get("where"), target) if target else None
            _walk(project, graph, action.children, spec.get("process"),
                  _Context(f"{context.label} › update", sources, None), rule, depth)
        elif action.kind == "for_each":  # its creates and tasks, once per element
            _walk(project, graph, action.children, process, context, rule, depth)
        elif action.kind == "run" and isinstance(spec, str) and spec in project.rules and depth < 5:
            called = project.rules[spec]
            target = project.processes.get(process) if process else None
            sources = _narrow(context.sources, condition_stages(called.condition, target) if target else None)
            pipeline = context.pipeline or called.pipeline
            _walk(project, graph, called.actions, process, _Context(f"{context.label} › {spec}", sources, pipeline),
                  called, depth + 1)
        elif action.kind == "task" and own:
            name = spec if isinstance(spec, str) else (spec or {}).get("name")
            _note(graph, context, f"{context.label.split(' [')[0]}: task {name}")
            if context.sources is not None:
                graph.task_origins.setdefault(str(name), set()).update(context.sources)


def _pipelines(graph: Graph, context: _Context) -> list[str]:
    return [p for p in graph.process.pipelines if context.pipeline in (None, p)]


def _source_ids(graph: Graph, pipeline: str, context: _Context) -> list[str]:
    stages = graph.process.pipelines[pipeline].stages
    if context.sources is None:
        return [graph.pseudo(pipeline, ANY, "any stage")]
    if START in context.sources:
        return [graph.pseudo(pipeline, START, "new card")]
    present = [s for s in stages if s in context.sources]
    if len(present) <= 1:
        return [graph.node_id(pipeline, s) for s in present]
    key = "g_" + "_".join(present)
    return [graph.pseudo(pipeline, "group", " | ".join(stages[s].label or s for s in present), key)]


def _transition(graph: Graph, context: _Context, target: str | None, computed: str | None = None) -> None:
    """Edges from the context's stages to ``target`` (None: back to the stage held from, or a ``computed`` one)."""
    for pipeline in _pipelines(graph, context):
        if computed is not None:
            key = graph.computed.setdefault(computed, f"x{len(graph.computed)}")
            target_id, dashed = graph.pseudo(pipeline, "computed", f"stage = {computed}", key), False
        elif target is None:
            target_id, dashed = graph.pseudo(pipeline, "return", "stage held from", "held_from"), True
        elif target in graph.process.pipelines[pipeline].stages:
            target_id, dashed = graph.node_id(pipeline, target), False
        else:
            continue
        for source in _source_ids(graph, pipeline, context):
            graph.edge(source, target_id, context.label, dashed)


def _creation(graph: Graph, context: _Context, spec: dict) -> None:
    """An edge from "new card" to the stage a ``create``/``schedule`` puts items in."""
    process = graph.process
    if "pipeline" in spec:
        pipelines = [spec["pipeline"]]
    elif "pipeline_expr" in spec:
        pipelines = list(process.pipelines)
    else:
        pipelines = [process.initial_pipeline or next(iter(process.pipelines))]
    for pipeline in pipelines:
        stages = process.pipelines.get(pipeline)
        if stages is None:
            continue
        targets = stage_names_in(spec["stage"]) if "stage" in spec else {_initial_stage(process, pipeline)}
        for stage in sorted(targets & set(stages.stages), key=list(stages.stages).index):
            graph.edge(graph.pseudo(pipeline, START, "new card"), graph.node_id(pipeline, stage), context.label)


def _initial_stage(process: Process, pipeline: str) -> str:
    """Where a new item of the pipeline starts unless its ``create`` says otherwise."""
    if pipeline == process.initial_pipeline and process.initial_stage:
        return process.initial_stage
    return next(iter(process.pipelines[pipeline].stages), "")


def _note(graph: Graph, context: _Context, text: str) -> None:
    for pipeline in _pipelines(graph, context):
        for node_id in _source_ids(graph, pipeline, context):
            if text not in graph.nodes[node_id].notes:
                graph.nodes[node_id].notes.append(text)
