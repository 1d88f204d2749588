"""Prepare every statement: the SQL the engine builds for a project, bound by DuckDB against its empty schema.

The expression checks prove each expression well-typed; this stage proves the
statements built from them run. One in-memory database per project gets the
project's tables (:func:`~...store.migrate.migrate`); every rule is then
selected and its actions applied by the engine's own code over empty match
tables, in the frames they run in at ingest (``create … as:`` names, ``update``
frames, ``event.`` and ``task.``), so the SQL checked is the SQL that runs –
and, compiled once, what the first event reuses. Nested ``update`` actions and
a task's comment, which an empty frame would skip, are prepared explicitly; so
are computed and rollup fields, titles and stage requirements.

When a statement fails, the failing part is looked for by preparing the
action again one value at a time, so the finding names it: ``rules.x.then[1].
link.match.serial``. Runs only on a project without other errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from ...definitions.model import Action, Loc, Process, Project, Rule
from ..report import Report
from ..schema import format_path

if TYPE_CHECKING:
    from ...runtime.frame import Frame
    from ...runtime.run import Run

PREPARE_NOW = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
_NO_ITEMS = "(SELECT NULL::BIGINT AS id, NULL::BIGINT AS task, NULL::TIMESTAMPTZ AS now_at, NULL::BIGINT AS ev)"
_NO_IDS = "SELECT NULL::BIGINT AS id WHERE FALSE"
_SKIPPED = frozenset({"run", "notify", "document"})
"""Prepared elsewhere: a called rule on its own; messages and documents read items as titles do."""
_PARTS = {"set": ("set",), "append": ("append",), "create": ("create", "set"), "schedule": ("schedule", "set"),
          "link": ("link", "match")}
"""Where an action keeps one value per name: preparing it again with one of them finds the failing one."""


def check_prepared(report: Report) -> None:
    """Every rule, action, computed field, title and stage requirement builds SQL the database accepts."""
    from ...runtime.compiled import CompiledProject
    from ...store.database import connect
    from ...store.migrate import migrate

    project = report.project
    con = connect(":memory:", project.timezone)
    try:
        con.execute("SET threads = 1")  # binding is single-threaded work: spare the thread pool's overhead
        migrate(con, project)
        con.execute(f"CREATE TEMP TABLE rd_prep_source AS SELECT * FROM {_NO_ITEMS} WHERE FALSE")
        run = _run(con, CompiledProject.build(project))
        for process in project.processes.values():
            _prepare_process(report, run, process)
        events: list[str | None] = [None]
        for rule in sorted(project.rules.values(), key=lambda r: str(_event_type(project, r))):
            _prepare_rule(report, run, rule, events)
        run.bind_pending()
    finally:
        con.close()


def _failure(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return text or type(exc).__name__


def _report(report: Report, loc: Loc, owner: str, exc: Exception, hint: str = "") -> None:
    element = format_path(loc.path)
    report.error(loc, "E-SQL", f"{owner}, {element}: the database cannot run it: {_failure(exc)}",
                 hint or "this construct does not compile; write it another way, or report it as a bug")


def _attempt(run_it: Callable[[], object]) -> Exception | None:
    try:
        run_it()
    except Exception as exc:  # noqa: BLE001 - any failure here is a definition that would fail at run time
        return exc
    return None


# -- processes -------------------------------------------------------------------------------------------------

def _run(con, compiled) -> Run:
    """A run whose change and staging tables are only described: over empty frames nothing reads them.

    Those descriptions are kept and bound together, many in one statement
    (a ``UNION ALL`` binds at a third of the cost of one statement each); a
    failure is then looked for one statement at a time. Match tables are
    made at once, empty, of the shape their statement gives: later statements
    read them.
    """
    from ...runtime.run import Cause, Run
    from ...store.names import quote

    class PrepareRun(Run):
        pending: list[tuple[str, list, Callable[[Exception], None]]]
        on_failure: Callable[[Exception], None] | None = None
        """Where a kept statement's failure is reported; None: run each statement at once."""

        def create_temp(self, select_sql: str, prefix: str = "t", params: list | None = None) -> tuple[str, int]:
            name = self.temp_name(prefix)
            if prefix != "m" and self.on_failure is not None:
                self.pending.append((select_sql, list(params or []), self.on_failure))
                return name, 0
            columns = self.con.execute(f"DESCRIBE {select_sql}", params or []).fetchall()
            if prefix == "m":
                body = ", ".join(f"{quote(column)} {kind}" for column, kind, *_ in columns)
                self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({body})")
            return name, 0

        def bind_pending(self) -> None:
            """Bind the kept statements; report each that fails."""
            pending, self.pending = self.pending, []
            if not pending:
                return
            union = " UNION ALL ".join(f"SELECT count(*) FROM ({sql}) q" for sql, _, _ in pending)
            if _attempt(lambda: self.con.execute(f"DESCRIBE {union}", [p for _, ps, _ in pending for p in ps])):
                for sql, params, report_failure in pending:
                    exc = _attempt(lambda q=sql, ps=params: self.con.execute(f"DESCRIBE {q}", ps))
                    if exc is not None:
                        report_failure(exc)

    run = PrepareRun(con, compiled, PREPARE_NOW, Cause("validate", compiled.project.name))
    run.pending = []
    return run


