"""Scenario specs (``ruledeck test``), the shipped set-ups (``init``, ``demo``) and their helpers."""

from __future__ import annotations

from .demo import BOARD as DEMO_BOARD
from .demo import DEFAULT_MOMENTS as DEMO_MOMENTS
from .demo import END as DEMO_END
from .demo import DemoStep, demo_project, open_demo, run_demo
from .results import Check, ProjectRun, SpecResult, Status, SuiteResult
from .runner import run_paths, run_project, run_spec
from .shipped import SCENARIOS, Scaffold, scaffold

__all__ = [
    "Check", "ProjectRun", "SpecResult", "Status", "SuiteResult", "run_paths", "run_project", "run_spec",
    "SCENARIOS", "Scaffold", "scaffold",
    "DEMO_BOARD", "DEMO_MOMENTS", "DEMO_END", "DemoStep", "demo_project", "open_demo", "run_demo",
]  # fmt: skip
