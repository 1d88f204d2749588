"""Item titles through the engine: compiled to one UPDATE where exact, rendered in Python otherwise, same text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from ruledeck.engine import Engine, load_project, read_jsonl
from ruledeck.engine.runtime import titles
from ruledeck.engine.runtime.frame import Frame
from ruledeck.engine.runtime.title_sql import title_sql

REPO = Path(__file__).resolve().parents[3]
SHIPPED = sorted(p.name for p in (REPO / "definitions").iterdir() if (p / "ruledeck.yaml").exists())


@pytest.fixture
def sql_calls(monkeypatch) -> list[bool]:
    """Whether each refresh_titles call that got past its early exits set the titles in SQL."""
    calls: list[bool] = []
    original = titles._set_titles_in_sql

    def spying(*args, **kwargs):
        calls.append(original(*args, **kwargs))
        return calls[-1]

    monkeypatch.setattr(titles, "_set_titles_in_sql", spying)
    return calls


def _columns(engine: Engine, process) -> tuple[tuple[str, str], ...]:
    frame = Frame(engine.project, "rd_none", process, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    values = titles.item_values_sql(frame, process, "SELECT NULL::BIGINT AS id WHERE FALSE",
                                    titles.template_names(process.title), ordered=False)
    return tuple((row[0], row[1]) for row in engine.con.execute(f"DESCRIBE {values}").fetchall())


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_process_title_compiles(name):
    project = load_project(REPO / "definitions" / name)
    engine = Engine.open(project, ":memory:")
    try:
        titled = [p for p in project.processes.values() if p.title]
        assert titled
        assert [p.name for p in titled if title_sql(p.title, _columns(engine, p)) is None] == []
    finally:
        engine.close()


_SAMPLES: dict[str, tuple[dict, dict, list[bool]]] = {}


def _samples(name: str) -> tuple[dict[str, list[tuple[int, str]]], dict[str, list[tuple[int, str]]], list[bool]]:
    """A shipped project after its sample events: every title set again in SQL, then in Python, and whether each
    title refresh of the ingest ran in SQL (one ingest per project for the whole module)."""
    if name in _SAMPLES:
        return _SAMPLES[name]
    calls: list[bool] = []
    original = titles._set_titles_in_sql

    def spying(*args, **kwargs):
        calls.append(original(*args, **kwargs))
        return calls[-1]

    def retitled(engine: Engine) -> dict[str, list[tuple[int, str]]]:
        got = {}
        for process in engine.project.processes.values():
            if process.title:
                table = f"items_{process.name}"
                engine.con.execute(f"UPDATE {table} SET title = NULL")
                frame = Frame(engine.project, "rd_none", process, engine.clock())
                titles.refresh_titles(engine.con, frame, process, f"SELECT id FROM {table}")
                got[process.name] = engine.con.execute(f"SELECT id, title FROM {table} ORDER BY id").fetchall()
        return got

    engine = Engine.open(load_project(REPO / "definitions" / name), ":memory:")
    titles._set_titles_in_sql = spying
    try:
        with (REPO / "samples" / name / "events.jsonl").open(encoding="utf-8") as stream:
            assert engine.ingest(read_jsonl(stream)).accepted > 0
        in_sql = retitled(engine)
        titles._set_titles_in_sql = lambda *args, **kwargs: False
        in_python = retitled(engine)
    finally:
        titles._set_titles_in_sql = original
        engine.close()
    _SAMPLES[name] = in_sql, in_python, calls
    return _SAMPLES[name]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_samples_get_the_same_titles_in_sql_as_in_python(name):
    in_sql, in_python, calls = _samples(name)
    assert calls and all(calls)
    assert any(rows for rows in in_sql.values())
    assert in_sql == in_python


def test_prosthesis_samples_get_exact_titles():
    got = _samples("prosthesis_followup")[0]
    assert got["service"] == [
        (1, "👶 Маша Соколова · КИБИ № KB-26-0012"),
        (12, "🧑 Андрей Никитин · Манипула № MN-26-0107"),
        (20, "🧑 Андрей Никитин · INDY № IN-26-0233"),
    ]
    assert got["feedback"][:2] == [(2, "👶 Первичная ОС после выдачи · Маша Соколова · КИБИ"),
                                   (3, "👶 1 месяц · Маша Соколова · КИБИ")]
    assert got["incident"] == [(28, "INC-2026-0001 · 🧑 Андрей Никитин · № MN-26-0107")]


FALLBACK = """
processes:
  card:
    title: "{% for s in serials %}{{ s }},{% endfor %} {{ name | upper }} {{ at }} {{ price }}"
    fields:
      name: {type: string, required: true}
      serials: {type: string, many: true}
      at: {type: datetime}
      price: {type: decimal, scale: 8}
    pipelines: {main: {stages: {open: {}}}}
  tag:
    title: "{{ label }} · {{ size | default('?', true) }}{% if big %} (big){% endif %} {{ due | date }}"
    fields:
      label: {type: string, required: true}
      size: {type: int}
      big: {type: bool, compute: "size > 10"}
      due: {type: date}
    pipelines: {main: {stages: {open: {}}}}
