"""The examples in docs/testing.md are valid specs, and the spec schema is served by ``ruledeck schema spec``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from ruledeck.engine import SCHEMA_KINDS, load_schemas

DOC = Path(__file__).parents[3] / "docs" / "testing.md"


def _validator(pointer: str) -> Draft202012Validator:
    schemas = load_schemas()
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas.values())
    return Draft202012Validator({"$ref": "https://ruledeck.dev/schemas/spec.json" + pointer}, registry=registry)


def _examples():
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    cases = []
    for index, text in enumerate(blocks):
        data = yaml.safe_load(text)
        if isinstance(data, list):
            cases += [pytest.param("#/$defs/step", step, id=f"block{index}-step{i}") for i, step in enumerate(data)]
        elif "steps" in data:
            cases.append(pytest.param("", data, id=f"block{index}-spec"))
        else:
            cases.append(pytest.param("#/$defs/expect", data, id=f"block{index}-expect"))
    return cases


def test_the_doc_has_examples():
    assert len(_examples()) >= 3


@pytest.mark.parametrize(("pointer", "example"), _examples())
def test_doc_example_is_valid(pointer, example):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator(pointer).iter_errors(example)]
    assert errors == []


def test_the_spec_schema_is_a_schema_kind():
    assert SCHEMA_KINDS["spec"] == "spec.json"
