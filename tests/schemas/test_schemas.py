"""The JSON Schemas in schemas/: well-formed, self-consistent, and in step with docs/language.md.

Only the files are used (the package need not be installed): the schemas are read from disk
and their cross-file `$ref`s resolved through a `referencing.Registry` keyed by `$id`.
"""

import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS_DIR = ROOT / "schemas"
LANGUAGE_MD = ROOT / "docs" / "language.md"
BASE = "https://ruledeck.dev/schemas/"
SECTIONS = {
    "processes": "process.json",
    "event_types": "event_type.json",
    "rules": "rule.json",
    "period_tables": "period_table.json",
    "roles": "role.json",
    "people": "person.json",
    "lookups": "lookup.json",
    "templates": "template.json",
    "boards": "board.json",
    "reports": "report.json",
}
SCHEMA_FILES = sorted(p.name for p in SCHEMAS_DIR.glob("*.json"))


def load_schemas() -> dict[str, dict]:
    """Every schema file in schemas/, by file name."""
    return {name: json.loads((SCHEMAS_DIR / name).read_text(encoding="utf-8")) for name in SCHEMA_FILES}


def schema_registry() -> Registry:
    """A registry holding every schema in schemas/ under its `$id`."""
    return Registry().with_resources(
        (contents["$id"], Resource.from_contents(contents)) for contents in load_schemas().values()
    )


REGISTRY = schema_registry()


def validator(target: str) -> Draft202012Validator:
    """A validator for `target`, a file name optionally followed by a JSON pointer fragment."""
    return Draft202012Validator({"$ref": BASE + target}, registry=REGISTRY)


def first_error(target: str, instance):
    """The error a consultant would be shown first, or None when `instance` is valid."""
    return best_match(validator(target).iter_errors(instance))


def walk(node, pointer=""):
    """Yield (JSON pointer, subschema) for every mapping in a schema document."""
    if isinstance(node, dict):
        yield pointer, node
        for key, value in node.items():
            yield from walk(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{pointer}/{index}")


def object_schemas(schema):
    """Yield (pointer, subschema) for every subschema declaring an object type."""
    for pointer, node in walk(schema):
        declared = node.get("type")
        if declared == "object" or (isinstance(declared, list) and "object" in declared):
            yield pointer, node


# -- the schema files themselves --------------------------------------------------------------------


def test_one_file_per_kind():
    expected = {"common.json", "project.json", "definitions.json", "spec.json", *SECTIONS.values()}
    assert set(SCHEMA_FILES) == expected
    assert (SCHEMAS_DIR / "__init__.py").exists()


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_schema_is_valid_draft_2020_12(name):
    schema = load_schemas()[name]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == BASE + name
    assert schema["title"] and schema["description"]


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_refs_resolve(name):
    schema = load_schemas()[name]
    resolver = REGISTRY.resolver(base_uri=schema["$id"])
    refs = [node["$ref"] for _, node in walk(schema) if isinstance(node.get("$ref"), str)]
    for ref in refs:
        resolver.lookup(ref)  # raises referencing.exceptions.Unresolvable
        # Editors resolve relative references against the file on disk.
        file_part = ref.partition("#")[0]
        assert not file_part or (SCHEMAS_DIR / file_part).is_file(), ref
        assert "://" not in ref, f"{ref}: cross-file references must be relative"


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_objects_are_closed_and_properties_described(name):
    for pointer, node in object_schemas(load_schemas()[name]):
        assert "additionalProperties" in node, f"{name}#{pointer} lacks additionalProperties"
        if "propertyNames" not in node:
            assert node["additionalProperties"] is False, f"{name}#{pointer} is open"
        for prop, sub in node.get("properties", {}).items():
            assert isinstance(sub, dict) and sub.get("description"), f"{name}#{pointer}/properties/{prop}"


def test_project_file_accepts_every_section():
    project = load_schemas()["project.json"]["properties"]
    definitions = load_schemas()["definitions.json"]["properties"]
    assert set(definitions) == set(SECTIONS)
    assert set(SECTIONS) <= set(project)


# -- docs/language.md examples ----------------------------------------------------------------------


def yaml_blocks():
    """The fenced ```yaml blocks of the language contract, in order."""
    return re.findall(r"```yaml\n(.*?)```", LANGUAGE_MD.read_text(encoding="utf-8"), re.S)


def target_for(document) -> str:
    """The schema (file and pointer) a language.md example is written against."""
    if isinstance(document, list):
        return "rule.json#/$defs/actions"
    keys = set(document)
    if "ruledeck" in keys:
        return "project.json"
    if keys == {"fields"}:
        return "common.json#/$defs/fields"
    if keys <= set(SECTIONS):
        return "definitions.json"
    raise AssertionError(f"unclassified example with keys {sorted(keys)}")


def doc_examples():
    cases = []
    for index, text in enumerate(yaml_blocks()):
        if "NAME:" in text:  # the file-layout synopsis `processes: {NAME: process, ...}`
            continue
        # `fields: {...}` is a placeholder for the fields shown elsewhere; an empty map stands in.
        document = yaml.safe_load(text.replace("{...}", "{}"))
        target = target_for(document)
        if target == "common.json#/$defs/fields":
            document = document["fields"]  # the field-types block shows a bare `fields:` section
        first_line = text.strip().splitlines()[0]
        cases.append(pytest.param(target, document, id=f"block{index}-{first_line[:30]}"))
    return cases


def test_every_yaml_block_is_checked():
    blocks = yaml_blocks()
    skipped = [text for text in blocks if "NAME:" in text]
    assert len(skipped) == 1
    assert len(doc_examples()) == len(blocks) - 1 >= 13


@pytest.mark.parametrize(("target", "document"), doc_examples())
def test_language_md_example_is_valid(target, document):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(target).iter_errors(document)]
    assert errors == []


