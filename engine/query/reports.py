"""Declared reports: measures over a process's items (or over tasks), grouped by expressions, in one SELECT."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from ..definitions.model import Definition, Project
from ..errors import UsageError
from ..expressions import Scope, Type, check, parse, to_sql
from ..runtime.frame import timestamp_sql
from ..store.names import column, quote
from ..suggest import did_you_mean
from ..validation.checks.presentation import TASK_COLUMNS
from .source import EPOCH, ItemSource, fetch_dicts
from .tasks import overdue_condition

SQL_AGGREGATES = {"sum": "sum", "min": "min", "max": "max", "avg": "avg", "count": "count"}


@dataclass
class ReportResult:
    """A report's rows (dicts keyed by ``columns``), group columns first."""

    name: str
    source: str
    columns: list[str]
    rows: list[dict[str, Any]]


def report_list(project: Project) -> list[dict[str, Any]]:
    """Every declared report: name, what it counts, its filter and its columns."""
    out = []
    for name, definition in project.reports.items():
        spec = definition.spec
        out.append({"name": name, "source": _source_name(spec), "where": spec.get("where"),
                    "columns": [*(spec.get("group_by") or {}), *(spec.get("measures") or {})]})
    return out


def _source_name(spec: dict) -> str:
    return "tasks" if spec.get("source") == "tasks" else f"process {spec.get('process')}"


class _TaskColumns:
    """Resolves report expressions over the tasks table aliased ``t``."""

    def __init__(self, now: dt.datetime):
        self.moment = now

    def now(self) -> exp.Expression:
        return timestamp_sql(self.moment)

    def column(self, namespace: str | None, name: str) -> exp.Expression:
        if name == "overdue":
            return overdue_condition("t", self.now())
        return column("t", name)


class _Compiler:
    """Compiles a report's expressions over its source; knows the FROM clause."""

    def __init__(self, engine, spec: dict):
        now = engine.clock() or EPOCH
        if spec.get("source") == "tasks":
            self.items = None
            self.resolver, self.scope = _TaskColumns(now), Scope(dict(TASK_COLUMNS))
        else:
            self.items = ItemSource(engine.project, engine.project.processes[spec["process"]], now)

    def expression(self, text: str, expect: Type | None = None) -> tuple[str, Type]:
        if self.items is not None:
            return self.items.expression(text, expect)
        expr = parse(text)
        kind = check(expr, self.scope, expect)
        return to_sql(expr, self.resolver).sql("duckdb"), kind

    def from_clause(self) -> str:
        return self.items.from_clause() if self.items is not None else "rd_tasks t"


def report_sql(engine, definition: Definition) -> tuple[str, list[str]]:
    """The statement behind a report and its column names."""
    spec = definition.spec
    compiler = _Compiler(engine, spec)
    where = compiler.expression(spec["where"], Type("bool"))[0] if spec.get("where") else "TRUE"
    groups = dict(spec.get("group_by") or {})
    selects = [f"{compiler.expression(text)[0]} AS {quote(name)}" for name, text in groups.items()]
    for name, measure in (spec.get("measures") or {}).items():
        selects.append(f"{_measure(compiler, measure)} AS {quote(name)}")
    columns = [*groups, *(spec.get("measures") or {})]
    order = [f"{quote(c.lstrip('-'))} {'DESC' if c.startswith('-') else 'ASC'} NULLS LAST"
             for c in spec.get("order_by") or groups]
    sql = f"SELECT {', '.join(selects)} FROM {compiler.from_clause()} WHERE {where}"
    if groups:
        sql += f" GROUP BY {', '.join(str(i) for i in range(1, len(groups) + 1))}"
    if order:
        sql += f" ORDER BY {', '.join(order)}"
    return sql, columns


def _measure(compiler: _Compiler, measure: Any) -> str:
    if measure == "count":
        return "count(*)"
    agg, text = next(iter(measure.items()))
    sql, kind = compiler.expression(str(text))
    if kind.kind == "bool" and agg in ("sum", "avg"):
        sql = f"CAST({sql} AS INTEGER)"
    return f"{SQL_AGGREGATES[agg]}({sql})"


def run_report(engine, name: str) -> ReportResult:
    """The rows of report ``name``."""
    definition = engine.project.reports.get(name)
    if definition is None:
        hint = did_you_mean(name, engine.project.reports)
        raise UsageError(f"no report '{name}'" + (f" ({hint})" if hint else "")
                         + "; 'ruledeck report --list' shows the reports")
    sql, columns = report_sql(engine, definition)
    return ReportResult(name, _source_name(definition.spec), columns, fetch_dicts(engine.con, sql))
