"""``ruledeck test``, ``init`` and ``demo`` through the command line."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import write_project_files

PROJECT = "ruledeck: 1\nname: notes\ntimezone: UTC\n"
DEFINITIONS = """\
processes:
  note:
    title: "{{ text }}"
    fields: {text: {type: string}}
    pipelines: {main: {stages: {new: {}, done: {kind: success}}}}
event_types:
  written: {fields: {text: {type: string}}}
rules:
  write:
    when: {event: written}
    then: [{create: {process: note, set: {text: event.text}}}]
"""
PASSING = """\
spec: Writing a note
start: 2026-01-01
steps:
  - event: {type: written, payload: {text: hello}}
    expect:
      counts: {note: 1}
      items:
        - {process: note, stage: new, fields: {text: hello}}
"""
FAILING = """\
spec: A wrong expectation
start: 2026-01-01
steps:
  - event: {type: written, payload: {text: hello}}
    expect:
      items:
        - {process: note, stage: done}
"""


@pytest.fixture
def notes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def make(**specs: str) -> Path:
        files = {"ruledeck.yaml": PROJECT, "defs.yaml": DEFINITIONS}
        files.update({f"tests/{name}.yaml": text for name, text in specs.items()})
        return write_project_files(Path("notes"), files)

    return make


def test_passing_specs_exit_0_and_report_their_expectations(cli, notes):
    notes(writing=PASSING)
    result = cli("test", "notes")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("PASS  notes/tests/writing.yaml  Writing a note  (3 expectations, ")
    assert lines[-2:] == ["notes: 1 spec(s), 3 expectations",
                          "1 spec(s): 1 passed, 0 failed, 0 error(s); 3 expectations: 3 passed, 0 failed, "
                          "0 xfailed, 0 xpassed"]


def test_a_failing_spec_exits_1_with_expected_actual_and_the_line(cli, notes):
    notes(writing=PASSING, wrong=FAILING)
    result = cli("test", "notes")
    assert result.exit_code == 1
    assert ("FAIL  notes/tests/wrong.yaml  A wrong expectation  (1 expectations" in result.output)
    assert ('    notes/tests/wrong.yaml:7:34: note #1 "hello": stage: expected "done", got "new"\n'
            "      7 |         - {process: note, stage: done}\n"
            "        |                                  ^\n") in result.output


def test_the_current_folder_is_the_default_and_k_selects(cli, notes, monkeypatch):
    monkeypatch.chdir(notes(writing=PASSING, wrong=FAILING))
    result = cli("test", "-k", "writ")
    assert result.exit_code == 0
    assert "1 spec(s): 1 passed" in result.output


def test_junit_for_ci(cli, notes):
    notes(writing=PASSING, wrong=FAILING)
    result = cli("test", "notes", "--format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.output.split("\n", 1)[1])
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("errors")) == ("testsuites", "2", "1", "0")
    cases = root.findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == ["writing: Writing a note", "wrong: A wrong expectation"]
    failure = cases[1].find("failure")
    assert failure.get("message") == '1 expectation(s) failed: note #1 "hello": stage: expected "done", got "new"'
    assert "notes/tests/wrong.yaml:7:34" in failure.text


def test_an_invalid_spec_is_an_error_with_its_position(cli, notes):
    notes(typo="steps:\n  - expect: {counts: {nots: 1}}\n")
    result = cli("test", "notes")
    assert result.exit_code == 1
    assert ("ERROR notes/tests/typo.yaml  typo\n"
            "    notes/tests/typo.yaml:2:29: error E-REF-PROCESS at steps[0].expect.counts.nots: "
            "there is no process 'nots' "
            "(did you mean 'note'?)") in result.output


def test_no_specs_is_a_usage_error(cli, notes):
    notes(writing=PASSING)
    result = cli("test", "notes", "-k", "nothing-like-this")
    assert result.exit_code == 2
    assert "Error: no specs matching 'nothing-like-this' in notes: put scenario specs in PROJECT/tests/*.yaml" \
        in result.output


def test_init_scaffolds_a_project_whose_specs_pass(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("init", "claims", "--from", "complaints")
    assert result.exit_code == 0
    assert result.output.startswith("created claims/ from 'complaints': 11 definition file(s), 4 spec(s), "
                                    "2 sample file(s)\nnext:\n  cd claims\n")
    tested = cli("test", "claims", "-k", "unjustified")
    assert tested.exit_code == 0, tested.output
    again = cli("init", "claims")
    assert again.exit_code == 2
    assert "Error: claims already exists and is not empty: choose a new folder name" in again.output


def test_demo_runs_two_years_and_shows_the_board(cli):
    result = cli("demo", "--at", "2026-08-01", "--limit", "1", "--width", "100")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "2026-02-01 12:00  6 event(s)    cards open 21, done  3" in out
    assert "2028-02-01 12:00  no events" in out
    assert "=== 2026-08-01 12:00 ===\nСбор обратной связи · feedback/main · 14 card(s) · clock 2026-08-01 12:00" in out
    assert "Инцидент (8)" in out
    assert "open tasks: none" in out
    assert "25 months ticked." in out


def test_demo_refuses_a_date_after_its_end_and_an_existing_database(cli, tmp_path):
    late = cli("demo", "--at", "2030-01-01")
    assert (late.exit_code, late.output.splitlines()[-1]) == (2, "Error: --at 2030-01-01: the demo ends on 2028-02-01")
    existing = tmp_path / "demo.duckdb"
    existing.write_text("")
    taken = cli("demo", "--db", str(existing))
    assert taken.exit_code == 2
    assert "already exists: the demo starts from an empty database" in taken.output
