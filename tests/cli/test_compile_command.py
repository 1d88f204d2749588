"""``ruledeck compile``: the statements a rule runs, as text a DBA can read."""

from __future__ import annotations

import json

from .conftest import REPO

PROSTHESIS = str(REPO / "definitions" / "prosthesis_followup")


def test_compile_prints_the_selection_the_actions_and_the_cascades_of_a_rule(cli):
    result = cli("compile", "feedback_collected", "-p", PROSTHESIS)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    statements = [line for line in lines if not line.startswith("--")]
    assert lines[0] == (f"-- rule feedback_collected (event: feedback_collected, process feedback): "
                        f"{len(statements)} statement(s)")
    labels = [line for line in lines if line.startswith("-- [")]
    assert labels == ["-- [feedback_collected]", "-- [feedback_collected > growth_alert]",
                      "-- [feedback_collected > service_completed]", "-- [feedback_collected > schedule_later_calls]"]
    assert all(s.endswith(";") for s in statements)
    assert any(s.startswith('UPDATE "items_feedback" SET "collected_at" = c."new_collected_at"') for s in statements)
    assert any("'stage', 'stage'" in s and s.startswith("INSERT INTO rd_journal") for s in statements)
    assert any(s.startswith("INSERT INTO rd_outbox") for s in statements)  # growth_alert's notify, cascaded
    # times and payload values are parameters, never part of the text
    assert not any("2026" in s for s in statements)


def test_compile_as_json_and_every_rule_when_none_is_named(cli):
    result = cli("compile", "-p", PROSTHESIS, "--format", "json")
    assert result.exit_code == 0
    rules = json.loads(result.output)
    assert [r["rule"] for r in rules][:3] == ["restage_feedback", "place_new_feedback", "restage_monthly"]
    restage = rules[2]
    assert (restage["trigger"], restage["process"], restage["stopped"]) == ("cron: 0 6 1 * *", "feedback", None)
    assert {s["rules"] for s in restage["statements"]} >= {"restage_monthly", "restage_monthly > restage_feedback"}


def test_compile_names_an_unknown_rule(cli):
    result = cli("compile", "feedback_colected", "-p", PROSTHESIS)
    assert result.exit_code == 2
    assert result.output == "Error: there is no rule 'feedback_colected' (did you mean 'feedback_collected'?)\n"


def test_an_empty_many_valued_field_joins_as_nothing_in_a_template():
    from ruledeck.engine.templating import render

    assert render("Вопросы: {{ questions | join(', ') }}.", {"questions": None}) == "Вопросы: ."
    assert render("{{ questions | join(', ') }}", {"questions": ["fit", "pain"]}) == "fit, pain"


def test_a_reader_that_goes_away_stops_the_listing_quietly():
    """``ruledeck compile | head -1``: no internal error, no traceback, the exit status of SIGPIPE."""
    import subprocess
    import sys
    from pathlib import Path

    ruledeck = Path(sys.executable).with_name("ruledeck")
    process = subprocess.Popen([str(ruledeck), "compile", "-p", str(REPO / "definitions" / "prosthesis_followup")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read()
    assert first.startswith("-- rule ")
    assert (process.wait(timeout=60), stderr) == (141, "")
