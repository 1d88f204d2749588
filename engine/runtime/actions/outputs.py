"""Actions that produce messages and documents: ``notify`` (outbox) and ``document`` (rendered file).

The frame's items are read a page at a time (:func:`~..titles.item_pages`),
rendered, and inserted with one statement per page whose columns go in as
list parameters (``unnest``), so memory stays bounded by a page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

from ...definitions.model import Action, Rule
from ...store.lists import typed_list, unnested
from ...store.names import quote
from ...templating import CONTEXT, TemplateContext, render, template_attributes
from ..changes import Change
from ..frame import EVENT_TABLE, Frame, FrameResolver
from ..run import BATCH_OUTPUTS, ProvisionalIds, Run, refuse_provisional_text
from ..titles import item_pages, template_names
from .create import next_ids

ALL_NAMES = frozenset({"*"})
ROW_NOW = "rd now_at"
"""A page row's own moment (a timer's due time; None: the run's), given along with the item's values."""
ROW_EVENT = "rd ev"
"""In a batch, the event a page row belongs to (its ``ev``)."""


def _pages(run: Run, frame: Frame, names: set[str], task: frozenset[str] = frozenset()) -> Iterator[list[dict]]:
    """The frame's items as rows ``{name: value}`` (``names``, ``id`` and :data:`ROW_NOW`), in id order, a page
    at a time; ``task``: the attributes of the row's task read along (``"rd task.NAME"``), in a task rule."""
    if frame.process is None:
        if not run.batched:
            yield [{"id": None, ROW_NOW: None}]
            return
        # A rule without items fires once per event of the batch.
        cursor = run.con.execute(f"SELECT NULL AS id, now_at AS {quote(ROW_NOW)}, ev AS {quote(ROW_EVENT)} "
                                 f"FROM {frame.match} ORDER BY ev")
        yield [dict(zip(("id", ROW_NOW, ROW_EVENT), row, strict=True)) for row in cursor.fetchall()]
        return
    resolver, wanted = FrameResolver(frame), sorted(task) if frame.task else []
    columns = "".join(f", {resolver.column('task', a).sql('duckdb')} AS {quote('task.' + a)}" for a in wanted)
    ids = f"SELECT m.id, m.now_at, m.ev{columns} FROM {resolver.from_clause()} WHERE m.id IS NOT NULL"
    yield from item_pages(run.con, frame, frame.process, ids, names, "rd_output_pages",
                          passthrough=("now_at", "ev", *(f"task.{a}" for a in wanted)))


def _task_values(row: dict, attributes: frozenset[str]) -> dict[str, Any]:
    """``task`` for a notification of a task rule: the attributes read of the row's task (taken out of ``row``)."""
    if not attributes:
        return {}
    return {"task": SimpleNamespace(**{a: row.pop(f"rd task.{a}", None) for a in attributes})}


class _Moments:
    """Each row's moment (a timer fires at its item's due time) and ruledeck's values at that moment."""

    def __init__(self, run: Run, rule: Rule):
        self.now = run.now
        self.base = template_context(run, rule)
        self._contexts: dict = {}

    def of(self, row: dict) -> tuple[Any, TemplateContext]:
        """(the row's moment, ruledeck's values then); takes the moment out of ``row``."""
        at = row.pop(ROW_NOW, None) or self.now
        context = self._contexts.get(at)
        if context is None:
            context = self._contexts[at] = replace(self.base, now=at)
        return at, context


def template_context(run: Run, rule: Rule) -> TemplateContext:
    """ruledeck's own values for the templates of ``rule`` in this run (``ruledeck.project``, ``.now``, …)."""
    return TemplateContext.of(run.project, run.now, rule.name, run.cause.actor)


class _EventValues:
    """``event`` for a notification of an event rule: the event's id, type, time and payload fields.

    One at a time there is one event; in a batch each row reads its own (by ``ev``), all read in one statement.
    """

    HIDDEN = frozenset({"ev", "now_at", "rd year", "rd payload", "rd raw"})

    def __init__(self, run: Run, frame: Frame, text: str):
        self.by_event: dict[int | None, dict[str, Any]] = {}
        if not frame.has_event or "event" not in template_names(text):
            return
        cursor = run.con.execute(f"SELECT * FROM {EVENT_TABLE}")
        columns = [d[0] for d in cursor.description]
        for row in cursor.fetchall():
            values = {c: v for c, v in zip(columns, row, strict=True) if c not in self.HIDDEN}
            ev = row[columns.index("ev")] if run.batched and "ev" in columns else None
            self.by_event[ev] = {"event": SimpleNamespace(**values)}

    def of(self, row: dict) -> dict[str, Any]:
        """The ``event`` values of a page row (takes the row's ``ev`` out of it)."""
        ev = row.pop(ROW_EVENT, None)
        return self.by_event.get(ev, {})


def _recipients(frame: Frame, spec: dict, row: dict) -> str | None:
    if not spec:
        return None
    if "person" in spec:
        return spec["person"]
    if "role" in spec:
        return f"role:{spec['role']}"
    value = row.get(spec.get("field"))
    return None if value is None else str(value)


