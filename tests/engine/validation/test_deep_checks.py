"""Definitions checked all the way down: fields that depend on themselves, lookup rows against their columns."""

from __future__ import annotations

from pathlib import Path

from ruledeck.engine import validate_project

PROJECT = "ruledeck: 1\nname: deep\ntimezone: UTC\n"
CYCLE = """
processes:
  case:
    fields:
      own_time: {type: int, default: 0}
      parent: {type: ref, process: case}
      total: {type: int, compute: "own_time + children_total"}
      children_total: {type: int, rollup: {process: case, link: parent, sum: total}}
      doubled: {type: int, compute: "total * 2"}
      late: {type: bool, compute: "not early"}
      early: {type: bool, compute: "not late"}
    pipelines: {main: {stages: {open: {}}}}
"""
LOOKUP = """
lookups:
  tariffs:
    fields:
      size: {type: enum, values: [small, large]}
      price: {type: decimal}
      since: {type: date}
      count: {type: int}
      name: {type: string}
    key: size
    rows:
      - {size: small, price: 10.5, since: 2026-01-01, count: 1, name: basic}
      - {size: larg, price: 20, since: "2026-02-30", count: true, name: 5}
      - {size: large, price: "cheap", since: "2026-03-01", count: [1], name: big}
"""


def _findings(tmp_path: Path, defs: str) -> list[tuple]:
    root = tmp_path / "p"
    root.mkdir()
    (root / "ruledeck.yaml").write_text(PROJECT, encoding="utf-8")
    (root / "defs.yaml").write_text(defs, encoding="utf-8")
    return [(f.line, f.col, f.code, f.path, f.message) for f in validate_project(root).findings]


def test_a_field_depending_on_itself_through_a_rollup_names_the_cycle_once(tmp_path):
    assert _findings(tmp_path, CYCLE) == [
        (7, 35, "E-FIELD-CYCLE", "processes.case.fields.total.compute",
         "field 'case.total' depends on itself: case.total -> case.children_total -> case.total"),
        (10, 35, "E-FIELD-CYCLE", "processes.case.fields.late.compute",
         "field 'case.late' depends on itself: case.late -> case.early -> case.late"),
    ]


def test_a_rollup_over_other_fields_of_the_same_process_is_no_cycle(tmp_path):
    defs = CYCLE.replace("sum: total}", "sum: own_time}").replace('"not early"', '"own_time > 1"')
    assert _findings(tmp_path, defs) == []


def test_lookup_rows_are_checked_against_their_columns_types_and_values(tmp_path):
    assert _findings(tmp_path, LOOKUP) == [
        (13, 16, "E-LOOKUP-VALUE", "lookups.tariffs.rows[1].size",
         "lookup 'tariffs', column 'size': 'larg' is not one of its values (small, large)"),
        (13, 40, "E-LOOKUP-VALUE", "lookups.tariffs.rows[1].since",
         "lookup 'tariffs', column 'since': '2026-02-30' is not a date"),
        (13, 61, "E-LOOKUP-VALUE", "lookups.tariffs.rows[1].count",
         "lookup 'tariffs', column 'count': True is not an int"),
        (13, 73, "E-LOOKUP-VALUE", "lookups.tariffs.rows[1].name",
         "lookup 'tariffs', column 'name': 5 is not text"),
        (14, 30, "E-LOOKUP-VALUE", "lookups.tariffs.rows[2].price",
         "lookup 'tariffs', column 'price': 'cheap' is not a decimal"),
        (14, 67, "E-LOOKUP-VALUE", "lookups.tariffs.rows[2].count",
         "lookup 'tariffs', column 'count': [1] is not a single value (a lookup column holds one value per row)"),
    ]


def test_fields_named_like_the_engines_working_columns_are_refused(tmp_path):
    defs = ("processes:\n  box:\n    fields: {rn: {type: int}, size: {type: int}}\n"
            "    pipelines: {main: {stages: {new: {}}}}\n"
            "event_types:\n  boxed: {fields: {ev: {type: string}}}\n")
    assert [f[2:] for f in _findings(tmp_path, defs)] == [
        ("E-FIELD-RESERVED", "processes.box.fields.rn",
         "field 'rn' of process 'box': 'rn' is a column the engine uses while it applies rules"),
        ("E-FIELD-RESERVED", "event_types.boxed.fields.ev",
         "field 'ev' of event type 'boxed': 'ev' is a column the engine uses while it applies rules"),
    ]


