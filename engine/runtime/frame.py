"""A frame: the rows an action list runs over, and how expressions read them.

Every action works on a *match table*, a temp table with one row per item:
``rn`` (row number), ``id`` (the item, NULL for a rule without a process),
``src`` (the outer item in ``update``), ``task`` (the task of a task
trigger), ``now_at`` (the moment the row fires, for time triggers and
batched events), ``ev`` (in a batch, the event the row belongs to) and one
``as_<name>`` column per ``create … as: name``. The :class:`FrameResolver`
turns the names an expression reads into columns of joined tables and records
the joins the statement needs.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

from sqlglot import exp

from ..definitions.model import EventType, FieldDef, Process, Project
from ..expressions import Scope, Type, check, parse, to_sql
from ..store.names import column, items_table, quote

EVENT_TABLE = "ctx_event"
NOW_TABLE = "rd_now"
"""A one-row table of the running unit: its "now" (``now_at``) and who acts (``actor``, ``actor_roles``)."""
NOW_VARIABLE = "rd_now_at"
"""A session variable holding the running unit's "now": statements read it, so their text never holds a time.

A variable, not a one-row table: DuckDB binds ``getvariable`` as a constant, where a scalar subquery inside
``COALESCE(m.now_at, …)`` is evaluated as a join (7x slower over 200k rows).
"""
NOW_SQL = f"getvariable('{NOW_VARIABLE}')"
ACTOR_SQL = {"actor": {True: f"(SELECT actor FROM {NOW_TABLE})", False: "CAST(NULL AS VARCHAR)"},
             "actor_roles": {True: f"(SELECT actor_roles FROM {NOW_TABLE})", False: "CAST(NULL AS VARCHAR[])"}}
"""Who acts, read from the running unit's :data:`NOW_TABLE` (outside a run: nobody)."""


@lru_cache(maxsize=4096)
def _literal_sql(kind: type, value: object) -> str:
    return exp.convert(value).sql("duckdb")


def literal_sql(value: object) -> str:
    """A YAML scalar (string, number, bool, None) as SQL, rendered once per value.

    >>> literal_sql("it's")
    "'it''s'"
    """
    if isinstance(value, list | dict):
        return exp.convert(value).sql("duckdb")
    return _literal_sql(type(value), value)


def timestamp_sql(value: dt.datetime) -> exp.Expression:
    """A TIMESTAMPTZ literal for an aware datetime (our value, never user text)."""
    return exp.Cast(this=exp.Literal.string(value.isoformat(sep=" ")), to=exp.DataType.build("timestamptz"))


@dataclass
class Frame:
    """What one action list runs over."""

    project: Project
    match: str
    process: Process | None
    now: dt.datetime
    source: Process | None = None
    event: EventType | None = None
    has_event: bool = False
    task: bool = False
    per_row_now: bool = False
    batched: bool = False
    created: dict[str, Process] = field(default_factory=dict)
    now_table: bool = False
    """Read "now" from :data:`NOW_VARIABLE` (inside a run) instead of writing it into the statement."""
    created_tasks: dict[str, str] = field(default_factory=dict)
    """Task kinds made by ``task … as: NAME`` (name -> kind); the match table's ``as_<name>`` holds the task id."""
    task_kind: tuple[str, str] | None = None
    """(process, task name) of a task trigger: its form's fields are readable as ``task.NAME``."""
    each: dict[str, FieldDef] = field(default_factory=dict)
    """Elements of ``for_each … as: NAME`` (name -> the list field, of records or many-valued); the match table's
    ``each_<name>`` holds one, ``each_<name>_index`` its position from 0."""

    def task_definition(self):
        """The :class:`TaskKind` of a task trigger, or None."""
        if self.task_kind is None:
            return None
        process = self.project.processes.get(self.task_kind[0])
        return process.tasks.get(self.task_kind[1]) if process is not None else None

    def scope(self, **extra: dict[str, Type]) -> Scope:
        """The names expressions may read here, with their types (as validation saw them)."""
        from ..definitions.scopes import TASK_FIELDS, element_fields, event_fields, item_fields, rule_fields

        namespaces: dict[str, dict[str, Type]] = {}
        if self.has_event:
            namespaces["event"] = event_fields(self.event)
        if self.task:
            namespaces["task"] = task_namespace(self.task_definition()) if self.task_kind else dict(TASK_FIELDS)
        if self.source is not None:
            namespaces["source"] = item_fields(self.source)
        for name, process in self.created.items():
            namespaces[name] = item_fields(process)
        for name in self.created_tasks:
            namespaces[name] = task_row_namespace()
        for name, declared in self.each.items():
            namespaces[name] = element_fields(declared)
        namespaces.update(extra)
        return Scope(rule_fields(self.process), namespaces, lookups=frame_lookups(self.project),
                     processes=frame_processes(self.project))

    def now_sql(self) -> str:
        """SQL for "now" on a row of the match table: the row's own moment, else the run's."""
        literal = NOW_SQL if self.now_table else timestamp_sql(self.now).sql("duckdb")
        return f"COALESCE(m.now_at, {literal})" if self.per_row_now else literal

    def signature(self) -> tuple:
        """What an expression compiled over this frame depends on (not its match table's name nor its now)."""
        return (self.process.name if self.process else None, self.source.name if self.source else None,
                self.event.name if self.event else None, self.has_event, self.task, self.per_row_now,
                self.batched, self.now_table, tuple((n, p.name) for n, p in self.created.items()), self.task_kind,
                tuple(self.created_tasks.items()), tuple(self.each))

    def nested(self, **changes) -> Frame:
        """A copy with some attributes changed."""
        values = {**self.__dict__, **changes}
        values["created"] = dict(values["created"])
        values["created_tasks"] = dict(values["created_tasks"])
        values["each"] = dict(values["each"])
        return Frame(**values)


