"""Reading through ref fields (``device.client.name``) and format(): LEFT JOINs, null refs, positioned findings."""

from __future__ import annotations

import json

from tests.conftest import write_project_files

PROJECT = {
    "ruledeck.yaml": """\
ruledeck: 1
name: refs
timezone: Europe/Moscow
processes:
  client:
    key: code
    fields:
      code: {type: string}
      name: {type: string}
      vip: {type: bool, default: false}
      answer_by: {type: date}
      devices: {type: int, rollup: {process: device, link: client, count: true}}
      label: {type: string, compute: "coalesce(name, '?')"}
    pipelines: {main: {stages: {active: {}}}}
  device:
    key: serial
    fields:
      serial: {type: string}
      client_code: {type: string}
      client: {type: ref, process: client}
      vip_requests: {type: int, rollup: {process: request, link: device, count: true, where: "device.client.vip"}}
      costly_requests: {type: int, rollup: {process: request, link: device, count: true,
                                            where: "amount > 100 and device.client.name is not null"}}
    pipelines: {main: {stages: {active: {}}}}
  request:
    key: number
    title: "{{ number }} · {{ owner }}"
    fields:
      number: {type: string}
      serial: {type: string}
      amount: {type: decimal}
      due: {type: date}
      device: {type: ref, process: device}
      client_name: {type: string}
      summary: {type: string}
      owner: {type: string, compute: "coalesce(device.client.name, '-')"}
      client_state: {type: string,
                     compute: "concat(device.client.stage_kind, ' ', device.client.devices, ' ', device.client.label)"}
    pipelines: {main: {stages: {new: {}, priority: {}}}}
    tasks:
      answer: {title: "Answer {{ number }}", due: "coalesce(device.client.answer_by, due)"}
event_types:
  client_added:
    fields: {code: {type: string, required: true}, name: {type: string}, vip: {type: bool},
             answer_by: {type: date}}
  device_added:
    fields: {serial: {type: string, required: true}, client: {type: string}}
  request_opened:
    fields: {number: {type: string, required: true}, serial: {type: string}, amount: {type: decimal},
             due: {type: date}}
  client_renamed:
    fields: {code: {type: string, required: true}, name: {type: string}}
  device_checked:
    fields: {device: {type: ref, process: device, required: true}}
rules:
  add_client:
    when: {event: client_added}
    then:
      - create: {process: client, set: {code: event.code, name: event.name, vip: "coalesce(event.vip, false)",
                                        answer_by: event.answer_by}}
  add_device:
    when: {event: device_added}
    then:
      - create: {process: device, set: {serial: event.serial, client_code: event.client}}
  link_client:
    process: device
    when: {created: true}
    then:
      - link: {field: client, process: client, match: {code: client_code}}
  open_request:
    when: {event: request_opened}
    then:
      - create: {process: request, set: {number: event.number, serial: event.serial, amount: event.amount,
                                          due: event.due}}
  link_device:
    process: request
    when: {created: true}
    then:
      - link: {field: device, process: device, match: {serial: serial}}
      - set:
          client_name: device.client.name
          summary: >-
            concat(coalesce(device.serial, 'no device'), ' / ', coalesce(device.client.name, 'nobody'), ' / ',
            format(amount, '# ##0,00'), ' / ', format(due, 'DD.MM.YYYY'))
      - run: prioritise
  escalate:
    process: request
    when: {changed: device}
    if: "device.client.vip and amount > 2000000"
    then:
      - set: {summary: "'escalated'"}
  prioritise:
    process: request
    when: {called: true}
    if: "device.client.vip"
    then:
      - move: priority
      - task: answer
  checked:
    when: {event: device_checked}
    if: "event.device.client.vip is not null"
    then:
      - update:
          process: request
          where: "device = event.device and device.client.name = event.device.client.name"
          then:
            - set: {summary: "concat('checked for ', event.device.client.name, ' (', device.serial, ')')"}
  rename_client:
    when: {event: client_renamed}
    then:
      - update:
          process: client
          where: "code = event.code"
          then:
            - set: {name: event.name}
boards:
  requests:
    process: request
    card: [client_name, owner]
reports:
  per_client:
    process: request
    where: "device.client is not null"
    group_by: {client: "device.client.name", vip: "device.client.vip"}
    measures: {requests: count, amount: {sum: amount}}
    order_by: [client]
""",
    "tests/refs.yaml": """\
spec: "A request reads its device's client, and a spec picks requests by it"
start: 2026-12-01 08:00
steps:
  - event: {type: client_added, time: 2026-12-01 09:00, payload: {code: ACME, name: Acme, vip: true}}
  - event: {type: device_added, time: 2026-12-01 10:00, payload: {serial: SN-1, client: ACME}}
  - event: {type: request_opened, time: 2026-12-02 10:00,
            payload: {number: R-1, serial: SN-1, amount: "1500", due: 2026-12-09}}
    expect:
      items:
        - process: request
          where: "device.client.vip and device.client.name = 'Acme'"
          count: 1
          stage: priority
          fields: {client_name: Acme, owner: Acme, summary: "SN-1 / Acme / 1 500,00 / 09.12.2026"}
""",
    "events.jsonl": "".join(line + "\n" for line in [
        '{"id": "c1", "type": "client_added", "time": "2026-12-01T09:00:00+03:00", '
        '"payload": {"code": "ACME", "name": "Acme", "vip": true, "answer_by": "2026-12-05"}}',
        '{"id": "c2", "type": "client_added", "time": "2026-12-01T09:00:00+03:00", '
        '"payload": {"code": "BETA", "name": "Beta"}}',
        '{"id": "d1", "type": "device_added", "time": "2026-12-01T10:00:00+03:00", '
        '"payload": {"serial": "SN-1", "client": "ACME"}}',
        '{"id": "d2", "type": "device_added", "time": "2026-12-01T10:00:00+03:00", '
        '"payload": {"serial": "SN-2", "client": "BETA"}}',
        '{"id": "d3", "type": "device_added", "time": "2026-12-01T10:00:00+03:00", '
        '"payload": {"serial": "SN-3"}}',
        '{"id": "r1", "type": "request_opened", "time": "2026-12-02T10:00:00+03:00", '
        '"payload": {"number": "R-1", "serial": "SN-1", "amount": "1234567.5", "due": "2026-12-09"}}',
        '{"id": "r2", "type": "request_opened", "time": "2026-12-02T10:00:00+03:00", '
        '"payload": {"number": "R-2", "serial": "SN-2", "amount": "-0.004"}}',
        '{"id": "r3", "type": "request_opened", "time": "2026-12-02T10:00:00+03:00", '
        '"payload": {"number": "R-3", "serial": "SN-3", "amount": "99.995", "due": "2027-01-31"}}',
        '{"id": "r4", "type": "request_opened", "time": "2026-12-02T10:00:00+03:00", '
        '"payload": {"number": "R-4", "serial": "SN-404"}}',
        '{"id": "x1", "type": "client_renamed", "time": "2026-12-03T10:00:00+03:00", '
        '"payload": {"code": "BETA", "name": "Beta Ltd"}}',
    ]),
}


