"""The first validation stage: JSON Schema (draft 2020-12) per file.

The schemas live in ``schemas/`` (package ``ruledeck.schemas``). Errors are
collected with ``iter_errors`` and turned into findings by branching on
``error.validator``; the library's messages are never regex-parsed. A file
that :mod:`.schema_quick`'s exact yes/no test passes has no errors, so
jsonschema only runs on the files that have some.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource

from ..definitions.yaml_loader import YamlDocument
from ..errors import Finding
from ..schema_files import KINDS, load_schemas  # noqa: F401 - KINDS is re-exported
from ..suggest import did_you_mean
from .schema_quick import Unsupported, compile_schema

SCHEMA_BASE = "https://ruledeck.dev/schemas/"
NAME_RULE = "use lower-case letters, digits and '_', starting with a letter (at most 63 characters)"


@cache
def _registry() -> Registry:
    pairs = [(SCHEMA_BASE + name, Resource.from_contents(schema)) for name, schema in load_schemas().items()]
    return Registry().with_resources(pairs)


@cache
def validator(file_name: str) -> Draft202012Validator:
    """A validator for the schema in ``file_name`` with cross-file refs resolvable."""
    return Draft202012Validator(load_schemas()[file_name], registry=_registry())


@cache
def quick_test(file_name: str) -> Callable[[Any], bool] | None:
    """A fast test that is True only for documents :func:`validator` finds no error in; None if unsupported."""
    try:
        return compile_schema(load_schemas()[file_name], _registry(), load_schemas().values())
    except Unsupported:
        return None


def format_path(path: tuple) -> str:
    """``('rules', 'a', 'then', 2, 'set')`` -> ``rules.a.then[2].set``.

    >>> format_path(('rules', 'a', 'then', 2, 'set'))
    'rules.a.then[2].set'
    """
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def check_document(doc: YamlDocument, schema_file: str) -> list[Finding]:
    """Validate one loaded file against a schema; one finding per problem."""
    if not isinstance(doc.data, dict):
        pos = doc.position(())
        return [Finding(doc.file, pos.line, pos.col, "E-SCHEMA-TYPE",
                        "a definition file must be a mapping of sections (processes:, rules:, …)",
                        hint="start the file with a section name such as 'processes:'")]
    quick = quick_test(schema_file)
    if quick is not None and quick(doc.data):
        return []  # no error: jsonschema's iter_errors would yield nothing
    findings: list[Finding] = []
    for error in validator(schema_file).iter_errors(doc.data):
        findings.extend(_findings_for(doc, error))
    return sorted(set(findings), key=lambda f: (f.line, f.col, f.code))


def _findings_for(doc: YamlDocument, error: ValidationError) -> Iterator[Finding]:
    if error.validator in ("oneOf", "anyOf") and error.context:
        yield from _findings_for(doc, best_match(error.context))
        return
    path = tuple(error.absolute_path)
    where = format_path(path)
    kind = error.validator
    if kind in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
        allowed = _allowed_keys(error.schema)
        for key in _extra_keys(error.instance, error.schema):
            pos = doc.position((*path, key), key=True)
            yield Finding(doc.file, pos.line, pos.col, "E-SCHEMA-UNKNOWN-KEY",
                          f"unknown key '{key}' in {where}", path=format_path((*path, key)),
                          hint=did_you_mean(key, allowed) or _allowed_hint(allowed))
        return
    if kind == "required" and isinstance(error.instance, dict):
        pos = doc.position(path)
        for key in error.validator_value:
            if key not in error.instance:
                yield Finding(doc.file, pos.line, pos.col, "E-SCHEMA-REQUIRED",
                              f"{where} is missing the required key '{key}'", path=where)
        return
    if kind == "propertyNames":
        key = error.instance
        pos = doc.position((*path, key), key=True)
        yield Finding(doc.file, pos.line, pos.col, "E-NAME-INVALID", f"'{key}' is not a valid name in {where}",
                      path=where, hint=NAME_RULE)
        return
    pos = doc.position(path)
    code, message, hint = _describe(error, where)
    yield Finding(doc.file, pos.line, pos.col, code, message, path=where, hint=hint)


def _describe(error: ValidationError, where: str) -> tuple[str, str, str]:
    kind, value, instance = error.validator, error.validator_value, error.instance
    if kind == "type":
        expected = " or ".join(value) if isinstance(value, list) else value
        return "E-SCHEMA-TYPE", f"{where} must be {_article(expected)}, not {_json_type(instance)}", ""
    if kind == "enum":
        options = ", ".join(str(v) for v in value)
        hint = did_you_mean(str(instance), [str(v) for v in value]) or f"choose one of: {options}"
        return "E-SCHEMA-ENUM", f"{where}: '{instance}' is not allowed here", hint
    if kind == "const":
        return "E-SCHEMA-ENUM", f"{where} must be {json.dumps(value)}, not {json.dumps(instance)}", ""
    if kind == "pattern":
        if "a-z" in str(value) and "0-9_" in str(value):
            return "E-NAME-INVALID", f"{where}: '{instance}' is not a valid name", NAME_RULE
        return "E-SCHEMA-PATTERN", f"{where}: '{instance}' does not have the expected form", _desc(error)
    if kind in ("minProperties", "maxProperties") and isinstance(instance, dict):
        keys = sorted(_allowed_keys(error.schema))
        if kind == "minProperties":
            return "E-SCHEMA-EMPTY", f"{where} is empty", _allowed_hint(keys)
        return ("E-SCHEMA-ONE-KEY",
                f"{where} has {len(instance)} keys ({', '.join(instance)}) where exactly one is expected",
                "split it into separate list items, one action or trigger each")
    if kind in ("minItems", "minLength"):
        return "E-SCHEMA-EMPTY", f"{where} must not be empty", _desc(error)
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return "E-SCHEMA-RANGE", f"{where}: {instance} is out of range ({kind} {value})", ""
    if kind == "not":
        return "E-SCHEMA-CONFLICT", f"{where}: {_desc(error) or 'this combination of keys is not allowed'}", ""
    if kind == "uniqueItems":
        return "E-SCHEMA-DUPLICATE", f"{where} lists the same value twice", ""
    return "E-SCHEMA", f"{where}: {error.message}", _desc(error)


def _desc(error: ValidationError) -> str:
    description = error.schema.get("description", "") if isinstance(error.schema, dict) else ""
    return description.split(".")[0] if description else ""


def _allowed_keys(schema: Any) -> list[str]:
    if not isinstance(schema, dict):
        return []
    return list(schema.get("properties", {}))


def _extra_keys(instance: dict, schema: dict) -> list[str]:
    allowed = set(_allowed_keys(schema))
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    return [k for k in instance if k not in allowed and not any(p.search(k) for p in patterns)]


def _allowed_hint(keys: list[str]) -> str:
    return f"allowed here: {', '.join(sorted(keys))}" if keys else ""


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _article(kind: str) -> str:
    words = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "a whole number",
             "number": "a number", "boolean": "true or false", "null": "null"}
    return words.get(kind, kind)
