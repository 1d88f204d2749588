"""The YAML loader: positions, duplicate keys and hostile files."""

from __future__ import annotations

import pytest
from ruledeck.engine.definitions.yaml_loader import YamlLoadError, load_yaml, load_yaml_text


def load_error(text: str):
    with pytest.raises(YamlLoadError) as caught:
        load_yaml_text(text, "f.yaml")
    return caught.value.finding


def test_positions_of_nested_values_and_keys():
    doc = load_yaml_text("rules:\n  close:\n    when: {cron: '0 6 1 * *'}\n", "f.yaml")
    assert doc.data == {"rules": {"close": {"when": {"cron": "0 6 1 * *"}}}}
    cron = doc.position(("rules", "close", "when", "cron"))
    assert (cron.line, cron.col, cron.style) == (3, 18, "'")
    key = doc.position(("rules", "close"), key=True)
    assert (key.line, key.col) == (2, 3)


def test_position_of_a_missing_path_falls_back_to_the_nearest_ancestor():
    doc = load_yaml_text("a:\n  b: 1\n", "f.yaml")
    pos = doc.position(("a", "nope", "deeper"))
    assert (pos.line, pos.col) == (2, 3)


def test_duplicate_keys_are_an_error_naming_the_first_one():
    finding = load_error("rules:\n  a: {}\n  a: {}\n")
    assert (finding.code, finding.line, finding.col) == ("E-YAML-DUPLICATE-KEY", 3, 3)
    assert finding.message == "duplicate key 'a' (first defined at line 2)"


def test_syntax_error_has_a_position():
    finding = load_error("rules:\n  a: [1, 2\n  b: 3\n")
    assert finding.code == "E-YAML-SYNTAX"
    assert finding.line == 3


def test_empty_file_is_reported():
    finding = load_error("# only a comment\n")
    assert (finding.code, finding.message) == ("E-YAML-EMPTY", "the file is empty")


def test_python_tags_are_refused():
    finding = load_error("a: !!python/object/apply:os.system ['echo hi']\n")
    assert finding.code == "E-YAML-TAG"
    assert "python/object/apply:os.system" in finding.message


def test_alias_bomb_is_refused_quickly():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [{', '.join(['*a' + str(i - 1)] * 10)}]")
    finding = load_error("\n".join(lines) + "\n")
    assert finding.code == "E-YAML-TOO-LARGE"


def test_deep_nesting_is_refused():
    finding = load_error("a: " + "[" * 100 + "]" * 100 + "\n")
    assert finding.code == "E-YAML-TOO-DEEP"


def test_several_documents_in_one_file_are_refused():
    finding = load_error("a: 1\n---\nb: 2\n")
    assert (finding.code, finding.line) == ("E-YAML-MULTIDOC", 3)


def test_non_utf8_file_names_the_byte_and_place(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: ok\ntitle: caf\xe9\n".encode("latin-1"))
    with pytest.raises(YamlLoadError) as caught:
        load_yaml(path, "latin1.yaml")
    finding = caught.value.finding
    assert (finding.code, finding.line, finding.col) == ("E-YAML-ENCODING", 2, 11)
    assert finding.message == "the file is not valid UTF-8 (byte 0xe9)"


def test_huge_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("a: '" + "x" * (6 * 1024 * 1024) + "'\n")
    with pytest.raises(YamlLoadError) as caught:
        load_yaml(path, "huge.yaml")
    assert caught.value.finding.code == "E-YAML-TOO-LARGE"


def test_merge_keys_still_work():
    doc = load_yaml_text("base: &b {kind: open}\nstage: {<<: *b, label: X}\n", "f.yaml")
    assert doc.data["stage"] == {"kind": "open", "label": "X"}


def test_dates_stay_text():
    doc = load_yaml_text("d: 2026-01-31\n", "f.yaml")
    assert doc.data["d"] == "2026-01-31"


def test_merge_keys_can_be_overridden():
    doc = load_yaml_text("base: &b {kind: open, label: A}\nstage: {<<: *b, label: X}\n", "f.yaml")
    assert doc.data["stage"] == {"kind": "open", "label": "X"}


def test_merged_mappings_earlier_wins_like_pyyaml():
    doc = load_yaml_text("a: &a {x: 1, y: 2}\nb: &b {x: 3, z: 4}\nc: {<<: [*a, *b], y: 9}\n", "f.yaml")
    assert doc.data["c"] == {"x": 1, "z": 4, "y": 9}


def test_own_duplicate_next_to_a_merge_is_still_refused():
    with pytest.raises(YamlLoadError) as caught:
        load_yaml_text("base: &b {kind: open}\nstage: {<<: *b, label: X, label: Y}\n", "f.yaml")
    assert caught.value.finding.code == "E-YAML-DUPLICATE-KEY"


def test_positions_are_worked_out_on_first_use_as_the_loader_built_the_data():
    doc = load_yaml_text("base: &b {x: 1}\nuse:\n  <<: *b\n  x: 2\n", "f.yaml")
    assert doc.root is not None  # nothing recorded yet
    assert doc.data == {"base": {"x": 1}, "use": {"x": 2}}
    value, key = doc.position(("use", "x")), doc.position(("use", "x"), key=True)
    assert (value.line, value.col) == (1, 14)  # the merged value came first and keeps the path
    assert (key.line, key.col) == (4, 3)  # the mapping's own key came last
    assert doc.root is None
