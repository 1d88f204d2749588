"""The compiled event checks agree with the generic ones: same values, same types, same refusals.

``reference_check_event`` is :func:`check_event` with nothing compiled (every payload through the
generic :func:`check_payload`, every time through ``parse_datetime``); ``reference_read_jsonl`` is
:func:`read_jsonl` with every line through ``json.loads``.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from ruledeck.engine import load_project
from ruledeck.engine.definitions.model import FIELD_TYPES, EventType, FieldDef, Project
from ruledeck.engine.runtime import event_checks, events
from ruledeck.engine.runtime.events import (
    TASK_DONE,
    Event,
    EventRejected,
    RawEvent,
    check_event,
    check_payload,
    read_jsonl,
)

REPO = Path(__file__).parents[3]


# -- the reference: check_event and read_jsonl before the compiled path -------------------------------

class _GenericOnly:
    """The checks of an event with nothing compiled: every time and payload goes the generic way."""

    @staticmethod
    def time(text: str) -> None:
        return None

    @staticmethod
    def payload(event_type: EventType):
        def not_sure(payload: dict) -> dict:
            raise event_checks.NotSure
        return not_sure


def reference_check_event(raw: RawEvent, project: Project) -> Event:
    compiled = events.checks_for
    events.checks_for = lambda project: _GenericOnly()
    try:
        return check_event(raw, project)
    finally:
        events.checks_for = compiled


class _NoFastDecode:
    """A decoder whose fast path never answers: every line goes through ``json.loads``."""

    @staticmethod
    def raw_decode(text: str):
        raise json.JSONDecodeError("not tried", text, 0)


def reference_read_jsonl(stream):
    fast = events._DECODER
    events._DECODER = _NoFastDecode()
    try:
        yield from read_jsonl(stream)
    finally:
        events._DECODER = fast


def exact(value: Any) -> Any:
    """A value with everything equality glosses over spelled out: types, decimal digits, zone and fold."""
    if isinstance(value, dt.datetime):
        return ("datetime", type(value), value.isoformat(), id(value.tzinfo), value.fold)
    if isinstance(value, Decimal):
        return ("decimal", str(value))
    if isinstance(value, float):
        return ("float", repr(value))  # nan == nan only this way
    if isinstance(value, list):
        return ("list", [exact(v) for v in value])
    if isinstance(value, dict):
        return ("dict", list(value), [exact(v) for v in value.values()])
    return (type(value), value)


def outcome(check, *args) -> tuple:
    """What a check does: its exact result, or the type and text of what it raised."""
    try:
        result = check(*args)
    except Exception as exc:  # a TypeError of the generic check must be the same TypeError
        return ("raised", type(exc), str(exc))
    if isinstance(result, Event):
        return ("event", result.id, result.type, exact(result.time), exact(result.payload), result.raw, result.line)
    return ("value", exact(result))


# -- strategies ---------------------------------------------------------------------------------------

NAMES = ("a", "b", "c", "d", "e", "f")
ZONES = ("Europe/Berlin", "Europe/Moscow", "UTC", "America/New_York", "Europe/Moskow")
PEOPLE, ROLES, CHOICES = ("ann", "bob"), ("ops", "sales"), ("left", "right", "1")
SCALES = (2, 0, 6, 18, 20, -3)

ODD_DATES = [
    "2026-01-15", "2028-02-29", "2026-02-29", "2026-02-30", "0000-01-01", "0001-01-01", "9999-12-31", "2026-1-15",
    " 2026-01-15 ", "2026-01-15\n", "２０２６-01-15", "٢٠٢٦-٠١-١٥", "2026-W03-1", "20260115", "2026-015",
    "2026/01/15", "2026-01-15T00:00", "2026-13-01", "2026-00-10", "2026-W03", "2026W031",
]
ODD_TIMES = [
    "2026-01-15T10:00:00+03:00", "2026-01-15T07:00:00Z", "2026-01-15T10:00:00-05:00", "2026-01-15T10:00:00+00:00",
    "2026-01-15T10:00:00-00:00", "2026-01-15 10:00", "2026-01-15T10:00", "2026-01-15t10:00:00", "2026-01-15",
    "2026-03-29 02:30", "2026-03-29T02:30:00", "2026-10-25T02:30:00", "2026-11-01T01:30:00",
    "2026-01-15T10:00:00.250+03:00", "2026-01-15T10:00:00.250", "2026-01-15T10:00:00+03:75",
    "2026-01-15T10:00:00+24:00", "2026-01-15T10:00:00+23:59", "2026-01-15T10:00:60+03:00",
    "2026-01-15T24:00:00+03:00", "2026-02-30T10:00:00+03:00", "9999-12-31T23:00:00-05:00",
    "0001-01-01T00:00:00+03:00", "2026-01-15T10:00:00+0300", "2026-01-15X10:00:00+03:00",
    " 2026-01-15T10:00:00+03:00", "2026-01-15T10:00:00+03:00 ", "2026-W03-1T10:00:00+03:00",
    "2026-01-15T10:00:00+03", "2026-01-15T100000+03:00", "２０２６-01-15T10:00:00+03:00", "tomorrow",
    "2026-01-15T10:00:00.5+03:00", "2026-01-15T10:00:00,5+03:00", "2026-01-15T10:00:00+03:00:00",
]
DATE_TEXT = st.sampled_from(ODD_DATES) | st.from_regex(r"[0-9٣]{4}[-W][0-9]{1,2}-[0-9]{2}", fullmatch=True)
TIME_TEXT = st.sampled_from(ODD_TIMES) | st.from_regex(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?([+-][0-9]{2}:[0-9]{2}|Z)?", fullmatch=True)
NUMBER_TEXT = st.sampled_from(["12", " 12 ", "-7", "1e3", "1E+30", "NaN", "-Infinity", "abc", "1_000", "-0", "0.10",
                               "12.5", "", " ", "1" * 30, "true", "false", "1", "0", "TRUE", "0x10", "1E+16",
                               "0.01", "0.009", "9999999999999999.99", "-1E+16", "1E+999999999"])
# at and around the decimal limit 10 ** (18 - scale) of every scale drawn
LIMITS = [sign * 10**n + d for n in (0, 12, 16, 18, 21) for sign in (1, -1) for d in (-1, 0)] + [10**5000]
NAME_TEXT = st.sampled_from(PEOPLE + ROLES + CHOICES + ("zed", "LEFT", "", "ann "))
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.sampled_from(LIMITS),
    st.floats(), st.decimals(allow_nan=False, places=3) | st.just(Decimal("1.5")),
    st.text(max_size=12), DATE_TEXT, TIME_TEXT, NUMBER_TEXT, NAME_TEXT,
)
VALUES = SCALARS | st.lists(SCALARS, max_size=4) | st.dictionaries(st.text(max_size=3), SCALARS, max_size=2)


def _local_time(moment: dt.datetime, offset: int | None) -> str:
    """``moment`` written as events write it: with an offset in minutes, ``Z`` (None), or local (-1)."""
    text = moment.isoformat(timespec="seconds")
    if offset is None:
        return text + "Z"
    if offset == -1:
        return text
    return text + f"{'-' if offset < 0 else '+'}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"


# every day on which a zone drawn changes its clocks, and the whole range of years
MOMENTS = st.datetimes() | st.sampled_from([dt.date(2026, 3, 29), dt.date(2026, 10, 25), dt.date(2026, 3, 8),
                                            dt.date(2026, 11, 1), dt.date(2011, 3, 27)]).flatmap(
    lambda day: st.datetimes(dt.datetime.combine(day, dt.time()), dt.datetime.combine(day, dt.time(23, 59, 59))))
EVENT_TIMES = st.builds(_local_time, MOMENTS, st.integers(-23 * 60 - 59, 23 * 60 + 59) | st.sampled_from(
    [0, 180, 120, 60, -300, -240, None, -1]))
# values a field of each type accepts, and near misses; anything goes for an unknown type
VALID = {
    "string": st.text(max_size=8), "int": st.integers(), "bool": st.booleans(),
    "date": st.dates().map(dt.date.isoformat),
    "decimal": st.integers() | st.floats(-1e6, 1e6) | st.decimals(-10**6, 10**6, places=4).map(str),
    "datetime": EVENT_TIMES, "enum": st.sampled_from(CHOICES), "person": st.sampled_from(PEOPLE),
    "role": st.sampled_from(ROLES), "ref": st.integers() | st.text(min_size=1, max_size=4),
}
NEAR = {
    "string": st.sampled_from([1, None, True, ["a"]]),
    "int": st.sampled_from(LIMITS + [True, False, "12", 12.0, Decimal(3)]),
    "decimal": st.floats() | st.sampled_from(LIMITS + [True, Decimal("1.5"), None]) | NUMBER_TEXT,
    "bool": st.sampled_from([0, 1, "true", None]),
    "date": DATE_TEXT, "datetime": TIME_TEXT,
    "enum": st.sampled_from(("up", 1, "LEFT", ["left"])),
    "person": st.sampled_from(ROLES + ("zed", 1, ("ann",), ["ann"])),
    "role": st.sampled_from(PEOPLE + ("zed", 1, ["ops"])),
    "ref": st.sampled_from([True, "", 1.0, None, ["x"]]),
}
VALID["text"], NEAR["text"] = VALID["string"], NEAR["string"]
# a text field of CSV input: values separated by ';'
CSV_TEXT = st.lists(st.one_of(DATE_TEXT, NUMBER_TEXT, NAME_TEXT, TIME_TEXT), max_size=3).map(";".join)


def field_values(kind: str, many: bool, csv: bool = False) -> st.SearchStrategy:
    valid, near = VALID.get(kind, VALUES), NEAR.get(kind, VALUES)
    if many:
        valid, near = st.lists(valid, max_size=3), st.lists(valid | near, min_size=1, max_size=3) | valid.map(
            lambda value: (value,))
    if csv:
        near = near | CSV_TEXT
    # not one_of: it would flatten VALUES into its many branches, which then outnumber the valid ones
    return st.integers(0, 3).flatmap(lambda branch: (valid, valid, near, VALUES)[branch])


@st.composite
def field_defs(draw, name: str) -> FieldDef:
    kind = draw(st.sampled_from(FIELD_TYPES + ("blob",)))
    many = draw(st.integers(0, 3)) == 0
    return FieldDef(
        name, kind, None, many=many,
        required=draw(st.integers(0, 3)) == 0,
        default=draw(st.none() | st.none() | field_values(kind, many)),
        values=draw(st.sampled_from([CHOICES, (), ("left",)])),
        scale=draw(st.sampled_from(SCALES)),
    )


@st.composite
def projects(draw, most: int = 5) -> Project:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=most, unique=True))
    fields = {name: draw(field_defs(name)) for name in names}
    return Project(Path("."), "t", draw(st.sampled_from(ZONES)), event_types={"ev": EventType("ev", None, fields)},
                   people=dict.fromkeys(PEOPLE), roles=dict.fromkeys(ROLES))


@st.composite
def payloads(draw, project: Project, csv: bool = False) -> dict:
    """Mostly the declared fields with values of their type, now and then a stranger."""
    payload = {}
    for name, declared in project.event_types["ev"].fields.items():
        if draw(st.integers(0, 4)):
            payload[name] = draw(field_values(declared.type, declared.many, csv))
    if draw(st.integers(0, 9)) == 0:
        payload[draw(st.sampled_from(["zz", "a_", "b "]))] = draw(VALUES)
    return payload


SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- properties ---------------------------------------------------------------------------------------

@settings(SETTINGS, max_examples=1500)
@given(st.data())
def test_the_compiled_check_of_each_field_agrees_with_the_generic_one(data):
    declared = data.draw(field_defs("a"))
    event_type = EventType("ev", None, {"a": declared})
    project = Project(Path("."), "t", data.draw(st.sampled_from(ZONES)), event_types={"ev": event_type},
                      people=dict.fromkeys(PEOPLE), roles=dict.fromkeys(ROLES))
    payload = {"a": data.draw(field_values(declared.type, declared.many))} if data.draw(st.integers(0, 4)) else {}
    expected = outcome(check_payload, payload, event_type, project)
    try:
        fast = event_checks.checks_for(project).payload(event_type)(payload)
    except event_checks.NotSure:
        event(f"{declared.type}: left to the generic check")
        return  # which check_event then runs: the property below covers that route
    event(f"{declared.type}: decided by the compiled check")
    assert expected == ("value", exact(fast))


@SETTINGS
@given(st.data())
def test_check_event_agrees_with_the_reference(data):
    project = data.draw(projects(data.draw(st.sampled_from([1, 2, 5]))))
    csv = data.draw(st.booleans())
    record = {"id": data.draw(st.sampled_from(["e1", 7, "", " ", True, None, 2.5])),
             "type": data.draw(st.sampled_from(["ev", "ev", "ev", "evv", TASK_DONE, None])),
             "time": data.draw(EVENT_TIMES | TIME_TEXT | st.sampled_from([None, 5])),
             "payload": data.draw(payloads(project, csv) | st.sampled_from([[], "x", None]))}
    for key in data.draw(st.lists(st.sampled_from(["id", "type", "time", "payload"]), max_size=2)):
        record.pop(key, None)
    if data.draw(st.integers(0, 9)) == 0:
        record[data.draw(st.sampled_from(["extra", "Time"]))] = 1
    raw = RawEvent(3, "the line", record, extra={"csv": True} if csv else {})
    assert outcome(check_event, raw, project) == outcome(reference_check_event, raw, project)


@SETTINGS
@given(st.sampled_from(ZONES), EVENT_TIMES | TIME_TEXT)
def test_event_times_agree_with_the_reference(zone, time):
    project = Project(Path("."), "t", zone, event_types={"ev": EventType("ev", None, {})})
    raw = RawEvent(1, "", {"id": "1", "type": "ev", "time": time})
    assert outcome(check_event, raw, project) == outcome(reference_check_event, raw, project)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.text(max_size=20),
    st.sampled_from(["{}", "{} {}", "{}x", "[1, 2] ", "\ufeff{}", '"a"', "  {\"a\": 1}\t", "{nope", "\x0c{}\x0c",
                     "{\"a\": NaN}", "1 2", "\u2028{}\u2028", "{\"a\":\n1}", "[" * 50 + "]" * 50]),
    st.builds(json.dumps, st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                                           st.text(max_size=3), inner, max_size=3), max_leaves=6)),
), max_size=6))
def test_read_jsonl_agrees_with_the_reference(lines):
    text = "\n".join(line.replace("\n", " ") for line in lines)
    new = [exact(vars(r)) for r in read_jsonl(io.StringIO(text))]
    assert new == [exact(vars(r)) for r in reference_read_jsonl(io.StringIO(text))]


# -- examples -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def prosthesis() -> Project:
    return load_project(REPO / "definitions" / "prosthesis_followup")


def issued(i: int, **changes) -> dict:
    """A ``prosthesis_issued`` event as bench/gen_events.py writes it."""
    payload = {"deal_id": f"SD-{i}", "serial_number": f"SN-{i}", "device_model": "КИБИ", "side": "left",
               "user_id": f"U-{i}", "user_name": f"Пользователь {i}", "birth_date": "2017-06-01",
               "phone": "+7 900 0000000", "region": "Москва", "issued_at": "2026-06-01T09:00:00+03:00",
               "manager": "petrov"}
    payload.update(changes)
    return {"id": f"bench-issued-{i}", "type": "prosthesis_issued", "time": "2026-06-01T10:00:00+03:00",
            "payload": {k: v for k, v in payload.items() if v is not ...}}


def test_a_good_event_never_reaches_the_generic_check(prosthesis, monkeypatch):
    monkeypatch.setattr(events, "check_payload", lambda *args: pytest.fail("took the generic path"))
    checked = check_event(RawEvent(1, "", issued(1)), prosthesis)
    assert checked.time.isoformat() == "2026-06-01T10:00:00+03:00"
    assert checked.payload == {
        "deal_id": "SD-1", "serial_number": "SN-1", "device_model": "КИБИ", "side": "left", "user_id": "U-1",
        "user_name": "Пользователь 1", "birth_date": dt.date(2017, 6, 1), "phone": "+7 900 0000000",
        "guardian_name": None, "region": "Москва",
        "issued_at": dt.datetime(2026, 6, 1, 9, tzinfo=checked.time.tzinfo), "manager": "petrov"}


@pytest.mark.parametrize("changes, message", [
    ({"colour": "red"}, "'prosthesis_issued' has no field 'colour'"),
    ({"colour": "red", "deal_id": ...}, "'prosthesis_issued' has no field 'colour'"),
    ({"deal_id": ...}, "required field 'deal_id' is missing"),
    ({"deal_id": None}, "required field 'deal_id' is missing"),
    ({"deal_id": ..., "side": "up"}, "required field 'deal_id' is missing"),
    ({"side": "up", "birth_date": "2017-02-30"}, "field 'side' must be one of left, right (got \"up\")"),
    ({"birth_date": "2017-02-30"}, "field 'birth_date' '2017-02-30' is not a valid date: day is out of range for "
                                   "month (got \"2017-02-30\")"),
    ({"issued_at": "2026-06-01T09:00:00+03:75"}, "field 'issued_at' '2026-06-01T09:00:00+03:75' is not a valid "
                                                 "date-time: offset +03:75 is out of range (got "
                                                 "\"2026-06-01T09:00:00+03:75\")"),
    ({"manager": "nobody"}, "field 'manager' is not a known person (got \"nobody\")"),
    ({"phone": 79000000000}, "field 'phone' must be text (got 79000000000)"),
])
def test_bad_events_are_refused_as_before(prosthesis, changes, message):
    raw = RawEvent(1, "", issued(1, **changes))
    with pytest.raises(EventRejected) as new:
        check_event(raw, prosthesis)
    with pytest.raises(EventRejected) as old:
        reference_check_event(raw, prosthesis)
    assert str(new.value) == str(old.value)
    assert str(new.value).startswith(message)


def test_many_events_agree_with_the_reference(prosthesis):
    lines = [json.dumps(issued(i, side=("left", "right", "up")[i % 3], birth_date=f"20{i % 30:02d}-02-{1 + i % 31:02d}",
                                   issued_at=f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:30:00+0{i % 4}:00"))
             for i in range(300)]
    for raw in read_jsonl(lines):
        assert outcome(check_event, raw, prosthesis) == outcome(reference_check_event, raw, prosthesis)


NEAR_MISSES = {
    "string": [1, True, None, ["a"], "", " "],
    "int": [True, False, "12", 12.0, 10**5000, Decimal(3), 0, -1],
    "decimal": [True, "1e3", " 12 ", "NaN", "Infinity", 10**16, 10**16 - 1, -(10**16), "1E+16", "-1E+16", "0.10",
                "9999999999999999.99", 1e16, 0.1, -0.0, "abc", "1E+999999999", Decimal(1), "", 10**5000],
    "bool": [0, 1, "true", None, True, False],
    "date": ODD_DATES,
    "datetime": ODD_TIMES,
    "enum": ["up", 1, ["left"], "LEFT", "left", "1"],
    "person": ["zed", 1, ["ann"], ("ann",), "ops", "ann"],
    "role": ["ann", ["ops"], "ops"],
    "ref": ["", True, 1.0, ["x"], 0, "0", " "],
    "blob": ["x"],
}


@pytest.mark.parametrize("many", [False, True])
@pytest.mark.parametrize("kind, value", [pytest.param(kind, value, id=f"{kind}-{i}")  # a huge int has no id of its own
                                         for kind, values in NEAR_MISSES.items() for i, value in enumerate(values)])
def test_near_misses_of_every_type_are_judged_as_before(kind, value, many):
    fields = {"a": FieldDef("a", kind, None, many=many, values=CHOICES), "b": FieldDef("b", "int", None, default=3)}
    project = Project(Path("."), "t", "Europe/Berlin", event_types={"ev": EventType("ev", None, fields)},
                      people=dict.fromkeys(PEOPLE), roles=dict.fromkeys(ROLES))
    raw = RawEvent(1, "", {"id": "1", "type": "ev", "time": "2026-01-15T10:00:00+03:00",
                           "payload": {"a": [value, value] if many else value}})
    assert outcome(check_event, raw, project) == outcome(reference_check_event, raw, project)


def test_csv_input_takes_the_generic_path(prosthesis):
    data = issued(1, side="right", birth_date=" 2017-06-01 ")
    raw = RawEvent(2, json.dumps(data), data, extra={"csv": True})
    assert outcome(check_event, raw, prosthesis) == outcome(reference_check_event, raw, prosthesis)
    assert check_event(raw, prosthesis).payload["birth_date"] == dt.date(2017, 6, 1)


def test_checks_follow_a_changed_project():
    fields = {"who": FieldDef("who", "person", None), "at": FieldDef("at", "datetime", None)}
    project = Project(Path("."), "t", "Europe/Moscow", event_types={"ev": EventType("ev", None, fields)},
                      people={"ann": None})
    raw = RawEvent(1, "", {"id": "1", "type": "ev", "time": "2026-01-15T10:00:00Z",
                           "payload": {"who": "bob", "at": "2026-01-15T10:00:00Z"}})
    with pytest.raises(EventRejected, match="not a known person"):
        check_event(raw, project)
    project.people = {"bob": None}
    project.timezone = "Asia/Tokyo"
    checked = check_event(raw, project)
    assert (checked.time.isoformat(), checked.payload["at"].isoformat()) == ("2026-01-15T19:00:00+09:00",) * 2
    project.event_types = {"ev": EventType("ev", None, {"who": FieldDef("who", "role", None)})}
    with pytest.raises(EventRejected, match="'ev' has no field 'at'"):
        check_event(raw, project)


def test_a_project_s_checks_go_with_it():
    project = Project(Path("."), "t", "UTC", event_types={"ev": EventType("ev", None, {})})
    check_event(RawEvent(1, "", {"id": "1", "type": "ev", "time": "2026-01-15T10:00:00Z"}), project)
    key = id(project)
    assert key in event_checks._CHECKS
    del project
    gc.collect()
    assert key not in event_checks._CHECKS
