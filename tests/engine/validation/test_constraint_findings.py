"""Refusals and field constraints are checked at validation, each mistake positioned with a hint."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ruledeck.engine import validate_project

PROJECT = Path(__file__).parents[2] / "fixtures" / "refusals_project"

# fmt: off
CASES = [
    # (title, old text, new text, code, line, col, message, hint)
    ("unique on a computed field",
     'fee: {type: decimal, compute: "amount * 0.1"}', 'fee: {type: decimal, compute: "amount * 0.1", unique: true}',
     "E-FIELD-CONSTRAINT", 16, 61, "'unique' cannot constrain computed field 'fee': its value is worked out, never set",
     "constrain the fields it is computed from, or require it on a stage"),
    ("a stage's require reads an unknown field",
     '{that: "approved and amount >= 100"', '{that: "aproved and amount >= 100"',
     "E-EXPR-UNKNOWN-FIELD", 27, 25, "unknown field 'aproved' (in a stage's require)", "did you mean 'approved'?"),
    ("a stage's require names an unknown field",
     "              - reason\n", "              - reasn\n",
     "E-REF-FIELD", 26, 17, "process 'payment' has no field 'reasn'", "did you mean 'reason'?"),
    ("a pattern that does not compile",
     'pattern: "^[0-9]{10}$"', 'pattern: "^[0-9{10}$"',
     "E-FIELD-PATTERN", 10, 36, "pattern '^[0-9{10}$' is not a regular expression: unterminated character set at "
     "position 1", "escape special characters with a backslash, e.g. \\. for a dot"),
    ("a pattern with a look-ahead",
     'pattern: "^[0-9]{10}$"', 'pattern: "^(?=7)[0-9]{10}$"',
     "E-FIELD-PATTERN", 10, 36, "pattern '^(?=7)[0-9]{10}$' uses a look-around or a back-reference, which the "
     "database's regular expressions (RE2) do not have", "rewrite it without (?=, (?!, (?<=, (?<! or \\1"),
    ("a date bound that is not a date",
     'min: "2020-01-01"', 'min: "yesterday"',
     "E-FIELD-BOUND", 13, 34, "min of a date field must be a date like 2026-01-31, not 'yesterday'", ""),
    ("unique scoped by an unknown field",
     "unique: [client]", "unique: [clinet]",
     "E-REF-FIELD", 11, 42, "process 'payment' has no field 'clinet'", "did you mean 'client'?"),
    ("max below min",
     "min: 0.01, max: 1000000", "min: 1000, max: 10",
     "E-FIELD-BOUND", 12, 47, "max 10 is below min 1000", ""),
    ("an event type's require reads a bare name",
     '"event.phone is not null or event.email is not null"', '"phone is not null"',
     "E-EXPR-UNKNOWN-FIELD", 47, 17, "unknown field 'phone' (an event type's require reads the payload as "
     "event.FIELD)", ""),
    ("a reject message reads an unknown field",
     'message: "{{ number }} is closed', 'message: "{{ nuber }} is closed',
     "E-TEMPLATE-UNKNOWN-NAME", 74, 55, "template uses 'nuber', which is not a field here", "did you mean 'number'?"),
    ("a reject condition reads an unknown field",
     '- reject: {if: "stage_kind', '- reject: {if: "stage_knd',
     "E-EXPR-UNKNOWN-FIELD", 74, 23, "unknown field 'stage_knd'", "did you mean 'stage_kind'?"),
]
# fmt: on


def test_the_refusals_project_is_clean():
    assert [f.format() for f in validate_project(PROJECT).findings] == []


@pytest.mark.parametrize(("old", "new", "code", "line", "col", "message", "hint"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_mistake_gets_one_positioned_finding(tmp_path, old, new, code, line, col, message, hint):
    root = tmp_path / "p"
    shutil.copytree(PROJECT, root)
    definitions = root / "definitions.yaml"
    text = definitions.read_text(encoding="utf-8")
    assert old in text, f"fixture out of date: {old!r}"
    definitions.write_text(text.replace(old, new, 1), encoding="utf-8")
    findings = validate_project(root).findings
    assert [(f.code, f.line, f.col, f.message, f.hint) for f in findings] == [(code, line, col, message, hint)]


def test_unique_on_an_event_field_is_refused(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(PROJECT, root)
    definitions = root / "definitions.yaml"
    text = definitions.read_text(encoding="utf-8")
    definitions.write_text(text.replace("      phone: {type: string}", "      phone: {type: string, unique: true}"),
                           encoding="utf-8")
    [finding] = validate_project(root).findings
    assert (finding.code, finding.message) == (
        "E-FIELD-UNIQUE", "'unique' is for process fields; event field 'phone' is not stored with others to compare")
