"""Event checks compiled once per project: the fast path of :func:`.events.check_event`.

For each event type the payload check is built once: one converter per
declared field, chosen by its type up front, so checking an event does no type
dispatch. It only answers when sure: a value it does not take as it is (a
wrong type, a missing required field, an unusual date form) raises
:class:`NotSure`, and the caller runs the generic check of :mod:`.events`,
which accepts the value or says why not (CSV input always goes there). Both
paths therefore accept the same values, convert them alike and refuse with
the same messages; this one is only faster on good events.

>>> from pathlib import Path
>>> fields = {"size": FieldDef("size", "int", None), "on": FieldDef("on", "date", None)}
>>> project = Project(Path("."), "demo", "UTC", event_types={"sized": EventType("sized", None, fields)})
>>> check = checks_for(project).payload(project.event_types["sized"])
>>> check({"size": 3, "on": "2026-01-31"})
{'size': 3, 'on': datetime.date(2026, 1, 31)}
>>> check({"size": True})
Traceback (most recent call last):
...
ruledeck.engine.runtime.event_checks.NotSure
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Container
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from ..definitions.model import EventType, FieldDef, Project
from ..timing import parse_datetime, zone

__all__ = ["NotSure", "ProjectChecks", "checks_for"]

Convert = Callable[[Any], Any]
PayloadCheck = Callable[[dict], dict]

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_WITH_OFFSET = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]")
"""The machine-written forms, which ``fromisoformat`` reads as ``parse_date``/``parse_datetime`` do (ASCII digits
only: ``parse_date`` also reads other Unicode digits, ``fromisoformat`` does not)."""


class NotSure(Exception):
    """The fast check cannot decide on a value: the generic check must."""


class ProjectChecks:
    """What one project's events are checked with: its time zone and a compiled check per event type."""

    def __init__(self, project: Project):
        self._project = weakref.ref(project)
        self.timezone, self.people, self.roles = project.timezone, project.people, project.roles
        try:
            self.zone: tzinfo | None = zone(project.timezone)
        except Exception:  # the generic parse reports it, event by event, in its place
            self.zone = None
        self._payloads: dict[str, tuple[EventType, PayloadCheck]] = {}

    def time(self, text: str) -> datetime | None:
        """``YYYY-MM-DDTHH:MM:SS±HH:MM`` as an aware datetime in the project's zone; None for any other text."""
        if self.zone is not None and _ISO_WITH_OFFSET.fullmatch(text):
            try:
                return datetime.fromisoformat(text).astimezone(self.zone)
            except Exception:
                return None
        return None

    def payload(self, event_type: EventType) -> PayloadCheck:
        """The compiled check of ``event_type``'s payload (JSON input): converted values, or :class:`NotSure`."""
        known = self._payloads.get(event_type.name)
        if known is None or known[0] is not event_type:
            known = self._payloads[event_type.name] = (event_type, self._compile(event_type))
        return known[1]

    def _compile(self, event_type: EventType) -> PayloadCheck:
        allowed = frozenset(event_type.fields)
        steps = tuple((name, declared.default, declared.required, self._converter(declared))
                      for name, declared in event_type.fields.items())

        def check(payload: dict) -> dict:
            if not allowed.issuperset(payload):
                raise NotSure
            get = payload.get
            checked = {}
            for name, default, required, convert in steps:
                value = get(name, default)
                if value is None:
                    if required:
                        raise NotSure
                    checked[name] = None
                elif convert is None:  # text, the most common type, without a call
                    if type(value) is not str:
                        raise NotSure
                    checked[name] = value
                else:
                    checked[name] = convert(value)
            return checked

        return check

    def _converter(self, declared: FieldDef) -> Convert | None:
        """The converter of one field; None for text kept as it is."""
        build = _CONVERTERS.get(declared.type)
        one = build(declared, self) if build else _unsure
        if declared.many:
            return _each(one or _text)
        return one


_CHECKS: dict[int, ProjectChecks] = {}


def checks_for(project: Project) -> ProjectChecks:
    """The compiled checks of ``project``, built on first use and kept while the project lives.

    They are rebuilt if the project's zone, people or roles were replaced since (event types are
    compared one by one in :meth:`ProjectChecks.payload`).
    """
    checks = _CHECKS.get(id(project))
    if (checks is None or checks._project() is not project or checks.timezone is not project.timezone
            or checks.people is not project.people or checks.roles is not project.roles):
        if checks is None or checks._project() is not project:
            weakref.finalize(project, _CHECKS.pop, id(project), None).atexit = False
        checks = _CHECKS[id(project)] = ProjectChecks(project)
    return checks


# -- converters: each returns the value as the generic check would, or raises NotSure --------------

def _unsure(value: Any) -> Any:
    raise NotSure


def _text(value: Any) -> str:
    if type(value) is str:
        return value
    raise NotSure


def _whole(value: Any) -> int:
    if type(value) is int:
        return value
    raise NotSure


def _truth(value: Any) -> bool:
    if value is True or value is False:
        return value
    raise NotSure


def _date(value: Any) -> date:
    if type(value) is str and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise NotSure


def _ref(value: Any) -> int | str:
    kind = type(value)
    if kind is int or (kind is str and value):
        return value
    raise NotSure


def _each(one: Convert) -> Convert:
    def convert(value: Any) -> list:
        if type(value) is list:
            return [one(v) for v in value]
        raise NotSure
    return convert


def _decimal(declared: FieldDef, checks: ProjectChecks) -> Convert:
    try:
        limit = Decimal(10) ** (18 - declared.scale)
    except Exception:
        return _unsure

    def convert(value: Any) -> Decimal:
        kind = type(value)
        if kind is int or kind is float or kind is str:
            try:  # what fails here (bad text, a huge exponent) the generic check reports
                number = Decimal(str(value).strip())
                if number.is_finite() and abs(number) < limit:
                    return number
            except Exception:
                pass
        raise NotSure
    return convert


def _datetime(declared: FieldDef, checks: ProjectChecks) -> Convert:
    tz = checks.zone
    if tz is None:
        return _unsure

    def convert(value: Any) -> datetime:
        if type(value) is str:
            if _ISO_WITH_OFFSET.fullmatch(value):
                try:
                    return datetime.fromisoformat(value).astimezone(tz)
                except Exception:
                    raise NotSure from None
            try:
                return parse_datetime(value, tz)
            except Exception:  # the generic check says why, or fails the same way
                pass
        raise NotSure
    return convert


def _one_of(names: Container[str]) -> Convert:
    def convert(value: Any) -> str:
        if type(value) is str and value in names:
            return value
        raise NotSure
    return convert


_CONVERTERS: dict[str, Callable[[FieldDef, ProjectChecks], Convert | None]] = {
    "string": lambda declared, checks: None,
    "text": lambda declared, checks: None,
    "int": lambda declared, checks: _whole,
    "decimal": _decimal,
    "bool": lambda declared, checks: _truth,
    "date": lambda declared, checks: _date,
    "datetime": _datetime,
    "enum": lambda declared, checks: _one_of(declared.values),
    "person": lambda declared, checks: _one_of(checks.people),
    "role": lambda declared, checks: _one_of(checks.roles),
    "ref": lambda declared, checks: _ref,
}
"""A converter builder per field type; a type missing here is always left to the generic check."""
