"""Start-up stays light: help, schema, init and shell completion never load DuckDB, sqlglot or Jinja2.

Each case runs the real entry point in a fresh interpreter and reports, at
exit, which heavy modules ended up in ``sys.modules`` – what is loaded, not
how long it took.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import REPO

HEAVY = ("duckdb", "sqlglot", "jinja2")
PROBE = """
import atexit, sys
atexit.register(lambda: sys.stderr.write("HEAVY:" + ",".join(m for m in {heavy!r} if m in sys.modules) + "\\n"))
sys.argv = ["ruledeck", *{args!r}]
from ruledeck.cli.main import main
main()
"""


def _heavy(args: list[str], cwd, env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess, str]:
    code = PROBE.format(heavy=HEAVY, args=args)
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120,
                            env={**os.environ, **(env or {})})
    marker = [line for line in result.stderr.splitlines() if line.startswith("HEAVY:")]
    assert marker, result.stderr
    return result, marker[-1].removeprefix("HEAVY:")


@pytest.mark.parametrize("args", [
    ["--help"], ["-h"], ["--version"], ["schema"], ["schema", "rule"], ["schema", "--list"], ["init", "--help"],
    ["show", "--help"], ["outbox", "--help"], ["task", "done", "--help"], ["validate", "--help"],
], ids=" ".join)
def test_light_commands_load_no_heavy_module(args, tmp_path):
    result, heavy = _heavy(args, tmp_path)
    assert result.returncode == 0, result.stderr
    assert heavy == ""


def test_init_scaffolds_without_loading_the_engine(tmp_path):
    result, heavy = _heavy(["init", "notes", "--from", "complaints"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("created notes/ from 'complaints'")
    assert heavy == ""


def test_shell_completion_is_light_and_lists_the_commands(tmp_path):
    env = {"_RULEDECK_COMPLETE": "bash_complete", "COMP_WORDS": "ruledeck o", "COMP_CWORD": "1"}
    result, heavy = _heavy([], tmp_path, env)
    assert result.stdout.splitlines() == ["plain,outbox"]
    assert heavy == ""
    env = {"_RULEDECK_COMPLETE": "bash_complete", "COMP_WORDS": "ruledeck init x --from c", "COMP_CWORD": "4"}
    result, heavy = _heavy([], tmp_path, env)
    assert result.stdout.splitlines() == ["plain,complaints"]
    assert heavy == ""


def test_a_command_that_opens_a_database_does_load_them(tmp_path):
    """The probe itself works: ``clock`` needs DuckDB, and the marker says so."""
    result, heavy = _heavy(["clock", "-p", str(REPO / "definitions" / "complaints"), "--db", ":memory:"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "duckdb" in heavy.split(",")


def test_the_engine_api_is_lazy_but_complete():
    code = (f"import sys, ruledeck.engine as e; loaded = [m for m in {HEAVY!r} if m in sys.modules]; "
            "missing = [n for n in e.__all__ if getattr(e, n, None) is None]; print(loaded, missing)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout == "[] []\n", result.stderr
