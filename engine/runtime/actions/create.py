"""Actions that create items: ``create`` (one per frame row) and ``schedule`` (one per period row)."""

from __future__ import annotations

import re

from sqlglot import exp

from ...definitions.model import Action, Process, Rule
from ...definitions.scopes import ROW_FIELDS, field_type
from ...expressions import Type
from ...store.names import items_table, period_table, quote
from ...store.types import stored
from ..changes import Change, Created
from ..constraints import check_created
from ..frame import EVENT_TABLE, Frame, FrameResolver, compile_expression, compile_sql, literal_sql
from ..run import BATCH_ITEMS, ActionFailed, Run
from ..titles import refresh_titles
from .columns import stage_pairs
from .fields import NAME
from .lists import element_compiler, list_sql

_PLACEHOLDER = re.compile(r"\{(n(?::0?(\d{1,2}))?|year)\}")


class CreateResolver(FrameResolver):
    """In ``create``/``schedule`` values, ``source.`` is the frame's own item too."""

    def column(self, namespace: str | None, name: str) -> exp.Expression:
        if namespace == "source" and "source" not in self.extra:
            return self.item_column("it", self.frame.process, "m.id", name)
        return super().column(namespace, name)


def next_ids(run: Run, counter: str, count: int) -> int:
    """Reserve ``count`` consecutive numbers of a counter; returns the last one used before them."""
    row = run.con.execute("SELECT value FROM rd_counters WHERE name = ?", [counter]).fetchone()
    base = row[0] if row else 0
    run.con.execute("INSERT OR REPLACE INTO rd_counters VALUES (?, ?)", [counter, base + count])
    return base


def _sequence_sql(run: Run, process: Process, field: str, pattern: str, count: int, staging: str) -> str:
    """SQL numbering the rows of ``staging`` (aliased ``c``) by the field's ``sequence`` pattern.

    A pattern with ``{year}`` counts per year of "now"; in a batch each event's own year (``ctx_event``'s
    ``rd year``), the rows of each year numbered in event order from that year's counter.
    """
    counter = f"sequence.{process.name}.{field}"
    if "{year}" in pattern and run.batched:
        year = f'(SELECT e."rd year" FROM {EVENT_TABLE} e WHERE e.ev = c.ev)'
        counts = run.con.execute(f'SELECT e."rd year", count(*) FROM {staging} c JOIN {EVENT_TABLE} e ON e.ev = c.ev '
                                 "GROUP BY ALL ORDER BY 1").fetchall()
        bases = " ".join(f"WHEN {int(y)} THEN {next_ids(run, f'{counter}.{y}', n)}" for y, n in counts)
        serial = f"(CASE {year} {bases} END + row_number() OVER (PARTITION BY {year} ORDER BY c.\"rd n\"))"
        year_text = f"CAST({year} AS VARCHAR)"
    else:
        year_value = run.now.year
        base = next_ids(run, counter + (f".{year_value}" if "{year}" in pattern else ""), count)
        serial, year_text = f"({base} + c.rn)", f"'{year_value}'"
    parts, last = [], 0
    for match in _PLACEHOLDER.finditer(pattern):
        if match.start() > last:
            parts.append(literal_sql(pattern[last:match.start()]))
        if match.group(1) == "year":
            parts.append(year_text)
        else:
            width = int(match.group(2) or 0)
            number = f"CAST({serial} AS VARCHAR)"
            padded = f"CASE WHEN length({number}) >= {width} THEN {number} ELSE lpad({number}, {width}, '0') END"
            parts.append(padded if width else number)
        last = match.end()
    if last < len(pattern):
        parts.append(literal_sql(pattern[last:]))
    return " || ".join(parts) or "''"


