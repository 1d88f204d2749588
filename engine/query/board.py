"""A kanban board: one column per stage of a pipeline, cards with their fields, counts and totals.

The whole board is one SQL statement: the count and declared totals of
every column over all its cards, and only the first ``limit`` cards of each
column (see :func:`board_sql`), so a board of a million cards moves a few
dozen rows into Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from ..definitions.model import Pipeline, Process, Project
from ..definitions.scopes import item_fields
from ..errors import UsageError
from ..runtime.titles import template_names
from ..store.names import items_table, quote
from ..suggest import did_you_mean
from ..templating import TemplateError, render
from .asof import asof_ctes
from .source import ItemSource, sort_key

AGGREGATES = {"sum": "sum", "min": "min", "max": "max", "avg": "avg", "count": "count"}


@dataclass(frozen=True)
class BoardSpec:
    """What a board shows: a process's pipeline, the card fields, totals, filter and order."""

    name: str | None
    label: str
    process: Process
    pipeline: Pipeline
    card: tuple[str, ...] = ()
    totals: dict[str, str] = field(default_factory=dict)
    where: str | None = None
    sort: str | None = None


@dataclass
class Card:
    """One card: the item's id, its title and the board's fields."""

    id: int
    title: str
    fields: dict[str, Any]


@dataclass
class Column:
    """One stage of the board with its first cards, the count of all of them and their totals."""

    stage: str
    label: str
    kind: str
    count: int = 0
    totals: dict[str, Any] = field(default_factory=dict)
    cards: list[Card] = field(default_factory=list)

    @property
    def more(self) -> int:
        """How many cards the limit left out."""
        return self.count - len(self.cards)


@dataclass
class Board:
    """A rendered-ready board: its spec, columns in pipeline order and the moment it shows."""

    spec: BoardSpec
    columns: list[Column]
    now: dt.datetime | None
    as_of: dt.datetime | None = None
    limit: int = 10

    @property
    def total(self) -> int:
        """Cards on the whole board."""
        return sum(c.count for c in self.columns)


def board_spec(project: Project, name: str, pipeline: str | None = None) -> BoardSpec:
    """The board called ``name``, or the board of process ``name`` (a declared one, else title only)."""
    definition = project.boards.get(name)
    if definition is not None:
        spec = definition.spec
        process = project.processes[spec["process"]]
        chosen = _pipeline(process, pipeline or spec.get("pipeline"))
        return BoardSpec(name, str(spec.get("label") or name), process, chosen, tuple(spec.get("card") or ()),
                         dict(spec.get("totals") or {}), spec.get("where"), spec.get("sort"))
    process = project.processes.get(name)
    if process is None:
        hint = did_you_mean(name, [*project.boards, *project.processes])
        raise UsageError(f"no board or process '{name}'" + (f" ({hint})" if hint else "")
                         + f"; boards: {', '.join(project.boards) or 'none'}; "
                         f"processes: {', '.join(project.processes) or 'none'}")
    chosen = _pipeline(process, pipeline)
    for board_name, definition in project.boards.items():
        spec = definition.spec
        if spec["process"] == name and _pipeline(process, spec.get("pipeline")).name == chosen.name:
            return board_spec(project, board_name, chosen.name)
    return BoardSpec(None, process.label or process.name, process, chosen)


def _pipeline(process: Process, name: str | None) -> Pipeline:
    if name is None:
        return next(iter(process.pipelines.values()))
    if name not in process.pipelines:
        hint = did_you_mean(name, process.pipelines)
        raise UsageError(f"process '{process.name}' has no pipeline '{name}'" + (f" ({hint})" if hint else "")
                         + f"; pipelines: {', '.join(process.pipelines)}")
    return process.pipelines[name]


def build_board(engine, name: str, *, pipeline: str | None = None, where: str | None = None, limit: int = 10,
                as_of: dt.datetime | None = None) -> Board:
    """The board ``name`` (a board or a process) with at most ``limit`` cards per column.

    ``where`` is an extra condition (an :class:`ExpressionError` when it is
    wrong); ``as_of`` rebuilds the board at a past moment from the journal.
    """
    spec = board_spec(engine.project, name, pipeline)
    now = as_of or engine.clock()
    shadows = asof_ctes(engine.project, spec.process, as_of) if as_of is not None else None
    sql = board_sql(engine.project, spec, now, where, limit, shadows)
    rows = engine.con.execute(sql).fetchall()
    return Board(spec, _columns(spec, rows, as_of is not None), engine.clock(), as_of, limit)


