"""Scenario specs (``ruledeck test``), the shipped set-ups (``init``, ``demo``) and their helpers.

Names are imported on first use, so ``ruledeck init`` (which needs only
:mod:`.shipped`) does not load the runtime.
"""

from __future__ import annotations

from ..lazy import lazy_names

_WHERE: dict[str, tuple[str, str]] = {
    **{name: (".results", name) for name in ("Check", "ProjectRun", "SpecResult", "Status", "SuiteResult")},
    **{name: (".runner", name) for name in ("run_paths", "run_project", "run_spec")},
    **{name: (".shipped", name) for name in ("SCENARIOS", "Scaffold", "scaffold")},
    **{name: (".demo", name) for name in ("DemoStep", "demo_project", "open_demo", "run_demo")},
    "DEMO_BOARD": (".demo", "BOARD"), "DEMO_MOMENTS": (".demo", "DEFAULT_MOMENTS"), "DEMO_END": (".demo", "END"),
}  # fmt: skip

__all__ = list(_WHERE)


__getattr__ = lazy_names(__name__, globals(), _WHERE)
