"""Every example in the timing modules' docstrings runs (STYLE.md §8)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest
import ruledeck.engine.timing as timing

MODULES = [timing.__name__] + [f"{timing.__name__}.{m.name}" for m in pkgutil.iter_modules(timing.__path__)]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failures == 0


def test_public_api_is_listed():
    assert sorted(timing.__all__) == sorted(name for name in dir(timing) if name in timing.__all__)
    for name in timing.__all__:
        assert getattr(timing, name).__doc__ or name == "Zone", name
