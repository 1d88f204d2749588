"""The SQL a rule runs, for people to read: ``ruledeck compile [RULE]``.

A rule's statements are built from its compiled expressions when it fires,
so the honest way to show them is to fire it: on an empty in-memory
database of the project with one sample item per process (its first stage,
every field a sample value of its type) and, for an event rule, a sample
event likewise. Every statement the engine sends is recorded, the
selection first – its condition is shown as written but the sample item is
taken whatever it says, so the actions' statements show too – then each
action's, and those of the rules it cascades to (with their own
conditions). Nothing is kept: the database is thrown away.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb

from ..definitions.model import FieldDef, Project, Rule
from ..errors import RuledeckError, UsageError
from ..store.database import connect
from ..store.migrate import migrate
from ..store.names import items_table, quote
from ..store.scratch import fresh_database
from ..store.types import stored
from ..suggest import did_you_mean
from .compiled import CompiledProject
from .events import Event
from .run import Cause, Run

SAMPLE_NOW = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
SAMPLE_ITEM = 1


@dataclass
class RuleStatements:
    """The statements one rule ran on the sample, in order, and where it stopped if it did."""

    rule: str
    trigger: str
    process: str | None
    statements: list[tuple[str, str]] = field(default_factory=list)
    """(the rules that led to it, joined by ``>``; the statement), in the order they ran."""
    stopped: str | None = None


class _Recorder:
    """A connection that records every statement it is given, then runs it."""

    def __init__(self, con: duckdb.DuckDBPyConnection, rule: str):
        self._con = con
        self.rule = rule
        self.run: Run | None = None
        self.statements: list[tuple[str, str]] = []

    def execute(self, sql: str, params: Any = None):
        chain = " > ".join(self.run.label()) if self.run is not None else self.rule
        self.statements.append((chain, " ".join(sql.split())))
        return self._con.execute(sql, params or [])

    def __getattr__(self, name: str):
        return getattr(self._con, name)


class _SampleRun(Run):
    """A run that knows which rule a statement belongs to, the selection of a cascaded rule included."""

    selecting: str | None = None

    def label(self) -> tuple[str, ...]:
        chain = self.chain or (self.cause.id,)
        return (*chain, self.selecting) if self.selecting and self.selecting != chain[-1] else chain

    def select_items(self, rule: Rule, *args, **kwargs):
        self.selecting = rule.name
        try:
            return super().select_items(rule, *args, **kwargs)
        finally:
            self.selecting = None


def rule_statements(project: Project, names: list[str] | None = None, database: str | None = None,
                    dialect: str = "duckdb") -> list[RuleStatements]:
    """The statements of the named rules (all enabled rules when none are named), each fired on a sample.

    ``database``: a ``postgresql://`` URL to fire them on PostgreSQL instead, in a throw-away schema
    (the statements shown are the same DuckDB texts; PostgreSQL runs them as rendered for it).
    ``dialect="postgres"``: show each statement as PostgreSQL is given it (``$1`` parameters).
    """
    results = _rule_statements(project, names, database)
    if dialect == "postgres":
        from ..store.postgres.render import render

        for result in results:
            result.statements = [(chain, ";\n".join(render(sql).statements)) for chain, sql in result.statements]
    return results


def _rule_statements(project: Project, names: list[str] | None, database: str | None) -> list[RuleStatements]:
    names = names or [name for name, rule in project.rules.items() if rule.enabled]
    unknown = [name for name in names if name not in project.rules]
    if unknown:
        hint = did_you_mean(unknown[0], list(project.rules))
        raise UsageError(f"there is no rule '{unknown[0]}'" + (f" ({hint})" if hint else ""))
    compiled = CompiledProject.build(project)
    if database is None:
        return [_fire_on_sample(project, compiled, project.rules[name]) for name in names]
    with fresh_database(database) as url:
        con = connect(url, project.timezone)
        try:
            migrate(con, project)
            _sample_items(con, project)
            return [_fire_rolled_back(con, compiled, project.rules[name]) for name in names]
        finally:
            con.close()


def _trigger(rule: Rule) -> str:
    value = rule.trigger.value
    return f"{rule.trigger.kind}: {', '.join(map(str, value)) if isinstance(value, list) else value}"


def _fire_on_sample(project: Project, compiled: CompiledProject, rule: Rule) -> RuleStatements:
    con = connect(":memory:", project.timezone)
    try:
        migrate(con, project)
        _sample_items(con, project)
        return _fire_rolled_back(con, compiled, rule)
    finally:
        con.close()


def _fire_rolled_back(con: duckdb.DuckDBPyConnection, compiled: CompiledProject, rule: Rule) -> RuleStatements:
    """Fire ``rule`` on the sample items inside a transaction that is rolled back, recording its statements."""
    recorder = _Recorder(con, rule.name)
    result = RuleStatements(rule.name, _trigger(rule), rule.process)
    con.execute("BEGIN TRANSACTION")
    try:
        _fire(recorder, compiled, rule)
    except Exception as exc:  # noqa: BLE001 - the sample may break a rule real data would not: say where
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        result.stopped = text if isinstance(exc, RuledeckError | duckdb.Error) else f"{type(exc).__name__}: {text}"
    finally:
        con.execute("ROLLBACK")
    result.statements = [s for s in recorder.statements if not s[1].startswith("DROP TABLE IF EXISTS")]
    return result


_SAMPLES: dict[str, Any] = {"string": "sample", "text": "sample", "int": 1, "decimal": Decimal("1"), "bool": True,
                            "date": SAMPLE_NOW.date(), "datetime": SAMPLE_NOW, "ref": SAMPLE_ITEM}


def sample_value(declared: FieldDef, project: Project) -> Any:
    """A value of the field's type that its constraints accept as far as a sample can (an enum's first value…)."""
    if declared.type == "list":  # one record of sample values
        return [{name: sample_value(field, project) for name, field in (declared.of or {}).items()}]
    if declared.values:
        value: Any = declared.values[0]
    elif declared.type in ("person", "assignee"):
        value = next(iter(project.people), "sample")
    elif declared.type == "role":
        value = next(iter(project.roles), "sample")
    else:
        value = _SAMPLES.get(declared.type, "sample")
        if declared.min is not None and declared.type in ("int", "decimal") and value < declared.min:
            value = declared.min
    return [value] if declared.many else value


def _sample_items(con: duckdb.DuckDBPyConnection, project: Project) -> None:
    """One item per process, in its first stage, every field filled (the id is the same in every process)."""
    for process in project.processes.values():
        fields = [f for f in process.fields.values() if stored(f)]
        names = "".join(f", {quote(f.name)}" for f in fields)
        marks = ", ?" * len(fields)
        con.execute(f"INSERT INTO {quote(items_table(process.name))} (id, pipeline, stage, created_at, updated_at, "
                    f"stage_entered_at{names}) VALUES (?, ?, ?, ?, ?, ?{marks})",
                    [SAMPLE_ITEM, process.initial_pipeline, process.initial_stage, SAMPLE_NOW, SAMPLE_NOW,
                     SAMPLE_NOW, *(sample_value(f, project) for f in fields)])


def _fire(con: _Recorder, compiled: CompiledProject, rule: Rule) -> None:
    from .ingest import _event_context

    event_type = rule.trigger.value if rule.trigger.kind == "event" else None
    run = _SampleRun(con, compiled, SAMPLE_NOW, Cause("compile", rule.name), event_type=event_type)
    con.run = run
    if event_type is not None:
        fields = compiled.project.event_types[event_type].fields
        payload = {name: sample_value(declared, compiled.project) for name, declared in fields.items()}
        _event_context(con, Event("sample", event_type, SAMPLE_NOW, payload, ""), fields)
    source = None
    if not rule.process:
        source = "(SELECT NULL::BIGINT AS id, NULL::BIGINT AS task, NULL::TIMESTAMPTZ AS now_at, NULL::BIGINT AS ev)"
    frame, count = run.select_items(rule, source)
    if not count and rule.process:
        # The sample is taken whatever the condition says, so that the actions' statements show.
        con._con.execute(f"INSERT INTO {frame.match} (rn, id, src, task, now_at, ev) "
                         "VALUES (1, ?, NULL, NULL, NULL, NULL)", [SAMPLE_ITEM])
    run.run_actions(rule, frame, depth=0)


def pretty_sql(statement: str, dialect: str = "duckdb") -> str:
    """A statement laid out on several lines for reading (as it is when it cannot be laid out)."""
    import sqlglot

    try:
        return ";\n".join(sqlglot.transpile(statement, read=dialect, write=dialect, pretty=True))
    except Exception:  # noqa: BLE001 - layout only: show the statement as the engine sends it
        return statement