class FrameResolver:
    """Resolves expression names against a frame, collecting the joins they need."""

    def __init__(self, frame: Frame, extra: dict[str | None, dict[str, exp.Expression]] | None = None,
                 extra_key: tuple | None = None):
        self.frame = frame
        self.joins: dict[str, str] = {}
        self.extra = extra or {}
        self.extra_key = extra_key
        """Identifies ``extra`` for the compile cache; without it an expression over extras is compiled anew."""
        self.base = f"{frame.match} m"
        """The first table of the FROM clause, aliased ``m``."""

    def over_items(self, process: Process) -> None:
        """Read the items table itself as ``m`` (and as ``it``): no join of the table with itself.

        In a batch every item is paired with every event (``ev``): the rule's condition, which pins the
        items an event reaches (``id = event.FIELD``), makes that a join.
        """
        items = quote(items_table(process.name))
        if self.frame.batched:
            self.base = (f"{items} it CROSS JOIN {EVENT_TABLE} ev CROSS JOIN LATERAL (SELECT it.id AS id, "
                         "NULL::BIGINT AS task, ev.now_at AS now_at, ev.ev AS ev) m")
            self.joins["ev"] = ""
        else:
            self.base = (f"{items} it CROSS JOIN LATERAL (SELECT it.id AS id, "
                         "NULL::BIGINT AS task, NULL::TIMESTAMPTZ AS now_at, NULL::BIGINT AS ev) m")
        self.joins["it"] = ""

    def signature(self) -> tuple | None:
        """What compiling an expression here depends on besides its text and scope (None: do not cache)."""
        if self.extra and self.extra_key is None:
            return None
        return (type(self).__name__, self.frame.signature(), self.extra_key, self.base == f"{self.frame.match} m")

    def now(self) -> exp.Expression:
        run_now = exp.maybe_parse(NOW_SQL) if self.frame.now_table else timestamp_sql(self.frame.now)
        if self.frame.per_row_now:
            return exp.Coalesce(this=exp.column("now_at", table="m"), expressions=[run_now])
        return run_now

    def column(self, namespace: str | None, name: str) -> exp.Expression:
        if name in self.extra.get(namespace, {}):
            return self.extra[namespace][name].copy()
        if namespace is None:
            if name in ACTOR_SQL and (self.frame.process is None or name not in self.frame.process.fields):
                return exp.maybe_parse(ACTOR_SQL[name][self.frame.now_table])
            return self.item_column("it", self.frame.process, "m.id", name)
        if namespace == "source":
            return self.item_column("src", self.frame.source, "m.src", name)
        if namespace == "event":
            self.joins.setdefault("ev", f"JOIN {EVENT_TABLE} ev ON ev.ev = m.ev" if self.frame.batched
                                  else f"CROSS JOIN {EVENT_TABLE} ev")
            return column("ev", name)
        if namespace == "task":
            self.joins["tk"] = "LEFT JOIN rd_tasks tk ON tk.id = m.task"
            form = self.frame.task_definition().form if self.frame.task_kind else None
            if form is not None and name in form.fields.fields:
                from .task_form_sql import form_value_sql

                return form_value_sql("tk", form.fields.fields[name])
            return column("tk", name)
        if namespace in self.frame.created_tasks:
            alias = f"as_{namespace}"
            self.joins.setdefault(alias, f"LEFT JOIN rd_tasks {quote(alias)} ON {quote(alias)}.id = m.{quote(alias)}")
            return column(alias, name)
        if namespace in self.frame.created:
            alias = f"as_{namespace}"
            return self.item_column(alias, self.frame.created[namespace], f"m.{quote(alias)}", name)
        if namespace in self.frame.each:
            declared = self.frame.each[namespace]
            if name == "index" and name not in (declared.of or {}):
                return column("m", f"each_{namespace}_index")
            if declared.type != "list":  # a plain value: NAME.value
                return column("m", f"each_{namespace}")
            return exp.func("struct_extract", column("m", f"each_{namespace}"), exp.Literal.string(name))
        raise KeyError(f"{namespace}.{name}")

    def open_task(self, name: str) -> exp.Expression:
        """``has_open_task(name)`` for the frame's item."""
        if self.frame.process is None:
            return exp.false()
        return open_task_sql(self.column(None, "id"), self.frame.process.name, name)

    def deref(self, ref: exp.Expression, process: str, name: str) -> exp.Expression:
        """Field ``name`` of the ``process`` item ``ref`` points to: a LEFT JOIN of its table, one per ref read.

        The alias is named after the ref's SQL, so every expression of a statement reading the same ref
        shares one join, and a chain (``device.client.name``) joins each table once, in order.
        """
        key, target = ref.sql("duckdb"), self.frame.project.processes[process]
        alias = ref_alias(process, key)
        value = self.item_column(alias, target, key, name)
        declared = target.fields.get(name)
        if name == "stage_kind" or (declared is not None and (declared.compute or declared.rollup)):
            # computed values have defaults (a count is 0, coalesce(…) a fallback): no item, no value
            missing = exp.Is(this=column(alias, "id"), expression=exp.Null())
            value = exp.Case(ifs=[exp.If(this=missing, true=exp.Null())], default=value)
        return value

    def item_column(self, alias: str, process: Process | None, key: str, name: str) -> exp.Expression:
        """A field of an item joined as ``alias``: a column, a stage kind, or an inlined computed/rollup."""
        if process is None:
            raise KeyError(name)
        self.joins.setdefault(alias, f"LEFT JOIN {quote(items_table(process.name))} {quote(alias)} "
                                     f"ON {quote(alias)}.id = {key}")
        if name == "stage_kind":
            return stage_kind_sql(process, alias)
        declared = process.fields.get(name)
        if declared is not None and declared.compute is not None:
            return typed(self.computed(alias, process, declared.compute), declared)
        if declared is not None and declared.rollup is not None:
            return typed(rollup_sql(self.frame, alias, declared.rollup), declared)
        return column(alias, name)

    def computed(self, alias: str, process: Process, text: str) -> exp.Expression:
        inner = _AliasResolver(self, alias, process)
        return exp.Paren(this=compile_expression(text, inner, item_scope(process, self.frame.project)))

    def from_clause(self) -> str:
        """``m`` and every join the compiled expressions asked for."""
        return " ".join([self.base, *(join for join in self.joins.values() if join)])


