"""Commands take an unchanged project from the validated-project cache, and see every change at once."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import REPO

PROBE = """
import atexit, sys
atexit.register(lambda: sys.stderr.write("VALIDATOR:" + str("ruledeck.engine.validation" in sys.modules) + "\\n"))
sys.argv = ["ruledeck", *{args!r}]
from ruledeck.cli.main import main
main()
"""


def _run(args: list[str], cwd, **env: str) -> tuple[subprocess.CompletedProcess, bool]:
    """Run ``ruledeck ARGS`` in a fresh interpreter; also whether it loaded the validator."""
    result = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], cwd=cwd, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "XDG_CACHE_HOME": str(cwd / "user-cache"), **env})
    marker = [line for line in result.stderr.splitlines() if line.startswith("VALIDATOR:")]
    assert marker, result.stderr
    return result, marker[-1] == "VALIDATOR:True"


def _project(tmp_path):
    from ruledeck.engine import scaffold

    scaffold(tmp_path / "p", "complaints")
    return tmp_path / "p"


def test_validate_twice_skips_the_validator_and_prints_the_same(tmp_path):
    root = _project(tmp_path)
    first, validated_first = _run(["validate", str(root)], tmp_path)
    second, validated_second = _run(["validate", str(root)], tmp_path)
    assert (first.returncode, second.returncode) == (0, 0)
    assert (validated_first, validated_second) == (True, False)
    assert second.stdout == first.stdout == f"{root}: ok (0 error(s), 0 warning(s))\n"
    assert (root / ".ruledeck-cache" / ".gitignore").is_file()


def test_a_broken_file_after_a_cached_run_is_reported(tmp_path):
    root = _project(tmp_path)
    _run(["validate", str(root)], tmp_path)
    rules = next((root / "rules").glob("*.yaml"))
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("then:", "thne:", 1), encoding="utf-8")
    result, validated = _run(["validate", str(root)], tmp_path)
    assert validated and result.returncode == 1
    assert "FAILED" in result.stderr and "thne" in result.stdout
    shown, validated = _run(["show", "1", "-p", str(root), "--db", ":memory:"], tmp_path)
    assert validated and shown.returncode == 1
    assert "error(s) in the definitions" in shown.stderr
    rules.write_text(text, encoding="utf-8")  # back to the content validated first: its cache holds again
    again, validated = _run(["validate", str(root)], tmp_path)
    assert not validated and again.returncode == 0


def test_a_command_over_a_database_uses_the_cached_project(tmp_path):
    root = _project(tmp_path)
    db = str(tmp_path / "c.duckdb")
    events = str(REPO / "samples" / "complaints" / "events.jsonl")
    ingest, validated = _run(["ingest", events, "-p", str(root), "--db", db], tmp_path)
    assert ingest.returncode == 0 and validated, ingest.stderr
    shown, validated = _run(["show", "1", "-p", str(root), "--db", db], tmp_path)
    assert shown.returncode == 0 and not validated, shown.stderr
    assert shown.stdout.startswith("#1 CLM-")


def test_switched_off_every_command_validates(tmp_path):
    root = _project(tmp_path)
    _run(["validate", str(root)], tmp_path, RULEDECK_NO_CACHE="1")
    result, validated = _run(["validate", str(root)], tmp_path, RULEDECK_NO_CACHE="1")
    assert validated and result.returncode == 0
    assert not (root / ".ruledeck-cache").exists()
