"""Public names imported on first use (PEP 562), so a command pays only for what it touches."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_names(package: str, namespace: dict[str, Any], where: dict[str, tuple[str, str]]) -> Callable[[str], Any]:
    """A module ``__getattr__``: ``name`` is imported from ``where[name]`` (module, attribute) and kept.

    >>> import ruledeck.engine as engine
    >>> engine.UsageError.__name__
    'UsageError'
    """

    def __getattr__(name: str) -> Any:
        try:
            module, attribute = where[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(import_module(module, package), attribute)
        namespace[name] = value
        return value

    return __getattr__