class _AliasResolver:
    """Reads bare names as fields of an already-joined alias (computed fields, rollup filters)."""

    def __init__(self, outer: FrameResolver, alias: str, process: Process, joined: bool = True):
        self.outer, self.alias, self.process = outer, alias, process
        self.joined = joined
        """Whether ``alias`` is in the outer statement's FROM (a computed field), not inside a subquery (a rollup)."""

    def deref(self, ref: exp.Expression, process: str, name: str) -> exp.Expression:
        """A joined alias's refs join in the outer statement; inside a rollup's subquery, a scalar subquery."""
        if self.joined:
            return self.outer.deref(ref, process, name)
        target = self.outer.frame.project.processes[process]
        alias = ref_alias(process, ref.sql("duckdb"))
        value = _AliasResolver(self.outer, alias, target, joined=False).column(None, name)
        return exp.Subquery(this=exp.select(value).from_(f"{quote(items_table(process))} {quote(alias)}")
                            .where(exp.EQ(this=column(alias, "id"), expression=ref)))

    def now(self) -> exp.Expression:
        return self.outer.now()

    def open_task(self, name: str) -> exp.Expression:
        return open_task_sql(column(self.alias, "id"), self.process.name, name)

    def column(self, namespace: str | None, name: str) -> exp.Expression:
        if namespace is not None:
            return self.outer.column(namespace, name)
        if name == "stage_kind":
            return stage_kind_sql(self.process, self.alias)
        declared = self.process.fields.get(name)
        if declared is not None and declared.compute is not None:
            return typed(exp.Paren(this=compile_expression(declared.compute, self,
                                                           item_scope(self.process, self.outer.frame.project))),
                         declared)
        if declared is not None and declared.rollup is not None:
            return typed(rollup_sql(self.outer.frame, self.alias, declared.rollup), declared)
        return column(self.alias, name)


