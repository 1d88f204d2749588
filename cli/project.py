"""Open a project and its engine for a command (the one place commands get them)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ruledeck.engine import Engine, Project, UsageError, load_project


def project_at(path: Path) -> Project:
    """Load and validate the project at ``path``; definition errors raise DefinitionError."""
    if not (path / "ruledeck.yaml").is_file():
        raise UsageError(f"{path}: not a ruledeck project (no ruledeck.yaml); pass -p PROJECT")
    return load_project(path)


@contextmanager
def open_engine(path: Path, db: str | None, wait: float = 0.0) -> Iterator[Engine]:
    """The project's engine over its database, closed when the command ends."""
    engine = Engine.open(project_at(path), db, wait)
    try:
        yield engine
    finally:
        engine.close()