def action_table_examples():
    """Every code span in the `example` column of the actions table."""
    text = LANGUAGE_MD.read_text(encoding="utf-8")
    section = text.split("### Actions (`then`)", 1)[1].split("\n#", 1)[0]
    spans = []
    for line in section.splitlines():
        if line.startswith("| `"):
            cells = re.split(r"(?<!\\)\|", line)
            spans += re.findall(r"`([^`]+)`", cells[2])
    return spans


def test_action_table_has_examples():
    assert len(action_table_examples()) >= 15


ACTION = validator("rule.json#/$defs/action")


@pytest.mark.parametrize("span", action_table_examples())
def test_action_table_example_is_valid(span):
    action = yaml.safe_load(span)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in ACTION.iter_errors(action)]
    assert errors == []


# -- valid snippets the docs describe in prose or tables -------------------------------------------

STAGES = {"pipelines": {"main": {"stages": {"new": {}, "done": {"kind": "success"}}}}}

# fmt: off
VALID = [
    ("rule.json#/$defs/when", {"event": "task_done"}),
    ("rule.json#/$defs/when", {"created": True}),
    ("rule.json#/$defs/when", {"entered": "done"}),
    ("rule.json#/$defs/when", {"entered": ["done", "cancelled"]}),
    ("rule.json#/$defs/when", {"left": "incident"}),
    ("rule.json#/$defs/when", {"changed": ["amount", "status"]}),
    ("rule.json#/$defs/when", {"cron": "@monthly"}),
    ("rule.json#/$defs/when", {"cron": "*/15 8-18 * jan-jun mon-fri", "missed": "last"}),
    ("rule.json#/$defs/when", {"date": "planned_at"}),
    ("rule.json#/$defs/when", {"date": "planned_at", "offset": "-1d"}),
    ("rule.json#/$defs/when", {"dwell": "waiting", "for": "1 month 15d"}),
    ("rule.json#/$defs/when", {"task": "call", "outcome": ["reached", "not_reached"]}),
    ("rule.json#/$defs/when", {"called": True}),
    ("rule.json", {"when": {"called": True}, "then": [{"set": {"calls": 0, "note": None, "ok": True}}]}),
    ("rule.json", {"when": {"event": "x"}, "enabled": False, "then": [{"create": {"process": "p"}}]}),
    ("rule.json#/$defs/action", {"resume": {"reanchor": "planned_at", "by": "user_id"}}),
    ("rule.json#/$defs/action", {"create": {"process": "request", "pipeline_expr": "event.reason"}}),
    ("rule.json#/$defs/action", {"complete_tasks": {}}),
    ("rule.json#/$defs/action", {"notify": {"to": {"field": "manager"}, "text": "Hi {{ user_name }}"}}),
    ("common.json#/$defs/duration", "+2 weeks 3 days"),
    ("common.json#/$defs/field", {"type": "decimal", "scale": 4, "many": True}),
    ("common.json#/$defs/field", {"type": "int", "rollup": {"process": "l", "link": "order", "count": True}}),
    ("template.json", {"file": "templates/act.md.j2"}),
    ("report.json", {"source": "tasks", "measures": {"n": "count", "late": {"max": "due_at"}}}),
    ("period_table.json", {"variants": {"a": {"when": "x < 18", "rows": [{"offset": "1y 6mo"}]}}}),
    ("process.json", {**STAGES, "initial": {"stage": "new"}, "tasks": {"call": {}}}),
    ("role.json", {}),
    ("common.json#/$defs/field", {"type": "int", "min": 1, "max": 99, "unique": ["client", "year"]}),
    ("common.json#/$defs/field", {"type": "date", "min": "2020-01-01"}),
    ("common.json#/$defs/field", {"type": "text", "required": True, "min_length": 3, "pattern": "^[A-Z]"}),
    ("process.json", {"pipelines": {"main": {"stages": {"a": {"require": [
        "client", {"that": "amount > 0", "message": "{{ number }}: no amount"}]}}}}}),
    ("event_type.json", {"fields": {"phone": {"type": "string"}}, "require": [
        {"that": "event.phone is not null", "message": "a phone is needed"}]}),
    ("rule.json#/$defs/action", {"reject": {"message": "always refused"}}),
    ("rule.json#/$defs/action", {"set": {"tags": ["'urgent'", "event.tag", None], "amounts": []}}),
    ("rule.json#/$defs/action", {"create": {"process": "claim", "stage": "case when x then 'a' else 'b' end"}}),
    ("rule.json#/$defs/action", {"schedule": {"period_table": "t", "process": "p", "anchor": "d", "stage": "later"}}),
    ("common.json#/$defs/field", {"type": "list", "required": True, "of": {"title": {"type": "string"}}}),
    ("rule.json#/$defs/action", {"for_each": {"in": "event.steps", "as": "step", "then": [{"task": "check"}]}}),
    ("rule.json#/$defs/action", {"append": {"rejections": "event.reason", "amounts": [1, "calls + 1"]}}),
    ("rule.json#/$defs/action", {"append": {"field": "rejections", "value": "event.reason"}}),
    ("project.json", {"ruledeck": 1, "name": "demo", "timezone": "UTC", "roles": {"dispatcher": {}}}),
]
# fmt: on


