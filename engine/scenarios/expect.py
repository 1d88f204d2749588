"""Check one ``expect:`` mapping against the engine's state, one :class:`Check` per expectation.

Every asserted thing – a count, a stage, a field, a board column, a document
substring – is one expectation. An entry marked ``xfail`` is judged as a
whole: when any of its expectations fails they all count as xfailed; when
all hold it is an xpass, reported as a failure so the mark gets removed.
"""

from __future__ import annotations

from typing import Any

from ..definitions.model import Loc
from ..timing import parse_datetime
from .query import ItemPicker, describe, field_kind, read_items
from .results import Check, Status
from .values import expected_value, matches, show

MAX_DETAILS = 5
UNSET = object()


class Checker:
    """Evaluates expectations for one spec run; collects the checks."""

    def __init__(self, engine):
        self.engine = engine
        self.project = engine.project
        self.tz = engine.project.timezone
        self.picker = ItemPicker(engine)
        self.checks: list[Check] = []

    # -- recording ------------------------------------------------------------------
    def add(self, loc: Loc, subject: str, what: str, ok: bool, expected: Any = UNSET, actual: Any = UNSET) -> None:
        """Record one expectation at ``loc``; ``expected``/``actual`` are shown on failure."""
        pos = loc.position()
        self.checks.append(Check(loc.file, pos.line, pos.col, Status.PASSED if ok else Status.FAILED, subject,
                                 what, _text(expected, self.tz), _text(actual, self.tz)))

    def mark(self, start: int, reason: str | None) -> None:
        """Apply an ``xfail`` reason to the checks recorded since ``start`` (one entry)."""
        if not reason:
            return
        group = self.checks[start:]
        failed = any(c.status is Status.FAILED for c in group)
        for check in group:
            check.reason = reason
            if failed:
                check.status = Status.XFAILED
        if not failed and group:
            group[0].status = Status.XPASSED  # one "remove the mark" per entry is enough

    # -- the expect mapping ---------------------------------------------------------------
    def run(self, loc: Loc, expect: dict[str, Any]) -> None:
        """Check every expectation of an ``expect:`` mapping."""
        start = len(self.checks)
        if "clock" in expect:
            self._clock(loc.at("clock"), expect["clock"])
        for name, count in (expect.get("counts") or {}).items():
            actual = self.engine.con.execute(f"SELECT count(*) FROM {_table(name)}").fetchone()[0]
            self.add(loc.at("counts", name), f"{name} items", "count", actual == count, count, actual)
        if "open_tasks" in expect:
            actual = self.engine.con.execute("SELECT count(*) FROM rd_tasks WHERE status = 'open'").fetchone()[0]
            self.add(loc.at("open_tasks"), "tasks", "open", actual == expect["open_tasks"], expect["open_tasks"],
                     actual)
        from .expect_records import check_documents, check_outbox, check_rejected, check_tasks

        sections = (("items", self.items), ("boards", self.board), ("tasks", check_tasks),
                    ("documents", check_documents), ("outbox", check_outbox), ("rejected", check_rejected))
        for section, method in sections:
            for i, entry in enumerate(expect.get(section) or []):
                before = len(self.checks)
                if method in (self.items, self.board):
                    method(loc.at(section, i), entry)
                else:
                    method(self, loc.at(section, i), entry)
                self.mark(before, entry.get("xfail"))
        if expect.get("xfail"):
            self.mark(start, expect["xfail"])

    def _clock(self, loc: Loc, text: str) -> None:
        now = self.engine.clock()
        self.add(loc, "the clock", "now", now is not None and now == parse_datetime(str(text), self.tz),
                 text, now)

    # -- items ------------------------------------------------------------------------------
    def items(self, loc: Loc, entry: dict[str, Any]) -> None:
        """Items picked by where/match/key: count, stage, pipeline, fields, rows."""
        process = self.project.processes[entry["process"]]
        asserted: list[tuple[Loc, str, Any]] = [(loc.at(n), n, entry[n]) for n in ("stage", "pipeline") if n in entry]
        asserted += [(loc.at("fields", n), n, v) for n, v in (entry.get("fields") or {}).items()]
        rows = entry.get("rows")
        names = {n for _, n, _ in asserted} | {n for row in rows or [] for n in row}
        picked = self.picker.pick(process, names, entry.get("where"), entry.get("match"), entry.get("key"),
                                  entry.get("order_by"))
        subject = _selector(entry)
        if "count" in entry:
            self.add(loc.at("count"), subject, "count", len(picked) == entry["count"], entry["count"], len(picked))
        elif not asserted and rows is None:
            self.add(loc.at("process"), subject, "count", bool(picked), _Raw("at least one item"), 0)
        for where, name, expected in asserted:
            self._field_of_all(where, subject, process, picked, name, expected)
        if rows is not None:
            self.add(loc.at("rows"), subject, "count", len(rows) == len(picked), len(rows), len(picked))
            for r, row in enumerate(rows):
                item = picked[r] if r < len(picked) else None
                for name, expected in row.items():
                    where = loc.at("rows", r, name)
                    if item is None:
                        self.add(where, f"{subject} row {r + 1}", name, False, expected, _Raw("no such item"))
                        continue
                    kind = field_kind(process, name)
                    ok = matches(expected, item[name], kind, self.tz, self.picker.refs)
                    self.add(where, describe(process, item), name, ok, expected_value(expected, kind, self.tz),
                             item[name])

    def _field_of_all(self, loc: Loc, subject: str, process, picked: list[dict], name: str, expected: Any) -> None:
        kind = field_kind(process, name)
        expected_shown = expected_value(expected, kind, self.tz)
        if not picked:
            self.add(loc, subject, name, False, expected_shown, _Raw("no item picked"))
            return
        wrong = [row for row in picked if not matches(expected, row[name], kind, self.tz, self.picker.refs)]
        if not wrong:
            self.add(loc, subject, name, True)
        elif len(picked) == 1:
            self.add(loc, describe(process, wrong[0]), name, False, expected_shown, wrong[0][name])
        else:
            details = "; ".join(f"{describe(process, row)}: {show(row[name], self.tz)}" for row in wrong[:MAX_DETAILS])
            more = f" … and {len(wrong) - MAX_DETAILS} more" if len(wrong) > MAX_DETAILS else ""
            self.add(loc, subject, name, False, expected_shown,
                     _Raw(f"{len(wrong)} of {len(picked)} differ: {details}{more}"))

    # -- boards -----------------------------------------------------------------------------
    def board(self, loc: Loc, entry: dict[str, Any]) -> None:
        """Cards per stage column of a board (its filter applies) or of a process's pipeline."""
        where = None
        if "board" in entry:
            spec = self.project.boards[entry["board"]].spec
            process = self.project.processes[spec["process"]]
            pipeline = entry.get("pipeline") or spec.get("pipeline")
            where = spec.get("where")
            subject = f"board {entry['board']}"
        else:
            process = self.project.processes[entry["process"]]
            pipeline = entry.get("pipeline")
            subject = f"{process.name} board"
        pipeline = pipeline or next(iter(process.pipelines))
        cards = [r for r in read_items(self.engine, process, ["pipeline", "stage"], where) if r["pipeline"] == pipeline]
        for stage, count in entry["columns"].items():
            actual = sum(1 for r in cards if r["stage"] == stage)
            self.add(loc.at("columns", stage), subject, f"column {stage}", actual == count, count, actual)


class _Raw(str):
    """Text shown as it is (not quoted like a value)."""


def _text(value: Any, tz: str) -> str:
    if isinstance(value, _Raw):
        return str(value)
    if value is UNSET:
        return ""
    return show(value, tz)


def _table(process: str) -> str:
    from ..store.names import items_table, quote

    return quote(items_table(process))


def _selector(entry: dict[str, Any]) -> str:
    """``feedback {serial_number: KB-1, period_no: 1} where "…"`` for messages."""
    parts = [entry["process"]]
    if "key" in entry:
        parts.append(str(entry["key"]))
    if entry.get("match"):
        parts.append("{" + ", ".join(f"{k}: {v}" for k, v in entry["match"].items()) + "}")
    if entry.get("where"):
        parts.append(f'where "{entry["where"]}"')
    return " ".join(parts)
