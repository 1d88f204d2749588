"""A quick yes/no JSON Schema test that agrees exactly with jsonschema's Draft 2020-12 validator.

jsonschema makes a new validator object for every subschema it enters and
resolves every ``$ref`` through ``referencing`` each time, which is most of the
schema stage's time on a project of valid files. :func:`compile_schema` turns a
schema into nested closures, once, with every ``$ref`` resolved up front.
They answer only "valid or not", by the same rules as jsonschema's keyword
functions (``bool`` is not a number, ``1.0`` is an integer, ``format`` is not
asserted, …).

The contract the caller relies on: when the test returns True, jsonschema's
``iter_errors`` yields nothing for that instance. The test never guesses:

* a schema using a keyword jsonschema validates but this module does not
  implement (``contains``, ``unevaluatedProperties``, ``$dynamicRef``, …), a
  ``$schema`` other than 2020-12, an ``$id`` below a file's root, an
  unresolvable ``$ref`` or a bad regex makes :func:`compile_schema` raise
  :class:`Unsupported`;
* a value it cannot compare exactly (``const``/``enum`` against a list or
  mapping, ``uniqueItems`` over anything but strings) makes the test return
  False.

The caller then runs jsonschema for the findings, so a False only costs time.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Iterable
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

Check = Callable[[Any], bool]
DRAFT = "https://json-schema.org/draft/2020-12/schema"
_VALIDATED = frozenset(Draft202012Validator.VALIDATORS)
"""Keywords jsonschema acts on; every other key (``description``, ``then``, ``$defs`` …) it ignores."""


class Unsupported(Exception):
    """The schema uses something the quick test does not implement."""


class _Unsure(Exception):
    """The test cannot tell exactly for this value."""


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "integer": _is_integer,
    "null": lambda v: v is None,
    "number": _is_number,
    "object": lambda v: isinstance(v, dict),
    "string": lambda v: isinstance(v, str),
}
_SIMPLE_TYPES: dict[str, type | tuple[type, ...]] = {
    "array": list, "boolean": bool, "object": dict, "string": str, "null": type(None),
}  # fmt: skip
_TRUE, _FALSE = object(), object()


def _unbool(value: Any) -> Any:
    return _TRUE if value is True else _FALSE if value is False else value


def _equal(one: Any, two: Any) -> bool:
    """jsonschema's ``equal`` for scalars; containers are not compared here."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return one == two
    if isinstance(one, list | tuple | dict) or isinstance(two, list | tuple | dict):
        raise _Unsure
    if not isinstance(one, bool | int | float | type(None)) or not isinstance(two, bool | int | float | type(None)):
        raise _Unsure
    return _unbool(one) == _unbool(two)


def _unique(items: list) -> bool:
    """jsonschema's ``uniq`` for lists of strings."""
    if len(items) < 2:
        return True
    if not all(isinstance(item, str) for item in items):
        raise _Unsure
    return len(set(items)) == len(items)


def _all(checks: list[Check]) -> Check:
    if not checks:
        return _valid
    if len(checks) == 1:
        return checks[0]
    frozen = tuple(checks)

    def every(value: Any) -> bool:
        for check in frozen:
            if not check(value):
                return False
        return True

    return every


def _valid(value: Any) -> bool:
    return True


def _invalid(value: Any) -> bool:
    return False


def _pending(value: Any) -> bool:
    raise AssertionError("a schema was used before it was compiled")


