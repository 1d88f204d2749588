"""Mutated definitions always give positioned findings, never a traceback."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruledeck.engine import validate_project

REPO = Path(__file__).parents[2]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
SOURCES = [REPO / "tests" / "fixtures" / "base_project", REPO / "definitions" / "service_requests"]

NASTY = st.sampled_from([
    "", " ", "'", "\"", "{{", "}}", "{{ ''.__class__.__mro__ }}", "0 25 * * *", "* * *", "5 dayz", "-",
    "stage = = 'x'", "x; DROP TABLE items_request", "(select 1)", "now(", "a.b.c", "🤖", "\x00", "null", "[]",
    "case when then end", "1/0", "'" * 50, "ß" * 300, "1e999", "..", "-1 month 2h", "@reboot", "L",
])


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


def _mutate(data, path, how, value):
    if not path:
        return value
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if how == "delete":
        del parent[last]
    elif how == "retype":
        parent[last] = [parent[last]] if not isinstance(parent[last], list) else {"x": parent[last]}
    elif how == "rename" and isinstance(parent, dict):
        parent[f"{last}_x"] = parent.pop(last)
    else:
        parent[last] = value
    return data


@st.composite
def mutation(draw):
    source = draw(st.sampled_from(SOURCES))
    files = sorted(p for p in source.rglob("*.yaml") if "tests" not in p.relative_to(source).parts)
    target = draw(st.sampled_from(files))
    data = yaml.safe_load(target.read_text())
    paths = [p for p in _paths(data) if p]
    path = draw(st.sampled_from(paths))
    how = draw(st.sampled_from(["delete", "retype", "rename", "replace", "replace"]))
    value = draw(st.one_of(NASTY, st.text(max_size=30), st.integers(), st.booleans(), st.none()))
    return source, target.relative_to(source), _mutate(data, path, how, value)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutation())
def test_a_mutated_definition_gets_positioned_findings_never_a_traceback(case):
    source, relative, data = case
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "project"
        shutil.copytree(source, root, ignore=shutil.ignore_patterns("tests"))
        (root / relative).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        result = validate_project(root)
    for finding in result.findings:
        assert finding.line >= 1 and finding.col >= 1 and finding.code and finding.message
        assert "Traceback" not in finding.message


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_as_a_definition_file_are_findings(raw):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "project"
        shutil.copytree(SOURCES[0], root)
        (root / "random.yaml").write_bytes(raw)
        result = validate_project(root)
    assert result.project is None or raw.strip() in (b"", b"{}")
    assert all(f.line >= 1 for f in result.findings)