def insert_items(run: Run, rule: Rule, frame: Frame, target: Process, resolver: FrameResolver,
                 values: dict[str, str], depth: int, *, pipeline_sql: str, stage_sql: str | None,
                 extra_from: str = "", where: str = "TRUE", order: str = "m.rn") -> tuple[str, int]:
    """Create one item of ``target`` per selected row; returns the change table (``id``, ``rn``, ``stage``)."""
    # "rd n": a name no field can have (a field 'n' would otherwise be silently renamed and get the number)
    columns = [f'row_number() OVER (ORDER BY {order}) AS "rd n"', "m.rn AS rn", f"({pipeline_sql}) AS pipeline",
               f"{frame.now_sql()} AS now_at", "m.ev AS ev"]
    columns += [f"({sql}) AS {quote(name)}" for name, sql in values.items()]
    if stage_sql is not None:
        columns.append(f'({stage_sql}) AS "rd stage"')  # may read the frame: computed with the values
    staging, count = run.create_temp(
        f"SELECT {', '.join(columns)} FROM {resolver.from_clause()} {extra_from} WHERE {where}", "s")
    if not count:
        return staging, 0
    base = run.provisional_ids(count) if run.batched else next_ids(run, "item_id", count)
    first_stages = " ".join(f"WHEN '{p.name}' THEN '{next(iter(p.stages))}'" for p in target.pipelines.values())
    stage = 'c."rd stage"' if stage_sql is not None else (
        f"CASE c.pipeline WHEN '{target.initial_pipeline}' THEN '{target.initial_stage}' {first_stages} END")
    fields = {name: f"c.{quote(name)}" for name in values}
    for name, declared in target.fields.items():
        if name in fields or not stored(declared):
            continue
        if declared.sequence:
            fields[name] = _sequence_sql(run, target, name, declared.sequence, count, staging)
        elif declared.default is not None:
            fields[name] = literal_sql(declared.default)
    selects = [f'{base} + c."rd n" AS id', "c.rn AS rn", "c.pipeline AS pipeline", f"{stage} AS stage",
               "c.now_at AS now_at", "c.ev AS ev"]
    selects += [f"{sql} AS {quote(name)}" for name, sql in fields.items()]
    table, _ = run.create_temp(f"SELECT {', '.join(selects)} FROM {staging} c", "c")
    _check_new_items(run, rule, target, table)
    names = ", ".join(quote(n) for n in fields)
    run.con.execute(
        f"INSERT INTO {quote(items_table(target.name))} (id, pipeline, stage, created_at, updated_at, "
        f"stage_entered_at{', ' + names if names else ''}) SELECT id, pipeline, stage, now_at, now_at, now_at"
        f"{', ' + names if names else ''} FROM {table}")
    check_created(run, target, table)
    if run.batched:
        run.con.execute(f"INSERT INTO {BATCH_ITEMS} SELECT id, ev, ? FROM {table}", [target.name])
    _journal_created(run, rule, target, table, list(fields), depth)
    refresh_titles(run.con, frame, target, f"SELECT id FROM {table}")
    return table, count


def _check_new_items(run: Run, rule: Rule, target: Process, table: str) -> None:
    bad = run.con.execute(f"SELECT pipeline, stage FROM {table} WHERE (pipeline, stage) NOT IN "
                          f"(SELECT * FROM (VALUES {stage_pairs(target)})) OR stage IS NULL "
                          "ORDER BY rn LIMIT 1").fetchone()
    if bad:
        pipeline, stage = bad
        if pipeline not in target.pipelines:
            raise ActionFailed(f"rule '{rule.name}' would create a '{target.name}' in pipeline {pipeline!r}, "
                               f"which the process does not have")
        stages = ", ".join(target.pipelines[pipeline].stages)
        raise ActionFailed(f"rule '{rule.name}' would create a '{target.name}' in stage "
                           f"{'no stage' if stage is None else repr(stage)}, which pipeline '{pipeline}' does not "
                           f"have (its stages: {stages})")
    required = [n for n, f in target.fields.items() if f.required and stored(f)]
    if required:
        checks = ", ".join(f"count(*) FILTER (WHERE {quote(n)} IS NULL)" for n in required)
        counts = run.con.execute(f"SELECT {checks} FROM {table}").fetchone()
        empty = [n for n, c in zip(required, counts, strict=True) if c]
        if empty:
            raise ActionFailed(f"rule '{rule.name}' would create a '{target.name}' without its required "
                               f"field(s) {', '.join(empty)}")


def _journal_created(run: Run, rule: Rule, target: Process, table: str, fields: list[str], depth: int) -> None:
    tail, params = run.journal_sql(rule, depth)
    parts = [f"SELECT nextval('{run.journal_seq}'), c.now_at, c.id, '{target.name}', 'created', NULL, NULL, "
             f"c.stage, {tail} FROM {table} c"]
    for name in fields:
        parts.append(f"SELECT nextval('{run.journal_seq}'), c.now_at, c.id, '{target.name}', 'field', '{name}', NULL, "
                     f"CAST(c.{quote(name)} AS VARCHAR), {tail} FROM {table} c WHERE c.{quote(name)} IS NOT NULL")
    run.con.execute(f"INSERT INTO {run.journal_table} {' UNION ALL '.join(parts)}", params * len(parts))


def _set_values(spec: dict, target: Process, resolver: FrameResolver, frame: Frame, scope) -> dict[str, str]:
    values = {}
    for name, value in (spec.get("set") or {}).items():
        if isinstance(value, str):
            values[name] = compile_sql(value, resolver, scope, field_type(target.fields[name]))
        elif isinstance(value, list):
            declared = target.fields[name]
            values[name] = list_sql(value, element_compiler(resolver, scope, declared), declared)
        else:
            values[name] = literal_sql(value)
    return values


