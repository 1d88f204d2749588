"""Registries stay complete: every command documented, every shipped file valid, the wheel well formed."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import click
import pytest
from ruledeck.cli.main import ruledeck
from ruledeck.engine import validate_paths

REPO = Path(__file__).parents[1]


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix}{name} ")
    return found


@pytest.mark.parametrize(("name", "command"), _commands(ruledeck), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_has_help_and_is_in_the_readme(name, command):
    assert command.help and len(command.help.strip()) > 20, f"'{name}' needs a help text"
    assert f"`ruledeck {name}" in (REPO / "README.md").read_text(), f"'ruledeck {name}' is not in the README"


def test_every_shipped_project_validates_without_findings():
    results = validate_paths([REPO / "definitions"])
    assert len(results) == 5
    for result in results:
        assert [f.format() for f in result.findings] == [], result.root


def test_every_sample_event_file_belongs_to_a_shipped_project():
    samples = sorted(p.name for p in (REPO / "samples").iterdir() if p.is_dir())
    projects = sorted(p.name for p in (REPO / "definitions").iterdir() if (p / "ruledeck.yaml").exists())
    assert samples == projects


def test_the_wheel_ships_schemas_and_no_bare_top_level_packages(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(REPO)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("ruledeck-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.startswith("ruledeck-")}
    assert tops == {"ruledeck"}, tops
    assert "ruledeck/schemas/rule.json" in names and "ruledeck/schemas/definitions.json" in names
    assert "ruledeck/cli/main.py" in names and "ruledeck/engine/__init__.py" in names
    assert not any(n.startswith(("cli/", "engine/")) for n in names)