class _Compiler:
    """Compiles the subschemas of one registry, each once (``$ref`` cycles go through a cell)."""

    def __init__(self, registry: Registry, roots: Iterable[dict]):
        self.registry = registry
        self.roots = {id(root) for root in roots}
        self.cells: dict[int, list[Check]] = {}
        self.pinned: list[Any] = []

    def root(self, schema: dict) -> Check:
        resolver = self.registry.resolver_with_root(DRAFT202012.create_resource(schema))
        return self.compile(schema, resolver)

    def compile(self, schema: Any, resolver) -> Check:
        if schema is True:
            return _valid
        if schema is False:
            return _invalid
        if not isinstance(schema, dict):
            raise Unsupported(f"a schema must be a mapping or a boolean, not {schema!r}")
        cell = self.cells.get(id(schema))
        if cell is None:
            cell = self.cells[id(schema)] = [_pending]
            self.pinned.append(schema)
            cell[0] = self._compile_mapping(schema, resolver)
        if cell[0] is _pending:  # a $ref back into a schema still being compiled
            return lambda value: cell[0](value)
        return cell[0]

    def _child(self, schema: Any, resolver) -> Check:
        # jsonschema enters a subschema with resolver.in_subresource(subschema), which changes the
        # resolver only for a subschema with its own $id: refused below, so the resolver carries over.
        return self.compile(schema, resolver)

    def _compile_mapping(self, schema: dict, resolver) -> Check:
        if "$schema" in schema and schema["$schema"] != DRAFT:
            raise Unsupported(f"$schema {schema['$schema']!r}")
        if "$id" in schema and id(schema) not in self.roots:
            raise Unsupported("$id below a schema file's root")
        checks: list[Check] = []
        for key, value in schema.items():
            if key not in _VALIDATED or key in _OBJECT_KEYWORDS:
                continue
            build = _BUILDERS.get(key)
            if build is None:
                raise Unsupported(f"keyword {key!r}")
            check = build(self, value, schema, resolver)
            if key == "type":
                checks.insert(0, check)  # cheapest first: a value of the wrong kind fails at once
            else:
                checks.append(check)
        if _OBJECT_KEYWORDS.intersection(schema):
            checks.append(self._object(schema, resolver))
        return _all(checks)

    def ref(self, ref: str, resolver) -> Check:
        try:
            resolved = resolver.lookup(ref)
        except Unresolvable as exc:
            raise Unsupported(f"$ref {ref!r}: {exc}") from None
        target = resolved.contents
        if isinstance(target, dict) and "$id" in target and id(target) not in self.roots:
            raise Unsupported("$ref to a subschema with its own $id")
        return self.compile(target, resolved.resolver)

    def _object(self, schema: dict, resolver) -> Check:
        """Every object keyword of one schema, in one pass over a mapping."""
        required = tuple(schema.get("required", ()))
        named = {name: self._child(sub, resolver) for name, sub in schema.get("properties", {}).items()}
        patterns = tuple((_regex(p).search, self._child(sub, resolver))
                         for p, sub in schema.get("patternProperties", {}).items())
        joined = "|".join(schema.get("patternProperties", {}))
        matched = _regex(joined).search if joined else None
        extra = self._extra(schema, resolver)
        names = self._child(schema["propertyNames"], resolver) if "propertyNames" in schema else None
        fewest, most = schema.get("minProperties"), schema.get("maxProperties")
        dependent_required = tuple((k, tuple(v)) for k, v in schema.get("dependentRequired", {}).items())
        dependent = tuple((k, self._child(sub, resolver)) for k, sub in schema.get("dependentSchemas", {}).items())

        def check_object(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for name in required:
                if name not in value:
                    return False
            if (fewest is not None and len(value) < fewest) or (most is not None and len(value) > most):
                return False
            for key, item in value.items():
                check = named.get(key)
                if check is not None:  # properties
                    if not check(item):
                        return False
                elif extra is not _valid and not (matched and matched(key)) and not extra(item):
                    return False  # additionalProperties: a key neither named nor matching a pattern
                for search, check in patterns:
                    if search(key) and not check(item):
                        return False
                if names is not None and not names(key):
                    return False
            for name, needed in dependent_required:
                if name in value and any(each not in value for each in needed):
                    return False
            for name, check in dependent:
                if name in value and not check(value):
                    return False
            return True

        return check_object

    def _extra(self, schema: dict, resolver) -> Check:
        """What a key not named by ``properties`` or ``patternProperties`` must pass."""
        if "additionalProperties" not in schema:
            return _valid
        extra = schema["additionalProperties"]
        if isinstance(extra, dict):
            return self._child(extra, resolver)
        return _valid if extra else _invalid


def _sized(kind: type, compare: Callable[[int, Any], bool]) -> Callable[..., Check]:
    def build(compiler: _Compiler, limit: Any, schema: dict, resolver) -> Check:
        return lambda value: not isinstance(value, kind) or compare(len(value), limit)
    return build


def _bound(compare: Callable[[Any, Any], bool]) -> Callable[..., Check]:
    def build(compiler: _Compiler, limit: Any, schema: dict, resolver) -> Check:
        return lambda value: not _is_number(value) or compare(value, limit)
    return build


def _type(compiler: _Compiler, types: Any, schema: dict, resolver) -> Check:
    names = [types] if isinstance(types, str) else list(types)
    if any(name not in _TYPES for name in names):
        raise Unsupported(f"type {types!r}")
    if all(name in _SIMPLE_TYPES for name in names):
        classes = tuple(_SIMPLE_TYPES[name] for name in names)
        return lambda value: isinstance(value, classes)
    checks = tuple(_TYPES[name] for name in names)
    return lambda value: any(check(value) for check in checks)


def _items(compiler: _Compiler, items: Any, schema: dict, resolver) -> Check:
    check = compiler._child(items, resolver)
    return lambda value: not isinstance(value, list) or all(check(item) for item in value)


def _regex(pattern: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except (re.error, TypeError) as exc:
        raise Unsupported(f"pattern {pattern!r}: {exc}") from None


def _pattern(compiler: _Compiler, pattern: str, schema: dict, resolver) -> Check:
    search = _regex(pattern).search
    return lambda value: not isinstance(value, str) or search(value) is not None


def _const(compiler: _Compiler, expected: Any, schema: dict, resolver) -> Check:
    return lambda value: _equal(value, expected)


def _enum(compiler: _Compiler, options: Any, schema: dict, resolver) -> Check:
    choices = tuple(options)
    return lambda value: any(_equal(option, value) for option in choices)


def _unique_items(compiler: _Compiler, flag: Any, schema: dict, resolver) -> Check:
    if not flag:
        return _valid
    return lambda value: not isinstance(value, list) or _unique(value)


def _ref(compiler: _Compiler, ref: str, schema: dict, resolver) -> Check:
    return compiler.ref(ref, resolver)


def _all_of(compiler: _Compiler, subs: list, schema: dict, resolver) -> Check:
    return _all([compiler._child(sub, resolver) for sub in subs])


def _any_of(compiler: _Compiler, subs: list, schema: dict, resolver) -> Check:
    checks = tuple(compiler._child(sub, resolver) for sub in subs)
    return lambda value: any(check(value) for check in checks)


def _one_of(compiler: _Compiler, subs: list, schema: dict, resolver) -> Check:
    checks = tuple(compiler._child(sub, resolver) for sub in subs)
    return lambda value: sum(1 for check in checks if check(value)) == 1


def _not(compiler: _Compiler, sub: Any, schema: dict, resolver) -> Check:
    check = compiler._child(sub, resolver)
    return lambda value: not check(value)


def _if(compiler: _Compiler, sub: Any, schema: dict, resolver) -> Check:
    condition = compiler._child(sub, resolver)
    then = compiler._child(schema["then"], resolver) if "then" in schema else _valid
    otherwise = compiler._child(schema["else"], resolver) if "else" in schema else _valid
    return lambda value: then(value) if condition(value) else otherwise(value)


def _format(compiler: _Compiler, name: Any, schema: dict, resolver) -> Check:
    return _valid  # the validator in schema.py has no format checker: format is an annotation


_OBJECT_KEYWORDS = frozenset({
    "required", "properties", "patternProperties", "additionalProperties", "propertyNames", "minProperties",
    "maxProperties", "dependentRequired", "dependentSchemas",
})  # fmt: skip
_BUILDERS: dict[str, Callable[..., Check]] = {
    "type": _type,
    "items": _items,
    "minItems": _sized(list, lambda size, limit: size >= limit),
    "maxItems": _sized(list, lambda size, limit: size <= limit),
    "minLength": _sized(str, lambda size, limit: size >= limit),
    "maxLength": _sized(str, lambda size, limit: size <= limit),
    "minimum": _bound(lambda value, limit: not value < limit),
    "maximum": _bound(lambda value, limit: not value > limit),
    "exclusiveMinimum": _bound(lambda value, limit: not value <= limit),
    "exclusiveMaximum": _bound(lambda value, limit: not value >= limit),
    "pattern": _pattern,
    "const": _const,
    "enum": _enum,
    "uniqueItems": _unique_items,
    "$ref": _ref,
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "not": _not,
    "if": _if,
    "format": _format,
}


def compile_schema(schema: dict, registry: Registry, roots: Iterable[dict]) -> Callable[[Any], bool]:
    """A test that is True only for instances ``schema`` accepts (jsonschema finds no error).

    ``registry`` resolves cross-file ``$ref``s; ``roots`` are the schema files' top-level
    mappings (the only places an ``$id`` may stand). Raises :class:`Unsupported`.
    """
    check = _Compiler(registry, roots).root(schema)

    def passes(instance: Any) -> bool:
        try:
            return check(instance)
        except _Unsure:
            return False

    return passes
