"""The prepare stage: every statement of a valid project is bound by DuckDB; a failure is a positioned finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruledeck.engine import validate_project
from ruledeck.engine.runtime.actions import fields

PROJECT = "ruledeck: 1\nname: prep\ntimezone: UTC\n"
DEFS = """
processes:
  device:
    fields:
      serial: {type: string}
      code: {type: string, compute: "upper(serial)"}
    pipelines: {main: {stages: {active: {}}}}
  request:
    fields:
      serial: {type: string}
      device: {type: ref, process: device}
    pipelines: {main: {stages: {new: {}}}}
event_types:
  request_made: {fields: {serial: {type: string}}}
rules:
  make_request:
    when: {event: request_made}
    then:
      - create: {process: request, as: made, set: {serial: event.serial}}
      - update:
          process: request
          where: "id = made.id"
          then:
            - link:
                field: device
                process: device
                match:
                  serial: "serial"
                  code: "upper(made.serial)"
"""


def _write(root: Path, defs: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "ruledeck.yaml").write_text(PROJECT, encoding="utf-8")
    (root / "defs.yaml").write_text(defs, encoding="utf-8")
    return root


def test_a_project_whose_statements_all_bind_is_clean(tmp_path):
    result = validate_project(_write(tmp_path / "p", DEFS))
    assert result.findings == []
    assert result.project is not None


def test_a_statement_the_database_refuses_names_the_rule_and_the_value(tmp_path, monkeypatch):
    # The bug of issue 18 brought back: a computed field of the link's target read as a column of 't'.
    monkeypatch.setattr(fields, "link_target_sql", lambda resolver, target, name: f't."{name}"')
    result = validate_project(_write(tmp_path / "p", DEFS))
    assert [(f.line, f.col, f.code, f.path) for f in result.findings] == [
        (29, 25, "E-SQL", "rules.make_request.then[1].update.then[0].link.match.code")]
    message = result.findings[0].message
    assert message.startswith("rule 'make_request', rules.make_request.then[1].update.then[0].link.match.code: "
                              "the database cannot run it: Binder Error: ")
    assert result.project is None


def test_the_stage_runs_only_on_a_project_without_other_errors(tmp_path, monkeypatch):
    from ruledeck.engine.validation.checks import prepare

    called = []
    monkeypatch.setattr(prepare, "_prepare_rule", lambda *args: called.append(args))
    validate_project(_write(tmp_path / "p", DEFS.replace("upper(made.serial)", "upper(made.nope)")))
    assert called == []


@pytest.mark.parametrize("scenario", ["complaints", "service_requests"])
def test_the_sql_validation_built_is_what_the_first_event_reuses(scenario):
    """Compiled once: validation leaves the project's compiled SQL behind for the engine."""
    result = validate_project(Path(__file__).parents[3] / "definitions" / scenario)
    assert result.errors == []
    assert len(result.project.compiled_sql) > 20
