"""Scenario specs (``ruledeck test``), the shipped set-ups (``init``, ``demo``) and their helpers."""

from __future__ import annotations

from .results import Check, ProjectRun, SpecResult, Status, SuiteResult
from .runner import run_paths, run_project, run_spec

__all__ = ["Check", "ProjectRun", "SpecResult", "Status", "SuiteResult", "run_paths", "run_project", "run_spec"]
