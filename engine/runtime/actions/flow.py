"""Actions that reach other items or rules: ``update`` (related items) and ``run`` (a called rule)."""

from __future__ import annotations

from sqlglot import exp

from ...definitions.model import Action, Rule
from ...expressions import Type
from ...store.names import items_table, quote
from ..changes import Change
from ..frame import Frame, FrameResolver, compile_sql
from ..run import Run


class UpdateResolver(FrameResolver):
    """In ``update … where``, bare names are the related item (``tg``); ``source.`` is the frame's item."""

    def __init__(self, frame: Frame, target):
        super().__init__(frame)
        self.target = target
        self.joins["tg"] = f"CROSS JOIN {quote(items_table(target.name))} tg"

    def signature(self) -> tuple | None:
        outer = super().signature()
        return None if outer is None else (*outer, self.target.name)

    def column(self, namespace: str | None, name: str) -> exp.Expression:
        if namespace is None:
            return self.item_column("tg", self.target, "tg.id", name)
        if namespace == "source":
            return self.item_column("it", self.frame.process, "m.id", name)
        return super().column(namespace, name)


def related_items(run: Run, action: Action, frame: Frame) -> tuple[Frame, int]:
    """The frame ``update``'s nested actions run in: the related items, in one statement, and how many.

    Each related item's row carries the frame's item as ``src`` and, like it,
    the outer row's task and the items ``create … as:`` made (the lowest of
    each when several outer rows pick the same item), so ``task.`` and those
    names read the same inside the nested actions as in its ``where``.
    """
    spec = action.spec
    target = frame.project.processes[spec["process"]]
    resolver = UpdateResolver(frame, target)
    source_fields = frame.scope().fields
    inner_scope = frame.nested(process=target, source=frame.process).scope(source=source_fields)
    where = "TRUE"
    if spec.get("where"):
        where = compile_sql(spec["where"], resolver, inner_scope, Type("bool"))
    src = "MIN(m.id)" if frame.process is not None else "NULL::BIGINT"
    task = "MIN(m.task)" if frame.task else "NULL::BIGINT"
    created = "".join(f", MIN(m.{quote('as_' + name)}) AS {quote('as_' + name)}"
                      for name in [*frame.created, *frame.created_tasks])
    match, count = run.create_temp(
        f"SELECT row_number() OVER (ORDER BY tg.id) AS rn, tg.id AS id, {src} AS src, {task} AS task, "
        f"MIN(m.now_at) AS now_at, MIN(m.ev) AS ev{created} FROM {resolver.from_clause()} WHERE {where} "
        "GROUP BY tg.id", "m")
    return frame.nested(match=match, process=target, source=frame.process), count


def do_update(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``update``: pick related items in one statement, then run the nested actions over them."""
    from . import run_action_list

    inner, count = related_items(run, action, frame)
    if count:
        run_action_list(run, rule, action.children, inner, depth)
    return []


def do_run(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``run``: the called rule fires on the same items (filtered by its own ``if``)."""
    called = run.project.rules[action.spec]
    if not called.enabled:
        return []
    if depth + 1 > run.project.cascade_depth:
        from ..run import CascadeError

        raise CascadeError(f"rules ran each other more than {run.project.cascade_depth} levels deep: "
                           f"{' -> '.join((*run.chain, called.name))}")
    if _same_items(rule, called, action):
        run.run_actions(called, run.frame_for(called, frame.match), depth + 1)
        return []
    match, count = run.select_items(called, f"(SELECT * FROM {frame.match})")
    if count:
        run.run_actions(called, match, depth + 1)
    return []


def _same_items(rule: Rule, called: Rule, action: Action) -> bool:
    """A ``run`` first thing in a rule, of a rule with the same process, pipeline and ``if``, picks the same items.

    Nothing has changed since the caller chose them, so its match table serves
    again instead of being selected anew (the monthly re-staging of every open
    card saves a join of the whole table with itself). Not for date and dwell
    rules: their rows are numbered in due-time order, a fresh selection's in id
    order, and creates take ids in that order.
    """
    return (bool(rule.actions) and action is rule.actions[0] and rule.trigger.kind not in ("date", "dwell")
            and called.process == rule.process and called.pipeline == rule.pipeline
            and called.condition == rule.condition)
