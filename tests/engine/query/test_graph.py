"""Stage graphs: transitions from rule effects, sources from triggers and conditions."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from ruledeck.engine import load_project, process_graph

FIXTURES = Path(__file__).parents[2] / "fixtures"
DEFINITIONS = Path(__file__).parents[3] / "definitions"


@pytest.fixture(scope="module")
def project():
    return load_project(FIXTURES / "query_project")


def edges(graph) -> dict[tuple[str, str], list[str]]:
    return {(e.source, e.target): e.labels for e in graph.edges.values()}


def test_transitions_come_from_rule_effects_and_triggers(project):
    found = edges(process_graph(project, "order"))
    assert found == {
        ("n_sales___start", "n_sales__new"): ["open_order [event order_placed]"],
        ("n_sales__new", "n_sales__in_work"): ["confirmed [task confirm: ok]"],
        ("n_sales__new", "n_sales__lost"): ["cancelled [task confirm: cancel]"],
        ("n_sales__in_work", "n_sales__shipped"): ["ship_when_paid [event payment_received]"],
        ("n_sales___any", "n_sales__paused"): ["pause [event order_paused]"],
        ("n_sales__paused", "n_sales___held_from"): ["resume [event order_resumed]"],
        ("n_sales___g_new_in_work", "n_sales__lost"): ["overdue_lost [date due_on 1d]"],
    }


def test_tasks_are_noted_where_they_are_created(project):
    graph = process_graph(project, "order")
    assert graph.nodes["n_sales___start"].notes == ["confirm_new: task confirm"]
    assert "n_returns___start" not in graph.nodes  # no rule creates items in that pipeline


def test_dashed_edge_returns_from_hold(project):
    graph = process_graph(project, "order")
    assert [e.dashed for e in graph.edges.values() if e.target.endswith("held_from")] == [True]


def test_called_rules_and_updates_reach_the_graph():
    graph = process_graph(load_project(DEFINITIONS / "prosthesis_followup"), "feedback")
    labels = [label for e in graph.edges.values() for label in e.labels]
    assert "restage_monthly [cron 0 6 1 * *] › restage_feedback" in labels
    assert "start_incident [event incident_reported] › update" in labels


def test_a_stage_named_by_an_expression_gets_a_computed_node():
    graph = process_graph(load_project(DEFINITIONS / "prosthesis_followup"), "incident")
    assert graph.nodes["n_repair___x0"].label == "stage = event.stage"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
@pytest.mark.parametrize("name", ["prosthesis_followup", "complaints", "medical_orders", "service_requests",
                                  "bpm_patterns"])
def test_graphviz_renders_every_shipped_process(name):
    from ruledeck.cli.graph_render import graph_dot

    project = load_project(DEFINITIONS / name)
    for process in project.processes:
        done = subprocess.run(["dot", "-Tsvg"], input=graph_dot(process_graph(project, process)),
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "<svg" in done.stdout, (process, done.stderr)
