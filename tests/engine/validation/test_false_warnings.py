"""The unreachable-stage and rule-loop warnings: silent where a card can get there or a loop cannot happen."""

from __future__ import annotations

import textwrap

from ruledeck.engine import validate_project

PROCESS = """
processes:
  ticket:
    fields:
      size: {type: enum, values: [small, big]}
      route: {type: enum, values: [to_a, to_b]}
      count: {type: int}
    pipelines:
      main:
        stages:
          start: {}
          a: {}
          b: {}
          c: {}
          small: {}
          big: {}
          paused: {kind: on_hold}
          by_hand: {manual: true}
          to_a: {}
          to_b: {}
event_types:
  routed:
    fields:
      ticket: {type: ref, process: ticket}
      target: {type: enum, values: [c]}
"""


def findings(project_factory, rules: str) -> list[str]:
    files = {"extra.yaml": textwrap.dedent(PROCESS) + textwrap.dedent(rules)}
    return [f.format().removeprefix("project/") for f in validate_project(project_factory(files)).findings]


REACHING = """
    rules:
      computed:
        process: ticket
        when: {event: routed}
        if: "id = event.ticket"
        then:
          - move: "case when count > 3 then 'a' else 'b' end"
          - move: event.target
          - move: "coalesce(size, 'a')"
          - move: "coalesce(route, 'a')"
          - hold: paused
          - resume: {}
          - move: "coalesce(held_from, 'a')"
"""


def test_stages_reached_by_computed_moves_enum_values_hold_and_manual_raise_no_warning(project_factory):
    assert findings(project_factory, REACHING) == []


def test_an_unreached_stage_names_what_would_reach_it(project_factory):
    assert findings(project_factory, REACHING.replace("          - hold: paused\n", "")) == [
        "extra.yaml:17:11: warning W-STAGE-UNREACHABLE: no rule or person can put a 'ticket' card in stage 'paused' "
        "(add 'hold: paused' to a rule of process 'ticket', or mark the stage 'manual: true')"]
    assert findings(project_factory, REACHING.replace("then 'a' else 'b'", "then 'a' else 'a'")) == [
        "extra.yaml:13:11: warning W-STAGE-UNREACHABLE: no rule or person can put a 'ticket' card in stage 'b' "
        "(add 'move: b' to a rule of process 'ticket' (or 'stage: b' to a create of it), or mark the stage "
        "'manual: true' so people can move cards there with 'ruledeck move')"]


def test_a_create_with_a_stage_reaches_it(project_factory):
    rules = REACHING.replace("          - move: \"case when count > 3 then 'a' else 'b' end\"\n", "") + """
      opened:
        when: {event: routed}
        then:
          - create: {process: ticket, stage: a}
          - create: {process: ticket, stage: b}
    """
    assert findings(project_factory, rules) == []


LOOP = """
    rules:
      first:
        process: ticket
        when: {changed: count}
        if: "stage = 'a'"
        then:
          - move: b
          - set: {count: "count + 1"}
      second:
        process: ticket
        when: {changed: count}
        if: "stage in ('b', 'c') and count < 10"
        then:
          - set: {count: "count + 1"}
      third:
        process: ticket
        when: {entered: c}
        then:
          - move: a
"""


def test_rules_whose_stage_conditions_cannot_both_hold_make_no_loop(project_factory):
    assert [f for f in findings(project_factory, LOOP) if "W-RULE-CYCLE" in f] == [
        "extra.yaml:37:11: warning W-RULE-CYCLE: rules can fire each other in a loop: second -> second (the engine "
        "stops such a cascade at depth 10; add a condition that breaks the loop)"]


def test_a_loop_through_a_stage_both_rules_allow_still_warns(project_factory):
    loop = LOOP.replace("if: \"stage = 'a'\"", "if: \"stage in ('a', 'b')\"")
    assert [f.split(": loop: ")[-1] for f in findings(project_factory, loop) if "W-RULE-CYCLE" in f] == [
        "extra.yaml:30:11: warning W-RULE-CYCLE: rules can fire each other in a loop: first -> first (the engine "
        "stops such a cascade at depth 10; add a condition that breaks the loop)"]