def _prepare_process(report: Report, run: Run, process: Process) -> None:
    from ...runtime.frame import Frame
    from ...runtime.refusals import check_entered
    from ...runtime.titles import item_values_sql, refresh_titles

    con = run.con
    frame = Frame(run.project, "rd_prep_source", process, PREPARE_NOW, now_table=True)
    owner = f"process '{process.name}'"
    derived = [d for d in process.fields.values() if d.compute is not None or d.rollup is not None]
    every = {d.name for d in derived}
    if derived and _attempt(lambda: con.execute(f"DESCRIBE {item_values_sql(frame, process, _NO_IDS, every)}")):
        for declared in derived:
            key = "compute" if declared.compute is not None else "rollup"
            exc = _attempt(lambda d=declared: con.execute(
                f"DESCRIBE {item_values_sql(frame, process, _NO_IDS, {d.name})}"))
            if exc is not None:
                _report(report, declared.loc.at(key), owner, exc)
    if process.title:
        exc = _attempt(lambda: refresh_titles(con, frame, process, _NO_IDS))
        if exc is not None:
            _report(report, process.loc.at("title"), owner, exc)
    if any(stage.require for pipeline in process.pipelines.values() for stage in pipeline.stages.values()):
        table = "rd_prep_entered"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} (id BIGINT, now_at TIMESTAMPTZ, old_stage VARCHAR, "
                    "new_stage VARCHAR)")
        for changed_only in (False, True):
            exc = _attempt(lambda c=changed_only: check_entered(run, process, table, c))
            if exc is not None:
                _report(report, _first_require(process), owner, exc)
                break


def _first_require(process: Process) -> Loc:
    for pipeline in process.pipelines.values():
        for stage in pipeline.stages.values():
            if stage.require:
                return stage.loc.at("require")
    return process.loc


# -- rules -------------------------------------------------------------------------------------------------------

def _event_type(project: Project, rule: Rule) -> str | None:
    value = rule.trigger.value
    return value if rule.trigger.kind == "event" and value in project.event_types else None


def _prepare_rule(report: Report, run: Run, rule: Rule, events: list[str | None]) -> None:
    """Select the rule's items and apply its actions; ``events`` holds the event type ``ctx_event`` is made for."""
    project: Project = run.project
    trigger = rule.trigger.kind
    run.event_type = event_type = _event_type(project, rule)
    owner = f"rule '{rule.name}'"
    if event_type is not None and events[0] != event_type:
        run.bind_pending()  # the statements kept read the event table about to be replaced
        _event_table(run.con, project, event_type)
        events[0] = event_type
    source = None if rule.process and trigger in ("event", "cron") else "(SELECT * FROM rd_prep_source)"
    selected: list[Frame] = []
    exc = _attempt(lambda: selected.append(run.select_items(rule, source)[0]))
    if exc is not None:
        _report(report, rule.loc.at("if") if rule.condition is not None else rule.loc, owner, exc)
        return
    _prepare_actions(report, run, rule, rule.actions, selected[0], owner)


def _event_table(con, project: Project, event_type: str) -> None:
    from ...runtime.frame import EVENT_TABLE
    from ...store.names import quote
    from ...store.types import sql_type

    columns = ["NULL::VARCHAR AS id", "NULL::VARCHAR AS type", "NULL::TIMESTAMPTZ AS time"]
    columns += [f"CAST(NULL AS {sql_type(f)}) AS {quote(name)}"
                for name, f in project.event_types[event_type].fields.items()]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {EVENT_TABLE} AS SELECT {', '.join(columns)}")


