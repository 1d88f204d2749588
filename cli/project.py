"""Open a project and its engine for a command (the one place commands get them)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ruledeck.engine import Engine, Project


def project_at(path: Path) -> Project:
    """The validated project at ``path`` (from the cache when unchanged); definition errors raise DefinitionError."""
    from ruledeck.engine import UsageError, cached_project

    if not (path / "ruledeck.yaml").is_file():
        raise UsageError(f"{path}: not a ruledeck project (no ruledeck.yaml); pass -p PROJECT")
    return cached_project(path)


@contextmanager
def open_engine(path: Path, db: str | None, wait: float = 0.0, read_only: bool = False) -> Iterator[Engine]:
    """The project's engine over its database, closed when the command ends.

    Documents a command generates are written into the project's documents
    folder, whichever database it runs on (``:memory:`` included).
    ``read_only`` (commands that only look): the database is opened for
    reading, never migrated, and several such commands may read it at once.
    """
    from ruledeck.engine import Engine

    engine = Engine.open(project_at(path), db, wait, write_documents=not read_only, read_only=read_only)
    try:
        yield engine
    finally:
        engine.close()
