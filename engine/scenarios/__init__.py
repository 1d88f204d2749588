"""Scenario specs (``ruledeck test``), the shipped set-ups (``init``, ``demo``) and their helpers.

Names are imported on first use, so ``ruledeck init`` (which needs only
:mod:`.shipped`) does not load the runtime.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE: dict[str, tuple[str, str]] = {
    **{name: (".results", name) for name in ("Check", "ProjectRun", "SpecResult", "Status", "SuiteResult")},
    **{name: (".runner", name) for name in ("run_paths", "run_project", "run_spec")},
    **{name: (".shipped", name) for name in ("SCENARIOS", "Scaffold", "scaffold")},
    **{name: (".demo", name) for name in ("DemoStep", "demo_project", "open_demo", "run_demo")},
    "DEMO_BOARD": (".demo", "BOARD"), "DEMO_MOMENTS": (".demo", "DEFAULT_MOMENTS"), "DEMO_END": (".demo", "END"),
}  # fmt: skip

__all__ = list(_WHERE)


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    try:
        module, attribute = _WHERE[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(import_module(module, __name__), attribute)
    globals()[name] = value
    return value