def _at(text: str, needle: str, skip: int = 0) -> str:
    """``line:col`` (1-based) of the first ``needle`` in ``text``, ``skip`` characters into it."""
    line = next(n for n, row in enumerate(text.splitlines(), 1) if needle in row)
    return f"{line}:{text.splitlines()[line - 1].index(needle) + 1 + skip}"


def _run(cli, tmp_path, files=PROJECT):
    project = str(write_project_files(tmp_path / "p", files))
    db = str(tmp_path / "t.duckdb")
    result = cli("ingest", f"{project}/events.jsonl", "-p", project, "--db", db)
    assert result.exit_code == 0, result.output
    return project, db


def test_refs_are_followed_in_set_values_conditions_and_computed_fields(cli, tmp_path):
    project, db = _run(cli, tmp_path)
    result = cli("items", "request", "-p", project, "--db", db, "--format", "json",
                 "--fields", "number,stage,client_name,summary,owner,title")
    items = json.loads(result.output)
    assert [i["title"] for i in items] == ["R-1 · Acme", "R-2 · Beta", "R-3 · -", "R-4 · -"]  # set when linked
    rows = [(i["number"], i["stage"], i["client_name"], i["summary"], i["owner"]) for i in items]
    assert rows == [
        ("R-1", "priority", "Acme", "SN-1 / Acme / 1 234 567,50 / 09.12.2026", "Acme"),
        ("R-2", "new", "Beta", "SN-2 / Beta / 0,00 / ", "Beta Ltd"),  # computed: read now, after the rename
        ("R-3", "new", None, "SN-3 / nobody / 100,00 / 31.01.2027", "-"),  # a device without a client
        ("R-4", "new", None, "no device / nobody /  / ", "-"),  # no device: every step is null
    ]


def test_no_item_no_value_even_for_computed_fields(cli, tmp_path):
    project, db = _run(cli, tmp_path)
    items = json.loads(cli("items", "request", "-p", project, "--db", db, "--format", "json",
                           "--fields", "number,client_state").output)
    assert [i["client_state"] for i in items] == ["open 1 Acme", "open 1 Beta Ltd", "  ", "  "]
    result = cli("items", "request", "-p", project, "--db", db, "--fields", "number", "--where",
                 "device.client.devices = 0 or device.client.stage_kind is null")
    assert result.output.split()[2:] == ["R-3", "R-4"]


def test_task_deadlines_through_refs(cli, tmp_path):
    project, db = _run(cli, tmp_path)
    tasks = json.loads(cli("tasks", "-p", project, "--db", db, "--format", "json").output)
    assert [(t["title"], t["due_at"]) for t in tasks] == [("Answer R-1", "2026-12-05")]


