"""The corpus of broken definitions: each case makes one mistake and gets one exact finding."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ruledeck.engine import validate_project

CASES = yaml.safe_load((Path(__file__).parents[2] / "fixtures" / "broken_definitions.yaml").read_text())


def apply_case(case: dict, base: dict[str, str]) -> dict[str, str]:
    files = dict(base)
    if "file" in case:
        text = files[case["file"]]
        assert case["old"] in text, f"fixture out of date: {case['old']!r} not in {case['file']}"
        files[case["file"]] = text.replace(case["old"], case["new"], 1)
    files.update(case.get("files", {}))
    return files


def test_the_base_project_is_clean(project_factory):
    result = validate_project(project_factory())
    assert [f.format() for f in result.findings] == []


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c["title"] for c in CASES])
def test_broken_definition_gets_its_finding(case, project_factory):
    from tests.conftest import base_project_files

    root = project_factory(apply_case(case, base_project_files()))
    findings = validate_project(root).findings
    expect = case["expect"]
    actual = [(f.code, Path(f.file).name, f.line, f.col, f.severity.value) for f in findings]
    wanted = (expect["code"], expect["file"], expect["line"], expect["col"], expect.get("severity", "error"))
    assert actual == [wanted], "\n".join(f.format() for f in findings)
    if "hint" in expect:
        assert findings[0].hint == expect["hint"]
