"""Hostile input: YAML bombs and tags, smuggled SQL, sandbox escapes, path traversal, a busy database."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruledeck.cli.main import ruledeck
from ruledeck.engine.templating import TemplateError, render

REPO = Path(__file__).parents[2]
BASE = REPO / "tests" / "fixtures" / "base_project"


def validate(root: Path):
    return CliRunner().invoke(ruledeck, ["validate", str(root)], catch_exceptions=False)


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(BASE, root)
    return root


def test_an_alias_bomb_is_refused(project):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join(['*a' + str(i - 1)] * 10)}]" for i in range(1, 12)]
    (project / "bomb.yaml").write_text("\n".join(lines) + "\n")
    result = validate(project)
    assert result.exit_code == 1
    assert "bomb.yaml:" in result.output and "E-YAML-TOO-LARGE" in result.output


def test_python_object_tags_are_refused_and_never_constructed(project, tmp_path):
    marker = tmp_path / "pwned"
    (project / "evil.yaml").write_text(f"roles: !!python/object/apply:os.system ['touch {marker}']\n")
    result = validate(project)
    assert result.exit_code == 1 and "E-YAML-TAG" in result.output
    assert not marker.exists()


def test_non_utf8_and_deeply_nested_files_get_clear_messages(project):
    (project / "latin.yaml").write_bytes("roles:\n  caf\xe9: {}\n".encode("latin-1"))
    (project / "deep.yaml").write_text("roles: " + "[" * 200 + "]" * 200 + "\n")
    result = validate(project)
    assert "latin.yaml:2:6: error E-YAML-ENCODING: the file is not valid UTF-8 (byte 0xe9)" in result.output
    assert "deep.yaml:1:" in result.output and "E-YAML-TOO-DEEP" in result.output


@pytest.mark.parametrize("expression", [
    "stage = 'new'; DROP TABLE items_request",
    "stage = 'new' -- comment",
    "amount > (SELECT max(amount) FROM items_request)",
    "read_csv('/etc/passwd') is null",
    "stage = 'new' /* x */",
])
def test_sql_smuggled_into_an_expression_is_refused_at_validation(project, expression):
    rules = project / "rules.yaml"
    rules.write_text(rules.read_text().replace("if: \"priority = 'low'\"", f"if: \"{expression}\""))
    result = validate(project)
    assert result.exit_code == 1
    assert "rules.yaml:23:" in result.output
    assert any(code in result.output for code in ("E-EXPR-FORBIDDEN", "E-EXPR-UNKNOWN-FUNCTION", "E-EXPR-SYNTAX"))


def test_template_sandbox_escapes_are_refused_at_validation_and_at_render(project):
    processes = project / "processes.yaml"
    processes.write_text(processes.read_text().replace(
        'title: "Request {{ number }}"', "title: \"{{ ''.__class__.__mro__[1].__subclasses__() }}\""))
    result = validate(project)
    assert result.exit_code == 1 and "E-TEMPLATE-UNSAFE" in result.output
    with pytest.raises(TemplateError, match="template refused"):
        render("{{ x.__class__.__mro__ }}", {"x": ""})
    with pytest.raises(TemplateError, match="template refused"):
        render("{{ cycler.__init__.__globals__ }}", {})


def test_document_names_cannot_leave_the_documents_folder(tmp_path):
    from tests.engine.runtime.conftest import Harness
    from tests.engine.runtime.test_actions import TASKS

    h = Harness(tmp_path / "p", TASKS, db="state.duckdb")
    h.event("r1", "request_in", "2026-01-11T10:00:00+03:00", service="printers")
    h.engine.con.execute("UPDATE items_request SET number = '../../outside'")
    h.event("p1", "report", "2026-01-13T10:00:00+03:00", number="../../outside", problems="x")
    folder = h.engine.documents_dir()
    assert [str(p.relative_to(folder)) for p in folder.rglob("*")] == ["act-.._outside.md"]
    assert not list(tmp_path.parent.rglob("outside.md"))
    h.engine.close()


def test_a_second_process_waits_for_the_lock_with_wait(tmp_path):
    db = tmp_path / "busy.duckdb"
    project = str(REPO / "definitions" / "complaints")
    started = CliRunner().invoke(ruledeck, ["tick", "-p", project, "--db", str(db), "--to", "2026-01-01"])
    assert started.exit_code == 0, started.output
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, time
        con = duckdb.connect({str(db)!r})
        print("ready", flush=True)
        time.sleep(1.5)
        con.close()
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = CliRunner().invoke(ruledeck, ["clock", "-p", project, "--db", str(db), "--wait", "20"],
                                    catch_exceptions=False)
        assert (result.exit_code, result.output) == (0, "clock: 2026-01-01T00:00:00+03:00\n")
    finally:
        holder.kill()
        holder.wait()