@pytest.mark.parametrize(("target", "instance"), VALID)
def test_valid_snippet(target, instance):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(target).iter_errors(instance)]
    assert errors == []


# -- invalid snippets: the error lands on the right keyword at the right path ---------------------

RULE = {"when": {"event": "x"}, "then": [{"move": "done"}]}

# fmt: off
# Durations, cron strings, sequences and system-field names are left to the semantic
# checks (better messages); tests/fixtures/broken_definitions.yaml covers them.
INVALID = [
    # (id, target, instance, expected validator, expected absolute path)
    ("unknown key", "process.json", {**STAGES, "lable": "Calls"}, "additionalProperties", []),
    ("wrong type", "common.json#/$defs/field", {"type": "int", "required": "yes"}, "type", ["required"]),
    ("unknown field type", "common.json#/$defs/field", {"type": "integer"}, "enum", ["type"]),
    ("bad name", "definitions.json", {"processes": {"Feedback": STAGES}}, "pattern", ["processes"]),
    ("bad stage name", "process.json", {"pipelines": {"main": {"stages": {"To do": {}}}}}, "pattern",
     ["pipelines", "main", "stages"]),
    ("bad stage kind", "process.json", {"pipelines": {"main": {"stages": {"x": {"kind": "closed"}}}}}, "enum",
     ["pipelines", "main", "stages", "x", "kind"]),
    ("enum field without values", "common.json#/$defs/field", {"type": "enum"}, "required", []),
    ("ref field without process", "common.json#/$defs/field", {"type": "ref"}, "required", []),
    ("values on a string field", "common.json#/$defs/field", {"type": "string", "values": ["a"]}, "const",
     ["type"]),
    ("sequence on an int field", "common.json#/$defs/field", {"type": "int", "sequence": "N-{n}"}, "const",
     ["type"]),
    ("rollup with two aggregates", "common.json#/$defs/rollup",
     {"process": "p", "link": "l", "sum": "a", "count": True}, "oneOf", []),
    ("action with two keys", "rule.json", {**RULE, "then": [{"move": "done", "hold": "incident"}]},
     "maxProperties", ["then", 0]),
    ("empty action", "rule.json", {**RULE, "then": [{}]}, "minProperties", ["then", 0]),
    ("unknown action", "rule.json", {**RULE, "then": [{"sett": {"a": 1}}]}, "additionalProperties",
     ["then", 0]),
    ("no actions", "rule.json", {**RULE, "then": []}, "minItems", ["then"]),
    ("empty stage in create", "rule.json", {**RULE, "then": [{"create": {"process": "p", "stage": ""}}]},
     "minLength", ["then", 0, "create", "stage"]),
    ("nested update action", "rule.json",
     {**RULE, "then": [{"update": {"process": "p", "then": [{"move": "a", "hold": "b"}]}}]},
     "maxProperties", ["then", 0, "update", "then", 0]),
    ("pipeline and pipeline_expr", "rule.json#/$defs/action",
     {"create": {"process": "p", "pipeline": "a", "pipeline_expr": "'a'"}}, "not", ["create"]),
    ("set an empty expression", "rule.json#/$defs/action", {"set": {"status": ""}}, "minLength",
     ["set", "status"]),
    ("task shorthand bad name", "rule.json#/$defs/action", {"task": "Call"}, "pattern", ["task"]),
    ("task without name", "rule.json#/$defs/action", {"task": {"due": "2d"}}, "required", ["task"]),
    ("assign role and lookup", "rule.json#/$defs/action",
     {"assign": {"field": "f", "role": "r", "lookup": "l"}}, "oneOf", ["assign"]),
    ("assign unknown method", "rule.json#/$defs/action",
     {"assign": {"field": "f", "role": "r", "method": "random"}}, "enum", ["assign", "method"]),
    ("resume by without reanchor", "rule.json#/$defs/action", {"resume": {"by": "user_id"}},
     "dependentRequired", ["resume"]),
    ("assignee with two keys", "rule.json#/$defs/action",
     {"notify": {"to": {"role": "a", "person": "b"}, "text": "hi"}}, "maxProperties", ["notify", "to"]),
    ("trigger with none", "rule.json", {**RULE, "when": {}}, "minProperties", ["when"]),
    ("two triggers", "rule.json", {**RULE, "when": {"event": "x", "cron": "@daily"}}, "additionalProperties",
     ["when"]),
    ("modifier without its trigger", "rule.json", {**RULE, "when": {"missed": "all"}}, "required", ["when"]),
    ("modifier of another trigger", "rule.json", {**RULE, "when": {"cron": "@daily", "offset": "1d"}},
     "additionalProperties", ["when"]),
    ("unknown trigger", "rule.json", {**RULE, "when": {"entered_stage": "done"}}, "additionalProperties",
     ["when"]),
    ("dwell without for", "rule.json", {**RULE, "process": "p", "when": {"dwell": "waiting"}}, "required",
     ["when"]),
    ("bad missed", "rule.json", {**RULE, "when": {"cron": "@daily", "missed": "skip"}}, "enum",
     ["when", "missed"]),
    ("item trigger without process", "rule.json", {**RULE, "when": {"entered": "done"}}, "required", []),
    ("created must be true", "rule.json", {**RULE, "process": "p", "when": {"created": False}}, "const",
     ["when", "created"]),
    ("template with body and file", "template.json", {"body": "x", "file": "x.j2"}, "oneOf", []),
    ("template with neither", "template.json", {"label": "Act"}, "oneOf", []),
    ("filename with a folder", "template.json", {"body": "x", "filename": "acts/{{ n }}.md"}, "pattern",
     ["filename"]),
    ("variant without when", "period_table.json", {"variants": {"a": {"rows": [{"offset": "1d"}]}}},
     "required", ["variants", "a"]),
    ("default variant with when", "period_table.json",
     {"variants": {"a": {"default": True, "when": "x", "rows": [{"offset": "1d"}]}}}, "not",
     ["variants", "a"]),
    ("report measure with two keys", "report.json",
     {"process": "p", "measures": {"m": {"sum": "a", "avg": "a"}}}, "maxProperties", ["measures", "m"]),
    ("report measure bad word", "report.json", {"process": "p", "measures": {"m": "total"}}, "const",
     ["measures", "m"]),
    ("report with process and source", "report.json",
     {"process": "p", "source": "tasks", "measures": {"n": "count"}}, "oneOf", []),
    ("board total bad word", "board.json", {"process": "p", "totals": {"amount": "total"}}, "enum",
     ["totals", "amount"]),
    ("lookup without key", "lookup.json", {"fields": {}, "rows": []}, "required", []),
    ("person roles not a list", "person.json", {"roles": "dispatcher"}, "type", ["roles"]),
    ("redeclared task_done", "definitions.json", {"event_types": {"task_done": {}}}, "not", ["event_types"]),
    ("unknown section", "definitions.json", {"process": {}}, "additionalProperties", []),
    ("min on a string field", "common.json#/$defs/field", {"type": "string", "min": 1}, "enum", ["type"]),
    ("unique not a list", "common.json#/$defs/field", {"type": "int", "unique": "yes"}, "type", ["unique"]),
    ("list without its record", "common.json#/$defs/field", {"type": "list"}, "required", []),
    ("record without fields", "common.json#/$defs/field", {"type": "list", "of": {}}, "minProperties", ["of"]),
    ("record on a string field", "common.json#/$defs/field", {"type": "string", "of": {}}, "const", ["type"]),
    ("for_each without as", "rule.json#/$defs/action", {"for_each": {"in": "event.steps", "then": [{"task": "c"}]}},
     "required", ["for_each"]),
    ("append nothing", "rule.json#/$defs/action", {"append": {}}, "minProperties", ["append"]),
    ("list of mappings in set", "rule.json#/$defs/action", {"set": {"tags": [{"a": 1}]}}, "type",
     ["set", "tags", 0]),
    ("reject without message", "rule.json#/$defs/action", {"reject": {"if": "x > 1"}}, "required", ["reject"]),
    ("require without message", "process.json",
     {"pipelines": {"main": {"stages": {"a": {"require": [{"that": "x"}]}}}}}, "required",
     ["pipelines", "main", "stages", "a", "require", 0]),
    ("wrong language version", "project.json", {"ruledeck": 2, "name": "n", "timezone": "UTC"}, "const",
     ["ruledeck"]),
    ("project without timezone", "project.json", {"ruledeck": 1, "name": "n"}, "required", []),
    ("bad cascade depth", "project.json", {"ruledeck": 1, "name": "n", "timezone": "UTC", "cascade_depth": 0},
     "minimum", ["cascade_depth"]),
]
# fmt: on


@pytest.mark.parametrize(
    ("target", "instance", "keyword", "path"),
    [pytest.param(*case[1:], id=case[0]) for case in INVALID],
)
def test_invalid_snippet(target, instance, keyword, path):
    error = first_error(target, instance)
    assert error is not None, "expected the snippet to be invalid"
    assert (error.validator, list(error.absolute_path)) == (keyword, path), error.message


def test_invalid_table_is_large_enough():
    assert len(INVALID) >= 15
    assert len({case[0] for case in INVALID}) == len(INVALID)
