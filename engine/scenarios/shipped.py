"""The shipped set-ups (``definitions/``, ``samples/``): find them, and scaffold a new project from one.

They are package data (``ruledeck.definitions``, ``ruledeck.samples``), so an
installed ruledeck finds them as well as a checkout does; a checkout without
an install falls back to the folders next to ``engine/``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..suggest import did_you_mean

SCENARIOS = ("prosthesis_followup", "complaints", "medical_orders", "service_requests", "bpm_patterns")
"""The shipped set-ups, one per section of the domain."""
SKIPPED = ("__pycache__", "__init__.py", "documents", "*.duckdb", "*.duckdb.wal", ".*")
_SCHEMA_COMMENT = re.compile(r"^(# yaml-language-server: \$schema=)(\S*?)([A-Za-z_]+\.json)\s*$", re.M)


def _package_folder(package: str, fallback: str) -> Path:
    """Where a data package lives, found without importing it (no ``__pycache__`` among the data)."""
    try:
        spec = importlib.util.find_spec(package)
    except ModuleNotFoundError:
        spec = None
    for location in (spec.submodule_search_locations or []) if spec else []:
        if Path(location).is_dir():
            return Path(location)
    return Path(__file__).resolve().parents[2] / fallback


def definitions_folder() -> Path:
    """The folder holding the shipped projects."""
    return _package_folder("ruledeck.definitions", "definitions")


def samples_folder() -> Path:
    """The folder holding the sample event streams, one folder per shipped project."""
    return _package_folder("ruledeck.samples", "samples")


def schemas_folder() -> Path:
    """The installed JSON Schemas."""
    return _package_folder("ruledeck.schemas", "schemas")


def shipped_project(scenario: str) -> Path:
    """The folder of one shipped project; a UsageError names the set-ups when it is unknown."""
    if scenario not in SCENARIOS:
        hint = did_you_mean(scenario, SCENARIOS)
        raise UsageError(f"there is no shipped set-up '{scenario}'" + (f" ({hint})" if hint else "")
                         + f"; choose one of {', '.join(SCENARIOS)}")
    folder = definitions_folder() / scenario
    if not (folder / "ruledeck.yaml").is_file():
        raise UsageError(f"the shipped set-up '{scenario}' is missing from {definitions_folder()}: reinstall ruledeck")
    return folder


def sample_events(scenario: str) -> Path:
    """The sample event stream of a shipped project."""
    shipped_project(scenario)
    return samples_folder() / scenario / "events.jsonl"


@dataclass
class Scaffold:
    """What ``init`` created."""

    root: Path
    scenario: str
    name: str
    definitions: list[Path] = field(default_factory=list)
    specs: list[Path] = field(default_factory=list)
    samples: list[Path] = field(default_factory=list)


def scaffold(target: Path, scenario: str, name: str | None = None) -> Scaffold:
    """Create a project at ``target`` from a shipped set-up: definitions, specs and samples.

    The project is renamed, the editor ``$schema`` comments point at the
    installed schemas, and the specs read the samples copied into
    ``target/samples``.
    """
    source = shipped_project(scenario)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target} already exists and is not empty: choose a new folder name")
    name = name or target.resolve().name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*SKIPPED), dirs_exist_ok=True)
    result = Scaffold(target, scenario, name)
    samples = samples_folder() / scenario
    if samples.is_dir():
        shutil.copytree(samples, target / "samples", ignore=shutil.ignore_patterns(*SKIPPED))
        result.samples = sorted(p for p in (target / "samples").rglob("*") if p.is_file())
    for path in sorted(target.rglob("*.y*ml")):
        if path.is_relative_to(target / "samples"):
            continue
        text = _point_schema_comment(path.read_text(encoding="utf-8"), path.parent)
        if path.parent == target / "tests" or (target / "tests") in path.parents:
            text = text.replace(f"samples/{scenario}/", "samples/")
            text = re.sub(r"(?:\.\./)+samples/", _samples_prefix(path, target), text)
            result.specs.append(path)
        else:
            result.definitions.append(path)
        if path.name == "ruledeck.yaml" and path.parent == target:
            text = _renamed(text, name)
        path.write_text(text, encoding="utf-8")
    return result


def _renamed(text: str, name: str) -> str:
    """``ruledeck.yaml`` with its ``name:`` line set to ``name`` (quoted when YAML needs it)."""
    plain = name if re.fullmatch(r"[A-Za-z0-9_.-]+", name) else json.dumps(name, ensure_ascii=False)
    return re.sub(r"^name:.*$", lambda _: f"name: {plain}", text, count=1, flags=re.M)


def _samples_prefix(spec: Path, root: Path) -> str:
    depth = len(spec.parent.relative_to(root).parts)
    return "../" * depth + "samples/"


def _point_schema_comment(text: str, folder: Path) -> str:
    """Rewrite ``# yaml-language-server: $schema=…/X.json`` to the installed schema (relative when possible)."""
    schemas = schemas_folder()

    def replace(match: re.Match) -> str:
        target = schemas / match.group(3)
        if not target.is_file():
            return ""
        try:
            where = os.path.relpath(target, folder)
        except ValueError:  # another drive on Windows
            where = str(target)
        return f"{match.group(1)}{Path(where).as_posix()}"

    return _SCHEMA_COMMENT.sub(replace, text)
