"""Read and check events before they touch the database.

An event is ``{"id", "type", "time", "payload"}``, optionally with ``actor``. Its payload is checked
against the declared event type: unknown fields, missing required ones, wrong
types and enum values are refused with a reason naming the field. References
to items are resolved later, inside the event's transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any, TextIO

from ..definitions.model import EventType, FieldDef, Project
from ..errors import RuledeckError, UsageError
from ..timing import parse_date, parse_datetime
from .event_checks import NotSure, checks_for
from .payload_checks import check_payload_rules

TASK_DONE = "task_done"
MAX_LINE = 1_000_000
_TOP_LEVEL = frozenset(("id", "type", "time", "payload", "actor"))
_DECODER = json.JSONDecoder()


class EventRejected(RuledeckError):
    """One event cannot be applied; the message is the reason."""


@dataclass
class Event:
    """A checked event, payload values converted to Python types."""

    id: str
    type: str
    time: dt.datetime
    payload: dict[str, Any]
    raw: str = ""
    line: int = 0
    actor: str | None = None
    """The person who acts (a declared person's name), None for nobody."""


payload_text = json.JSONEncoder(default=str, ensure_ascii=False).encode
"""A checked payload as the events table stores it (dates, times and decimals as their ``str()``)."""


@dataclass
class RawEvent:
    """One input record before checking: the parsed object, or why it could not be parsed."""

    line: int
    text: str
    data: Any = None
    error: str = ""
    extra: dict = field(default_factory=dict)


def read_jsonl(stream: TextIO) -> Iterator[RawEvent]:
    """JSON Lines, one event per line; blank lines are skipped; streams the input."""
    decode = _DECODER.raw_decode
    for number, line in enumerate(stream, 1):
        text = line.strip()
        if not text:
            continue
        if len(text) > MAX_LINE:
            yield RawEvent(number, text[:200], error=f"the line is longer than {MAX_LINE} characters")
            continue
        try:  # raw_decode skips json.loads' whitespace scans: a stripped line has none around its value
            data, end = decode(text)
        except json.JSONDecodeError:
            end = -1
        if end != len(text):  # not one JSON value: json.loads says why, in its own words
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                yield RawEvent(number, text, error=f"not valid JSON: {exc.msg} at column {exc.colno}")
                continue
        yield RawEvent(number, text, data)


def read_csv(stream: TextIO, event_type: str) -> Iterator[RawEvent]:
    """CSV with a header: ``id``, ``time`` and one column per payload field; every row has ``event_type``."""
    reader = csv.DictReader(stream)
    if not reader.fieldnames or "id" not in reader.fieldnames or "time" not in reader.fieldnames:
        raise UsageError("a CSV event file needs a header with 'id', 'time' and the payload fields")
    for number, row in enumerate(reader, 2):
        payload = {k: v for k, v in row.items() if k not in ("id", "time") and v not in (None, "")}
        data = {"id": row.get("id"), "type": event_type, "time": row.get("time"), "payload": payload}
        yield RawEvent(number, json.dumps(data, ensure_ascii=False), data, extra={"csv": True})


def event_id_of(raw: RawEvent) -> str:
    """The event's id as far as it can be read, for rejection records."""
    if isinstance(raw.data, dict) and isinstance(raw.data.get("id"), str | int):
        return str(raw.data["id"])
    return f"line {raw.line}"


def check_event(raw: RawEvent, project: Project) -> Event:
    """Turn a raw record into an :class:`Event` or raise :class:`EventRejected` with the reason."""
    if raw.error:
        raise EventRejected(raw.error)
    data = raw.data
    if not isinstance(data, dict):
        raise EventRejected("an event must be a JSON object with id, type, time and payload")
    if not _TOP_LEVEL.issuperset(data):
        unknown = sorted(set(data) - _TOP_LEVEL)
        raise EventRejected(f"unknown top-level key(s) {', '.join(unknown)}; an event has id, type, time, payload "
                            "and optionally actor")
    event_id = data.get("id")
    if not isinstance(event_id, (str, int)) or isinstance(event_id, bool) or str(event_id).strip() == "":
        raise EventRejected("the event has no id (a non-empty string)")
    kind = data.get("type")
    if not isinstance(kind, str):
        raise EventRejected("the event has no type")
    if kind != TASK_DONE and kind not in project.event_types:
        from ..suggest import did_you_mean

        hint = did_you_mean(kind, list(project.event_types) + [TASK_DONE])
        raise EventRejected(f"unknown event type '{kind}'" + (f" ({hint})" if hint else ""))
    text = data.get("time")
    if not isinstance(text, str):
        raise EventRejected("the event has no time (e.g. \"2026-01-15T10:00:00+03:00\")")
    checks = checks_for(project)
    when = checks.time(text)
    if when is None:
        try:
            when = parse_datetime(text, project.timezone)
        except UsageError as exc:
            raise EventRejected(f"bad time: {exc}") from None
    payload = data.get("payload", {})
    if not isinstance(payload, dict):
        raise EventRejected("the payload must be a JSON object")
    actor = data.get("actor")
    if actor is not None and (not isinstance(actor, str) or actor not in project.people):
        from .actors import unknown_actor

        raise EventRejected(unknown_actor(project, actor) if isinstance(actor, str)
                            else "the event's actor must be a person's name (text)")
    csv_input = bool(raw.extra.get("csv"))
    if kind == TASK_DONE:
        checked = _check_task_done(payload)
    else:
        event_type = project.event_types[kind]
        checked = None
        if not csv_input:  # the compiled check; what it is not sure of, the generic one decides
            try:
                checked = checks.payload(event_type)(payload)
            except NotSure:
                pass
        if checked is None:
            checked = check_payload(payload, event_type, project, csv_input)
        check_payload_rules(project, event_type, checked, str(event_id), when)
    return Event(str(event_id), kind, when, checked, raw.text, raw.line, actor)


def _check_task_done(payload: dict) -> dict:
    unknown = sorted(set(payload) - {"task", "outcome", "comment", "fields"})
    if unknown:
        raise EventRejected(f"task_done has no field(s) {', '.join(unknown)}; it takes task, outcome, comment, "
                            "fields")
    task = payload.get("task")
    valid_ref = isinstance(task, int) and not isinstance(task, bool) or (
        isinstance(task, dict) and isinstance(task.get("name"), str) and isinstance(task.get("process"), str)
        and isinstance(task.get("match", {}), dict))
    if not valid_ref:
        raise EventRejected("task_done needs 'task': a task id, or {process, match: {field: value}, name}")
    if not isinstance(payload.get("outcome"), str):
        raise EventRejected("task_done needs an 'outcome'")
    comment = payload.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise EventRejected("task_done 'comment' must be text")
    fields = payload.get("fields")
    if fields is not None and not isinstance(fields, dict):
        raise EventRejected("task_done 'fields' must be an object: {field: value, …}")
    return {"task": task, "outcome": payload["outcome"], "comment": comment} | ({"fields": fields} if fields else {})


def check_payload(payload: dict, event_type: EventType, project: Project, csv_input: bool = False) -> dict:
    """The payload's values converted, field by field with :func:`convert_value`, or :class:`EventRejected`.

    The generic check: :mod:`.event_checks` compiles a faster one per event type and leaves every value it is
    not sure of to this one, which is the reference for what is accepted and the wording of every refusal.
    """
    return convert_fields(payload, event_type.fields, event_type.name, project, csv_input)


def convert_fields(values: dict, fields: dict[str, FieldDef], owner: str, project: Project, text_input: bool = False,
                   name_of: Callable[[str], str] | None = None) -> dict[str, Any]:
    """``values`` checked against ``fields`` (no unknown name, the required ones there) and converted.

    ``owner`` names the whole in a refusal of an unknown field; ``name_of`` how a refusal names a field
    (``steps[1].title`` for a field of a list's element; default: its name).
    """
    unknown = sorted(set(values) - set(fields))
    if unknown:
        from ..suggest import did_you_mean

        hint = did_you_mean(unknown[0], list(fields))
        raise EventRejected(f"'{owner}' has no field '{unknown[0]}'" + (f" ({hint})" if hint else ""))
    checked: dict[str, Any] = {}
    for name, declared in fields.items():
        value = values.get(name, declared.default)
        shown = name_of(name) if name_of else name
        if value is None:
            if declared.required:
                raise EventRejected(f"required field '{shown}' is missing")
            checked[name] = None
            continue
        checked[name] = convert_value(value, declared if shown == name else replace(declared, name=shown), project,
                                      text_input)
    return checked


def convert_value(value: Any, declared: FieldDef, project: Project, text_input: bool = False) -> Any:
    """A JSON (or CSV text) value as the field's Python type; :class:`EventRejected` when it is not one."""
    if declared.type == "list":
        from .record_lists import convert_records

        return convert_records(value, declared, project, text_input)
    if declared.many:
        if text_input and isinstance(value, str):
            value = [v.strip() for v in value.split(";") if v.strip()]
        if not isinstance(value, list):
            raise EventRejected(f"field '{declared.name}' must be a list")
        single = FieldDef(declared.name, declared.type, declared.loc, values=declared.values,
                          process=declared.process, scale=declared.scale)
        return [convert_value(v, single, project, text_input) for v in value]
    kind, name = declared.type, declared.name
    try:
        if kind in ("string", "text"):
            if not isinstance(value, str):
                raise ValueError("must be text")
            return value
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int | str) or (
                    isinstance(value, str) and not text_input):
                raise ValueError("must be a whole number")
            return int(value)
        if kind == "decimal":
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise ValueError("must be a number")
            try:
                number = Decimal(str(value).strip())
            except InvalidOperation:
                raise ValueError("must be a number") from None
            if not number.is_finite() or abs(number) >= Decimal(10) ** (18 - declared.scale):
                raise ValueError("is out of range")
            return number
        if kind == "bool":
            if text_input and isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
                return value.lower() in ("true", "1")
            if not isinstance(value, bool):
                raise ValueError("must be true or false")
            return value
        if kind == "date":
            return parse_date(value) if isinstance(value, str) else _fail("must be a date like 2026-01-31")
        if kind == "datetime":
            if not isinstance(value, str):
                raise ValueError("must be a date-time like 2026-01-31T10:00:00+03:00")
            return parse_datetime(value, project.timezone)
        if kind == "enum":
            if value not in declared.values:
                raise ValueError(f"must be one of {', '.join(declared.values)}")
            return value
        if kind == "person":
            if value not in project.people:
                raise ValueError("is not a known person")
            return value
        if kind == "role":
            if value not in project.roles:
                raise ValueError("is not a known role")
            return value
        if kind == "assignee":
            from .actors import assignee_names

            if value not in assignee_names(project):
                raise ValueError("is neither a known person nor role:ROLE of a known role")
            return value
        if kind == "ref":
            if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
                raise ValueError("must be an item id or key")
            return value
    except (ValueError, InvalidOperation, UsageError) as exc:
        message = str(exc).split(": write")[0] if isinstance(exc, UsageError) else str(exc) or "is not valid"
        raise EventRejected(f"field '{name}' {message} (got {json.dumps(value, default=str)[:60]})") from None
    raise EventRejected(f"field '{name}' has an unsupported type {kind}")


def _fail(message: str):
    raise ValueError(message)

