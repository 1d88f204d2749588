"""Change columns of the frame's items: one change table, one UPDATE, one journal INSERT.

``set``, ``move``, ``hold``, ``resume``, ``assign`` and ``link`` all reduce to
"these columns get these SQL values"; this module applies that set-based and
reports what changed so the right rules fire next.
"""

from __future__ import annotations

from ...definitions.model import Process, Rule
from ...store.names import items_table, quote
from ..changes import Change, FieldsChanged, Staged
from ..constraints import check_assigned
from ..frame import Frame, FrameResolver
from ..run import ActionFailed, Run
from ..titles import refresh_titles

SYSTEM_ASSIGNABLE = ("stage", "held_from", "held_at")


def stage_pairs(process: Process) -> str:
    """``VALUES`` rows of every (pipeline, stage) of a process."""
    return ", ".join(f"('{p.name}', '{s}')" for p in process.pipelines.values() for s in p.stages)


def apply_assignments(run: Run, rule: Rule, frame: Frame, resolver: FrameResolver, values: dict[str, str],
                      depth: int, where: str = "TRUE", kind: str = "field") -> list[Change]:
    """Set ``column = sql`` on every item of the frame where ``where`` holds; journal and report changes."""
    process = frame.process
    resolver.item_column("it", process, "m.id", "id")
    columns = ["it.id AS id", "it.pipeline AS pipeline", f"{frame.now_sql()} AS now_at", "m.ev AS ev"]
    for name, sql in values.items():
        columns.append(f"it.{quote(name)} AS {quote('old_' + name)}")
        columns.append(f"({sql}) AS {quote('new_' + name)}")
    table, count = run.create_temp(
        f"SELECT {', '.join(columns)} FROM {resolver.from_clause()} WHERE it.id IS NOT NULL AND ({where})", "c")
    if not count:
        return []
    if "stage" in values:
        _check_stages(run, rule, process, table)
    changed = _changed(values, "c")
    target = quote(items_table(process.name))
    sets = [f"{quote(n)} = c.{quote('new_' + n)}" for n in values]
    sets.append("updated_at = c.now_at")
    if "stage" in values:
        sets.append("stage_entered_at = CASE WHEN c.old_stage IS DISTINCT FROM c.new_stage THEN c.now_at "
                    f"ELSE {target}.stage_entered_at END")
    run.con.execute(f"UPDATE {target} SET {', '.join(sets)} FROM {table} c WHERE {target}.id = c.id AND ({changed})")
    check_assigned(run, process, table, values)
    tail, params = run.journal_sql(rule, depth)
    parts = []
    for name in values:
        entry_kind = "stage" if name == "stage" else kind
        parts.append(
            f"SELECT nextval('{run.journal_seq}'), c.now_at, c.id, '{process.name}', '{entry_kind}', '{name}', "
            f"CAST(c.{quote('old_' + name)} AS VARCHAR), CAST(c.{quote('new_' + name)} AS VARCHAR), {tail} "
            f"FROM {table} c WHERE c.{quote('old_' + name)} IS DISTINCT FROM c.{quote('new_' + name)}")
    run.con.execute(f"INSERT INTO {run.journal_table} {' UNION ALL '.join(parts)}", params * len(parts))
    refresh_titles(run.con, frame, process, f"SELECT id FROM {table} x WHERE {_changed(values, 'x')}",
                   set(values))
    changes: list[Change] = []
    if "stage" in values:
        changes.append(Staged(process.name, table))
    fields = tuple(n for n in values if n in process.fields)
    if fields:
        changes.append(FieldsChanged(process.name, table, fields))
    return changes


def _changed(values: dict[str, str], alias: str) -> str:
    return " OR ".join(f"{alias}.{quote('old_' + n)} IS DISTINCT FROM {alias}.{quote('new_' + n)}" for n in values)


def _check_stages(run: Run, rule: Rule, process: Process, table: str) -> None:
    bad = run.con.execute(
        f"SELECT c.id, c.pipeline, c.new_stage FROM {table} c "
        f"WHERE (c.pipeline, c.new_stage) NOT IN (SELECT * FROM (VALUES {stage_pairs(process)})) "
        f"OR c.new_stage IS NULL ORDER BY c.id LIMIT 1").fetchone()
    if bad:
        item, pipeline, stage = bad
        raise ActionFailed(f"rule '{rule.name}' would move item {item} of '{process.name}' to stage "
                           f"{stage!r}, which pipeline '{pipeline}' does not have")