def _remember(run: Run, frame: Frame, name: str | None, target: Process, table: str) -> None:
    if not name:
        return
    column = quote(f"as_{name}")
    run.con.execute(f"ALTER TABLE {frame.match} ADD COLUMN IF NOT EXISTS {column} BIGINT")
    run.con.execute(f"UPDATE {frame.match} SET {column} = c.id FROM {table} c WHERE {frame.match}.rn = c.rn")
    frame.created[name] = target


def new_stage_sql(value: str | None, resolver: FrameResolver, scope) -> str | None:
    """A ``create``/``schedule`` ``stage:``: a stage name, an expression giving one, or None (the initial stage)."""
    if value is None:
        return None
    if NAME.match(value):
        return literal_sql(value)
    return compile_sql(value, resolver, scope, Type("string"))


def do_create(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``create``: one new item per row of the frame."""
    spec = action.spec
    target = frame.project.processes[spec["process"]]
    resolver = CreateResolver(frame)
    scope = frame.scope(source=frame.scope().fields)
    values = _set_values(spec, target, resolver, frame, scope)
    if "pipeline_expr" in spec:
        pipeline = compile_sql(spec["pipeline_expr"], resolver, scope, Type("string"))
    else:
        pipeline = literal_sql(str(spec.get("pipeline", target.initial_pipeline)))
    stage = new_stage_sql(spec.get("stage"), resolver, scope)
    table, count = insert_items(run, rule, frame, target, resolver, values, depth, pipeline_sql=pipeline,
                                stage_sql=stage)
    if not count:
        return []
    _remember(run, frame, spec.get("as"), target, table)
    return [Created(target.name, table)]


def do_schedule(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``schedule``: one item per period-table row of the variant each frame item falls in."""
    spec = action.spec
    target = frame.project.processes[spec["process"]]
    table_def = frame.project.period_tables[spec["period_table"]]
    key = ("schedule", rule.name, id(action), CreateResolver(frame).signature())
    cache = frame.project.compiled_sql
    if key not in cache:
        cache[key] = _schedule_sql(spec, frame, target, table_def, key)
    values, stage, where, joins = cache[key]
    resolver = CreateResolver(frame)
    resolver.joins.update(joins)
    extra_from = f"JOIN {quote(period_table(table_def.name))} pr ON TRUE"
    pipeline = literal_sql(target.initial_pipeline)
    table, count = insert_items(run, rule, frame, target, resolver, values, depth, pipeline_sql=pipeline,
                                stage_sql=stage, extra_from=extra_from, where=where, order="m.rn, pr.idx")
    return [Created(target.name, table)] if count else []


def _schedule_sql(spec: dict, frame: Frame, target: Process, table_def,
                  key: tuple) -> tuple[dict, str | None, str, dict]:
    """The values, the stage, the row filter and the joins of a ``schedule`` (built once per rule, action and
    frame shape)."""
    base = CreateResolver(frame)
    scope = frame.scope(source=frame.scope().fields)
    branches, default = [], "NULL"
    for variant in table_def.variants:
        if variant.when is None or variant.default:
            default = literal_sql(variant.name)
        else:
            condition = compile_sql(variant.when, base, scope, Type("bool"))
            branches.append(f"WHEN {condition} THEN {literal_sql(variant.name)}")
    chosen = f"CASE {' '.join(branches)} ELSE {default} END" if branches else default
    anchor = compile_expression(spec["anchor"], base, scope)
    anchor_type = Type("date")
    try:
        from ...expressions import check, parse

        anchor_type = check(parse(spec["anchor"]), scope)
    except Exception:  # noqa: BLE001 - validated already; fall back to a date anchor
        pass
    offset = "(to_months(pr.offset_months) + to_days(pr.offset_days) + to_seconds(pr.offset_seconds))"
    row = {"offset": exp.maybe_parse(offset, dialect="duckdb"), "label": exp.column("label", table="pr"),
           "questions": exp.column("questions", table="pr"), "index": exp.column("idx", table="pr")}
    extra = {"row": row, None: {"anchor": exp.Paren(this=anchor), "variant": exp.column("variant", table="pr")}}
    resolver = CreateResolver(frame, extra, extra_key=key)
    resolver.joins.update(base.joins)
    row_scope = frame.scope(row=dict(ROW_FIELDS), source=frame.scope().fields)
    row_scope.fields.update({"anchor": Type(anchor_type.kind), "variant": Type("string")})
    values = _set_values(spec, target, resolver, frame, row_scope)
    stage = new_stage_sql(spec.get("stage"), resolver, row_scope)
    where = f"pr.variant = ({chosen})"
    if spec.get("rows"):
        where += " AND (" + compile_sql(spec["rows"], resolver, row_scope, Type("bool")) + ")"
    return values, stage, where, dict(resolver.joins)
