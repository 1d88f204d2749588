"""Apply many events of one type in one transaction, leaving exactly what one at a time would.

Only event types :mod:`.batch_plan` approves are batched. The events go into
``ctx_event`` with a row number ``ev``; every rule runs once over all of them
(match rows carry ``ev``, each row's ``now()`` is its event's; a rule over
existing items pairs them with the events its pins name). What would differ
from one event at a time is numbering, so it is redone in event order at the
end: items get provisional ids and are renumbered (references, journal
entries and messages follow), journal rows wait in a side table and are
numbered by (event, order within it), outbox rows likewise, and each event
row gets the sequence number it would have had. The caller checks beforehand
that no timer or cron falls due among the events; afterwards
:func:`apply_batch` checks that no two events reached the same item
(:mod:`.batch_footprint`, :class:`BatchOverlap`) and that nothing the batch
touched would have fallen due in between (:class:`BatchConflict`); either
rolls the batch back, to be cut and retried.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from ..definitions.model import Project
from ..errors import RuledeckError
from ..store.names import items_table, quote
from ..store.system_tables import SYSTEM_TABLES
from ..store.types import sql_type
from .batch_footprint import TOUCHED, BatchOverlap, FootprintPlan, first_overlap
from .clock import write_clock
from .events import Event, payload_text
from .frame import EVENT_TABLE, Frame
from .run import BATCH_ITEMS, BATCH_JOURNAL, BATCH_JOURNAL_SEQ, BATCH_OUTPUTS, TMP_ID_BASE, Cause, Run
from .titles import refresh_titles, template_names

JOURNAL_COLUMNS = ("seq", "at_time", "item", "process", "kind", "field", "old", "new", "cause", "cause_id",
                   "rule", "depth", "actor")


class BatchConflict(RuledeckError):
    """Something the batch created would have fallen due between its events (at ``due``)."""

    def __init__(self, due: dt.datetime):
        super().__init__(f"something the batch created falls due at {due.isoformat()}")
        self.due = due


@dataclass
class BatchEvent:
    """An event ready for a batch, with the moment it is applied at (the clock after it)."""

    event: Event
    now: dt.datetime
    late: bool = False


def _reserve(con, sequence: str, count: int) -> int:
    """Take ``count`` numbers of a sequence; returns the one before the first."""
    last = con.execute(f"SELECT max(nextval('{sequence}')) FROM range(?)", [count]).fetchone()[0]
    return last - count


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
PAYLOAD_COLUMN, RAW_COLUMN = "rd payload", "rd raw"
"""``ctx_event`` columns holding the events table's payload and raw text (no field name has a space)."""