def board_sql(project: Project, spec: BoardSpec, now: dt.datetime | None, where: str | None, limit: int,
              shadows: str | None = None) -> str:
    """The one statement behind a board: per-stage counts and totals, and the first cards of each stage.

    ``counts`` groups all matching cards by stage; ``top`` is a ``UNION ALL``
    of one ``ORDER BY … LIMIT`` per stage of the pipeline (a bounded top-N
    each: measured 10× faster on 1M cards than ranking every card with
    ``row_number()``, and plain SQL for PostgreSQL too); the wide card
    fields are read for those cards only. Columns: stage, n, t0… (totals),
    id, title, c0… (card fields), v0… (title inputs, for as-of boards, whose
    ``shadows`` CTEs stand in for the items tables); cards in order per stage.
    """
    source = quote(items_table(spec.process.name))
    counting = ItemSource(project, spec.process, now, source)
    conditions = [f"it.pipeline = {exp.Literal.string(spec.pipeline.name).sql('duckdb')}"]
    for text in (spec.where, where):
        if text:
            conditions.append(counting.condition(text))
    totals = [f"{AGGREGATES[agg]}({counting.field(name)}) AS t{i}" for i, (name, agg) in enumerate(spec.totals.items())]
    counts = (f"SELECT it.stage AS stage, count(*) AS n{''.join(', ' + t for t in totals)} "
              f"FROM {counting.from_clause()} WHERE {' AND '.join(conditions)} GROUP BY it.stage")
    ranking = ItemSource(project, spec.process, now, source)
    key, direction = sort_key(ranking, spec.sort)
    filters = " AND ".join([conditions[0], *(ranking.condition(t) for t in (spec.where, where) if t)])
    tops = [f"(SELECT it.id AS id, it.stage AS stage, {key} AS k FROM {ranking.from_clause()} "
            f"WHERE {filters} AND it.stage = {exp.Literal.string(stage).sql('duckdb')} "
            f"ORDER BY k {direction} NULLS LAST, it.id LIMIT {int(limit)})" for stage in spec.pipeline.stages]
    cards = ItemSource(project, spec.process, now, source)
    values = [f"{cards.field(name)} AS c{i}" for i, name in enumerate(spec.card)]
    if shadows is not None:
        values += [f"{cards.field(name)} AS v{i}" for i, name in enumerate(_title_names(spec.process))]
    select = ", ".join(["c.stage", "c.n", *(f"c.t{i}" for i in range(len(totals))), "it.id", "it.title", *values])
    return (f"WITH {shadows + ', ' if shadows else ''}counts AS ({counts}), top AS ({' UNION ALL '.join(tops)}) "
            f"SELECT {select} FROM counts c LEFT JOIN top t ON t.stage = c.stage "
            f"LEFT JOIN {source} it ON it.id = t.id {cards.joins()} "
            f"ORDER BY c.stage, t.k {direction} NULLS LAST, t.id")


def _title_names(process: Process) -> list[str]:
    """The item fields a process's title template reads."""
    if not process.title:
        return []
    return sorted(template_names(process.title) & set(item_fields(process)))


def _columns(spec: BoardSpec, rows: list[tuple], as_of: bool) -> list[Column]:
    empty = {name: 0 if agg in ("sum", "count") else None for name, agg in spec.totals.items()}
    columns = {name: Column(name, stage.label or name, stage.kind, totals=dict(empty))
               for name, stage in spec.pipeline.stages.items()}
    n_totals, n_card = len(spec.totals), len(spec.card)
    title_names = _title_names(spec.process) if as_of else []
    for row in rows:
        stage, count = row[0], row[1]
        column = columns.get(stage)
        if column is None:  # a stage the definitions no longer have: counted, at the end
            column = columns[stage] = Column(stage, stage, "open")
        column.count = count
        column.totals = dict(zip(spec.totals, row[2:2 + n_totals], strict=True))
        item, title = row[2 + n_totals:4 + n_totals]
        if item is None:
            continue
        base = 4 + n_totals
        fields = dict(zip(spec.card, row[base:base + n_card], strict=True))
        if as_of:
            title = _render_title(spec.process, dict(zip(title_names, row[base + n_card:], strict=True)), item)
        column.cards.append(Card(item, title or f"#{item}", fields))
    return list(columns.values())


def _render_title(process: Process, values: dict[str, Any], item: int) -> str:
    try:
        return render(process.title, values) if process.title else f"#{item}"
    except TemplateError:
        return f"#{item}"
