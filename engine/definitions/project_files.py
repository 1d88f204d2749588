"""Find ruledeck projects on disk and load their YAML files.

A project is a folder holding ``ruledeck.yaml``; every other ``*.yaml`` /
``*.yml`` file in it or below it belongs to it, except hidden folders,
``tests/`` (scenario specs), the documents folder and nested projects.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Finding, UsageError
from .yaml_loader import YamlDocument, YamlLoadError, load_yaml

PROJECT_FILE = "ruledeck.yaml"
SKIPPED_FOLDERS = {"tests", "documents", "node_modules", "__pycache__"}
SECTIONS = (
    "processes",
    "event_types",
    "rules",
    "period_tables",
    "roles",
    "people",
    "lookups",
    "templates",
    "boards",
    "reports",
)


@dataclass
class ProjectFiles:
    """The loaded files of one project and the findings met while loading."""

    root: Path
    config: YamlDocument | None
    documents: list[YamlDocument] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def display_path(path: Path) -> str:
    """A path as shown in findings: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def find_projects(target: Path) -> list[Path]:
    """Project roots at ``target``: itself, or every project below it.

    Raises :class:`UsageError` when there is none.
    """
    if not target.exists():
        raise UsageError(f"{target}: no such file or folder")
    if target.is_file():
        if target.name == PROJECT_FILE:
            return [target.parent]
        raise UsageError(f"{target}: not a project; give a folder holding {PROJECT_FILE}")
    if (target / PROJECT_FILE).is_file():
        return [target]
    roots = sorted(p.parent for p in target.rglob(PROJECT_FILE) if not _hidden(p.relative_to(target)))
    if not roots:
        raise UsageError(f"{target}: no ruledeck project here (a project is a folder with {PROJECT_FILE}); "
                         "create one with 'ruledeck init NAME'")
    return roots


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def definition_files(root: Path) -> list[Path]:
    """Every YAML definition file of the project at ``root``, in a stable order."""
    found: list[Path] = []
    for folder, subfolders, files in os.walk(root):
        here = Path(folder)
        subfolders[:] = sorted(
            d for d in subfolders
            if not d.startswith(".") and d not in SKIPPED_FOLDERS and not (here / d / PROJECT_FILE).exists()
        )
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")) and not name.startswith(".") and name != PROJECT_FILE:
                found.append(here / name)
    return found


def load_project_files(root: Path) -> ProjectFiles:
    """Load ``ruledeck.yaml`` and all definition files, collecting YAML errors."""
    project = ProjectFiles(root, None)
    try:
        project.config = load_yaml(root / PROJECT_FILE, display_path(root / PROJECT_FILE))
    except YamlLoadError as exc:
        project.findings.append(exc.finding)
    except OSError as exc:
        project.findings.append(Finding(display_path(root / PROJECT_FILE), 1, 1, "E-FILE-READ",
                                        f"cannot read the file: {exc.strerror}"))
    for path in definition_files(root):
        try:
            project.documents.append(load_yaml(path, display_path(path)))
        except YamlLoadError as exc:
            project.findings.append(exc.finding)
        except OSError as exc:
            project.findings.append(Finding(display_path(path), 1, 1, "E-FILE-READ",
                                            f"cannot read the file: {exc.strerror}"))
    return project