def typed(value: exp.Expression, declared) -> exp.Expression:
    """A computed or rollup value as its declared type: a decimal stays DECIMAL(18,scale).

    Division and ``avg`` give DOUBLE in SQL; without the cast a decimal field would
    show ``2220000.0`` or ``12383333.333333334`` in titles, documents and comparisons.
    """
    if declared.type != "decimal" or declared.many:
        return value
    return exp.Cast(this=value, to=exp.DataType.build(f"DECIMAL(18, {int(declared.scale)})"))


def item_scope(process: Process, project: Project | None = None) -> Scope:
    """The names a computed field, a rollup filter or a stage check reads (``lookup()`` too, given the project)."""
    from ..definitions.scopes import item_fields

    if project is None:
        return Scope(item_fields(process))
    return Scope(item_fields(process), lookups=frame_lookups(project), processes=frame_processes(project))


def stage_kind_sql(process: Process, alias: str) -> exp.Expression:
    """``CASE`` mapping (pipeline, stage) to the stage's kind."""
    ifs = []
    for pipeline in process.pipelines.values():
        for stage in pipeline.stages.values():
            condition = exp.and_(exp.EQ(this=column(alias, "pipeline"), expression=exp.Literal.string(pipeline.name)),
                                 exp.EQ(this=column(alias, "stage"), expression=exp.Literal.string(stage.name)))
            ifs.append(exp.If(this=condition, true=exp.Literal.string(stage.kind)))
    return exp.Case(ifs=ifs, default=exp.Literal.string("open"))


_AGGREGATES = {"sum": "SUM", "min": "MIN", "max": "MAX", "avg": "AVG"}
_rollup_counter = [0]


def rollup_sql(frame: Frame, alias: str, spec: dict) -> exp.Expression:
    """A correlated subquery aggregating the linked items of ``spec['process']``."""
    child = frame.project.processes[spec["process"]]
    _rollup_counter[0] += 1
    inner = f"r{_rollup_counter[0]}"
    resolver = _AliasResolver(FrameResolver(frame), inner, child, joined=False)
    scope = item_scope(child, frame.project)
    conditions = [f"{quote(inner)}.{quote(spec['link'])} = {quote(alias)}.id"]
    if spec.get("where"):
        conditions.append(compile_expression(spec["where"], resolver, scope).sql("duckdb"))
    if spec.get("count"):
        value = "COUNT(*)"
    elif "all" in spec or "any" in spec:
        kind = "all" if "all" in spec else "any"
        body = compile_expression(spec[kind], resolver, scope).sql("duckdb")
        value = f"COALESCE(BOOL_AND({body}), TRUE)" if kind == "all" else f"COALESCE(BOOL_OR({body}), FALSE)"
    else:
        agg = next(k for k in _AGGREGATES if k in spec)
        target = resolver.column(None, spec[agg]).sql("duckdb")
        value = f"COALESCE({_AGGREGATES[agg]}({target}), 0)" if agg == "sum" else f"{_AGGREGATES[agg]}({target})"
    sql = (f"(SELECT {value} FROM {quote(items_table(child.name))} {quote(inner)} "
           f"WHERE {' AND '.join(conditions)})")
    return exp.maybe_parse(sql, dialect="duckdb")




def _scope_key(scope: Scope) -> tuple:
    return (tuple(sorted(scope.fields.items())),
            tuple(sorted((ns, tuple(sorted(names.items()))) for ns, names in scope.namespaces.items())),
            scope.allow_now,
            tuple(sorted((n, k, tuple(sorted(c.items()))) for n, (k, c) in scope.lookups.items())),
            _processes_key(scope.processes))


@lru_cache(maxsize=4096)
def _checked(text: str, scope_key: tuple, expect: Type | None):
    fields, namespaces, allow_now, lookups, processes = scope_key
    expr = parse(text)
    check(expr, Scope(dict(fields), {ns: dict(names) for ns, names in namespaces}, allow_now,
                      {n: (k, dict(c)) for n, k, c in lookups}, _PROCESS_TYPES[processes] if processes else {}),
          expect)
    return expr