CONSTRAINED_LOOKUP = """
lookups:
  rates:
    fields:
      country: {type: string, required: true, pattern: "^[A-Z]{2}$"}
      rate: {type: decimal, min: 0, max: 30}
      since: {type: date, min: "2020-01-01"}
      code: {type: string, min_length: 2, max_length: 3, unique: [since]}
      owner: {type: person, required: true}
    key: country
    rows:
      - {country: RU, rate: 20, since: 2026-01-01, code: ru, owner: petrov}
      - {country: kz, rate: 30.5, since: "2019-12-31", code: r, owner: petrov}
      - {country: " ", rate: 0, since: 2026-01-01, code: ru}
      - {country: BY, rate: -1, code: rubl, owner: null}
people:
  petrov: {name: Пётр Петров}
"""


def test_lookup_rows_are_checked_against_their_columns_constraints(tmp_path):
    assert _findings(tmp_path, CONSTRAINED_LOOKUP) == [
        (13, 19, "E-LOOKUP-VALUE", "lookups.rates.rows[1].country",
         "lookup 'rates', column 'country' must match the pattern '^[A-Z]{2}$' (got 'kz')"),
        (13, 29, "E-LOOKUP-VALUE", "lookups.rates.rows[1].rate",
         "lookup 'rates', column 'rate' must be at most 30 (got 30.5)"),
        (13, 42, "E-LOOKUP-VALUE", "lookups.rates.rows[1].since",
         "lookup 'rates', column 'since' must be at least 2020-01-01 (got 2019-12-31)"),
        (13, 62, "E-LOOKUP-VALUE", "lookups.rates.rows[1].code",
         "lookup 'rates', column 'code' must have at least 2 characters (got 'r')"),
        (14, 9, "E-LOOKUP-VALUE", "lookups.rates.rows[2]",
         "lookup 'rates', row 2: column 'owner' is required and has no value"),
        (14, 19, "E-LOOKUP-VALUE", "lookups.rates.rows[2].country",
         "lookup 'rates', row 2: column 'country' is required and has no value"),
        (14, 58, "E-LOOKUP-DUPLICATE", "lookups.rates.rows[2].code",
         "lookup 'rates', column 'code' is unique, but 'ru', since '2026-01-01' appears in rows 0 and 2"),
        (15, 29, "E-LOOKUP-VALUE", "lookups.rates.rows[3].rate",
         "lookup 'rates', column 'rate' must be at least 0 (got -1)"),
        (15, 39, "E-LOOKUP-VALUE", "lookups.rates.rows[3].code",
         "lookup 'rates', column 'code' must have at most 3 characters (got 4)"),
        (15, 52, "E-LOOKUP-VALUE", "lookups.rates.rows[3].owner",
         "lookup 'rates', row 3: column 'owner' is required and has no value"),
    ]


def test_lookup_column_constraints_are_checked_themselves(tmp_path):
    defs = ("lookups:\n  t:\n    fields:\n      k: {type: string, pattern: \"(?=a)\", unique: [nope]}\n"
            "      n: {type: int, min: 5, max: 1}\n    key: k\n    rows: [{k: a, n: 3}]\n")
    assert [f[2:] for f in _findings(tmp_path, defs)] == [
        ("E-FIELD-PATTERN", "lookups.t.fields.k.pattern",
         "pattern '(?=a)' uses a look-around or a back-reference, which the database's regular expressions (RE2) "
         "do not have"),
        ("E-FIELD-UNIQUE", "lookups.t.fields.k.unique",
         "lookup 't', column 'k': 'unique' is scoped by 'nope', which is no other column"),
        ("E-FIELD-BOUND", "lookups.t.fields.n.max", "max 1 is below min 5"),
    ]
