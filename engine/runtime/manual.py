"""What people do by hand: move a card to a stage marked ``manual: true``."""

from __future__ import annotations

from sqlglot import exp

from ..errors import RejectedInput
from ..store.names import items_table, quote
from .actions.columns import apply_assignments
from .frame import Frame, FrameResolver
from .run import Run


def find_item(run: Run, item_id: int) -> str:
    """The process of item ``item_id``; RejectedInput when there is none."""
    parts = " UNION ALL ".join(f"SELECT '{name}' FROM {quote(items_table(name))} WHERE id = {int(item_id)}"
                               for name in run.project.processes)
    row = run.con.execute(parts).fetchone() if parts else None
    if row is None:
        raise RejectedInput(f"there is no item {item_id}")
    return row[0]


def move_by_hand(run: Run, item_id: int, stage: str) -> None:
    """Move one item to a manual stage of its pipeline; the rules on leaving and entering fire."""
    process = run.project.processes[find_item(run, item_id)]
    pipeline = run.con.execute(f"SELECT pipeline FROM {quote(items_table(process.name))} WHERE id = ?",
                               [item_id]).fetchone()[0]
    stages = process.pipelines[pipeline].stages
    if stage not in stages:
        raise RejectedInput(f"pipeline '{pipeline}' of '{process.name}' has no stage '{stage}' "
                            f"(it has {', '.join(stages)})")
    manual = stages[stage].loc.doc.data
    for part in stages[stage].loc.path:
        manual = manual.get(part) if isinstance(manual, dict) else None
    if not (isinstance(manual, dict) and manual.get("manual") is True):
        raise RejectedInput(f"stage '{stage}' of '{process.name}' is reached by rules only; "
                            "mark it 'manual: true' in the definitions to move cards there by hand")
    match, _ = run.create_temp(f"SELECT 1 AS rn, {int(item_id)}::BIGINT AS id, NULL::BIGINT AS src, "
                               "NULL::BIGINT AS task, NULL::TIMESTAMPTZ AS now_at, NULL::BIGINT AS ev", "m")
    frame = Frame(run.project, match, process, run.now, per_row_now=True, now_table=True)
    literal = exp.Literal.string(stage).sql("duckdb")
    for change in apply_assignments(run, None, frame, FrameResolver(frame), {"stage": literal}, 0):
        run.fire_change(change, 0)
