"""item_fields under processes_fixed(): the same names as without it, in a dict of the caller's own."""

from __future__ import annotations

from pathlib import Path

from ruledeck.engine.definitions.build import build_project
from ruledeck.engine.definitions.project_files import load_project_files
from ruledeck.engine.definitions.scopes import item_fields, processes_fixed

REPO = Path(__file__).resolve().parents[3]


def _processes():
    project, _ = build_project(load_project_files(REPO / "definitions" / "prosthesis_followup"), {})
    return list(project.processes.values())


def test_same_names_with_and_without_the_memo():
    processes = _processes()
    plain = [item_fields(p) for p in processes]
    with processes_fixed():
        assert [item_fields(p) for p in processes] == plain
        assert [item_fields(p) for p in processes] == plain


def test_each_call_gets_its_own_dict():
    process = _processes()[0]
    with processes_fixed():
        first = item_fields(process)
        first["extra"] = first["id"]
        assert "extra" not in item_fields(process)
