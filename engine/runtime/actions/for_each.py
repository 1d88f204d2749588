"""``for_each: {in: event.FIELD, as: NAME, then: [...]}``: nested actions once per element of a list.

The elements of every row of the frame are unnested in one statement into a
new match table, one row per (row, element), numbered in the frame's row
order and then the list's own order, so the items and tasks the nested
actions make get their ids and journal rows in element order. Each row keeps
its element as ``each_<NAME>`` (a record's struct, read as ``NAME.FIELD``, or a
plain value, read as ``NAME.value``), and its
position from 0 as ``each_<NAME>_index``, read as ``NAME.index``.
"""

from __future__ import annotations

from ...definitions.model import Action, Rule
from ...store.names import quote
from ..changes import Change
from ..frame import EVENT_TABLE, Frame
from ..run import Run


def element_frame(run: Run, action: Action, frame: Frame) -> tuple[Frame, int]:
    """The frame ``for_each``'s nested actions run in: one row per element, and how many."""
    spec = action.spec
    name, list_field = spec["as"], spec["in"].split(".", 1)[1]
    declared = frame.event.fields[list_field]
    join = f"JOIN {EVENT_TABLE} ev ON ev.ev = m.ev" if frame.batched else f"CROSS JOIN {EVENT_TABLE} ev"
    carried = "".join(f", m.{quote('as_' + n)}" for n in [*frame.created, *frame.created_tasks])
    carried += "".join(f", m.{quote('each_' + n)}, m.{quote('each_' + n + '_index')}" for n in frame.each)
    match, count = run.create_temp(
        f"SELECT row_number() OVER (ORDER BY m.rn, e.i) AS rn, m.id, m.src, m.task, m.now_at, m.ev{carried}, "
        f"ev.{quote(list_field)}[e.i] AS {quote('each_' + name)}, e.i - 1 AS {quote('each_' + name + '_index')} "
        f"FROM {frame.match} m {join} "
        f"CROSS JOIN LATERAL (SELECT unnest(range(1, coalesce(len(ev.{quote(list_field)}), 0) + 1)) AS i) e", "m")
    inner = frame.nested(match=match)
    inner.each[name] = declared
    return inner, count


def do_for_each(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``for_each``: unnest the list in one statement, then run the nested actions over its elements."""
    from . import run_action_list

    inner, count = element_frame(run, action, frame)
    if count:
        run_action_list(run, rule, action.children, inner, depth)
    return []
