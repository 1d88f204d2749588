"""The shipped JSON Schemas (package ``ruledeck.schemas``): which kinds there are, and their contents.

Kept apart from :mod:`.validation.schema` (which needs jsonschema and the
whole checker) so that ``ruledeck schema`` reads a file and nothing more.

>>> KINDS["rule"]
'rule.json'
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

KINDS = {
    "project": "project.json",
    "definitions": "definitions.json",
    "process": "process.json",
    "event_type": "event_type.json",
    "rule": "rule.json",
    "period_table": "period_table.json",
    "role": "role.json",
    "person": "person.json",
    "lookup": "lookup.json",
    "template": "template.json",
    "board": "board.json",
    "report": "report.json",
    "common": "common.json",
    "spec": "spec.json",
}
"""Each definition kind and the schema file describing it."""


@cache
def load_schemas() -> dict[str, dict]:
    """Every shipped schema, keyed by file name."""
    folder = resources.files("ruledeck.schemas")
    return {
        entry.name: json.loads(entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    }