event_types:
  add:
    fields:
      name: {type: string, required: true}
      serials: {type: string, many: true}
      price: {type: decimal, scale: 8}
      size: {type: int}
  bump:
    fields: {name: {type: string, required: true}}
rules:
  add:
    when: {event: add}
    then:
      - create: {process: card, set: {name: event.name, serials: event.serials, at: event.time, price: event.price}}
      - create: {process: tag, set: {label: event.name, size: event.size, due: date(event.time)}}
  grow:
    when: {event: bump}
    then:
      - update:
          process: tag
          where: "label = event.name"
          then:
            - set: {size: "coalesce(size, 0) + 1"}
"""


def test_an_uncompilable_title_is_rendered_in_python(harness, sql_calls):
    h = harness(FALLBACK)
    del sql_calls[:]  # validation prepares the title statements too
    h.event("a1", "add", "2026-01-15T10:00:00+03:00", name="ann", serials=["S1", "S2"], price="0.00000001")
    assert h.one("card", "title")["title"] == "S1,S2, ANN 2026-01-15 10:00:00+03:00 1E-8"
    assert h.one("tag", "title")["title"] == "ann · ? 15.01.2026"
    assert sql_calls == [False, True]


def test_a_set_retitles_only_the_items_it_changed_in_sql(harness, sql_calls):
    h = harness(FALLBACK)
    h.event("a1", "add", "2026-01-15T10:00:00+03:00", name="ann", serials=[], size=10)
    h.event("a2", "add", "2026-01-16T10:00:00+03:00", name="bob", serials=[])
    assert [t["title"] for t in h.items("tag", "title")] == ["ann · 10 15.01.2026", "bob · ? 16.01.2026"]
    del sql_calls[:]
    h.event("b1", "bump", "2026-01-17T10:00:00+03:00", name="ann")
    h.event("b2", "bump", "2026-01-17T11:00:00+03:00", name="bob")
    assert [t["title"] for t in h.items("tag", "title")] == ["ann · 11 (big) 15.01.2026", "bob · 1 16.01.2026"]
    assert sql_calls == [True, True]


@pytest.mark.parametrize("page", [2, 10_000])
def test_python_titles_over_more_items_than_a_page(harness, monkeypatch, page):
    monkeypatch.setattr(titles, "CHUNK", page)
    h = harness(FALLBACK)
    for i in range(5):
        h.event(f"a{i}", "add", f"2026-01-1{i}T10:00:00+03:00", name=f"c{i}", serials=[f"S{i}"])
    h.engine.con.execute("UPDATE items_card SET title = NULL")
    process = h.project.processes["card"]
    frame = Frame(h.project, "rd_none", process, dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    titles.refresh_titles(h.engine.con, frame, process, "SELECT id FROM items_card")
    assert [c["title"] for c in h.items("card", "title")] == [
        f"S{i}, C{i} 2026-01-1{i} 10:00:00+03:00 " for i in range(5)]
    assert h.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'rd_%pages'") == 0


COMPUTED = """
processes:
  sale:
    title: "{{ name }}: {{ gross }} ₽"
    fields:
      name: {type: string, required: true}
      net: {type: int, default: 0}
      gross: {type: int, compute: "net + vat"}
      vat: {type: int, compute: "net * 2"}
    pipelines: {main: {stages: {open: {}}}}
event_types:
  opened: {fields: {name: {type: string, required: true}}}
  priced: {fields: {name: {type: string, required: true}, net: {type: int, required: true}}}
rules:
  open:
    when: {event: opened}
    then:
      - create: {process: sale, set: {name: event.name}}
  price:
    process: sale
    when: {event: priced}
    if: "name = event.name"
    then:
      - set: {net: event.net}
"""


def test_a_title_showing_a_computed_field_follows_the_fields_it_is_computed_from(harness):
    h = harness(COMPUTED)
    h.event("o1", "opened", "2026-01-15T10:00:00+03:00", name="Alpha")
    assert h.one("sale", "title")["title"] == "Alpha: 0 ₽"
    h.event("p1", "priced", "2026-01-15T11:00:00+03:00", name="Alpha", net=1000)
    assert h.one("sale", "title")["title"] == "Alpha: 3000 ₽"
    assert titles.title_inputs(h.project.processes["sale"]) == {"name", "gross", "net", "vat"}