def _micros(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def _event_table(run: Run, project: Project, batch: list[BatchEvent]) -> None:
    """``ctx_event``: one row per event, ``ev`` numbering them, payload fields typed, payload and raw text.

    Binding a list parameter costs about a microsecond a value, so the typed values of an event go in
    as one JSON text that DuckDB takes apart with ``json_transform``: its payload as the events table
    stores it, and its times as epoch microseconds (``str()`` of a time can have seconds in its offset,
    which DuckDB does not read), the payload's own times beside it under ``d0``, ``d1``, ….
    """
    fields = project.event_types[batch[0].event.type].fields
    times = [n for n, d in fields.items() if d.type == "datetime"]
    payloads = [payload_text(b.event.payload) for b in batch]
    rows = []
    for ev, (item, payload) in enumerate(zip(batch, payloads, strict=True), 1):
        event = item.event
        time = _micros(event.time)
        now = time if item.now == event.time else _micros(item.now)
        stamps = "".join(f',"d{k}":{_stamp_json(event.payload.get(n))}' for k, n in enumerate(times))
        rows.append(f'{{"ev":{ev},"t":{time},"n":{now},"y":{item.now.year},"p":{payload}{stamps}}}')
    shape = {"ev": "BIGINT", "t": "BIGINT", "n": "BIGINT", "y": "BIGINT",
             "p": {n: sql_type(d) for n, d in fields.items() if n not in times} or "JSON"}
    epoch = "TIMESTAMPTZ '1970-01-01 00:00:00+00' + to_microseconds"
    columns = []
    for name in fields:
        if name not in times:
            columns.append(f"j.p.{quote(name)} AS {quote(name)}")
            continue
        key = f"d{times.index(name)}"
        shape[key] = ["BIGINT"] if fields[name].many else "BIGINT"
        value = f"[{epoch}(x) FOR x IN j.{key}]" if fields[name].many else f"{epoch}(j.{key})"
        columns.append(f"{value} AS {quote(name)}")
    run.con.execute(
        f"CREATE OR REPLACE TEMP TABLE {EVENT_TABLE} AS SELECT j.ev AS ev, r.id AS id, CAST(? AS VARCHAR) AS type, "
        f"{epoch}(j.t) AS time, {epoch}(j.n) AS now_at, j.y AS \"rd year\"{''.join(', ' + c for c in columns)}, "
        f"r.payload AS {quote(PAYLOAD_COLUMN)}, r.raw AS {quote(RAW_COLUMN)} "
        f"FROM (SELECT unnest(?) AS row, unnest(?) AS id, unnest(?) AS payload, unnest(?) AS raw) r, "
        f"LATERAL (SELECT json_transform_strict(r.row, ?) AS j)",
        [batch[0].event.type, rows, [b.event.id for b in batch], payloads, [b.event.raw for b in batch],
         json.dumps(shape)])


def _stamp_json(value: dt.datetime | list | None) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ",".join(_stamp_json(v) for v in value) + "]"
    return str(_micros(value))


def _record_events(run: Run, batch: list[BatchEvent]) -> None:
    """The events table rows, numbered as one-at-a-time would, and their rejections forgotten."""
    con = run.con
    base = _reserve(con, "rd_event_seq", len(batch))
    con.execute(f"INSERT INTO rd_events SELECT ? + ev, id, type, time, now_at, {quote(PAYLOAD_COLUMN)}, "
                f"{quote(RAW_COLUMN)} "
                f"FROM {EVENT_TABLE} ORDER BY ev", [base])
    con.execute(f"DELETE FROM rd_rejected WHERE event_id IN (SELECT id FROM {EVENT_TABLE})")


def _side_tables(run: Run) -> None:
    con = run.con
    # Declared, not "AS SELECT … FROM rd_journal LIMIT 0": DuckDB 2.0 was seen to lose every row of such a copy
    # when a large batch appended to it several times in one transaction (the 20,000-event batch test).
    con.execute(f"CREATE OR REPLACE TEMP TABLE {BATCH_JOURNAL} ({SYSTEM_TABLES['rd_journal']}, ev BIGINT)")
    con.execute(f"DROP SEQUENCE IF EXISTS {BATCH_JOURNAL_SEQ}")
    con.execute(f"CREATE TEMP SEQUENCE {BATCH_JOURNAL_SEQ}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {BATCH_ITEMS} (id BIGINT, ev BIGINT, process VARCHAR)")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {BATCH_OUTPUTS} (tbl VARCHAR, id BIGINT, ev BIGINT)")


def _ref_fields(project: Project) -> dict[str, list[str]]:
    return {name: [f for f, d in process.fields.items() if d.type == "ref" and not d.many and d.compute is None
                   and d.rollup is None]
            for name, process in project.processes.items()}


def _final_ids(run: Run, mapping: str, rows: str, counter: str, kept: str = "") -> bool:
    """``mapping`` (``tmp``, the ``kept`` columns, ``id``): final ids from ``counter`` for the provisional ``rows``
    (``id``, ``ev``), in event order, then in the order they were made. Returns whether there were any."""
    from .actions.create import next_ids

    count = run.con.execute(f"SELECT count(*) FROM ({rows})").fetchone()[0]
    if not count:
        return False
    base = next_ids(run, counter, count)
    run.con.execute(f"CREATE OR REPLACE TEMP TABLE {mapping} AS SELECT id AS tmp{kept}, "
                    f"? + row_number() OVER (ORDER BY ev, id) AS id FROM ({rows})", [base])
    return True


def _renumber_items(run: Run, project: Project) -> bool:
    """Give the batch's new items the ids one-at-a-time would have: in event order, then creation order.

    Returns whether there were any: their journal rows follow in :func:`_flush_journal`.
    """
    con = run.con
    if not _final_ids(run, "rd_batch_ids", f"SELECT * FROM {BATCH_ITEMS}", "item_id", ", process"):
        return False
    refs = _ref_fields(project)
    processes = [r[0] for r in con.execute("SELECT DISTINCT process FROM rd_batch_ids").fetchall()]
    for name in processes:
        table = quote(items_table(name))
        if not refs[name]:
            con.execute(f"UPDATE {table} SET id = k.id FROM rd_batch_ids k WHERE {table}.id = k.tmp")
            continue
        # A reference may point at an item of this batch: it takes the new id as well.
        joins = " ".join(f"LEFT JOIN rd_batch_ids r{i} ON r{i}.tmp = t.{quote(f)}" for i, f in enumerate(refs[name]))
        moved = ", ".join(f"COALESCE(r{i}.id, t.{quote(f)}) AS {quote(f)}" for i, f in enumerate(refs[name]))
        con.execute(f"CREATE OR REPLACE TEMP TABLE rd_batch_rows AS SELECT k.tmp, k.id, {moved} "
                    f"FROM {table} t JOIN rd_batch_ids k ON k.tmp = t.id {joins}")
        assigned = ", ".join(f"{quote(f)} = m.{quote(f)}" for f in refs[name])
        con.execute(f"UPDATE {table} SET id = m.id, {assigned} FROM rd_batch_rows m WHERE {table}.id = m.tmp")
    _retitle(run, project, processes, refs)
    return True


def _retitle(run: Run, project: Project, processes: list[str], refs: dict[str, list[str]]) -> None:
    """Titles rendered with provisional ids are rendered again."""
    for name in processes:
        process = project.processes[name]
        if not process.title or not (template_names(process.title) & {"id", *refs[name]}):
            continue
        frame = Frame(project, "rd_batch_ids", process, run.now)
        refresh_titles(run.con, frame, process, f"SELECT id FROM rd_batch_ids WHERE process = '{name}'")


def _renumber_references(con, project: Project) -> None:
    """Old and new values of reference fields in the waiting journal rows that name renumbered items."""
    pairs = [(p, f) for p, fields in _ref_fields(project).items() for f in fields]
    if not pairs:
        return
    values = ", ".join("(?, ?)" for _ in pairs)
    params = [v for pair in pairs for v in pair]
    for column in ("old", "new"):
        # An UPDATE of the few reference rows: joining every row of the flush to the ids costs far more.
        con.execute(
            f"UPDATE {BATCH_JOURNAL} SET {column} = CAST(k.id AS VARCHAR) FROM rd_batch_ids k "
            f"WHERE TRY_CAST({BATCH_JOURNAL}.{column} AS BIGINT) = k.tmp "
            f"AND ({BATCH_JOURNAL}.process, {BATCH_JOURNAL}.field) IN (SELECT * FROM (VALUES {values}))", params)


def _flush_journal(run: Run, project: Project, renumbered: bool) -> None:
    """Journal rows numbered by event, then by the order they were written within it.

    When items were renumbered, their journal rows follow: the item, and old and new values of references.
    """
    con = run.con
    count = con.execute(f"SELECT count(*) FROM {BATCH_JOURNAL}").fetchone()[0]
    if not count:
        return
    base = _reserve(con, "rd_journal_seq", count)
    values = {c: f"j.{c}" for c in JOURNAL_COLUMNS[1:]}
    values["cause_id"] = "COALESCE(j.cause_id, e.id)"
    joins, params = [f"LEFT JOIN {EVENT_TABLE} e ON e.ev = j.ev"], [base]
    if renumbered:
        values["item"] = "COALESCE(i.id, j.item)"
        joins.append("LEFT JOIN rd_batch_ids i ON i.tmp = j.item")
        _renumber_references(con, project)
    # Numbered over the two keys alone and joined back: sorting the wide rows themselves costs twice as much.
    con.execute(f"INSERT INTO rd_journal SELECT ? + k.n, {', '.join(values.values())} FROM {BATCH_JOURNAL} j "
                f"JOIN (SELECT seq, row_number() OVER (ORDER BY ev, seq) AS n FROM {BATCH_JOURNAL}) k ON k.seq = j.seq "
                f"{' '.join(joins)}", params)


def _task_ids(run: Run) -> bool:
    """``rd_batch_task_ids``: the final id of each task the batch opened, by (event, order); the waiting journal
    rows' ``#ID`` texts follow. Returns whether there were any."""
    if not _final_ids(run, "rd_batch_task_ids", f"SELECT id, ev FROM {BATCH_OUTPUTS} WHERE tbl = 'rd_tasks'",
                      "task_id"):
        return False
    # '#' then a provisional id (16 digits and more, from TMP_ID_BASE): no other text of a journal row has it
    run.con.execute(f"UPDATE {BATCH_JOURNAL} SET new = replace(new, '#' || CAST(k.tmp AS VARCHAR), "
                f"'#' || CAST(k.id AS VARCHAR)) FROM rd_batch_task_ids k WHERE {BATCH_JOURNAL}.kind = 'task' "
                f"AND contains({BATCH_JOURNAL}.new, '#' || CAST(k.tmp AS VARCHAR))")
    return True


def _renumber_tasks(run: Run, renumbered: bool) -> None:
    item = "COALESCE(i.id, rd_tasks.item)" if renumbered else "rd_tasks.item"
    ids = "LEFT JOIN rd_batch_ids i ON i.tmp = rd_tasks.item" if renumbered else ""
    run.con.execute(f"UPDATE rd_tasks SET id = k.id, item = n.item FROM rd_batch_task_ids k, "
                    f"(SELECT rd_tasks.id AS tmp, {item} AS item FROM rd_tasks {ids}) n "
                    "WHERE rd_tasks.id = k.tmp AND n.tmp = k.tmp")


def _renumber_outputs(run: Run, renumbered: bool) -> None:
    """Outbox rows numbered by event, then by the order they were written within it; items renumbered too."""
    con = run.con
    if not _final_ids(run, "rd_batch_outbox_ids", f"SELECT id, ev FROM {BATCH_OUTPUTS} WHERE tbl = 'rd_outbox'",
                      "outbox_id"):
        return
    item = "COALESCE(i.id, o.item)" if renumbered else "o.item"
    ids = "LEFT JOIN rd_batch_ids i ON i.tmp = o.item" if renumbered else ""
    # Rewritten as new rows (an UPDATE of a primary key is refused by DuckDB when the row moves).
    con.execute(f"CREATE OR REPLACE TEMP TABLE rd_batch_outbox AS SELECT k.id, o.process, {item} AS item, "
                "o.recipient, o.text, o.created_at, o.rule "
                f"FROM rd_batch_outbox_ids k JOIN rd_outbox o ON o.id = k.tmp {ids}")
    con.execute(f"DELETE FROM rd_outbox WHERE id IN (SELECT id FROM {BATCH_OUTPUTS} WHERE tbl = 'rd_outbox')")
    con.execute("INSERT INTO rd_outbox SELECT * FROM rd_batch_outbox")


def apply_batch(engine, batch: list[BatchEvent], check_due, footprint: FootprintPlan | None = None) -> Run:
    """Apply ``batch`` (one event type, in order) inside the caller's transaction; returns the run.

    ``check_due(last, among, lowest_id)`` raises :class:`BatchConflict` when anything falls due up to
    ``last`` among the items the batch touched (SQL listing their ids, none lower than ``lowest_id``).
    With a ``footprint`` (the type's events can reach existing items), :class:`BatchOverlap` names the
    first event that reached an item an earlier event of the batch reached.
    """
    project = engine.project
    last = batch[-1].now
    run = Run(engine.con, engine.compiled, last, Cause("event", ""), event_type=batch[0].event.type, batched=True)
    run.temp_tables += [BATCH_JOURNAL, BATCH_ITEMS, BATCH_OUTPUTS,   # dropped by run.close()
                        "rd_batch_ids", "rd_batch_rows", "rd_batch_outbox", "rd_batch_outbox_ids",
                        "rd_batch_task_ids"]
    try:
        _side_tables(run)
        _event_table(run, project, batch)
        for rule in engine.compiled.rules_for_event(batch[0].event.type):
            run.fire_event_rule(rule)
        if footprint is None:
            check_due(last, f"SELECT id FROM {BATCH_ITEMS}", TMP_ID_BASE)
        else:
            overlap = first_overlap(run, footprint)
            if overlap is not None:
                raise BatchOverlap(overlap)
            check_due(last, f"SELECT id FROM {TOUCHED}", None)
        # Sequences are not rolled back with a transaction: take numbers only once nothing can fail.
        _record_events(run, batch)
        renumbered = _renumber_items(run, project)
        tasks = _task_ids(run)
        _flush_journal(run, project, renumbered)
        _renumber_outputs(run, renumbered)
        if tasks:
            _renumber_tasks(run, renumbered)
        write_clock(engine.con, last)
    finally:
        run.close()
    return run


def first_due(engine, after: dt.datetime, until: dt.datetime) -> dt.datetime | None:
    """The first moment in (after, until] at which a cron, date or dwell rule falls due, if any."""
    from ..timing import parse_cron

    if until <= after:
        return None
    moments = []
    for rule in engine.compiled.timed:
        if rule.trigger.kind == "cron":
            occurrence = next(parse_cron(str(rule.trigger.value)).occurrences(after, until, engine.project.timezone),
                              None)
            if occurrence is not None:
                moments.append(occurrence)
    data = engine.clock_keeper.next_data_due(after, until)
    if data is not None:
        moments.append(data)
    return min(moments) if moments else None
