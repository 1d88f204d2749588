"""``validate``'s text output names the element of every finding, as its JSON output does."""

from __future__ import annotations

import json

DEFS = """\
processes:
  line:
    pipelines: {main: {stages: {new: {}, done: {kind: success}}}}
rules:
  line_in_transit:
    process: line
    when: {entered: transit}
    then: [{move: don}]
"""


def _project(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    (root / "ruledeck.yaml").write_text("ruledeck: 1\nname: p\ntimezone: UTC\n")
    (root / "defs.yaml").write_text(DEFS)
    return root


def test_text_findings_name_the_element(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _project(tmp_path)
    result = cli("validate", "p")
    assert result.exit_code == 1
    assert result.stdout == (
        "p/defs.yaml:7:21: error E-REF-STAGE at rules.line_in_transit.when.entered: process 'line' has no stage "
        "'transit' (process 'line' has: new, done)\n"
        "  7 |     when: {entered: transit}\n"
        "    |                     ^\n"
        "p/defs.yaml:8:19: error E-REF-STAGE at rules.line_in_transit.then[0].move: process 'line' has no stage "
        "'don' (did you mean 'done'?)\n"
        "  8 |     then: [{move: don}]\n"
        "    |                   ^\n")
    assert result.stderr == "p: FAILED (2 error(s), 0 warning(s))\n"
    paths = [f["path"] for f in json.loads(cli("validate", "p", "--format", "json").stdout)[0]["findings"]]
    assert paths == ["rules.line_in_transit.when.entered", "rules.line_in_transit.then[0].move"]


def test_a_finding_without_an_element_keeps_the_short_form(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = _project(tmp_path)
    (root / "defs.yaml").write_text("processes: [\n")
    result = cli("validate", "p")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("p/defs.yaml:2:1: error E-YAML-SYNTAX: ")
