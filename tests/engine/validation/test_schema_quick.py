"""The quick schema test agrees with jsonschema: it passes a document only when jsonschema finds no error."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruledeck.engine.definitions.yaml_loader import YamlLoadError, load_yaml_text
from ruledeck.engine.validation.schema import KINDS, _registry, load_schemas, quick_test, validator
from ruledeck.engine.validation.schema_quick import Unsupported, compile_schema

from tests.conftest import FIXTURES, REPO, base_project_files

CASES = yaml.safe_load((FIXTURES / "broken_definitions.yaml").read_text(encoding="utf-8"))


def _schema_for(path: Path) -> str:
    if path.name == "ruledeck.yaml":
        return "project.json"
    return "spec.json" if "tests" in path.parts else "definitions.json"


def _corpus() -> list[tuple[str, str, object]]:
    """(label, schema file, data) for every shipped file and every broken-definition case's files."""
    found = []
    for path in sorted((REPO / "definitions").rglob("*.yaml")):
        if "documents" not in path.parts:
            data = load_yaml_text(path.read_text(encoding="utf-8"), path.name).data
            found.append((str(path.relative_to(REPO)), _schema_for(path), data))
    base = base_project_files()
    for case in CASES:
        files = dict(base)
        if "file" in case:
            files[case["file"]] = files[case["file"]].replace(case["old"], case["new"], 1)
        files.update(case.get("files", {}))
        for name, text in files.items():
            try:
                data = load_yaml_text(text, name).data
            except YamlLoadError:
                continue
            schema = "project.json" if name == "ruledeck.yaml" else "definitions.json"
            found.append((f"{case['title']}: {name}", schema, data))
    return found


CORPUS = _corpus()


def _jsonschema_valid(schema_file: str, data: object) -> bool:
    return next(validator(schema_file).iter_errors(data), None) is None


@pytest.mark.parametrize("schema_file", sorted(set(KINDS.values())))
def test_every_shipped_schema_compiles(schema_file):
    assert quick_test(schema_file) is not None


def test_the_corpus_has_valid_and_invalid_documents():
    verdicts = {_jsonschema_valid(schema, data) for _, schema, data in CORPUS}
    assert verdicts == {True, False}


@pytest.mark.parametrize("label, schema_file, data", CORPUS, ids=[c[0] for c in CORPUS])
def test_same_verdict_as_jsonschema(label, schema_file, data):
    assert quick_test(schema_file)(data) == _jsonschema_valid(schema_file, data)


_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([0.0, 1.0, 1.5, -2.0]),
    st.sampled_from(["", "x", "a_b", "Bad-Name", "1 month", "5d", "0 6 1 * *", "low", "enum", "true", "count"]),
)  # fmt: skip
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["a", "type", "when", "then", "if", "x"]), inner,
                                                 max_size=3)), max_leaves=6)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


@st.composite
def _mutated(draw):
    """A corpus document with one node replaced, one key removed or added, or a list item repeated."""
    _, schema_file, data = draw(st.sampled_from(CORPUS))
    data = copy.deepcopy(data)
    paths = [p for p in _paths(data) if p]
    if not paths:
        return schema_file, data
    path = draw(st.sampled_from(paths))
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    action = draw(st.sampled_from(["replace", "drop", "add", "repeat"]))
    if action == "replace":
        parent[last] = draw(_VALUES)
    elif action == "drop" and isinstance(parent, dict):
        del parent[last]
    elif action == "add" and isinstance(parent[last], dict):
        parent[last][draw(st.sampled_from(["label", "x", "default", "values", "every", "hold"]))] = draw(_VALUES)
    elif action == "repeat" and isinstance(parent[last], list) and parent[last]:
        parent[last].append(copy.deepcopy(parent[last][0]))
    return schema_file, data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_passes_only_what_jsonschema_accepts(case):
    schema_file, data = case
    if quick_test(schema_file)(data):
        assert _jsonschema_valid(schema_file, data)


@pytest.mark.parametrize("schema, value, valid", [
    ({"const": 1}, True, False),
    ({"const": 1}, 1.0, True),
    ({"enum": [True]}, 1, False),
    ({"enum": [0, "a"]}, False, False),
    ({"type": "integer"}, 2.0, True),
    ({"type": "integer"}, True, False),
    ({"type": "number"}, False, False),
    ({"minimum": 3}, True, True),
    ({"format": "email"}, "not an email", True),
    ({"uniqueItems": True}, ["a", "b", "a"], False),
    ({"uniqueItems": True}, [1, True], False),  # jsonschema says valid, the quick test does not judge: falls back
    ({"additionalProperties": False, "patternProperties": {"^x": True}}, {"xy": 1, "z": 2}, False),
    ({"additionalProperties": False, "patternProperties": {"^x": True}}, {"xy": 1}, True),
    ({"oneOf": [{"type": "string"}, {"minLength": 1}]}, "a", False),
    ({"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": False}, {}, False),
    ({"if": {"required": ["a"]}, "then": {"required": ["b"]}}, {"a": 1}, False),
    ({"not": {"required": ["a"]}}, {"b": 1}, True),
    ({"dependentRequired": {"a": ["b"]}}, {"a": 1}, False),
    ({"propertyNames": {"pattern": "^[a-z]+$"}}, {"A": 1}, False),
    ({"then": False}, 1, True),
])  # fmt: skip
def test_keyword_semantics(schema, value, valid):
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    assert compile_schema(schema, _registry(), [schema])(value) is valid


@pytest.mark.parametrize("schema", [
    {"contains": {"type": "string"}},
    {"unevaluatedProperties": False},
    {"$schema": "http://json-schema.org/draft-07/schema#"},
    {"properties": {"a": {"$id": "https://example.com/a", "type": "string"}}},
    {"$ref": "nowhere.json"},
    {"pattern": "("},
])  # fmt: skip
def test_what_it_does_not_implement_is_refused(schema):
    with pytest.raises(Unsupported):
        compile_schema(schema, _registry(), [])


def test_the_validator_asserts_no_format():
    """format is an annotation for the quick test; so it must be for jsonschema's validator."""
    assert all(validator(name).format_checker is None for name in load_schemas())
