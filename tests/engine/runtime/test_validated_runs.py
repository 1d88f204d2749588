"""Definitions that validate run: the two constructs of issue 18 that once failed at the first event."""

from __future__ import annotations

LINK_COMPUTED = """
processes:
  device:
    fields:
      serial: {type: string}
      code: {type: string, compute: "upper(serial)"}
      requests: {type: int, rollup: {process: request, link: device, count: true}}
    pipelines: {main: {stages: {active: {}, retired: {kind: failure}}}}
  request:
    fields:
      serial: {type: string}
      device: {type: ref, process: device}
      fresh: {type: ref, process: device}
    pipelines: {main: {stages: {new: {}}}}
event_types:
  device_added: {fields: {serial: {type: string}}}
  request_made: {fields: {serial: {type: string}}}
rules:
  add_device:
    when: {event: device_added}
    then:
      - create: {process: device, set: {serial: event.serial}}
  make_request:
    when: {event: request_made}
    then:
      - create: {process: request, set: {serial: event.serial}}
  link_request:
    process: request
    when: {created: true}
    then:
      - link: {field: device, process: device, match: {code: "upper(serial)", stage_kind: "'open'"}}
      - link: {field: fresh, process: device, match: {requests: "0"}}
"""


def test_link_matches_a_computed_field_a_stage_kind_and_a_rollup_of_the_target(harness):
    h = harness(LINK_COMPUTED)
    summary = h.events(("d1", "device_added", "2026-01-01T10:00:00+03:00", {"serial": "ab-1"}),
                       ("d2", "device_added", "2026-01-01T11:00:00+03:00", {"serial": "cd-2"}),
                       ("r1", "request_made", "2026-01-02T10:00:00+03:00", {"serial": "AB-1"}),
                       ("r2", "request_made", "2026-01-02T11:00:00+03:00", {"serial": "Cd-2"}))
    assert summary.rejected == []
    # Once linked, r1 counts as a request of device 1: the device without requests is 2; after r2 none is.
    assert h.items("request", "serial, device, fresh") == [
        {"serial": "AB-1", "device": 1, "fresh": 2}, {"serial": "Cd-2", "device": 2, "fresh": None}]


NESTED_AS = """
processes:
  order:
    fields:
      number: {type: string}
    pipelines: {main: {stages: {new: {}}}}
  line:
    fields:
      order_no: {type: string}
      note: {type: string}
      order: {type: ref, process: order}
    pipelines: {main: {stages: {new: {}}}}
    tasks:
      pick: {outcomes: [done]}
event_types:
  line_added: {fields: {number: {type: string}}}
  order_placed: {fields: {number: {type: string}}}
rules:
  add_line:
    when: {event: line_added}
    then:
      - create: {process: line, set: {order_no: event.number}}
      - update: {process: line, where: "order_no = event.number and note is null", then: [{task: pick}]}
  place_order:
    when: {event: order_placed}
    then:
      - create: {process: order, as: t, set: {number: event.number}}
      - update:
          process: line
          where: "order_no = t.number"
          then:
            - set: {note: "'for ' || t.number", order: t.id}
  picked:
    process: line
    when: {task: pick, outcome: done}
    then:
      - update:
          process: order
          where: "number = source.order_no"
          then:
            - create: {process: line, set: {order_no: "number", note: "concat('picked #', task.id)"}}
"""


def test_update_reads_the_items_created_before_it_and_the_task_in_its_nested_actions(harness):
    h = harness(NESTED_AS)
    summary = h.events(("l1", "line_added", "2026-01-01T10:00:00+03:00", {"number": "N1"}),
                       ("l2", "line_added", "2026-01-01T10:05:00+03:00", {"number": "N2"}),
                       ("p1", "order_placed", "2026-01-02T10:00:00+03:00", {"number": "N1"}))
    assert summary.rejected == []
    assert h.items("line", "order_no, note, \"order\"") == [
        {"order_no": "N1", "note": "for N1", "order": 3}, {"order_no": "N2", "note": None, "order": None}]
    task = h.scalar("SELECT id FROM rd_tasks WHERE item = 1")
    summary = h.event("t1", "task_done", "2026-01-03T10:00:00+03:00", task=task, outcome="done")
    assert summary.rejected == []
    assert h.items("line", "order_no, note", "id > 3") == [{"order_no": "N1", "note": f"picked #{task}"}]


COUNTED = """
processes:
  box:
    fields:
      code: {type: string}
      n: {type: int, default: 0}
    pipelines: {main: {stages: {new: {}}}}
event_types:
  boxed: {fields: {code: {type: string}, n: {type: int}}}
rules:
  make_box:
    when: {event: boxed}
    then:
      - create: {process: box, set: {code: event.code, n: "coalesce(event.n, 0)"}}
"""


def test_a_field_named_n_keeps_its_value_when_items_are_created_one_at_a_time_and_in_a_batch(harness):
    """Found by the generated-projects test: ``n`` clashed with the create's row number and got it instead."""
    events = [(f"b{i}", "boxed", f"2026-01-01T10:0{i}:00+03:00", {"code": f"B{i}", "n": None if i else 7})
              for i in range(3)]
    one = harness(COUNTED)
    for event in events:
        assert one.events(event).rejected == []
    batched = harness(COUNTED)
    assert batched.events(*events).rejected == []
    expected = [{"code": "B0", "n": 7}, {"code": "B1", "n": 0}, {"code": "B2", "n": 0}]
    assert one.items("box", "code, n") == batched.items("box", "code, n") == expected
