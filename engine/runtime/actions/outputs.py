"""Actions that produce messages and documents: ``notify`` (outbox) and ``document`` (rendered file)."""

from __future__ import annotations

from ...definitions.model import Action, Rule
from ...templating import render
from ..changes import Change
from ..frame import Frame, timestamp_sql
from ..run import Run
from ..titles import item_values, template_names
from .create import next_ids

ALL_NAMES = frozenset({"*"})


def _rows(run: Run, frame: Frame, text: str) -> list[dict]:
    if frame.process is None:
        return [{"id": None}]
    ids = f"SELECT id FROM {frame.match} WHERE id IS NOT NULL"
    names = set(template_names(text)) | set(frame.process.fields)
    return item_values(run.con, frame, frame.process, ids, names)


def _recipients(frame: Frame, spec: dict, row: dict) -> str | None:
    if not spec:
        return None
    if "person" in spec:
        return spec["person"]
    if "role" in spec:
        return f"role:{spec['role']}"
    value = row.get(spec.get("field"))
    return None if value is None else str(value)


def _insert(run: Run, table: str, counter: str, rows: list[tuple], columns: str) -> None:
    if not rows:
        return
    base = next_ids(run, counter, len(rows))
    marks = ", ".join("(" + ", ".join("?" for _ in range(len(rows[0]) + 1)) + ")" for _ in rows)
    params = [v for i, row in enumerate(rows) for v in (base + i + 1, *row)]
    run.con.execute(f"INSERT INTO {table} ({columns}) VALUES {marks}", params)


def do_notify(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``notify``: one outbox message per item, its text rendered from the item."""
    spec = action.spec or {}
    text = spec.get("text", "")
    now = run.now
    process = frame.process.name if frame.process else None
    rows = [(process, row["id"], _recipients(frame, spec.get("to") or {}, row), render(text, row), now, rule.name)
            for row in _rows(run, frame, text)]
    _insert(run, "rd_outbox", "outbox_id", rows, "id, process, item, recipient, text, created_at, rule")
    return []


def do_document(run: Run, rule: Rule, action: Action, frame: Frame, depth: int) -> list[Change]:
    """``document``: render a template per item into a documents row (and a file after commit)."""
    spec = action.spec if isinstance(action.spec, dict) else {"template": action.spec}
    template = run.project.templates[spec["template"]]
    body_text = template_body(run, template)
    filename = template.spec.get("filename") or f"{template.name}-{{{{ id }}}}.md"
    rows = []
    for row in _rows(run, frame, body_text + filename):
        values = {**row, "now": run.now, "project": run.project.name}
        name = safe_filename(render(filename, values))
        rows.append((frame.process.name if frame.process else None, row["id"], template.name, name,
                     render(body_text, values), run.now, rule.name))
    _insert(run, "rd_documents", "document_id", rows,
            "id, process, item, template, filename, body, created_at, rule")
    tail, params = run.journal_sql(rule, depth)
    now = timestamp_sql(run.now).sql("duckdb")
    for process, item, tname, name, *_ in rows:
        run.con.execute(f"INSERT INTO rd_journal VALUES (nextval('rd_journal_seq'), {now}, ?, ?, 'document', ?, "
                        f"NULL, ?, {tail})", [item, process, tname, name, *params])
        run.documents.append((name, item))
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
