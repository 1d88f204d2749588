"""Shared fixtures: write projects from dicts of files, load file fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


def write_project_files(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` below ``root`` and return ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def base_project_files() -> dict[str, str]:
    """The small valid project every broken-definition case starts from."""
    folder = FIXTURES / "base_project"
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml"))}


@pytest.fixture
def project_factory(tmp_path, monkeypatch):
    """Write the base project with some files replaced; findings name files relative to it."""
    monkeypatch.chdir(tmp_path)

    def make(overrides: dict[str, str | None] | None = None) -> Path:
        files = base_project_files()
        for name, text in (overrides or {}).items():
            if text is None:
                files.pop(name, None)
            else:
                files[name] = text
        return write_project_files(tmp_path / "project", files)

    return make