def compile_expression(text: str, resolver, scope: Scope, expect: Type | None = None) -> exp.Expression:
    """Parse, check (both cached per text and scope) and compile an expression from a validated definition."""
    return to_sql(_checked(text, _scope_key(scope), expect), resolver)


def compile_sql(text: str, resolver: FrameResolver, scope: Scope, expect: Type | None = None) -> str:
    """An expression's SQL text, compiled once per (text, scope, resolver signature) and then reused.

    The text of a compiled expression depends on the frame's shape only (its
    match table is always ``m``, "now" is read from :data:`NOW_VARIABLE`), so the
    hot path joins cached text and never parses, checks or renders again. The
    joins it needs are remembered with it and added to the resolver on reuse.
    The text is kept with the project (:attr:`Project.compiled_sql`): another
    project's computed fields of the same name compile differently.
    """
    signature = resolver.signature()
    key = (text, expect, _scope_key(scope), signature) if signature is not None else None
    cache = resolver.frame.project.compiled_sql
    found = cache.get(key) if key is not None else None
    if found is None:
        probe = copy.copy(resolver)
        probe.joins = {}
        sql = compile_expression(text, probe, scope, expect).sql("duckdb")
        found = (sql, probe.joins)
        if key is not None:
            cache[key] = found
    sql, joins = found
    for alias, join in joins.items():
        resolver.joins.setdefault(alias, join)
    return sql


def expression_type(text: str, scope: Scope, expect: Type | None = None) -> Type:
    """The type of an expression from a validated definition (parsed and checked once per text and scope)."""
    from ..expressions._nodes import TYPE_KEY

    return _checked(text, _scope_key(scope), expect).tree.meta[TYPE_KEY]


def task_namespace(kind) -> dict[str, Type]:
    """The ``task.`` names of a task trigger's frame: the task's columns and its kind's form fields."""
    from ..definitions.scopes import task_fields

    return task_fields(kind)


def task_row_namespace() -> dict[str, Type]:
    """What ``NAME.`` reads of a task made by ``task … as: NAME``."""
    from ..definitions.scopes import TASK_ROW_FIELDS

    return dict(TASK_ROW_FIELDS)


def open_task_sql(item: exp.Expression, process: str, name: str) -> exp.Expression:
    """``EXISTS`` an open task of kind ``name`` on ``item`` (a process's item id); literals, never pasted text."""
    conditions = exp.and_(
        exp.EQ(this=exp.column("process", table="ot"), expression=exp.Literal.string(process)),
        exp.EQ(this=exp.column("item", table="ot"), expression=item),
        exp.EQ(this=exp.column("name", table="ot"), expression=exp.Literal.string(name)),
        exp.EQ(this=exp.column("status", table="ot"), expression=exp.Literal.string("open")))
    return exp.Exists(this=exp.select("1").from_(exp.alias_(exp.table_("rd_tasks"), "ot", table=True))
                      .where(conditions))


def ref_alias(process: str, ref_sql: str) -> str:
    """The alias of the ``process`` item a ref points to, from the ref's SQL (a valid, quoted-safe name)."""
    return f"ref_{process}_{hashlib.sha1(ref_sql.encode()).hexdigest()[:8]}"


_PROCESS_TYPES: dict[str, dict] = {}
"""Process types by digest: compiled expressions' cache keys hold the digest, not every process's fields."""


def frame_processes(project: Project) -> dict:
    """What a ref field's ``.`` reaches in expressions: every process's fields (worked out once per project)."""
    from ..definitions.scopes import process_types

    return process_types(project)


def _processes_key(processes) -> str | None:
    """A digest naming a scope's process types (registered in :data:`_PROCESS_TYPES` for :func:`_checked`)."""
    if not processes:
        return None
    digest = getattr(processes, "digest", None)
    if digest is None:
        digest = hashlib.sha1(repr(sorted((n, sorted(f.items())) for n, f in processes.items())).encode()).hexdigest()
        if hasattr(processes, "__dict__"):
            processes.digest = digest  # a ProcessTypes: worked out once
        _PROCESS_TYPES.setdefault(digest, processes)
    return digest


def frame_lookups(project: Project) -> dict:
    """The lookups ``lookup()`` reads in a rule's expressions."""
    from ..definitions.scopes import lookup_types

    found = project.compiled_sql.get(("lookup_types",))  # kept with the project's compiled SQL: worked out once
    if found is None:
        found = project.compiled_sql[("lookup_types",)] = lookup_types(project)  # type: ignore[assignment]
    return found  # type: ignore[return-value]
