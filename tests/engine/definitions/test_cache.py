"""The validated-project cache: a hit for unchanged inputs, a full validation for any change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ruledeck.engine import DefinitionError, validate_project
from ruledeck.engine.definitions import cache
from ruledeck.engine.definitions.cache import CACHE_FOLDER, cached_project, cached_validation

from ...conftest import REPO

TEMPLATES = """templates:
  act:
    process: request
    filename: "act-{{ number }}.md"
    file: act.md.j2
"""


@pytest.fixture(autouse=True)
def own_user_cache(tmp_path, monkeypatch):
    """The user cache folder (the fallback) inside the test's folder; the cache switched on."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv(cache.NO_CACHE_VARIABLE, raising=False)


def _twice(root: Path):
    first = cached_validation(root)
    return first, cached_validation(root)


def test_an_unchanged_project_comes_from_the_cache(project_factory):
    root = project_factory()
    first, second = _twice(root)
    assert (first.cached, second.cached) == (False, True)
    assert list(second.project.processes) == list(first.project.processes)
    assert list(second.project.rules) == list(first.project.rules)
    assert second.findings == first.findings
    assert (root / CACHE_FOLDER / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_the_cached_model_has_no_compiled_sql_and_still_points_at_its_yaml(project_factory):
    root = project_factory()
    first = cached_validation(root)
    first.project.compiled_sql[("x",)] = ("SELECT 1", {})
    cached_validation(root).project.compiled_sql[("x",)] = ("SELECT 1", {})
    project = cached_project(root)
    assert project.compiled_sql == {}
    rule = next(iter(project.rules.values()))
    assert rule.loc.file == str(Path("project") / "rules.yaml")
    assert rule.loc.position(key=True).line > 0


@pytest.mark.parametrize("change", ["edit", "add", "delete", "config"])
def test_any_change_of_a_definition_file_validates_again(project_factory, change):
    root = project_factory()
    cached_validation(root)
    if change == "edit":
        path = root / "people.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "\n# a comment is a change too\n", encoding="utf-8")
    elif change == "add":
        (root / "more" / "roles.yaml").parent.mkdir()
        (root / "more" / "roles.yaml").write_text("roles:\n  auditor: {label: Auditor}\n", encoding="utf-8")
    elif change == "delete":
        (root / "people.yaml").rename(root / "people.txt")
    else:
        path = root / "ruledeck.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("name: base", "name: renamed"), encoding="utf-8")
    result = cached_validation(root)
    assert not result.cached
    assert result.findings == validate_project(root).findings
    if change == "add":
        assert "auditor" in result.project.roles
    if change == "config":
        assert result.project.name == "renamed"


def test_a_changed_file_is_validated_as_strictly_as_without_the_cache(project_factory):
    root = project_factory()
    cached_project(root)
    path = root / "rules.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("stage", "stag", 1), encoding="utf-8")
    expected = validate_project(root).findings
    assert expected
    with pytest.raises(DefinitionError) as raised:
        cached_project(root)
    assert raised.value.findings == [f for f in expected if f.severity.value == "error"]
    assert cached_validation(root).findings == expected  # a project with errors is never cached
    assert not cached_validation(root).cached


def test_a_changed_template_file_validates_again(project_factory):
    root = project_factory({"templates.yaml": TEMPLATES})
    (root / "act.md.j2").write_text("# Act {{ number }}\n", encoding="utf-8")
    _twice(root)
    (root / "act.md.j2").write_text("# Act {{ nubmer }}\n", encoding="utf-8")
    result = cached_validation(root)
    assert not result.cached
    assert [f.code for f in result.errors] == ["E-TEMPLATE-UNKNOWN-NAME"]
    assert result.findings == validate_project(root).findings


def test_a_deleted_template_file_validates_again(project_factory):
    root = project_factory({"templates.yaml": TEMPLATES})
    (root / "act.md.j2").write_text("# Act {{ number }}\n", encoding="utf-8")
    _twice(root)
    (root / "act.md.j2").unlink()
    result = cached_validation(root)
    assert not result.cached
    assert [f.code for f in result.errors] == ["E-TEMPLATE-FILE"]


def test_a_changed_schema_or_engine_module_validates_again(project_factory, tmp_path, monkeypatch):
    root = project_factory()
    schemas = tmp_path / "schemas"
    shutil.copytree(REPO / "schemas", schemas)
    monkeypatch.setattr(cache, "_SCHEMAS", schemas)
    cache._environment.cache_clear()
    _twice(root)
    rule = schemas / "rule.json"
    rule.write_text(rule.read_text(encoding="utf-8").replace('"title"', '"title" ', 1), encoding="utf-8")
    cache._environment.cache_clear()
    assert not cached_validation(root).cached
    assert cached_validation(root).cached
    engine = tmp_path / "engine"
    (engine / "sub").mkdir(parents=True)
    (engine / "sub" / "module.py").write_text("X = 1\n", encoding="utf-8")
    monkeypatch.setattr(cache, "_ENGINE", engine)
    cache._environment.cache_clear()
    assert not cached_validation(root).cached
    (engine / "sub" / "module.py").write_text("X = 22\n", encoding="utf-8")  # another version of ruledeck
    cache._environment.cache_clear()
    assert not cached_validation(root).cached
    cache._environment.cache_clear()


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05garbage"])
def test_a_corrupt_cache_is_ignored_and_rewritten(project_factory, damage):
    root = project_factory()
    cached_validation(root)
    [stored] = (root / CACHE_FOLDER).glob("*.pickle")
    stored.write_bytes(damage)
    result = cached_validation(root)
    assert not result.cached and result.project is not None
    assert stored.read_bytes() != damage
    assert cached_validation(root).cached


def test_an_unwritable_project_folder_uses_the_user_cache(project_factory, tmp_path):
    root = project_factory()
    (root / CACHE_FOLDER).write_text("a file where the folder would be", encoding="utf-8")
    first, second = _twice(root)
    assert (first.cached, second.cached) == (False, True)
    assert list((tmp_path / "user-cache" / "ruledeck").rglob("*.pickle"))


def test_the_cache_can_be_switched_off(project_factory, monkeypatch):
    root = project_factory()
    monkeypatch.setenv(cache.NO_CACHE_VARIABLE, "1")
    first, second = _twice(root)
    assert (first.cached, second.cached) == (False, False)
    assert not (root / CACHE_FOLDER).exists()


def test_the_loader_never_reads_the_cache_folder(project_factory):
    root = project_factory()
    cached_validation(root)
    (root / CACHE_FOLDER / "stray.yaml").write_text("not: [valid\n", encoding="utf-8")
    assert cached_validation(root).cached
    assert validate_project(root).errors == []