def test_refs_in_item_filters_and_boards(cli, tmp_path):
    project, db = _run(cli, tmp_path)
    result = cli("items", "request", "-p", project, "--db", db, "--where", "device.client.vip",
                 "--fields", "number")
    assert result.exit_code == 0, result.output
    assert "R-1" in result.output and "R-2" not in result.output
    board = json.loads(cli("board", "requests", "-p", project, "--db", db, "--format", "json",
                           "--where", "device.client.name like 'Beta%'").output)
    cards = [card for column in board["columns"] for card in column["cards"]]
    assert [card["fields"]["owner"] for card in cards] == ["Beta Ltd"]


def test_refs_in_rollup_filters(cli, tmp_path):
    project, db = _run(cli, tmp_path)
    result = cli("items", "device", "-p", project, "--db", db, "--format", "json",
                 "--fields", "serial,vip_requests,costly_requests")
    assert [(i["serial"], i["vip_requests"], i["costly_requests"]) for i in json.loads(result.output)] == [
        ("SN-1", 1, 1), ("SN-2", 0, 0), ("SN-3", 0, 0)]


def test_refs_in_reports_and_verify(cli, tmp_path):
    project, db = _run(cli, tmp_path)
    report = json.loads(cli("report", "per_client", "-p", project, "--db", db, "--format", "json").output)
    assert report == [{"client": "Acme", "vip": True, "requests": 1, "amount": "1234567.50"},
                      {"client": "Beta Ltd", "vip": False, "requests": 1, "amount": "0.00"}]
    result = cli("verify", "-p", project, "--db", db)
    assert result.exit_code == 0, result.output


def test_refs_of_an_event_and_inside_update(cli, tmp_path):
    project, db = _run(cli, tmp_path)
    events = "".join(json.dumps({"id": f"k{n}", "type": "device_checked", "time": "2026-12-04T10:00:00+03:00",
                                 "payload": {"device": n}}) + "\n" for n in (3, 4, 5))  # SN-1, SN-2, SN-3
    result = cli("ingest", "-", "-p", project, "--db", db, input=events)
    assert result.exit_code == 0, result.output
    items = json.loads(cli("items", "request", "-p", project, "--db", db, "--format", "json",
                           "--fields", "number,summary").output)
    assert [i["summary"] for i in items][:3] == [
        "checked for Acme (SN-1)", "checked for Beta Ltd (SN-2)",
        "SN-3 / nobody / 100,00 / 31.01.2027"]  # SN-3 has no client: the condition is null


def test_specs_pick_items_through_refs(cli, tmp_path):
    result = cli("test", str(write_project_files(tmp_path / "p", PROJECT)))
    assert result.exit_code == 0, result.output
    assert "1 spec(s): 1 passed" in result.output


def test_explain_reads_refs_now(cli, tmp_path):
    project, db = _run(cli, tmp_path)
    out = cli("explain", "request:R-1", "-p", project, "--db", db).output
    assert ("✗ escalate: condition is could not be evaluated at the time (rebuilt from the journal): it reads "
            "device.client.vip, which is not kept; false with the current values") in out
    assert "now:  amount = 1234567.50, device.client.vip = true" in out


def test_compiled_once_as_left_joins(cli, tmp_path):
    project = str(write_project_files(tmp_path / "p", PROJECT))
    result = cli("compile", "prioritise", "-p", project)
    assert result.exit_code == 0, result.output
    assert 'LEFT JOIN "items_device" "ref_device_' in result.output
    assert 'LEFT JOIN "items_client" "ref_client_' in result.output


def test_wrong_refs_and_patterns_are_positioned_findings(cli, tmp_path):
    text = (PROJECT["ruledeck.yaml"]
            .replace("client_name: device.client.name", "client_name: device.client.nmae")
            .replace('if: "device.client.vip"', 'if: "device.serial.vip"')
            .replace("format(amount, '# ##0,00')", "format(amount, 'DD.MM')"))
    result = cli("validate", str(write_project_files(tmp_path / "p", {"ruledeck.yaml": text})))
    assert result.exit_code == 1
    out = result.output
    unknown, not_ref = _at(text, "nmae"), _at(text, 'serial.vip', 7)
    assert (f"ruledeck.yaml:{unknown}: error E-EXPR-UNKNOWN-FIELD at rules.link_device.then[1].set.client_name: "
            "'device.client' is a ref to process 'client', which has no field 'nmae' (did you mean 'name'?)") in out
    assert (f"ruledeck.yaml:{not_ref}: error E-EXPR-TYPE at rules.prioritise.if: 'device.serial' is string, "
            "not a ref: only a ref field can be followed with '.'") in out
    assert ("error E-EXPR-TYPE at rules.link_device.then[1].set.summary: 'DD.MM' is not a number pattern: write "
            "'0', '0.00', '0,00', '#,##0.00' or '# ##0,00'") in out
