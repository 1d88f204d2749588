"""Period tables (offsets grow, none negative, labels unique, an enum covers the variants) and completed_by findings."""

from __future__ import annotations

import textwrap

from ruledeck.engine import validate_project

PROCESS = """
processes:
  card:
    fields:
      category: {type: enum, values: [child, adult], required: true}
      kind: {type: enum, values: [child, adult]}
      issued_on: {type: date}
      planned_at: {type: datetime}
    pipelines:
      main:
        stages:
          new: {}
event_types:
  issued:
    fields: {}
rules:
  plan:
    process: card
    when: {event: issued}
    then:
      - schedule:
          period_table: calls
          process: card
          anchor: issued_on
          set: {planned_at: "anchor + row.offset", category: category}
"""


def findings(project_factory, table: str) -> list[str]:
    files = {"extra.yaml": textwrap.dedent(PROCESS) + textwrap.dedent(table)}
    return [f.format().removeprefix("project/") for f in validate_project(project_factory(files)).findings]


def test_variants_naming_every_value_of_a_required_enum_need_no_default(project_factory):
    assert findings(project_factory, """
        period_tables:
          calls:
            variants:
              child:
                when: "category = 'child'"
                rows: [{offset: 1 month, label: first}]
              adult:
                when: "'adult' = category"
                rows: [{offset: 1 month, label: first}]
        """) == []


def test_an_in_list_and_an_or_cover_the_values_too(project_factory):
    assert findings(project_factory, """
        period_tables:
          calls:
            variants:
              all:
                when: "category in ('child') or category = 'adult'"
                rows: [{offset: 1 month, label: first}]
        """) == []


def test_an_optional_enum_may_be_empty_so_it_does_not_cover(project_factory):
    assert findings(project_factory, """
        period_tables:
          calls:
            variants:
              child:
                when: "kind = 'child'"
                rows: [{offset: 1 month, label: first}]
              adult:
                when: "kind = 'adult'"
                rows: [{offset: 1 month, label: first}]
        """) == ["extra.yaml:29:5: error E-PERIOD-EXHAUSTIVE: period table 'calls' has no default variant, and its "
                 "conditions may not cover every item (add a variant with 'default: true')"]


def test_a_missing_value_does_not_cover(project_factory):
    assert [f.split(": error ")[1][:19] for f in findings(project_factory, """
        period_tables:
          calls:
            variants:
              child:
                when: "category = 'child'"
                rows: [{offset: 1 month, label: first}]
        """)] == ["E-PERIOD-EXHAUSTIVE"]


def test_offsets_must_grow_and_not_be_negative_and_labels_differ(project_factory):
    assert findings(project_factory, """
        period_tables:
          calls:
            variants:
              all:
                default: true
                rows:
                  - {offset: -1d, label: before}
                  - {offset: 3 months, label: three}
                  - {offset: 2 months, label: two}
                  - {offset: 90d, label: three}
                  - {offset: 1y, label: year}
        """) == [
        "extra.yaml:33:22: error E-PERIOD-OFFSET: offset '-1d' of variant 'all' is negative (offsets count forward "
        "from the anchor: write e.g. 1 month)",
        "extra.yaml:35:22: error E-PERIOD-OFFSET: offset '2 months' of variant 'all' is not after the row before it "
        "('3 months') (order the rows by offset, each later than the one before)",
        "extra.yaml:36:34: error E-PERIOD-LABEL: label 'three' of variant 'all' is already used by row 2 (give every "
        "row of a variant its own label)",
    ]


def test_completed_by_names_a_role_and_is_a_condition_over_the_item_and_actor(project_factory):
    files = {"extra.yaml": textwrap.dedent("""
        processes:
          approval:
            fields: {manager: {type: person}}
            pipelines: {main: {stages: {new: {}}}}
            tasks:
              sign: {outcomes: [signed], completed_by: {role: dispatchr}}
              check: {outcomes: [ok], completed_by: "actor = managr"}
              visa: {outcomes: [ok], completed_by: "actor = manager or contains(actor_roles, 'dispatcher')"}
        """)}
    found = [f.format().removeprefix("project/") for f in validate_project(project_factory(files)).findings]
    assert found == [
        "extra.yaml:7:55: error E-REF-ROLE: there is no role 'dispatchr' (did you mean 'dispatcher'?)",
        "extra.yaml:8:54: error E-EXPR-UNKNOWN-FIELD: unknown field 'managr' (did you mean 'manager'?)",
    ]
