"""The shipped set-ups: found from the package, scaffolded into new projects, and their specs pass."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest
from ruledeck.engine import UsageError, load_project
from ruledeck.engine.scenarios import run_spec
from ruledeck.engine.scenarios.shipped import (
    SCENARIOS,
    definitions_folder,
    sample_events,
    scaffold,
    schemas_folder,
    shipped_project,
)
from ruledeck.engine.scenarios.spec import load_spec, spec_files

REPO = Path(__file__).parents[3]


def test_the_shipped_set_ups_are_found_from_the_package():
    assert sorted(p.name for p in definitions_folder().iterdir() if (p / "ruledeck.yaml").exists()) == sorted(SCENARIOS)
    assert definitions_folder().resolve() == (REPO / "definitions").resolve()
    assert sample_events("complaints").is_file()
    assert (schemas_folder() / "spec.json").is_file()


def test_an_unknown_set_up_is_a_usage_error_with_a_hint():
    with pytest.raises(UsageError, match=r"there is no shipped set-up 'complaint' \(did you mean 'complaints'\?\)"):
        shipped_project("complaint")


def test_scaffold_copies_renames_and_repoints(tmp_path):
    target = tmp_path / "my-desk"
    result = scaffold(target, "service_requests")
    assert result.name == "my-desk"
    assert "name: my-desk\n" in (target / "ruledeck.yaml").read_text()
    assert sorted(p.name for p in result.specs) == ["dispatch_and_contract.yaml", "sample_service_desk.yaml"]
    assert [p.name for p in result.samples] == ["README.md", "events.jsonl"]
    assert not (target / "__init__.py").exists() and not list(target.rglob("*.duckdb"))
    first_line = (target / "processes.yaml").read_text().splitlines()[0]
    schema = first_line.split("$schema=")[1]
    assert (target / schema).resolve() == (schemas_folder() / "definitions.json").resolve()
    spec_text = (target / "tests" / "sample_service_desk.yaml").read_text()
    assert "ingest: {file: ../samples/events.jsonl, until: crm-device-TH-22-0093}" in spec_text
    spec_schema = spec_text.splitlines()[0].split("$schema=")[1]
    assert (target / "tests" / spec_schema).resolve() == (schemas_folder() / "spec.json").resolve()
    assert load_project(target).name == "my-desk"


def test_scaffold_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="already exists and is not empty"):
        scaffold(tmp_path / "taken", "complaints")


@cache
def _project(name: str):
    return load_project(REPO / "definitions" / name)


SPECS = [pytest.param(name, path, id=f"{name}/{path.stem}")
         for name in SCENARIOS for path in spec_files(REPO / "definitions" / name)]


def test_every_shipped_project_has_specs_and_together_they_hold_enough():
    per_project = {name: len(spec_files(REPO / "definitions" / name)) for name in SCENARIOS}
    assert all(count >= 2 for count in per_project.values()), per_project


@pytest.mark.parametrize(("name", "path"), SPECS)
def test_shipped_spec_passes(name, path, monkeypatch):
    monkeypatch.chdir(REPO)
    spec, findings = load_spec(Path(os.path.relpath(path, REPO)))
    result = run_spec(spec, _project(name), findings)
    problems = [f.format() for f in result.findings] + ([result.error.format()] if result.error else [])
    problems += [f"{c.location()}: {c.message()}" for c in result.failures]
    assert problems == []
    assert len(result.checks) >= 10
