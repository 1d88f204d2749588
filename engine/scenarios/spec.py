"""Scenario spec files: find them in a project's ``tests/`` folder and load them with positions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..definitions.model import Loc
from ..definitions.project_files import display_path
from ..definitions.yaml_loader import YamlDocument, YamlLoadError, load_yaml
from ..errors import Finding
from ..validation.schema import check_document

SPEC_FOLDER = "tests"
ACTIONS = ("event", "events", "ingest", "task_done", "tick")
"""The step kinds that do something; a step holds exactly one of them, or only ``expect``."""


@dataclass
class Spec:
    """One loaded spec file."""

    path: Path
    doc: YamlDocument

    @property
    def data(self) -> dict[str, Any]:
        return self.doc.data

    @property
    def title(self) -> str:
        return str(self.data.get("spec") or self.path.stem)

    @property
    def name(self) -> str:
        """The file name without its extension (``-k`` matches it and the title)."""
        return self.path.stem

    def loc(self, *path: str | int) -> Loc:
        """The place of a node of the spec."""
        return Loc(self.doc, tuple(path))

    def steps(self) -> list[dict[str, Any]]:
        return list(self.data.get("steps") or [])


def step_kind(step: dict[str, Any]) -> str:
    """``event``, ``events``, ``ingest``, ``task_done``, ``tick`` – or ``expect`` for a step that only checks."""
    kinds = [k for k in ACTIONS if k in step]
    return kinds[0] if kinds else "expect"


def default_event_id(spec: Spec, index: int) -> str:
    """The id of an event a step writes without one: ``<spec file name>-<step number>``."""
    return f"{spec.name}-{index + 1}"


def spec_files(root: Path) -> list[Path]:
    """The spec files of the project at ``root``: ``tests/**/*.yaml`` (and ``.yml``), sorted."""
    folder = root / SPEC_FOLDER
    if not folder.is_dir():
        return []
    found = [p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
             and not any(part.startswith(".") for part in p.relative_to(folder).parts)]
    return sorted(found)


def load_spec(path: Path) -> tuple[Spec | None, list[Finding]]:
    """Load and schema-check one spec file; the spec is None when it cannot be read at all."""
    try:
        doc = load_yaml(path, display_path(path))
    except YamlLoadError as exc:
        return None, [exc.finding]
    except OSError as exc:
        return None, [Finding(display_path(path), 1, 1, "E-FILE-READ", f"cannot read the file: {exc.strerror}")]
    if not isinstance(doc.data, dict):
        pos = doc.position(())
        return None, [Finding(doc.file, pos.line, pos.col, "E-SPEC-TYPE",
                              "a spec is a mapping with 'spec', 'start' and 'steps'",
                              hint="see docs/testing.md for an example")]
    findings = check_document(doc, "spec.json")
    return Spec(path, doc), findings