def _prepare_actions(report: Report, run: Run, rule: Rule, actions: list[Action], frame: Frame, owner: str) -> None:
    for action in actions:
        if action.kind == "update":
            inner: list[Frame] = []
            exc = _attempt(lambda a=action, into=inner: into.append(_related(run, a, frame)))
            if exc is not None:
                where = "where" in (action.spec or {})
                _report(report, action.loc.at("update", "where") if where else action.loc.at("update"), owner, exc)
            else:
                _prepare_actions(report, run, rule, action.children, inner[0], owner)
            continue
        if action.kind == "for_each":
            elements: list[Frame] = []
            exc = _attempt(lambda a=action, into=elements: into.append(_elements(run, a, frame)))
            if exc is not None:
                _report(report, action.loc.at("for_each", "in"), owner, exc)
            else:
                _prepare_actions(report, run, rule, action.children, elements[0], owner)
            continue
        failed = _reporter(report, run, rule, action, frame.nested(), owner)
        run.on_failure = failed
        try:
            exc = _attempt(lambda a=action: _prepare_action(run, rule, a, frame))
        finally:
            run.on_failure = None
        if exc is not None:
            failed(exc)
        if action.kind == "create" and isinstance(action.spec.get("as"), str):
            _remember(run, frame, action.spec["as"], run.project.processes[action.spec["process"]])


def _reporter(report: Report, run: Run, rule: Rule, action: Action, frame: Frame,
              owner: str) -> Callable[[Exception], None]:
    """Reports a failure of ``action`` at its failing value (``frame``: as the action saw it)."""
    def failed(exc: Exception) -> None:
        _report(report, _blame(run, rule, action, frame) or action.loc.at(action.kind), owner, exc)

    return failed


def _prepare_action(run: Run, rule: Rule, action: Action, frame: Frame) -> None:
    """What the action does over an empty frame, plus what that would skip."""
    from ...runtime.actions import ACTIONS

    if action.kind in _SKIPPED:
        return
    ACTIONS[action.kind](run, rule, action, frame, 0)
    if action.kind == "task" and isinstance(action.spec, dict) and action.spec.get("comment"):
        _explain_value(run, frame, action.spec["comment"])


def _related(run: Run, action: Action, frame: Frame) -> Frame:
    from ...runtime.actions.flow import related_items

    return related_items(run, action, frame)[0]


def _elements(run: Run, action: Action, frame: Frame) -> Frame:
    from ...runtime.actions.for_each import element_frame

    return element_frame(run, action, frame)[0]


def _explain_value(run: Run, frame: Frame, text: str) -> None:
    from ...expressions import Type
    from ...runtime.frame import FrameResolver, compile_sql

    resolver = FrameResolver(frame)
    value = compile_sql(text, resolver, frame.scope(), Type("text"))
    run.con.execute(f"EXPLAIN SELECT {value} FROM {resolver.from_clause()}")


def _remember(run: Run, frame: Frame, name: str, target: Process) -> None:
    """What ``create … as:`` leaves in the frame when it creates items: a column and a name."""
    from ...store.names import quote

    run.con.execute(f"ALTER TABLE {frame.match} ADD COLUMN IF NOT EXISTS {quote('as_' + name)} BIGINT")
    frame.created[name] = target


def _blame(run: Run, rule: Rule, action: Action, frame: Frame) -> Loc | None:
    """The place of the one value whose statement fails, when the action keeps several."""
    parts = _PARTS.get(action.kind)
    if parts is None:
        return None
    project = run.project
    kept = project.compiled_sql
    project.compiled_sql = {}  # the trial actions are not the project's: keep their SQL out of its cache
    try:
        for name, part in _one_at_a_time(action, parts):
            if _attempt(lambda p=part: _prepare_action(run, rule, p, frame.nested())) is not None:
                return action.loc.at(*parts, name)
    finally:
        project.compiled_sql = kept
    return None


def _one_at_a_time(action: Action, parts: tuple[str, ...]) -> Iterator[tuple[str, Action]]:
    spec = action.spec
    key = parts[-1]
    values = spec.get(key) if len(parts) > 1 else spec
    for name, value in (values or {}).items():
        single = {name: value}
        yield name, replace(action, spec={**spec, key: single} if len(parts) > 1 else single)