def _insert(run: Run, table: str, counter: str, columns: dict[str, tuple[str, list]],
            constants: dict[str, Any], events: list[int | None] | None = None) -> None:
    """One row per position of the ``columns`` lists (name: SQL type, values), numbered from ``counter``.

    Every row also gets the ``constants`` (name: value). The lists go in as
    parameters and are unnested side by side, so the statement text stays
    the same size whatever the number of rows. In a batch the rows get
    provisional ids, renumbered in event order (``events``: each row's ``ev``)
    when the batch is flushed (:func:`..batch.renumber_outputs`).
    """
    count = len(next(iter(columns.values()))[1])
    if not count:
        return
    if run.batched:
        base = run.provisional_ids(count)
        run.con.execute(f"INSERT INTO {BATCH_OUTPUTS} SELECT ?, unnest(?), unnest(?)",
                        [table, list(range(base + 1, base + count + 1)), events])
    else:
        base = next_ids(run, counter, count)
    lists = {"id": ("BIGINT", list(range(base + 1, base + count + 1))), **columns}
    unnests, params = unnested(lists)
    select = ", ".join(["u.*", *("?" for _ in constants)])
    names = ", ".join([*lists, *constants])
    run.con.execute(f"INSERT INTO {table} ({names}) SELECT {select} FROM (SELECT {unnests}) u",
                    [*constants.values(), *params])


def do_notify(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``notify``: one outbox message per item, its text rendered from the item."""
    spec = action.spec or {}
    text = spec.get("text", "")
    to = spec.get("to") or {}
    names = set(template_names(text)) | ({to["field"]} if "field" in to else set())
    constants = {"process": frame.process.name if frame.process else None, "rule": rule.name}
    events, moments = _EventValues(run, frame, text), _Moments(run, rule)
    task = template_attributes(text, "task") if frame.task else frozenset()
    if run.batched and "id" in task:
        raise ProvisionalIds(f"rule '{rule.name}' writes a message reading a task's id, not final in a batch")
    refuse_provisional_text(run, frame.process, names, f"SELECT id FROM {frame.match}",
                            f"a message of rule '{rule.name}'")
    for page in _pages(run, frame, names, task):
        times, texts, evs = [], [], []
        for row in page:
            at, context = moments.of(row)
            evs.append(row.get(ROW_EVENT))
            event = events.of(row)
            times.append(at)
            # The item's fields come last: a field is never hidden by what the template may read besides.
            texts.append(render(text, {**event, **_task_values(row, task), CONTEXT: context, **row}))
        columns = {"item": ("BIGINT", [row["id"] for row in page]),
                   "recipient": ("VARCHAR", [_recipients(frame, to, row) for row in page]),
                   "text": ("VARCHAR", texts), "created_at": ("TIMESTAMPTZ", times)}
        _insert(run, "rd_outbox", "outbox_id", columns, constants, evs)
    return []


def do_document(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``document``: render a template per item into a documents row (and a file after commit)."""
    spec = action.spec if isinstance(action.spec, dict) else {"template": action.spec}
    template = run.project.templates[spec["template"]]
    body_text = template_body(run, template)
    filename = template.spec.get("filename") or f"{template.name}-{{{{ id }}}}.md"
    process = frame.process.name if frame.process else None
    constants = {"process": process, "template": template.name, "rule": rule.name}
    tail, params = run.journal_sql(rule, depth)
    moments = _Moments(run, rule)
    for page in _pages(run, frame, set(template_names(body_text)) | set(template_names(filename))):
        items, names, bodies, times = [], [], [], []
        for row in page:
            at, context = moments.of(row)
            values = {CONTEXT: context, **row}
            items.append(row["id"])
            times.append(at)
            names.append(safe_filename(render(filename, values)))
            bodies.append(render(body_text, values))
        _insert(run, "rd_documents", "document_id", {"item": ("BIGINT", items), "filename": ("VARCHAR", names),
                                                     "body": ("VARCHAR", bodies),
                                                     "created_at": ("TIMESTAMPTZ", times)}, constants)
        at_sql, at_values = typed_list("TIMESTAMPTZ", times)
        run.con.execute(f"INSERT INTO {run.journal_table} SELECT nextval('{run.journal_seq}'), d.at, d.item, ?, "
                        f"'document', ?, NULL, d.name, {tail} FROM (SELECT unnest(?) AS item, unnest(?) AS name, "
                        f"{at_sql} AS at, generate_subscripts(?, 1) AS n) d ORDER BY d.n",
                        [process, template.name, *params, items, names, at_values, items])
        run.documents += [(name, item) for item, name in zip(items, names, strict=True)]
    return []


def template_body(run: Run, template) -> str:
    """A document template's text: inline ``body`` or the ``file`` next to its YAML."""
    if "body" in template.spec:
        return str(template.spec["body"])
    source = template.loc.doc.source
    base = source.parent if source else run.project.root
    return (base / template.spec["file"]).read_text(encoding="utf-8")


def safe_filename(name: str) -> str:
    """A rendered file name reduced to one plain name inside the documents folder.

    >>> safe_filename("../../etc/passwd")
    'etc_passwd'
    """
    cleaned = name.replace("\\", "/").split("/")
    plain = "_".join(part for part in cleaned if part not in ("", ".", ".."))
    plain = plain.lstrip(".")
    return plain or "document"
